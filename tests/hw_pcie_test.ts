import assert from "node:assert/strict";
import {
  completionCount,
  pcieDllpOverhead,
  pcieRawGbps,
  pcieReadBytes,
  pcieTlpGbps,
  pcieWriteBytes,
  tlpOverheads,
} from "../hw/pcie.ts";
import { pcieEffectiveBandwidth } from "../hw/pcie_bandwidth.ts";
import { HwConfigError } from "../hw/errors.ts";

const near = (a: number, b: number, tol = 0.005) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("pcieRawGbps() and pcieTlpGbps() match nic-hw.md §4.1 and §8", () => {
  near(pcieRawGbps(3, 8), 63.02);
  near(pcieRawGbps(3, 16), 126.03);
  near(pcieRawGbps(4, 16), 252.06);
  near(pcieTlpGbps(3, 8, 256), 57.88);
  near(pcieTlpGbps(3, 8, 128), 56.67);
  near(pcieTlpGbps(3, 16, 256), 113.70);
  near(pcieTlpGbps(3, 16, 128), 111.70);
  near(pcieTlpGbps(4, 8, 128), 113.33);
  near(pcieTlpGbps(4, 8, 256), 115.77);
  near(pcieTlpGbps(4, 16, 256), 227.40);
  near(pcieTlpGbps(4, 16, 128), 223.40);
  near(pcieTlpGbps(5, 16, 256), 454.80);
  near(pcieTlpGbps(5, 16, 128), 446.80);
  near(pcieDllpOverhead(3, 8, 256), 0.0814, 0.0001);
});

Deno.test("pcieRawGbps() rejects unknown generations and widths", () => {
  assert.throws(() => pcieRawGbps(7, 8), HwConfigError);
  assert.throws(() => pcieRawGbps(3, 3), HwConfigError);
  assert.throws(() => pcieTlpGbps(3, 8, 100), HwConfigError);
});

Deno.test("tlpOverheads() gives 24 B MWr/MRd, 20 B CplD, 28 B MSI with 64-bit addresses", () => {
  assert.deepEqual(tlpOverheads(true, false), {
    mwr: 24,
    mrd: 24,
    cpld: 20,
    msi: 28,
  });
  assert.deepEqual(tlpOverheads(false, false), {
    mwr: 20,
    mrd: 20,
    cpld: 20,
    msi: 24,
  });
  assert.deepEqual(tlpOverheads(true, true), {
    mwr: 28,
    mrd: 28,
    cpld: 24,
    msi: 32,
  });
});

Deno.test("pcieReadBytes() splits requests at MRRS and completions at MPS, or at RCB when configured", () => {
  const p = {
    mps: 256,
    mrrs: 512,
    rcb: 64,
    splitAtRcb: false,
    addr64: true,
    ecrc: false,
  };
  const r = pcieReadBytes(65536, p);
  assert.equal(r.requests, 128);
  assert.equal(r.requestBytes, 128 * 24);
  assert.equal(r.completions, 256);
  assert.equal(r.completionBytes, 65536 + 256 * 20);
  const rcb = pcieReadBytes(1000, { ...p, splitAtRcb: true });
  assert.equal(rcb.completions, Math.ceil(1000 / 64));
  // Unaligned: the request stops at the 4 KiB boundary.
  assert.equal(pcieReadBytes(512, p, 4096 - 100).requests, 2);
  assert.equal(completionCount(32, 64, { ...p, splitAtRcb: true }), 2);
  assert.equal(completionCount(0, 64, { ...p, splitAtRcb: true }), 1);
  assert.equal(pcieWriteBytes(600, p).tlps, 3);
  assert.equal(pcieWriteBytes(600, p).bytes, 600 + 72);
});

Deno.test("pcieEffectiveBandwidth() follows pcie-bench: saw-tooth above multiples of MPS, issue-rate cap for small transfers", () => {
  const base = { gen: 3, lanes: 8, mps: 256, mrrs: 512 } as const;
  const at256 = pcieEffectiveBandwidth({ ...base, size: 256, dir: "write" });
  const at257 = pcieEffectiveBandwidth({ ...base, size: 257, dir: "write" });
  near(at256.gbps, 256 / 280 * 57.885, 0.01);
  assert.ok(at257.gbps < at256.gbps, "a step just above MPS");
  const rd = pcieEffectiveBandwidth({ ...base, size: 1500, dir: "read" });
  assert.equal(rd.wireBytes, 1500 + 6 * 20);
  assert.equal(rd.reverseWireBytes, 3 * 24);
  assert.equal(rd.limitedBy, "data");
  near(rd.gbps, 1500 / 1620 * pcieTlpGbps(3, 8, 256), 1e-9);
  const small = pcieEffectiveBandwidth({
    ...base,
    size: 64,
    dir: "read",
    issueMtps: 62,
  });
  assert.equal(small.limitedBy, "issue-rate");
  near(small.gbps, 64 * 8 * 62 / 1000, 1e-9);
  // Tiny reads: a 24 B request for a 22 B completion, so requests are busier.
  const tiny = pcieEffectiveBandwidth({ ...base, size: 2, dir: "read" });
  assert.equal(tiny.limitedBy, "requests");
});
