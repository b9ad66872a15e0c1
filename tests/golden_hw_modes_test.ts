// The NIC model against every golden vector on every preset, in every
// driver mode the preset supports: in lockstep with the reference and,
// frame for frame, against what Linux sent. `deno task verify` covers the
// default preset and mode; these cover the rest, where the host stack's own
// limits (gso_max_size), tso.c's IPv6 payload_len and its need for linear
// headers decide what reaches the driver.
import assert from "node:assert/strict";
import { supportedDriverModes } from "../hw/drivers.ts";
import type { DriverMode } from "../hw/nic_config.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { verifyGoldenHw } from "../tb/golden_engines.ts";
import { formatDivergence } from "../tb/scoreboard.ts";
import { defaultGoldenDir, goldenFiles } from "../tb/verify_command.ts";

const files = goldenFiles(defaultGoldenDir());

for (const preset of ["e810-100g", "82599-10g", "corundum-100g"]) {
  const modes = supportedDriverModes(resolveConfig(preset)) as DriverMode[];
  for (const driver of modes) {
    Deno.test(`the model on ${preset} (${driver}) sends what Linux sent for every golden vector`, () => {
      let compared = 0;
      for (const path of files) {
        const r = verifyGoldenHw(path, { preset, driver });
        if (r === null) continue;
        compared++;
        const m = r.result.mismatch;
        assert.equal(m, null, m ? `${path}: ${formatDivergence(m)}` : "");
        assert.ok(r.result.segments > 0, `${path}: nothing compared`);
      }
      assert.ok(compared >= 40, `only ${compared} vectors compared`);
    });
  }
}
