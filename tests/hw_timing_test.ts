// The cycle schedule: stamps in order, latency made of the parts the
// configuration names, store-and-forward versus cut-through, TX FIFO
// backpressure, RCB splitting and the DMA issue-rate cap.
import assert from "node:assert/strict";
import { bulkRun } from "../hw/bulk_run.ts";
import { createNic, type HwFrame } from "../hw/nic.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { bulkTcpSkb } from "../hw/workload.ts";

function framesOf(cfgSet: string[], sends: number, size = 65536): HwFrame[] {
  const nic = createNic(resolveConfig("e810-100g", { set: cfgSet }), {
    driver: "hw-tso",
  });
  const out: HwFrame[] = [];
  for (let i = 0; i < sends; i++) {
    for (
      const e of nic.transmit(
        bulkTcpSkb({ sendBytes: size, mss: 1448, seq: i * size }),
      )
    ) {
      if (e.kind === "frame") out.push(e);
    }
  }
  return out;
}

Deno.test("Nic frames carry ordered cycle stamps: doorbell ≤ first beat < last beat < last bit, wire order kept", () => {
  const f = framesOf([], 3);
  let prevLastBit = 0;
  for (const x of f) {
    assert.ok(x.cycleDoorbell <= x.cycleFirstBeat);
    assert.ok(x.cycleFirstBeat < x.cycleLastBeat);
    assert.ok(x.cycleLastBeat < x.cycleLastBit);
    assert.ok(x.cycleLastBit > prevLastBit);
    prevLastBit = x.cycleLastBit;
  }
  assert.equal(f[0]!.wireBytes, 1538);
  assert.equal(f[0]!.payloadBytes, 1448);
});

Deno.test("Nic latency of a lone packet is doorbell + descriptor read + payload read + pipeline + wire", () => {
  const nic = createNic(resolveConfig("e810-100g"), { driver: "hw-tso" });
  const f = [...nic.transmit(bulkTcpSkb({ sendBytes: 1448, mss: 1448 }))];
  assert.equal(f.length, 1);
  const r = nic.report();
  const lat = r.latencyNs.min;
  // Two host reads of ~550-600 ns each dominate; the wire adds 123 ns.
  assert.ok(lat > 2 * 548 + 123, `latency ${lat}`);
  assert.ok(lat < 2 * 548 + 123 + 600, `latency ${lat}`);
  console.log(
    `lone 1514-byte frame: ${lat.toFixed(1)} ns doorbell to last bit`,
  );
});

Deno.test("store-and-forward checksumming costs a frame time of latency over cut-through, not throughput", () => {
  const saf = bulkRun(resolveConfig("e810-100g"), "hw-tso", {
    sendBytes: 1448,
    sends: 1,
  });
  const ct = bulkRun(
    resolveConfig("e810-100g", { set: ["checksum.mode=cut-through"] }),
    "hw-tso",
    { sendBytes: 1448, sends: 1 },
  );
  const beatsNs = Math.ceil(1514 / 64) * 4;
  const d = saf.latencyNs.min - ct.latencyNs.min;
  assert.ok(d >= beatsNs - 4 && d <= beatsNs + 8, `difference ${d}`);
  const a = bulkRun(resolveConfig("e810-100g"), "hw-tso", {
    sendBytes: 65536,
    sends: 8,
  });
  const b = bulkRun(
    resolveConfig("e810-100g", { set: ["checksum.mode=cut-through"] }),
    "hw-tso",
    { sendBytes: 65536, sends: 8 },
  );
  assert.ok(Math.abs(a.steadyGoodputGbps - b.steadyGoodputGbps) < 0.05);
});

Deno.test("a small TX FIFO in front of a slow MAC back-pressures the checksum engine and never overflows", () => {
  const cfg = resolveConfig("e810-100g", {
    set: ["mac.lineGbps=10", "txFifoBytes=4096"],
  });
  const r = bulkRun(cfg, "hw-tso", { sendBytes: 65536, sends: 4 });
  assert.ok(r.txFifoMaxBytes <= 4096, `${r.txFifoMaxBytes}`);
  assert.ok(r.steadyGoodputGbps > 9.3 && r.steadyGoodputGbps < 9.5);
  assert.equal(r.bottleneck, "mac");
});

Deno.test("completions split at RCB cost more PCIe bytes than completions split at MPS", () => {
  const mps = bulkRun(resolveConfig("e810-100g"), "hw-tso", {
    sendBytes: 65536,
    sends: 2,
  });
  const rcb = bulkRun(
    resolveConfig("e810-100g", { set: ["pcie.splitAtRcb=true"] }),
    "hw-tso",
    { sendBytes: 65536, sends: 2 },
  );
  const a = mps.pcie.byKind["payload-read"].toDevice;
  const b = rcb.pcie.byKind["payload-read"].toDevice;
  // 64-byte RCB: four completions per 256 B instead of one, and the 66-byte
  // header spans two RCB blocks.
  assert.equal(b - a, 2 * ((65536 / 64 - 65536 / 256) * 20 + 20));
});

Deno.test("a DMA issue-rate cap (62 M requests/s, NFP-6000) limits small sends, not large ones", () => {
  const capped = resolveConfig("e810-100g", { set: ["pcie.readIssueMtps=62"] });
  const free = resolveConfig("e810-100g");
  const small = (c: typeof free) =>
    bulkRun(c, "none", { sendBytes: 64, sends: 400 }).steadyGoodputGbps;
  const large = (c: typeof free) =>
    bulkRun(c, "hw-tso", { sendBytes: 65536, sends: 8 }).steadyGoodputGbps;
  assert.ok(
    small(capped) < 0.8 * small(free),
    `${small(capped)} vs ${small(free)}`,
  );
  assert.ok(Math.abs(large(capped) - large(free)) < 0.5);
  // 64 KiB sends need ~23 M requests/s at 100G: a 20 M/s cap binds.
  const tight = resolveConfig("e810-100g", { set: ["pcie.readIssueMtps=20"] });
  assert.ok(large(tight) < 0.9 * large(free));
});

Deno.test("the report echoes the effective configuration and names the bottleneck", () => {
  const nic = createNic(
    resolveConfig("e810-100g", { set: ["pcie.gen=3", "pcie.lanes=8"] }),
    {
      driver: "hw-tso",
    },
  );
  for (let i = 0; i < 4; i++) {
    for (
      const _ of nic.transmit(
        bulkTcpSkb({ sendBytes: 65536, mss: 1448, seq: i * 65536 }),
      )
    ) {
      // pull
    }
  }
  const r = nic.report();
  assert.equal(r.config.pcie.gen, 3);
  assert.equal(r.bottleneck, "payload-dma");
  const text = nic.reportText();
  assert.match(text, /PCIe Gen3 x8/);
  assert.match(text, /bottleneck payload-dma/);
  assert.match(text, /latency doorbell→last bit ns: min/);
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(r)));
});
