/**
 * The capture tool's private byte-level helpers: crafted frames, the
 * virtio_net_hdr, the payload pattern, frame summaries, pcap scanning and
 * the forward-frame counts.
 */

import assert from "node:assert/strict";
import { checksum } from "../sw/checksum.ts";
import {
  CraftError,
  craftFrame,
  parseAddress,
  TCP_FLAGS,
} from "../vectors/capture/_craft.ts";
import type { FrameSpec } from "../vectors/capture/_craft.ts";
import { summarizeFrame } from "../vectors/capture/_dissect.ts";
import { forwardStats } from "../vectors/capture/_forward_stats.ts";
import { patternBytes } from "../vectors/capture/_pattern.ts";
import { scanPcap } from "../vectors/capture/_pcap_scan.ts";
import type { PcapRecord } from "../vectors/capture/_pcap_scan.ts";
import { encodeVnetHeader, VIRTIO_GSO } from "../vectors/capture/_tap.ts";
import { endMarkerFrame, isEndMarker } from "../vectors/capture/marker.ts";
import { parseEthtoolFeatures } from "../vectors/capture/topology.ts";

const ETH = { dst: "02:74:73:6c:00:02", src: "02:74:73:6c:00:01" };
const TCP = {
  proto: "tcp" as const,
  sport: 40000,
  dport: 5201,
  seq: 0xfffff000,
  ack: 1,
  flags: TCP_FLAGS.ACK,
};

function tcp4(payload: number, extra: Partial<FrameSpec> = {}): FrameSpec {
  return {
    eth: ETH,
    ip: { version: 4, src: "10.77.0.1", dst: "10.77.0.2", id: 7 },
    l4: TCP,
    payload: patternBytes(1, 0, payload),
    ...extra,
  };
}

Deno.test("a crafted seed completes to the same checksum as a full computation", () => {
  for (
    const spec of [tcp4(3001), {
      ...tcp4(999),
      ip: { version: 6 as const, src: "fd77::1", dst: "fd77::2" },
      l4: { proto: "udp" as const, sport: 1, dport: 2 },
    }]
  ) {
    const seeded = craftFrame(spec);
    const full = craftFrame({ ...spec, checksum: "full" });
    const at = seeded.l4Offset + seeded.csumOffset;
    // What a device does with CHECKSUM_PARTIAL: sum from csum_start to the
    // end with the seed in place, complement, store.
    const completed = checksum(seeded.bytes, seeded.l4Offset);
    assert.equal(completed, (full.bytes[at]! << 8) | full.bytes[at + 1]!);
  }
});

Deno.test("a crafted IPv4 header verifies and writes tot_len 0 beyond 65535 bytes", () => {
  const small = craftFrame(tcp4(100));
  assert.equal(checksum(small.bytes, 14, 34), 0);
  assert.equal((small.bytes[16]! << 8) | small.bytes[17]!, 20 + 20 + 100);
  const big = craftFrame(tcp4(70000));
  assert.equal((big.bytes[16]! << 8) | big.bytes[17]!, 0);
  assert.equal(checksum(big.bytes, 14, 34), 0);
});

Deno.test("IPv4 and TCP options set the header lengths and the virtio offsets", () => {
  const f = craftFrame({
    ...tcp4(10),
    ip: {
      version: 4,
      src: "10.77.0.1",
      dst: "10.77.0.2",
      id: 1,
      options: new Uint8Array([1, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0]),
    },
    l4: {
      ...TCP,
      options: new Uint8Array([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]),
    },
  });
  assert.equal(f.bytes[14], 0x48);
  assert.equal(f.l4Offset, 14 + 32);
  assert.equal(f.bytes[f.l4Offset + 12], 8 << 4);
  assert.equal(f.hdrLen, 14 + 32 + 32);
  assert.throws(
    () =>
      craftFrame({ ...tcp4(1), l4: { ...TCP, options: new Uint8Array(3) } }),
    CraftError,
  );
});

Deno.test("IPv6 extension headers are chained and counted in payload_len", () => {
  const f = craftFrame({
    ...tcp4(50),
    ip: {
      version: 6,
      src: "fd77::1",
      dst: "fd77::2",
      ext: [
        { type: 0, body: new Uint8Array([1, 4, 0, 0, 0, 0]) },
        { type: 60, body: new Uint8Array([0x1e, 4, 1, 2, 3, 4]) },
      ],
    },
  });
  assert.equal(f.bytes[14 + 6], 0); // next header: Hop-by-Hop
  assert.equal(f.bytes[54], 60); // HBH → Destination Options
  assert.equal(f.bytes[62], 6); // Destination Options → TCP
  assert.equal((f.bytes[18]! << 8) | f.bytes[19]!, 16 + 20 + 50);
  assert.equal(f.l4Offset, 14 + 40 + 16);
  const s = summarizeFrame(f.bytes)!;
  assert.equal(s.l4, "tcp");
  assert.equal(s.payloadLength, 50);
});

Deno.test("VLAN tags come outermost first before the EtherType", () => {
  const f = craftFrame({
    ...tcp4(10),
    eth: {
      ...ETH,
      vlans: [{ tpid: 0x88a8, vid: 200 }, { tpid: 0x8100, vid: 100, pcp: 5 }],
    },
  });
  assert.deepEqual([...f.bytes.subarray(12, 22)], [
    0x88,
    0xa8,
    0,
    200,
    0x81,
    0x00,
    0xa0,
    100,
    0x08,
    0x00,
  ]);
  assert.equal(f.l3Offset, 22);
  assert.equal(summarizeFrame(f.bytes)!.vlanCount, 2);
});

Deno.test("the virtio_net_hdr is ten little-endian bytes", () => {
  const b = encodeVnetHeader({
    flags: 1,
    gsoType: VIRTIO_GSO.TCPV4 | VIRTIO_GSO.ECN,
    hdrLen: 0x0142,
    gsoSize: 1448,
    csumStart: 34,
    csumOffset: 16,
  });
  assert.deepEqual([...b], [
    1,
    0x81,
    0x42,
    0x01,
    1448 & 0xff,
    1448 >> 8,
    34,
    0,
    16,
    0,
  ]);
});

Deno.test("addresses parse with and without :: and bad ones are refused", () => {
  assert.deepEqual([...parseAddress("10.78.0.2")], [10, 78, 0, 2]);
  assert.deepEqual([...parseAddress("fd77::1")], [
    0xfd,
    0x77,
    ...Array(13).fill(0),
    1,
  ]);
  assert.deepEqual([...parseAddress("::")], Array(16).fill(0));
  assert.equal(parseAddress("1:2:3:4:5:6:7:8")[15], 8);
  for (
    const bad of [
      "10.77.0",
      "10.77.0.256",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "g::1",
    ]
  ) {
    assert.throws(() => parseAddress(bad), CraftError, bad);
  }
});

Deno.test("the payload pattern is the same stream whatever the cut", () => {
  const whole = patternBytes(9, 0, 1000);
  const parts = [
    patternBytes(9, 0, 3),
    patternBytes(9, 3, 500),
    patternBytes(9, 503, 497),
  ];
  assert.deepEqual([...parts.flatMap((p) => [...p])], [...whole]);
  assert.notDeepEqual([...patternBytes(10, 0, 16)], [...whole.subarray(0, 16)]);
});

Deno.test("a VXLAN frame is measured by its inner TCP payload and its outer source", () => {
  const inner = craftFrame(tcp4(1378)).bytes;
  const vx = new Uint8Array(8 + inner.length);
  vx[0] = 0x08;
  vx[6] = 7; // VNI 7 in bytes 4..6
  vx.set(inner, 8);
  const outer = craftFrame({
    eth: ETH,
    ip: { version: 4, src: "10.78.0.1", dst: "10.78.0.2", id: 3 },
    l4: { proto: "udp", sport: 50000, dport: 4789 },
    payload: vx,
  });
  const s = summarizeFrame(outer.bytes)!;
  assert.equal(s.tunnelled, true);
  assert.deepEqual([...s.outerSrc], [10, 78, 0, 1]);
  assert.equal(s.l4, "tcp");
  assert.equal(s.payloadLength, 1378);
  assert.equal(s.tcp!.seq, 0xfffff000);
});

Deno.test("UFO counts expect fragments of gso_size including the UDP header", () => {
  const rec = (data: Uint8Array, n: number): PcapRecord => ({
    number: n,
    data,
    origLen: data.length,
  });
  const spec: FrameSpec = {
    eth: ETH,
    ip: { version: 4, src: "10.77.0.1", dst: "10.77.0.2", id: 0x4242 },
    l4: { proto: "udp", sport: 1, dport: 2 },
    payload: new Uint8Array(4000),
  };
  const superPacket = craftFrame(spec).bytes;
  // Fragments: first carries the UDP header, offsets in 8-byte units.
  const frag = (offset: number, len: number, more: boolean) => {
    const f = new Uint8Array(34 + len);
    f.set(superPacket.subarray(0, 34));
    const tot = 20 + len;
    f[16] = tot >> 8;
    f[17] = tot & 0xff;
    const fo = (offset / 8) | (more ? 0x2000 : 0);
    f[20] = fo >> 8;
    f[21] = fo & 0xff;
    return f;
  };
  const outs = [
    frag(0, 1480, true),
    frag(1480, 1480, true),
    frag(2960, 1048, false),
  ];
  const st = forwardStats(
    [rec(superPacket, 1)],
    outs.map((f, i) => rec(f, i + 1)),
    parseAddress("10.77.0.1"),
    1480,
    true,
  );
  assert.equal(st.superPackets, 1);
  assert.equal(st.expectedOutForward, 3);
  assert.equal(st.outForward, 3);
  assert.equal(st.inferredGsoSize, 1480);
  assert.equal(st.oversizeOut, 0);
});

Deno.test("a pcap scan keeps complete records and flags a record still being written", () => {
  const bytes = new Uint8Array(24 + 16 + 4 + 16 + 2);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint32(20, 1, true);
  dv.setUint32(24 + 8, 4, true);
  dv.setUint32(24 + 12, 4, true);
  dv.setUint32(44 + 8, 60, true);
  const scan = scanPcap(bytes, "t.pcap");
  assert.equal(scan.records.length, 1);
  assert.equal(scan.truncatedTail, true);
  assert.equal(scan.linkType, 1);
  assert.throws(
    () => scanPcap(new Uint8Array(24), "zero.pcap"),
    /magic 0x0 is not classic pcap/,
  );
});

Deno.test("the end marker is recognised only for its own run", () => {
  const m = endMarkerFrame("abc123");
  assert.equal(isEndMarker(m, "abc123"), true);
  assert.equal(isEndMarker(m, "abc124"), false);
  assert.equal(summarizeFrame(m), undefined);
});

Deno.test("ethtool -k output yields the names of the features that are on", () => {
  const text = [
    "Features for p2:",
    "rx-checksumming: on",
    "tx-checksumming: off",
    "\ttx-checksum-ip-generic: off",
    "scatter-gather: on",
    "\ttx-scatter-gather: on",
    "tcp-segmentation-offload: off",
    "generic-segmentation-offload: on",
    "highdma: on [fixed]",
    "tx-gso-partial: off [fixed]",
    "tx-udp_tnl-segmentation: off",
  ].join("\n");
  assert.deepEqual(parseEthtoolFeatures(text), [
    "rx-checksumming",
    "scatter-gather",
    "tx-scatter-gather",
    "generic-segmentation-offload",
    "highdma",
  ]);
});
