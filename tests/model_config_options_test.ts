// --config and --set reach the model on every command that runs it: the
// segment engine, sweep, report (every preset and the verify runs) and
// verify; bad files and keys are one usage line.
import assert from "node:assert/strict";
import { captureLog } from "./_console.ts";
import { available, exists } from "./_tools.ts";
import { UsageError } from "../tb/cli_args.ts";
import { loadModelConfig } from "../tb/model_config.ts";
import { buildReport } from "../tb/report_command.ts";
import { collectReport } from "../tb/report_data.ts";
import { sweepMain } from "../tb/sweep_command.ts";
import { defaultCapturesDir, verifyMain } from "../tb/verify_command.ts";

async function quietly<T>(f: () => Promise<T>): Promise<string[]> {
  return (await captureLog(f)).log;
}

Deno.test("loadModelConfig() merges a file over the preset, then --set over both", async () => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(
      file,
      JSON.stringify({ pcie: { gen: 3, lanes: 8 } }),
    );
    const c = loadModelConfig({
      preset: "e810-100g",
      config: file,
      set: ["pcie.lanes=4"],
    });
    assert.equal(c.pcie.gen, 3);
    assert.equal(c.pcie.lanes, 4);
    assert.throws(
      () => loadModelConfig({ config: `${file}.missing` }),
      (e: unknown) => e instanceof UsageError && /^--config /.test(e.message),
    );
    await Deno.writeTextFile(file, "{ not json");
    assert.throws(() => loadModelConfig({ config: file }), UsageError);
    assert.throws(
      () => loadModelConfig({ set: ["pcie.nope=1"] }),
      (e: unknown) => e instanceof UsageError && /pcie\.nope/.test(e.message),
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("sweep --config puts the 100G preset behind a Gen3 x8 link and the goodput follows PCIe", async () => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(
      file,
      JSON.stringify({ pcie: { gen: 3, lanes: 8 } }),
    );
    const args = ["--driver", "hw-tso", "--sizes", "65536", "--json"];
    const base = JSON.parse((await quietly(() => sweepMain(args)))[0]!);
    const slow = JSON.parse(
      (await quietly(() => sweepMain([...args, "--config", file])))[0]!,
    );
    assert.ok(base.points[0].goodputGbps > 90, `${base.points[0].goodputGbps}`);
    assert.ok(
      slow.points[0].goodputGbps > 45 && slow.points[0].goodputGbps < 60,
      `${slow.points[0].goodputGbps}`,
    );
    // The JSON says what the run changed from the preset.
    assert.deepEqual(base.model.changes, []);
    assert.deepEqual(slow.model.changes, ["pcie.gen=3", "pcie.lanes=8"]);
    assert.equal(slow.model.config.pcie.lanes, 8);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("report applies --set to every preset it runs and says so on the page", () => {
  const o = {
    goldenFiles: [],
    presets: ["e810-100g"],
    bytesPerPoint: 1 << 16,
    pcieSizes: [1500],
  };
  const base = collectReport(o);
  const gen3x8 = collectReport({
    ...o,
    overrides: { set: ["pcie.gen=3", "pcie.lanes=8"] },
  });
  const tso = (d: typeof base) =>
    d.stages.find((s) => s.driver === "hw-tso")!.goodputGbps;
  assert.ok(tso(base) > 90, `${tso(base)}`);
  assert.ok(tso(gen3x8) < 60, `${tso(gen3x8)}`);
  assert.deepEqual(gen3x8.overrides, { set: ["pcie.gen=3", "pcie.lanes=8"] });
  assert.match(
    buildReport(gen3x8),
    /model overrides --set pcie\.gen=3 --set pcie\.lanes=8/,
  );
  assert.ok(!buildReport(base).includes("model overrides"));
  // The data (and report --json) carry the changes and the configuration.
  assert.deepEqual(gen3x8.presets[0]!.changes, ["pcie.gen=3", "pcie.lanes=8"]);
  assert.equal(gen3x8.presets[0]!.config.pcie.lanes, 8);
  assert.deepEqual(base.presets[0]!.changes, []);
  // Each preset's effective configuration is on the page, changes named.
  assert.match(
    buildReport(gen3x8),
    /<p class="note config">config core [^<]*PCIe Gen3 x8 [^<]*<\/p>\n<p class="note config">changed from preset: pcie\.gen=3, pcie\.lanes=8<\/p>/,
  );
  assert.match(
    buildReport(base),
    /<p class="note config">changed from preset: none<\/p>/,
  );
});

const dir = defaultCapturesDir();
const HAVE_CAPTURES = available(
  exists(`${dir}/tcp4.in.pcap`),
  `verify --captures with --set: no kernel captures in ${dir}`,
);

Deno.test(
  "verify --captures takes --set for the model and names the packets it dropped",
  {
    ignore: !HAVE_CAPTURES,
  },
  async () => {
    let code = -1;
    const log = await quietly(async () => {
      code = await verifyMain([
        "--captures",
        dir,
        "tcp4",
        "--engine",
        "hw",
        "--set",
        "txFifoBytes=1000",
      ]);
    });
    assert.equal(code, 1);
    assert.equal(log[2], "changed from preset: txFifoBytes=1000");
    assert.match(
      log[3]!,
      /^tcp4 +hw .* FAIL model errors: tx-fifo\.frame-exceeds-fifo 7\n/,
    );
  },
);
