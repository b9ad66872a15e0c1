// Driver-side decisions: how buffers are cut into descriptors, when the
// host must checksum in software, and what a linearized TSO packet costs
// the host.
import assert from "node:assert/strict";
import { IP_SUMMED } from "../sw/types.ts";
import { dataDescriptorCount, splitBuffer } from "../hw/driver_common.ts";
import { gsoDriver } from "../hw/driver_gso.ts";
import { hwTsoDriver } from "../hw/driver_hw_tso.ts";
import { createNic } from "../hw/nic.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import type { TxBuffer } from "../hw/tx_offload.ts";
import { bulkTcpSkb } from "../hw/workload.ts";

Deno.test("splitBuffer() keeps a buffer of exactly maxBytesPerBuffer in one descriptor", () => {
  const cfg = resolveConfig("e810-100g");
  const max = cfg.offload.maxBytesPerBuffer; // 16383, ICE_MAX_DATA_PER_TXD
  const out: TxBuffer[] = [];
  // ice_tx_map splits only while size > ICE_MAX_DATA_PER_TXD.
  splitBuffer(cfg, 0x10000, max, out);
  assert.deepEqual(out, [{ addr: 0x10000, len: max }]);
  // One byte more: a 12 KiB piece (page-aligned start) and the rest.
  const more: TxBuffer[] = [];
  splitBuffer(cfg, 0x10000, max + 1, more);
  assert.deepEqual(more.map((b) => b.len), [12288, max + 1 - 12288]);
});

Deno.test("the hw-tso driver posts as many data descriptors as dataDescriptorCount() predicts for maxBytesPerBuffer fragments", () => {
  const cfg = resolveConfig("e810-100g");
  const max = cfg.offload.maxBytesPerBuffer;
  // Four fragments of exactly 16383 B behind a 66 B header.
  const skb = bulkTcpSkb({ sendBytes: 4 * max, mss: 1448, fragBytes: max });
  assert.equal(skb.frags.length, 4);
  // Linear area (1) + one descriptor per 16383 B fragment (4) = 5.
  assert.equal(dataDescriptorCount(cfg, skb), 5);
  const nic = createNic(cfg, { driver: "hw-tso" });
  for (const _ of nic.transmit(skb)) {
    // pull every event
  }
  const r = nic.report();
  assert.equal(r.frames, Math.ceil(4 * max / 1448));
  // One context descriptor plus the five data descriptors.
  assert.equal(r.descriptors, 1 + 5);
});

Deno.test("the gso driver asks the host to checksum every packet when the device has no checksum offload", () => {
  const off = resolveConfig("e810-100g", { set: ["offload.csum=false"] });
  const on = resolveConfig("e810-100g");
  // Already checksummed by the stack (CHECKSUM_NONE), not GSO.
  const plain = { ...bulkTcpSkb({ sendBytes: 1000, mss: 1448 }) };
  plain.ipSummed = IP_SUMMED.NONE;
  assert.equal(gsoDriver(off).check(plain).hostChecksum, true);
  assert.equal(gsoDriver(on).check(plain).hostChecksum, false);
  // A GSO super-packet marked CHECKSUM_UNNECESSARY: the host segments it,
  // and without checksum offload it must checksum the segments too.
  const big = { ...bulkTcpSkb({ sendBytes: 4000, mss: 1448 }) };
  big.ipSummed = IP_SUMMED.UNNECESSARY;
  assert.deepEqual(gsoDriver(off).check(big), {
    fallback: "host-gso",
    hostChecksum: true,
    linearize: false,
  });
});

Deno.test("hw-tso charges the host a copy of the whole skb when it linearizes a TSO packet", () => {
  const cfg = resolveConfig("e810-100g");
  // 30 fragments of 100 B: six consecutive fragments hold 600 B < MSS 1448,
  // so __i40e_chk_linearize (ice_chk_linearize) requires a linear copy.
  const skb = bulkTcpSkb({ sendBytes: 3000, mss: 1448, fragBytes: 100 });
  assert.equal(hwTsoDriver(cfg).check(skb).linearize, true);
  const nic = createNic(cfg, { driver: "hw-tso" });
  for (const _ of nic.transmit(skb)) {
    // pull every event
  }
  const r = nic.report();
  assert.equal(r.host.linearized, 1);
  // 14 + 20 + 32 B of headers + 3000 B payload, all copied.
  assert.equal(r.host.copyBytes, 66 + 3000);
  // Without linearizing only the 66 B header copy is charged.
  const flat = createNic(cfg, { driver: "hw-tso" });
  for (const _ of flat.transmit(bulkTcpSkb({ sendBytes: 3000, mss: 1448 }))) {
    // pull every event
  }
  assert.equal(flat.report().host.copyBytes, 66);
});

Deno.test("hw-tso hands a packet with over-long headers to software GSO with software checksums", () => {
  // ice_features_check clears the checksum and GSO features together when
  // a header length is out of range, so the host segments and checksums.
  const cfg = resolveConfig("e810-100g", { set: ["offload.maxHeaderLen=64"] });
  const skb = bulkTcpSkb({ sendBytes: 4000, mss: 1448 }); // 66 B of headers
  assert.deepEqual(hwTsoDriver(cfg).check(skb), {
    fallback: "header-length",
    hostChecksum: true,
    linearize: false,
  });
});
