// Boundary rules of the NIC model and the testbench that the other suites
// leave open: limits that are inclusive, counters that accumulate, and the
// timing rules of single stages. Each expected value comes from the rule
// (nic-hw.md, the Linux driver, the VCD format), not from the model's output.
import assert from "node:assert/strict";
import { getU16, setU16 } from "../sw/bytes.ts";
import type { DecodedDescriptor } from "../hw/descriptor_format.ts";
import { descriptorFormat } from "../hw/descriptor_formats.ts";
import {
  needsLinearize,
  pseudoHeaderSeed,
  softwareChecksum,
} from "../hw/driver_common.ts";
import { hwTsoDriver } from "../hw/driver_hw_tso.ts";
import { tsoHelperDriver, tsoHelperMaxSegs } from "../hw/driver_tso_helper.ts";
import { HostMemory } from "../hw/host_memory.ts";
import { allocBeats, OnesAdder } from "../hw/ones_adder.ts";
import type { PcieLinkModel } from "../hw/pcie_link_model.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { ChecksumStage } from "../hw/stage_checksum.ts";
import { assemblePacket, DescFetchStage } from "../hw/stage_desc_fetch.ts";
import {
  HeaderReplicateStage,
  NO_HEADER_FAULTS,
} from "../hw/stage_header_replicate.ts";
import { MacStage } from "../hw/stage_mac.ts";
import { noOffload, type TxOffload } from "../hw/tx_offload.ts";
import { TxFifo } from "../hw/tx_fifo.ts";
import { TxRing } from "../hw/tx_ring.ts";
import { VcdTrace } from "../hw/vcd_trace.ts";
import { bulkTcpSkb } from "../hw/workload.ts";
import type { Frame } from "../sw/types.ts";
import { hexDiff } from "../tb/scoreboard.ts";
import { emptySummary, segmentFrames } from "../tb/segment_run.ts";

const near = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// --- descriptor fetch -----------------------------------------------------

function desc(
  type: DecodedDescriptor["type"],
  eop = false,
  fields: DecodedDescriptor["fields"] = {},
): DecodedDescriptor {
  return { type, typeCode: 0, addr: 0x1000, len: 64, eop, rs: eop, fields };
}

Deno.test("assemblePacket() rejects a packet with two context descriptors", () => {
  // A packet is at most one context descriptor followed by its data
  // descriptors (nic-hw.md §1.4): a second context is out of order.
  const ctx = desc("context", false, { kind: "tso", mss: 1448 });
  const p = assemblePacket([ctx, ctx, desc("data", true)]);
  assert.equal(p.error, "desc.context-order");
  // One context descriptor is accepted.
  assert.equal(assemblePacket([ctx, desc("data", true)]).error, null);
});

Deno.test("the descriptor fetch issues at most one read request per core cycle", () => {
  // fetchBatch 1: four posted entries take four reads; the fetch engine
  // issues one request per 4 ns cycle (250 MHz), even when all are posted.
  const cfg = resolveConfig("e810-100g", { set: ["ring.fetchBatch=1"] });
  const period = 1000 / cfg.core.clockMHz;
  const issued: number[] = [];
  const link = {
    read(_kind: string, _addr: number, _len: number, readyNs: number) {
      issued.push(readyNs);
      return { issueNs: readyNs, arrivalNs: readyNs + 1000 };
    },
  } as unknown as PcieLinkModel;
  const mem = new HostMemory();
  const ring = new TxRing(mem, descriptorFormat("ice", 1), 64);
  const fetch = new DescFetchStage(cfg, link, mem, ring);
  fetch.post(0, 4, 0);
  fetch.obtain(0, 4);
  assert.equal(fetch.fetches, 4);
  assert.deepEqual(issued, [0, period, 2 * period, 3 * period]);
});

// --- driver rules ----------------------------------------------------------

Deno.test("needsLinearize() applies the 6-fragment window when a TSO skb needs exactly 8 data descriptors", () => {
  const cfg = resolveConfig("e810-100g");
  // 66 B linear header + 7 fragments of 220 B = 8 data descriptors, which
  // is not below I40E_MAX_BUFFER_TXD, so __i40e_chk_linearize runs: six
  // consecutive fragments hold 6 × 220 = 1320 B < gso_size 1448.
  const skb = bulkTcpSkb({ sendBytes: 7 * 220, mss: 1448, fragBytes: 220 });
  assert.equal(skb.frags.length, 7);
  assert.equal(needsLinearize(cfg, skb), true);
  // Six fragments (7 descriptors, below 8): no window check.
  const fewer = bulkTcpSkb({ sendBytes: 6 * 250, mss: 1448, fragBytes: 250 });
  assert.equal(needsLinearize(cfg, fewer), false);
});

Deno.test("needsLinearize() keeps a non-GSO packet of exactly 8 data descriptors", () => {
  const cfg = resolveConfig("e810-100g");
  // i40e_chk_linearize: "we can support up to 8 data buffers for a single
  // send" — linear area + 7 fragments = 8 descriptors stays as it is.
  const eight = bulkTcpSkb({ sendBytes: 700, mss: 1448, fragBytes: 100 });
  assert.equal(eight.gsoSize, 0);
  assert.equal(eight.frags.length, 7);
  assert.equal(needsLinearize(cfg, eight), false);
  // Nine descriptors do not fit.
  const nine = bulkTcpSkb({ sendBytes: 800, mss: 1448, fragBytes: 100 });
  assert.equal(needsLinearize(cfg, nine), true);
});

Deno.test("softwareChecksum() sends a computed checksum of 0 as 0xFFFF", () => {
  // skb_checksum_help: csum_fold(csum) ?: CSUM_MANGLED_0. The words 0xFFFF
  // and the zeroed field sum to 0xFFFF, whose complement is 0.
  const b = new Uint8Array([0xff, 0xff, 0x00, 0x00]);
  assert.equal(softwareChecksum(b, 0, 2), 4);
  assert.deepEqual([...b], [0xff, 0xff, 0xff, 0xff]);
});

Deno.test("pseudoHeaderSeed() sums a length above 65535 as two 16-bit words", () => {
  // IPv6 pseudo-header (RFC 8200 §8.1): the upper-layer length is 32 bits.
  // Zero addresses: 6 + 0x0001 + 0x0005 = 0x000c.
  const ip = new Uint8Array(40);
  assert.equal(pseudoHeaderSeed(ip, 0, false, 6, 0x10005), 0x000c);
  assert.equal(pseudoHeaderSeed(ip, 0, false, 6, 0x0005), 0x000b);
});

Deno.test("hw-tso offloads a packet whose headers are exactly maxHeaderLen bytes", () => {
  // The header limit is the largest length the device takes (255 for an
  // 8-bit HDRLEN field): equal is allowed, one byte more is refused.
  const skb = bulkTcpSkb({ sendBytes: 4000, mss: 1448 }); // 66 B of headers
  const at = resolveConfig("e810-100g", { set: ["offload.maxHeaderLen=66"] });
  assert.deepEqual(hwTsoDriver(at).check(skb), {
    fallback: null,
    hostChecksum: false,
    linearize: false,
  });
  const below = resolveConfig("e810-100g", {
    set: ["offload.maxHeaderLen=65"],
  });
  assert.equal(hwTsoDriver(below).check(skb).fallback, "header-length");
});

Deno.test("hw-tso offloads a TSO payload of exactly maxTsoPayload bytes", () => {
  // TSO_LEN is an 18-bit field: 262143 is the largest payload it holds, so
  // the limit is inclusive.
  const cfg = resolveConfig("e810-100g", {
    set: ["offload.maxTsoPayload=4000"],
  });
  const at = bulkTcpSkb({ sendBytes: 4000, mss: 1448 });
  assert.equal(hwTsoDriver(cfg).check(at).fallback, null);
  const over = bulkTcpSkb({ sendBytes: 4001, mss: 1448 });
  assert.equal(
    hwTsoDriver(cfg).check(over).fallback,
    "tso-payload-too-long",
  );
});

Deno.test("tsoHelperMaxSegs() is the most segments whose 2·segs + MAX_SKB_FRAGS descriptors fit the ring's usable entries", () => {
  // tso_count_descs = 2·gso_segs + nr_frags (≤ 17) must fit in the
  // entries − 1 slots a ring can hold at once.
  for (const entries of [64, 65, 256, 257]) {
    const cfg = resolveConfig("e810-100g", {
      set: [`ring.entries=${entries}`, "ring.cacheEntries=32"],
    });
    const max = tsoHelperMaxSegs(cfg);
    assert.ok(2 * max + 17 <= entries - 1, `${entries}: ${max} fits`);
    assert.ok(2 * (max + 1) + 17 > entries - 1, `${entries}: ${max} is most`);
  }
});

Deno.test("tso-helper hands the stack only packets of more than tso_max_segs segments", () => {
  // gso_features_check software-segments when gso_segs > gso_max_segs.
  // A 64-entry ring: (64 − 1 − 17) / 2 = 23 segments.
  const cfg = resolveConfig("e810-100g", {
    set: ["ring.entries=64", "ring.cacheEntries=32"],
  });
  const mss = 1448;
  const at = bulkTcpSkb({ sendBytes: 23 * mss, mss });
  assert.equal(tsoHelperDriver(cfg).check(at).fallback, null);
  const over = bulkTcpSkb({ sendBytes: 23 * mss + 1, mss });
  assert.equal(
    tsoHelperDriver(cfg).check(over).fallback,
    "gso-segs-above-tso-max-segs",
  );
});

// --- header replication ----------------------------------------------------

/** Ethernet + IPv4 + TCP (20 B each), then `payload` bytes. */
function tcpFrame(payload: number, flags: number, offsetByte = 0x50) {
  const frame = new Uint8Array(54 + payload);
  setU16(frame, 12, 0x0800);
  frame[14] = 0x45;
  frame[23] = 6;
  frame[34 + 12] = offsetByte;
  frame[34 + 13] = flags;
  const layout = { outerIp: -1, outerL4: -1, ip: 14, l4: 34, hdrLen: 54 };
  const offload: TxOffload = {
    ...noOffload(),
    kind: "tso",
    l4: "tcp",
    macLen: 14,
    ipLen: 20,
    l4Len: 20,
    ipv4: true,
    ipCsum: true,
    mss: 1448,
    tsoLen: 3 * 1448,
  };
  return { frame, layout, offload };
}

const CWR = 0x80;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;

Deno.test("header replication keeps CWR, PSH and FIN on a packet that is a single segment", () => {
  // The only segment is both first (keeps CWR) and last (keeps PSH, FIN):
  // its mask is the union of the first and last masks.
  const stage = new HeaderReplicateStage(resolveConfig("e810-100g"));
  const { frame, layout, offload } = tcpFrame(100, CWR | ACK | PSH | FIN);
  stage.rewrite(
    frame,
    offload,
    layout,
    { index: 0, count: 1, stride: 1448 },
    NO_HEADER_FAULTS,
  );
  assert.equal(frame[34 + 13], CWR | ACK | PSH | FIN);
});

Deno.test("header replication applies mask bits 8–11 to the flag bits in the data-offset byte", () => {
  // The flag masks are 12-bit AND masks over the TCP flags field (fm10k
  // and i40e registers, bits 11:0): bit 8 is the low bit of byte 12 (AE,
  // formerly NS); the data offset above it is never masked.
  const cfg = resolveConfig("e810-100g");
  const stage = new HeaderReplicateStage({
    ...cfg,
    tso: { ...cfg.tso, flagMaskMiddle: 0xe76 },
  });
  const middle = { index: 1, count: 3, stride: 1448 };
  const { frame, layout, offload } = tcpFrame(1448, ACK | PSH, 0x51);
  stage.rewrite(frame, offload, layout, middle, NO_HEADER_FAULTS);
  assert.equal(frame[34 + 12], 0x50);
  assert.equal(frame[34 + 13], ACK);
  // The default middle mask 0xF76 keeps bit 8.
  const keep = tcpFrame(1448, ACK, 0x51);
  new HeaderReplicateStage(cfg).rewrite(
    keep.frame,
    keep.offload,
    keep.layout,
    middle,
    NO_HEADER_FAULTS,
  );
  assert.equal(keep.frame[34 + 12], 0x51);
});

// --- checksum stage ---------------------------------------------------------

/** RFC 1071 sum of b[from, to) with b[from] as a high byte, folded. */
function onesSum(b: Uint8Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i += 2) {
    s += (b[i]! << 8) | (i + 1 < to ? b[i + 1]! : 0);
  }
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

Deno.test("the outer UDP checksum of a tunnel verifies when the inner L4 header sits an odd distance after the outer UDP header", () => {
  const stage = new ChecksumStage(resolveConfig("e810-100g"));
  // Outer UDP at 34; the inner UDP header 51 bytes after it (odd).
  const ol4 = 34;
  const l4 = ol4 + 51;
  const len = l4 + 8 + 41;
  const frame = allocBeats(len, 64);
  for (let i = 0; i < len; i++) frame[i] = (i * 37 + 11) & 0xff;
  // Seeds: pseudo-header sums without length (the TSO convention).
  const outerSeed = 0x1234;
  const innerSeed = 0x4321;
  setU16(frame, ol4 + 6, outerSeed);
  setU16(frame, l4 + 6, innerSeed);
  const offload: TxOffload = {
    ...noOffload(),
    kind: "tso",
    l4: "udp",
    l4Len: 8,
    mss: 41,
    tsoLen: 41,
    tunnel: {
      outerIpLen: 20,
      outerIpv4: true,
      outerIpCsum: false,
      l4TunLen: l4 - ol4,
      udpCsum: true,
      noInc: false,
    },
  };
  const layout = { outerIp: 14, outerL4: ol4, ip: l4 - 20, l4, hdrLen: l4 + 8 };
  stage.insert(frame, offload, layout, {
    staleIpv4: false,
    udpZero: false,
    oddLane: false,
  });
  // A UDP checksum verifies when pseudo-header (with length) + datagram,
  // summed from the datagram's first byte, is 0xFFFF.
  const verify = (seed: number, from: number) => {
    let s = seed + (len - from) + onesSum(frame, from, len);
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    return s;
  };
  assert.equal(verify(innerSeed, l4), 0xffff);
  assert.equal(verify(outerSeed, ol4), 0xffff);
});

Deno.test("a cut-through checksum stage cannot send a frame's last beat before it arrived plus the pipeline depth", () => {
  const cfg = resolveConfig("e810-100g", {
    set: ["checksum.mode=cut-through"],
  });
  const period = 1000 / cfg.core.clockMHz;
  const depth = (cfg.core.headerDepth + cfg.core.checksumDepth) * period;
  const stage = new ChecksumStage(cfg);
  // The frame started streaming in at 0 but its last beat came at 400 ns
  // (a slow payload DMA); 2 beats out would end at depth + 2 cycles.
  const out = stage.schedule(0, 400, 2, new TxFifo(32768), 100, 0);
  near(out.startNs, depth);
  near(out.endNs, 400 + depth);
});

Deno.test("the adder counts ceil(len / busBytes) beats for a buffer that is not word-aligned", () => {
  // 100 bytes on a 64-byte bus take 2 beats wherever they sit in memory.
  const aligned = new OnesAdder(64);
  const store = new Uint8Array(256);
  aligned.sum(store.subarray(0, 100), 0, 100);
  assert.equal(aligned.beats, 2);
  const odd = new OnesAdder(64);
  odd.sum(store.subarray(1, 101), 0, 100);
  assert.equal(odd.beats, 2);
});

// --- TX FIFO and MAC ----------------------------------------------------------

Deno.test("TxFifo frees a frame's bytes at the instant its last bit leaves", () => {
  const f = new TxFifo(3000);
  f.push(1000, 0, 100);
  // At 100 ns the first frame is gone: the next one finds an empty FIFO.
  assert.equal(f.roomAt(1000, 100), 100);
  f.push(1000, 100, 200);
  assert.equal(f.maxLevel, 1000);
});

Deno.test("the MAC starts a late frame so that its last byte follows preamble, SFD and frame with no gap", () => {
  const cfg = resolveConfig("e810-100g");
  const mac = new MacStage(cfg);
  const byteNs = 8 / cfg.mac.lineGbps; // 0.08 ns at 100 Gb/s
  const depth = cfg.core.macDepth * (1000 / cfg.core.clockMHz); // 16 ns
  // The last beat reaches the MAC at 1000 + depth; the 1514 B frame's last
  // byte goes out (8 + 1514) byte times after the preamble starts.
  const out = mac.schedule(0, 1000, 1514, 0);
  near(out.startNs, 1000 + depth - (8 + 1514) * byteNs);
  near(out.lastBitNs, out.startNs + (8 + 1514 + 4) * byteNs);
});

// --- waveform ---------------------------------------------------------------

Deno.test("VcdTrace dumps times in picoseconds and no change where a value stays the same", () => {
  const t = new VcdTrace();
  // Back-to-back spans: at 10 ns the signal goes 1 → 1, which is no change.
  t.span("mac.busy", 0, 10, 1);
  t.span("mac.busy", 10, 20, 1);
  t.span("mac.busy", 32.5, 40, 1);
  const stamps = t.toVcd().split("\n").filter((l) => l.startsWith("#"));
  // $timescale 1ps: 20 ns = #20000, 32.5 ns = #32500.
  assert.deepEqual(stamps, ["#0", "#20000", "#32500", "#40000"]);
});

// --- testbench ----------------------------------------------------------------

Deno.test("hexDiff() shows the row before the differing row as context", () => {
  const expected = new Uint8Array(64);
  const actual = expected.slice();
  actual[0x28] = 0xab;
  const offsets = hexDiff(expected, actual, 0x28).split("\n")
    .filter((l) => l.includes("exp"))
    .map((l) => l.slice(2, 6));
  // Rows of 16 bytes: 0x10 (context), 0x20 (the difference), 0x30.
  assert.deepEqual(offsets, ["0010", "0020", "0030"]);
});

Deno.test("segmentFrames() adds up bad checksums over all passed frames", () => {
  // Two frames at or below gso_size pass through; each carries a TCP
  // checksum that is neither valid nor the pseudo-header seed.
  const frames: Frame[] = [1, 2].map((number) => {
    const data = bulkTcpSkb({ sendBytes: 0, mss: 1448, tcpOptions: 0 }).linear
      .slice();
    setU16(data, 34 + 16, getU16(data, 34 + 16) ^ 0x0101);
    return {
      number,
      data,
      origLen: data.length,
      timestampNs: 0n,
      interfaceId: 0,
      linkType: 1,
      fileOffset: 0,
    };
  });
  const s = emptySummary();
  const out = [
    ...segmentFrames(frames, {
      input: "in.pcap",
      gsoSize: 1448,
      engine: () => {
        throw new Error("no super-packet expected");
      },
    }, s),
  ];
  assert.deepEqual(out.map((o) => o.kind), ["passed", "passed"]);
  assert.equal(s.passed, 2);
  assert.equal(s.badChecksums, 2);
});
