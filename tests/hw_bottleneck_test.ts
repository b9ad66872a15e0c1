// The model's report says what limits a run only when something does: a
// stage busy most of the time, or a MAC at line rate; a latency-bound run
// is reported as such. Rates come from one window, frames that cannot fit
// the TX FIFO are refused, and deliberate bugs never go unmentioned.
import assert from "node:assert/strict";
import { bulkRun } from "../hw/bulk_run.ts";
import { bottleneckText, formatHwReport } from "../hw/hw_report.ts";
import { createNic } from "../hw/nic.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { sweep } from "../hw/sweep.ts";
import { bulkTcpSkb } from "../hw/workload.ts";

Deno.test("64-byte sends on e810-100g are latency-bound: no stage is named the bottleneck", () => {
  const r = bulkRun(resolveConfig("e810-100g"), "hw-tso", {
    sendBytes: 64,
    sends: 2048,
  });
  assert.equal(r.saturated, false);
  assert.ok(r.busyPercent.mac < 80, `mac ${r.busyPercent.mac}%`);
  assert.match(
    bottleneckText(r),
    /^none saturated \(busiest \S+ \d+\.\d%\): latency-bound$/,
  );
  assert.ok(r.steadyWireGbps < 0.9 * 100, `${r.steadyWireGbps} Gb/s`);
});

Deno.test("bulk 64 KiB sends at MSS 1448 are MAC-bound at line rate on e810-100g and 82599-10g", () => {
  for (const [preset, line] of [["e810-100g", 100], ["82599-10g", 10]]) {
    const r = bulkRun(resolveConfig(preset as string), "hw-tso", {
      sendBytes: 65536,
      sends: 16,
    });
    assert.equal(r.saturated, true, preset as string);
    assert.equal(r.bottleneck, "mac", preset as string);
    assert.ok(
      Math.abs(r.steadyWireGbps - (line as number)) < 0.01 * (line as number),
      `${preset}: steady wire ${r.steadyWireGbps} Gb/s`,
    );
  }
});

Deno.test("small sends on corundum-100g are bound by payload DMA, which is named", () => {
  const r = bulkRun(resolveConfig("corundum-100g"), "gso", {
    sendBytes: 256,
    sends: 1024,
  });
  assert.equal(r.saturated, true);
  assert.equal(r.bottleneck, "payload-dma");
  assert.match(bottleneckText(r), /^payload-dma \(\d+\.\d% busy\)$/);
});

Deno.test("sweep never shows goodput above the wire rate or the wire above the line", () => {
  const pts = sweep({
    preset: "e810-100g",
    sizes: [64, 1024, 65536],
    bytesPerPoint: 1 << 18,
  });
  pts.push(
    ...sweep({
      preset: "e810-100g",
      drivers: ["hw-tso"],
      sizes: [65536],
      mss: 9000,
      bytesPerPoint: 1 << 20,
    }),
  );
  for (const p of pts) {
    const at = `${p.driver} ${p.size}`;
    assert.ok(
      p.goodputGbps <= p.wireGbps + 1e-9,
      `${at}: ${p.goodputGbps} > ${p.wireGbps}`,
    );
    assert.ok(p.wireGbps <= 100 + 1e-6, `${at}: wire ${p.wireGbps}`);
  }
});

Deno.test("a frame larger than the TX FIFO is refused with an error event, never sent", () => {
  const cfg = resolveConfig("e810-100g", { set: ["txFifoBytes=1000"] });
  const nic = createNic(cfg, { driver: "hw-tso" });
  const ev = [...nic.transmit(bulkTcpSkb({ sendBytes: 8192, mss: 1448 }))];
  assert.deepEqual(ev.map((e) => e.kind), ["error"]);
  const r = nic.report();
  assert.deepEqual(r.errors, { "tx-fifo.frame-exceeds-fifo": 1 });
  assert.equal(r.frames, 0);
});

Deno.test("a report of a run with a fault hook on says so before any figure", () => {
  const cfg = resolveConfig("e810-100g", { set: ["faults.mssOffByOne=true"] });
  const nic = createNic(cfg, { driver: "hw-tso" });
  for (const _ of nic.transmit(bulkTcpSkb({ sendBytes: 8192, mss: 1448 }))) {
    // consume
  }
  const text = formatHwReport(nic.report()).split("\n");
  assert.equal(
    text[2],
    "FAULTS ON (test-only hooks, deliberate bugs): mssOffByOne",
  );
  const clean = formatHwReport(createNic(resolveConfig()).report());
  assert.ok(!clean.includes("FAULTS"));
});
