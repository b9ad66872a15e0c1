import assert from "node:assert/strict";
import { supportedDriverModes } from "../hw/drivers.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { compareCaptures } from "../tb/capture_compare.ts";
import { makeHwEngine } from "../tb/hw_engine.ts";
import { formatDivergence } from "../tb/scoreboard.ts";
import { capturePairs, defaultCapturesDir } from "../tb/verify_command.ts";

const DIR = defaultCapturesDir();

for (const preset of ["e810-100g", "82599-10g", "corundum-100g"]) {
  for (const driver of supportedDriverModes(resolveConfig(preset))) {
    Deno.test(`segment --engine hw equals the kernel on every capture (${preset}, ${driver})`, () => {
      for (const name of capturePairs(DIR)) {
        const r = compareCaptures(
          `${DIR}/${name}.in.pcap`,
          `${DIR}/${name}.out.pcap`,
          (h) => makeHwEngine(undefined, { preset, driver, hints: h }).engine,
        );
        assert.equal(
          r.mismatch,
          null,
          r.mismatch ? `${name}: ${formatDivergence(r.mismatch)}` : "",
        );
        assert.ok(r.segments > r.superPackets, name);
      }
    });
  }
}

Deno.test("makeHwEngine() refuses an unknown preset or configuration key in one line", () => {
  assert.throws(
    () => makeHwEngine(undefined, { preset: "nope" }),
    /Unknown preset "nope"/,
  );
  assert.throws(
    () => makeHwEngine(undefined, { set: ["pcie.nope=1"] }),
    /pcie\.nope/,
  );
});
