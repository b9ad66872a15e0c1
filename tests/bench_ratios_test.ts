// scripts/bench_ratios.ts reads `deno bench --json` reports; these tests give
// it hand-made reports (no timing happens here).
import assert from "node:assert/strict";
import { benchTiming, runRatios, summarize } from "../scripts/bench_ratios.ts";
import { BenchReportError } from "../scripts/bench_report_error.ts";

function report(cs: number, gso: number, hw: number, p75 = 1): unknown {
  const ok = (avg: number) => ({ results: [{ ok: { avg, p75: avg * p75 } }] });
  return {
    benches: [
      { name: "hw/tso-65536-1448", ...ok(hw) },
      { name: "checksum/65536", ...ok(cs) },
      { name: "checksum-reference/65536", ...ok(cs * 6) },
      { name: "gso/tcp4-65536-1448", ...ok(gso) },
    ],
  };
}

Deno.test("runRatios() takes both ratios within one report and meets gso at exactly 0.5x", () => {
  const r = runRatios(report(10_000, 20_000, 30_000));
  assert.equal(r.gsoRatio, 0.5);
  assert.equal(r.gsoMet, true);
  assert.equal(r.hwRatio, 1 / 3);
  assert.equal(r.hwMet, true);
  assert.equal(r.checksumGBps, 6.5536);
  const miss = runRatios(report(10_000, 20_001, 33_334));
  assert.equal(miss.gsoMet, false);
  assert.equal(miss.hwMet, false);
});

Deno.test("runRatios() misses the model's target below 1 GB/s even above 0.3x", () => {
  const r = runRatios(report(20_000, 30_000, 66_000));
  assert.ok(r.hwRatio >= 0.3);
  assert.ok(r.hwGBps < 1);
  assert.equal(r.hwMet, false);
});

Deno.test("runRatios() reports p75 ratios beside the averages", () => {
  const r = runRatios(report(10_000, 25_000, 40_000, 0.8));
  assert.equal(r.gsoRatio, 0.4);
  assert.equal(r.gsoRatioP75, 0.4);
  const skewed = {
    benches: [
      { name: "checksum/65536", results: [{ ok: { avg: 10, p75: 10 } }] },
      { name: "gso/tcp4-65536-1448", results: [{ ok: { avg: 25, p75: 18 } }] },
      { name: "hw/tso-65536-1448", results: [{ ok: { avg: 40, p75: 25 } }] },
    ],
  };
  const s = runRatios(skewed);
  assert.equal(s.gsoMet, false);
  assert.ok(s.gsoRatioP75 > 0.55);
  assert.equal(s.hwRatioP75, 0.4);
});

Deno.test("benchTiming() names a missing or failed bench", () => {
  assert.throws(
    () => benchTiming({ benches: [] }, "gso/tcp4-65536-1448"),
    (e) =>
      e instanceof BenchReportError &&
      e.message.includes("no bench named gso/tcp4-65536-1448"),
  );
  assert.throws(
    () =>
      benchTiming(
        { benches: [{ name: "checksum/65536", results: [{ failed: "x" }] }] },
        "checksum/65536",
      ),
    (e) =>
      e instanceof BenchReportError &&
      e.message.includes("checksum/65536 has no successful result"),
  );
  assert.throws(() => benchTiming({}, "x"), BenchReportError);
  assert.throws(() => benchTiming(null, "x"), BenchReportError);
});

Deno.test("summarize() counts the runs that met each target", () => {
  const runs = [
    runRatios(report(10_000, 19_000, 30_000)),
    runRatios(report(10_000, 21_000, 35_000)),
    runRatios(report(12_000, 29_000, 45_000)),
  ];
  assert.equal(
    summarize(runs),
    "runs=3 gso_0.5x=1/3 gso_0.5x_p75=1/3 hw_0.3x=1/3 hw_0.3x_p75=1/3 hw_1GBps=3/3",
  );
});

Deno.test("the benches the script reads are the ones bench/ defines", async () => {
  const sw = await Deno.readTextFile(
    new URL("../bench/sw_bench.ts", import.meta.url),
  );
  const hw = await Deno.readTextFile(
    new URL("../bench/hw_bench.ts", import.meta.url),
  );
  assert.ok(sw.includes(`name: "checksum/65536"`));
  assert.ok(sw.includes(`name: "gso/tcp4-65536-1448"`));
  assert.ok(hw.includes(`name: "hw/tso-65536-1448"`));
});
