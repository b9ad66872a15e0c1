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

Deno.test("pcieWriteBytes() charges a zero-byte write one MWr TLP", () => {
  const p = {
    mps: 256,
    mrrs: 512,
    rcb: 64,
    splitAtRcb: false,
    addr64: true,
    ecrc: false,
  };
  // A posted write is at least one request on the link, whatever its length.
  assert.equal(pcieWriteBytes(0, p).tlps, 1);
  // One byte more than MPS needs a second TLP: ceil(257 / 256) = 2.
  assert.equal(pcieWriteBytes(257, p).tlps, 2);
});

Deno.test("pcieRawGbps() uses 8b/10b for Gen2", () => {
  // Gen2: 5 GT/s × 8 lanes × 8/10 = 32 Gb/s (§4.1: 8b/10b for Gen1/2).
  assert.equal(pcieRawGbps(2, 8), 32);
  // Gen1: 2.5 GT/s × 4 lanes × 8/10 = 8 Gb/s.
  assert.equal(pcieRawGbps(1, 4), 8);
});

Deno.test("pcieTlpGbps() takes Gen2 Ack and FC limits from the Gen2 tables", () => {
  // PCIe Base Spec rev 5.0 tables 2-47 / 3-8 (pcie-bench pcie.py): Gen2 x8 at
  // MPS 256 has Ack and FC limits of 158 symbols (Gen1 would be 107), so
  // TLP bandwidth = 32 × (1 − 8/158 − 8/158 − 4/1538).
  near(pcieDllpOverhead(2, 8, 256), 16 / 158 + 4 / 1538, 1e-12);
  near(pcieTlpGbps(2, 8, 256), 32 * (1 - 16 / 158 - 4 / 1538), 1e-9);
  // Gen2 x4 at MPS 128: limits 124 → 16 × (1 − 16/124 − 4/1538).
  near(pcieTlpGbps(2, 4, 128), 16 * (1 - 16 / 124 - 4 / 1538), 1e-9);
});

Deno.test("pcieReadBytes() ends a request exactly at the 4 KiB boundary", () => {
  const p = {
    mps: 256,
    mrrs: 512,
    rcb: 64,
    splitAtRcb: false,
    addr64: true,
    ecrc: false,
  };
  // 101 bytes from 3996: 100 bytes reach 4096, the 101st is on the next page,
  // so two requests (100 + 1) and one completion each.
  const r = pcieReadBytes(101, p, 3996);
  assert.equal(r.requests, 2);
  assert.equal(r.requestBytes, 2 * 24);
  assert.equal(r.completions, 2);
  assert.equal(r.completionBytes, 2 * 20 + 101);
  // 100 bytes from 3996 end exactly on the boundary: one request.
  assert.equal(pcieReadBytes(100, p, 3996).requests, 1);
  // MRRS 4096: 3996 bytes from 101 cross 4096 after 3995 bytes → 2 requests.
  assert.equal(pcieReadBytes(3996, { ...p, mrrs: 4096 }, 101).requests, 2);
});
