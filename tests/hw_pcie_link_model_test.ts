// The PCIe link scheduler: read timing from the latency model of nic-hw.md
// §4.3 and §7, 4 KiB request splitting, and TLP counts per direction.
import assert from "node:assert/strict";
import { PcieLinkModel } from "../hw/pcie_link_model.ts";
import { pcieTlpGbps } from "../hw/pcie.ts";
import { resolveConfig } from "../hw/resolve_config.ts";

const near = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("PcieLinkModel.readRequest() arrives after request + propagation + host latency + completions + propagation", () => {
  const cfg = resolveConfig("e810-100g");
  const link = new PcieLinkModel(cfg);
  // e810-100g: Gen4 x16, MPS 256 → 252.06 × (1 − 16/168 − 4/1538) Gb/s.
  const gbps = 16 * 128 / 130 * 16 * (1 - 16 / 168 - 4 / 1538);
  near(link.tlpGbps, gbps, 1e-9);
  near(pcieTlpGbps(4, 16, 256), gbps, 1e-9);
  const nsPerByte = 8 / gbps;
  const t = link.readRequest("payload-read", 0, 512, 0);
  // 24 B MRd up; 10 ns propagation; 548 + 0.293 × 512 ns host latency
  // (§4.3 fit); 2 × 20 + 512 B CplD down; 10 ns propagation back.
  const expected = 24 * nsPerByte + 10 + 548 + 0.293 * 512 +
    (2 * 20 + 512) * nsPerByte + 10;
  assert.equal(t.issueNs, 0);
  near(t.arrivalNs, expected);
});

Deno.test("PcieLinkModel.read() splits a read at the 4 KiB boundary", () => {
  const link = new PcieLinkModel(resolveConfig("e810-100g"));
  // 128 B at 4032: 64 B up to 4096, 64 B after it → 2 MRd, 1 CplD each.
  link.read("payload-read", 4032, 128, 0);
  const t = link.totals;
  assert.equal(t.tlpsToHost, 2);
  assert.equal(t.tlpsToDevice, 2);
  assert.equal(t.toHost, 2 * 24);
  assert.equal(t.toDevice, 2 * 20 + 128);
});

Deno.test("PcieLinkModel counts every completion and write TLP", () => {
  const link = new PcieLinkModel(resolveConfig("e810-100g"));
  // 1024 B at 0, MRRS 512, MPS 256: 2 requests of ceil(512/256) = 2 CplD each.
  link.read("payload-read", 0, 1024, 0);
  assert.equal(link.totals.tlpsToHost, 2);
  assert.equal(link.totals.tlpsToDevice, 4);
  assert.equal(link.totals.toDevice, 4 * 20 + 1024);
  // A 600 B write is ceil(600/256) = 3 MWr TLPs.
  link.write("writeback", 600, 0);
  assert.equal(link.totals.tlpsToHost, 2 + 3);
  assert.equal(link.totals.toHost, 2 * 24 + 3 * 24 + 600);
});
