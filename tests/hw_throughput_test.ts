// Steady-state throughput of bulk 64 KiB sends at MSS 1448 is within 2% of
// the analytic bound: the least of PCIe effective bandwidth, datapath (one
// beat per cycle) and line rate with wire overheads, for every preset and
// driver mode, and on a link where PCIe is the bound. The PCIe term comes
// from tests/_pcie_budget.ts, which works the bytes out from the workload,
// the driver mode and the ring configuration with the §4.1 formulas; it
// never reads the model's own counters, so a model that miscounts bytes
// cannot move its own bound. The model's per-kind counts must equal that
// budget exactly.
import assert from "node:assert/strict";
import { supportedDriverModes } from "../hw/drivers.ts";
import { wireBytes } from "../hw/ethernet_wire.ts";
import { createNic } from "../hw/nic.ts";
import type { DriverMode, NicConfig } from "../hw/nic_config.ts";
import { pcieReadBytes, pcieTlpGbps } from "../hw/pcie.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { bulkTcpSkb, syntheticHostSegments } from "../hw/workload.ts";
import { type BulkSend, pcieBudget } from "./_pcie_budget.ts";

const SENDS = 16;
const SEND = 65536;
const MSS = 1448;
const HDR = 66;
// bulkTcpSkb's layout: headers alone in the linear area, payload in
// page-aligned 4 KiB fragments.
const WORKLOAD: BulkSend = {
  sendBytes: SEND,
  mss: MSS,
  hdrLen: HDR,
  fragBytes: 4096,
};

function run(cfg: NicConfig, mode: DriverMode) {
  const nic = createNic(cfg, { driver: mode });
  for (let i = 0; i < SENDS; i++) {
    const skb = bulkTcpSkb({ sendBytes: SEND, mss: MSS, seq: i * SEND });
    const events = nic.driverCheck(skb).fallback !== null
      ? nic.transmitSegments(syntheticHostSegments(skb))
      : nic.transmit(skb);
    for (const e of events) assert.equal(e.kind, "frame");
  }
  return nic.report();
}

function bounds(
  cfg: NicConfig,
  downBytesPerSend: number,
  upBytesPerSend: number,
) {
  let wire = 0;
  let beats = 0;
  for (let off = 0; off < SEND; off += MSS) {
    const frame = HDR + Math.min(MSS, SEND - off);
    wire += wireBytes(frame, cfg.mac);
    beats += Math.ceil(frame / cfg.core.busBytes);
  }
  const line = SEND * 8 / (wire * 8 / cfg.mac.lineGbps);
  const datapath = SEND * 8 / (beats * 1000 / cfg.core.clockMHz);
  const tlp = pcieTlpGbps(cfg.pcie.gen, cfg.pcie.lanes, cfg.pcie.mps);
  const pcie = SEND * 8 /
    (Math.max(downBytesPerSend, upBytesPerSend) * 8 / tlp);
  return { line, datapath, pcie, bound: Math.min(line, datapath, pcie) };
}

function check(label: string, cfg: NicConfig, mode: DriverMode): string {
  const r = run(cfg, mode);
  const all = pcieBudget(cfg, mode, WORKLOAD, SENDS);
  // Every byte the model counted, by kind and direction, is in the budget.
  for (const [kind, want] of Object.entries(all.byKind)) {
    assert.deepEqual(
      r.pcie.byKind[kind as keyof typeof all.byKind],
      want,
      `${label} ${mode}: ${kind} bytes differ from the analytic budget ` +
        `(${all.doorbells} doorbells, ${all.descFetches} descriptor reads, ` +
        `${all.writebacks} write-backs, ${all.msis} MSIs)`,
    );
  }
  assert.equal(r.pcie.toDeviceBytes, all.toDevice);
  assert.equal(r.pcie.toHostBytes, all.toHost);
  // Steady state: the bytes of sends 2..SENDS, the window steadyGoodputGbps
  // measures (it starts at the first send's last bit).
  const first = pcieBudget(cfg, mode, WORKLOAD, 1);
  const down = (all.toDevice - first.toDevice) / (SENDS - 1);
  const up = (all.toHost - first.toHost) / (SENDS - 1);
  const b = bounds(cfg, down, up);
  const err = (r.steadyGoodputGbps - b.bound) / b.bound;
  const limit = b.bound === b.pcie
    ? "pcie"
    : b.bound === b.line
    ? "line"
    : "datapath";
  console.log(
    `${label} ${mode}: model ${r.steadyGoodputGbps.toFixed(2)} Gb/s, bound ${
      b.bound.toFixed(2)
    } Gb/s (${limit}; line ${b.line.toFixed(2)}, datapath ${
      b.datapath.toFixed(2)
    }, PCIe ${b.pcie.toFixed(2)}), ${
      (100 * err).toFixed(2)
    }%, bottleneck ${r.bottleneck}; PCIe B/send down/up analytic ${
      down.toFixed(0)
    }/${up.toFixed(0)}`,
  );
  assert.ok(
    Math.abs(err) <= 0.02,
    `${label} ${mode}: ${(100 * err).toFixed(2)}%`,
  );
  return limit;
}

for (const preset of ["e810-100g", "82599-10g", "corundum-100g"]) {
  Deno.test(`Nic on ${preset} sustains the analytic bound within 2% for bulk 64 KiB sends in every supported driver mode`, () => {
    const cfg = resolveConfig(preset);
    for (const mode of supportedDriverModes(cfg)) check(preset, cfg, mode);
  });
}

Deno.test("Nic on e810-100g with a Gen3 x8 link is PCIe-bound and sustains that bound within 2%", () => {
  const cfg = resolveConfig("e810-100g", {
    set: ["pcie.gen=3", "pcie.lanes=8"],
  });
  for (const mode of supportedDriverModes(cfg)) {
    assert.equal(check("e810-100g Gen3 x8", cfg, mode), "pcie");
  }
  const r = run(cfg, "hw-tso");
  assert.equal(r.bottleneck, "payload-dma");
});

Deno.test("Nic on a 256-bit datapath at 250 MHz with a 100G MAC is datapath-bound and sustains that bound within 2%", () => {
  const cfg = resolveConfig("corundum-100g", { set: ["core.busBytes=32"] });
  for (const mode of supportedDriverModes(cfg)) {
    assert.equal(check("corundum-100g 256-bit", cfg, mode), "datapath");
  }
});

Deno.test("Nic payload reads cost exactly what pcie-bench's read() formula says for the same buffers", () => {
  const cfg = resolveConfig("e810-100g");
  const r = run(cfg, "hw-tso");
  const p = { ...cfg.pcie };
  // Linear header (66 B) plus sixteen page-aligned 4 KiB fragments per send.
  const one = pcieReadBytes(HDR, p).completionBytes +
    16 * pcieReadBytes(4096, p).completionBytes;
  assert.equal(r.pcie.byKind["payload-read"].toDevice, SENDS * one);
  const req = pcieReadBytes(HDR, p).requestBytes +
    16 * pcieReadBytes(4096, p).requestBytes;
  assert.equal(r.pcie.byKind["payload-read"].toHost, SENDS * req);
  assert.equal(r.pcie.byKind.doorbell.toDevice, SENDS * 28);
});
