import assert from "node:assert/strict";
import { getU16, getU32 } from "../sw/bytes.ts";
import { onesSum, pseudoHeaderSum4, pseudoHeaderSum6 } from "../sw/checksum.ts";
import { newGsoState } from "../sw/gso_state.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { SegmentError } from "../sw/segment_error.ts";
import { skbSegment } from "../sw/skb_segment.ts";
import { GSO_BY_FRAGS, newSkb } from "../sw/skbuff.ts";
import { IP_SUMMED, SKB_GSO, type SkBuff } from "../sw/types.ts";
import {
  buildFrame,
  buildVxlan,
  PARTIAL_TUNNEL_DEVICE,
  skbFor,
} from "./_build.ts";

const SW = NETIF_F.SG | NETIF_F.GSO; // the kernel captures' egress: no csum

function l4Verifies(
  d: Uint8Array,
  ipOff: number,
  l4Off: number,
  v6: boolean,
  proto: number,
) {
  const len = d.length - l4Off;
  const ph = v6
    ? pseudoHeaderSum6(d, ipOff, proto, len)
    : pseudoHeaderSum4(d, ipOff, proto, len);
  return onesSum(d, l4Off, d.length, ph) === 0xffff;
}

Deno.test("segment() reproduces worked example A (TCPv4, CWR, software checksums)", () => {
  const { skb, b } = skbFor({
    payloadLen: 4000,
    gsoSize: 1448,
    id: 0x1234,
    seq: 1000,
    flags: 0x10 | 0x08 | 0x80,
    tcpOptionsLen: 12,
  }, SKB_GSO.TCP_ECN);
  const segs = [...segment(skb, SW)];
  assert.equal(segs.length, 3);
  const want = [
    [1448, 1000, 0x1234, 1500, 0x90, 1514],
    [1448, 2448, 0x1235, 1500, 0x10, 1514],
    [1104, 3896, 0x1236, 1156, 0x18, 1170],
  ];
  segs.forEach((s, i) => {
    const d = s.data;
    const [pl, seq, id, tot, flags, len] = want[i]!;
    assert.equal(d.length - s.payloadOffset, pl);
    assert.equal(getU32(d, b.l4Off + 4), seq);
    assert.equal(getU16(d, b.ipOff + 4), id);
    assert.equal(getU16(d, b.ipOff + 2), tot);
    assert.equal(d[b.l4Off + 13], flags);
    assert.equal(d.length, len);
    assert.equal(
      onesSum(d, b.ipOff, b.ipOff + 20),
      0xffff,
      "IPv4 header checksum",
    );
    assert.ok(
      l4Verifies(d, b.ipOff, b.l4Off, false, 6),
      `TCP checksum of segment ${i}`,
    );
    assert.equal(s.ipSummed, IP_SUMMED.NONE);
  });
});

Deno.test("segment() leaves per-segment seeds S(len) when the device checksums", () => {
  const { skb, b } = skbFor({
    payloadLen: 4000,
    gsoSize: 1448,
    tcpOptionsLen: 12,
  });
  const segs = [...segment(skb, SW | NETIF_F.HW_CSUM)];
  const lens = [1480, 1480, 1136];
  segs.forEach((s, i) => {
    assert.equal(s.ipSummed, IP_SUMMED.PARTIAL);
    assert.equal(
      getU16(s.data, b.l4Off + 16),
      pseudoHeaderSum4(s.data, b.ipOff, 6, lens[i]!),
    );
  });
});

Deno.test("segment() keeps CWR on every segment with SKB_GSO_TCP_ACCECN", () => {
  const { skb, b } = skbFor(
    { payloadLen: 3000, gsoSize: 1000, flags: 0x90 },
    SKB_GSO.TCP_ACCECN,
  );
  for (const s of segment(skb, SW)) {
    assert.equal(s.data[b.l4Off + 13]! & 0x80, 0x80);
  }
});

Deno.test("segment() keeps the IPv4 ID fixed with SKB_GSO_TCP_FIXEDID", () => {
  const { skb, b } = skbFor(
    { payloadLen: 3000, gsoSize: 1000, id: 9 },
    SKB_GSO.TCP_FIXEDID,
  );
  for (const s of segment(skb, SW)) {
    assert.equal(getU16(s.data, b.ipOff + 4), 9);
  }
});

Deno.test("segment() wraps the IPv4 ID and the sequence number", () => {
  const { skb, b } = skbFor({
    payloadLen: 3000,
    gsoSize: 1000,
    id: 0xffff,
    seq: 0xffffff00,
  });
  const segs = [...segment(skb, SW)];
  assert.deepEqual(segs.map((s) => getU16(s.data, b.ipOff + 4)), [
    0xffff,
    0,
    1,
  ]);
  assert.deepEqual(segs.map((s) => getU32(s.data, b.l4Off + 4)), [
    0xffffff00,
    0x2e8,
    0x6d0,
  ]);
});

Deno.test("segment() reproduces worked example B (USO over IPv4)", () => {
  const { skb, b } = skbFor({
    udp: true,
    payloadLen: 3000,
    gsoSize: 1400,
    id: 50,
  });
  const segs = [...segment(skb, SW)];
  assert.deepEqual(segs.map((s) => getU16(s.data, b.l4Off + 4)), [
    1408,
    1408,
    208,
  ]);
  assert.deepEqual(segs.map((s) => getU16(s.data, b.ipOff + 2)), [
    1428,
    1428,
    228,
  ]);
  assert.deepEqual(segs.map((s) => getU16(s.data, b.ipOff + 4)), [50, 51, 52]);
  for (const s of segs) {
    assert.ok(l4Verifies(s.data, b.ipOff, b.l4Off, false, 17));
  }
});

Deno.test("segment() reproduces worked example D (legacy UFO over IPv4)", () => {
  const { skb, b } = skbFor({
    udp: true,
    payloadLen: 3000,
    gsoSize: 1480,
    id: 77,
  });
  skb.gsoType = SKB_GSO.UDP;
  const segs = [...segment(skb, SW)];
  assert.deepEqual(segs.map((s) => s.data.length - b.ipOff - 20), [
    1480,
    1480,
    48,
  ]);
  assert.deepEqual(segs.map((s) => getU16(s.data, b.ipOff + 6)), [
    0x2000,
    0x2000 | 185,
    370,
  ]);
  assert.deepEqual(segs.map((s) => getU16(s.data, b.ipOff + 2)), [
    1500,
    1500,
    68,
  ]);
  assert.deepEqual(segs.map((s) => getU16(s.data, b.ipOff + 4)), [77, 77, 77]);
  // the datagram checksum, over all fragments, verifies
  const whole = new Uint8Array(8 + 3000);
  let o = 0;
  for (const s of segs) {
    whole.set(s.data.subarray(b.l4Off), o);
    o += s.data.length - b.l4Off;
  }
  const ph = pseudoHeaderSum4(segs[0]!.data, b.ipOff, 17, whole.length);
  assert.equal(onesSum(whole, 0, whole.length, ph), 0xffff);
});

Deno.test("segment() maps a computed UDP checksum of 0 to 0xFFFF", () => {
  // Find a payload whose last datagram sums to zero by adjusting two bytes.
  for (let k = 0; k < 65536; k++) {
    const { skb, b } = skbFor({ udp: true, payloadLen: 2002, gsoSize: 1000 });
    const f = skb.frags[0]!.page;
    f[f.length - 2] = k >>> 8;
    f[f.length - 1] = k & 0xff;
    const last = [...segment(skb, SW)].at(-1)!;
    if (getU16(last.data, b.l4Off + 6) === 0xffff) {
      assert.ok(l4Verifies(last.data, b.ipOff, b.l4Off, false, 17));
      return;
    }
  }
  assert.fail("no payload made a zero checksum");
});

Deno.test("segment() segments TCPv6 with extension headers and counts them in payload_len", () => {
  const { skb, b } = skbFor({
    ipv6: true,
    payloadLen: 3000,
    gsoSize: 1000,
    extHeaders: [{ type: 0, len: 8 }, { type: 60, len: 16 }],
  });
  const segs = [...segment(skb, SW)];
  for (const s of segs) {
    assert.equal(getU16(s.data, b.ipOff + 4), s.data.length - b.ipOff - 40);
    assert.ok(l4Verifies(s.data, b.ipOff, b.l4Off, true, 6));
  }
});

Deno.test("segment() refuses an IPv6 Fragment header in the way", () => {
  const { skb } = skbFor({
    ipv6: true,
    payloadLen: 3000,
    gsoSize: 1000,
    extHeaders: [{ type: 44, len: 8 }],
  });
  assert.throws(
    () => [...segment(skb, SW)],
    (e) => e instanceof SegmentError && e.reason === "unsupported-protocol",
  );
});

Deno.test("segment() refuses a payload not above gso_size", () => {
  const { skb } = skbFor({ payloadLen: 1000, gsoSize: 1000 });
  assert.throws(
    () => [...segment(skb, SW)],
    (e) =>
      e instanceof SegmentError && e.reason === "payload-not-above-gso-size",
  );
});

Deno.test("segment() refuses gso_size 0", () => {
  const { skb } = skbFor({ payloadLen: 1000, gsoSize: 1000 });
  skb.gsoSize = 0;
  assert.throws(
    () => [...segment(skb, SW)],
    (e) => e instanceof SegmentError && e.reason === "bad-gso-size",
  );
});

Deno.test("segment() refuses a TCP data offset below 5", () => {
  const { skb, b } = skbFor({ payloadLen: 3000, gsoSize: 1000 });
  const lin = skb.linear.slice();
  lin[b.l4Off + 12] = 0x40;
  skb.linear = lin;
  assert.throws(
    () => [...segment(skb, SW)],
    (e) => e instanceof SegmentError && e.reason === "bad-header-length",
  );
});

Deno.test("segment() refuses more than MAX_SKB_FRAGS frags in one segment", () => {
  const { skb, b } = skbFor({ payloadLen: 3000, gsoSize: 1448 });
  const page = skb.frags[0]!.page;
  skb.frags = [];
  for (let o = b.payloadOff; o < page.length; o += 50) {
    skb.frags.push({ page, offset: o, size: Math.min(50, page.length - o) });
  }
  assert.throws(
    () => [...segment(skb, SW)],
    (e) => e instanceof SegmentError && e.reason === "too-many-frags",
  );
  // Without SG the payload is copied and any layout works.
  assert.equal([...segment(skb, NETIF_F.GSO)].length, 3);
});

Deno.test("segment() refuses more than 65535 segments", () => {
  const { skb } = skbFor({ payloadLen: 70000, gsoSize: 1 });
  assert.throws(
    () => [...segment(skb, SW)],
    (e) => e instanceof SegmentError && e.reason === "too-many-segments",
  );
});

Deno.test("segment() gives the same bytes for every skb layout", () => {
  const { skb, b } = skbFor({ payloadLen: 5000, gsoSize: 1448 });
  const ref = [...segment(skb, SW)].map((s) => s.data);
  const page = skb.frags[0]!.page;
  for (const cut of [1, 7, 1448, 1449, 2999]) {
    const alt: SkBuff = {
      ...skb,
      frags: [
        { page, offset: b.payloadOff, size: cut },
        {
          page,
          offset: b.payloadOff + cut,
          size: page.length - b.payloadOff - cut,
        },
      ],
    };
    assert.deepEqual(
      [...segment(alt, SW)].map((s) => s.data),
      ref,
      `cut ${cut}`,
    );
  }
  const linear: SkBuff = { ...skb, linear: page, frags: [] };
  assert.deepEqual([...segment(linear, SW)].map((s) => s.data), ref);
});

Deno.test("segment() writes into a caller-provided buffer", () => {
  const { skb } = skbFor({ payloadLen: 5000, gsoSize: 1448 });
  const into = new Uint8Array(2048);
  const ref = [...segment(skb, SW)].map((s) => s.data);
  let i = 0;
  for (const s of segment(skb, SW, { into })) {
    assert.equal(s.data.buffer, into.buffer);
    assert.deepEqual(s.data, ref[i++]);
  }
});

Deno.test("segment() hands the super-packet on unchanged when the device does TSO", () => {
  const { skb, b } = skbFor({ payloadLen: 5000, gsoSize: 1448 });
  const segs = [...segment(skb, SW | NETIF_F.TSO | NETIF_F.HW_CSUM)];
  assert.equal(segs.length, 1);
  assert.deepEqual(segs[0]!.data, b.frame);
});

Deno.test("segment() hands a TCP or UDP super-packet with a frag_list on unchanged only when the device takes frag_lists (skb_gso_ok)", () => {
  for (const udp of [false, true]) {
    const { b } = skbFor({ payloadLen: 5000, gsoSize: 1400, udp });
    // The same bytes as a linear head + payload start, and a frag_list member.
    const split = b.payloadOff + 1000;
    const skb = newSkb({
      linear: b.frame.subarray(0, split),
      fragList: [newSkb({ linear: b.frame.subarray(split) })],
      gsoSize: 1400,
      gsoType: udp ? SKB_GSO.UDP_L4 : SKB_GSO.TCPV4,
      ipSummed: IP_SUMMED.PARTIAL,
      csumStart: b.l4Off,
      csumOffset: udp ? 6 : 16,
      networkHeader: b.ipOff,
      transportHeader: b.l4Off,
      protocol: 0x0800,
    });
    const dev = SW | NETIF_F.HW_CSUM |
      (udp ? NETIF_F.GSO_UDP_L4 : NETIF_F.TSO);
    const kept = [...segment(skb, dev | NETIF_F.FRAGLIST)];
    assert.equal(kept.length, 1, `udp=${udp}: passed on`);
    assert.deepEqual(kept[0]!.data, b.frame);
    const split4 = [...segment(skb, dev)];
    assert.equal(split4.length, 4, `udp=${udp}: segmented without FRAGLIST`);
  }
});

Deno.test("segment() refuses a USO skb whose csum_start is not its UDP header, whatever ip_summed", () => {
  const { skb } = skbFor({ udp: true, payloadLen: 3000, gsoSize: 1000 });
  for (const ipSummed of [IP_SUMMED.PARTIAL, IP_SUMMED.NONE]) {
    const bad = { ...skb, ipSummed, csumStart: skb.transportHeader + 2 };
    assert.throws(
      () => [...segment(bad, SW)],
      (e: unknown) =>
        e instanceof SegmentError && e.reason === "csum-start-mismatch",
      `ip_summed ${ipSummed}`,
    );
  }
});

// KUnit net_core_gso table (linux-gso.md §13.1): pure skb_segment on an
// 8-byte fake header, protocol ETH_P_ATALK, gso_size 1000.
function kunitSkb(linear: number, frags: number[], fragList: number[]): SkBuff {
  const hdr = new TextEncoder().encode("abcdefgh");
  const lin = new Uint8Array(8 + linear);
  lin.set(hdr);
  const mk = (n: number) => ({
    page: new Uint8Array(n).fill(0x5a),
    offset: 0,
    size: n,
  });
  return newSkb({
    linear: lin,
    frags: frags.map(mk),
    fragList: fragList.map((n) =>
      newSkb({ linear: new Uint8Array(n).fill(0x33) })
    ),
    gsoSize: 1000,
    gsoType: SKB_GSO.TCPV4,
    ipSummed: IP_SUMMED.PARTIAL,
    protocol: 0x809b,
  });
}

const KUNIT: [string, number, number[], number[], number[], bigint, number?][] =
  [
    ["no_gso", 1000, [], [], [1000], NETIF_F.SG | NETIF_F.HW_CSUM],
    ["linear", 2001, [], [], [1000, 1000, 1], NETIF_F.SG | NETIF_F.HW_CSUM],
    [
      "frags",
      1000,
      [1000, 1],
      [],
      [1000, 1000, 1],
      NETIF_F.SG | NETIF_F.HW_CSUM,
    ],
    [
      "frags_pure",
      0,
      [1000, 1000, 2],
      [],
      [1000, 1000, 2],
      NETIF_F.SG | NETIF_F.HW_CSUM,
    ],
    [
      "gso_partial",
      1000,
      [1000, 3],
      [],
      [2000, 3],
      NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.GSO_PARTIAL,
    ],
    [
      "frag_list",
      1000,
      [],
      [1000, 1000],
      [1000, 1000, 1000],
      NETIF_F.SG | NETIF_F.HW_CSUM,
    ],
    [
      "frag_list_pure",
      0,
      [],
      [1000, 1000],
      [1000, 1000],
      NETIF_F.SG | NETIF_F.HW_CSUM,
    ],
    ["frag_list_non_uniform", 1000, [], [1000, 1, 1000, 2], [
      1000,
      1000,
      1000,
      3,
    ], NETIF_F.HW_CSUM],
    [
      "gso_by_frags",
      0,
      [],
      [100, 200, 300, 400],
      [100, 200, 300, 400],
      NETIF_F.SG | NETIF_F.HW_CSUM,
      GSO_BY_FRAGS,
    ],
  ];

Deno.test("skbSegment() matches the kernel's KUnit gso table", async (t) => {
  for (const [name, lin, frags, list, want, feat, mss] of KUNIT) {
    await t.step(name, () => {
      const skb = kunitSkb(lin, frags, list);
      if (mss !== undefined) skb.gsoSize = mss;
      const st = newGsoState(skb, feat, feat);
      const segs = [...skbSegment(st, 8, skb.gsoSize, 0x809b)];
      assert.deepEqual(segs.map((s) => s.data.length - 8), want);
      for (const s of segs) {
        assert.equal(
          new TextDecoder().decode(s.data.subarray(0, 8)),
          "abcdefgh",
        );
      }
      assert.ok(segs.at(-1)!.last);
    });
  }
});

Deno.test("segment() reproduces the udpgso passing rows as datagram sizes", async (t) => {
  // [send len, gso_len, expected datagram payload sizes] for rows that GSO.
  const rows: [string, number, number, number[]][] = [
    ["7 MSS+1", 1473, 1472, [1472, 1]],
    ["8 exactly 2 MSS", 2944, 1472, [1472, 1472]],
    ["9 2 MSS + 1", 2945, 1472, [1472, 1472, 1]],
    ["10 max segs", 64768, 1472, Array(44).fill(1472)],
    ["11 max bytes", 65507, 1472, [...Array(44).fill(1472), 739]],
    ["14 two 1-byte segs", 2, 1, [1, 1]],
    ["15 2+2+1", 5, 2, [2, 2, 1]],
    ["16 max count of 1-byte segs", 128, 1, Array(128).fill(1)],
  ];
  for (const [name, len, gso, want] of rows) {
    await t.step(`v4 ${name}`, () => {
      const { skb } = skbFor({ udp: true, payloadLen: len, gsoSize: gso });
      const segs = [...segment(skb, SW)];
      assert.deepEqual(segs.map((s) => s.data.length - s.payloadOffset), want);
    });
  }
  const rows6: [string, number, number, number[], boolean?][] = [
    ["7 MSS+1", 1453, 1452, [1452, 1]],
    ["8 exactly 2 MSS", 2904, 1452, [1452, 1452]],
    ["9 2 MSS + 1", 2905, 1452, [1452, 1452, 1]],
    ["10 max segs", 65340, 1452, Array(45).fill(1452)],
    ["11 max bytes", 65527, 1452, [...Array(45).fill(1452), 187]],
    ["14 two 1-byte segs", 2, 1, [1, 1]],
    ["14b two 1-byte segs with a Hop-by-Hop header", 2, 1, [1, 1], true],
    ["15 2+2+1", 5, 2, [2, 2, 1]],
    ["16 max count of 1-byte segs", 128, 1, Array(128).fill(1)],
  ];
  for (const [name, len, gso, want, hbh] of rows6) {
    await t.step(`v6 ${name}`, () => {
      const { skb, b } = skbFor({
        ipv6: true,
        udp: true,
        payloadLen: len,
        gsoSize: gso,
        ...(hbh ? { extHeaders: [{ type: 0, len: 8 }] } : {}),
      });
      const segs = [...segment(skb, SW)];
      assert.deepEqual(segs.map((s) => s.data.length - s.payloadOffset), want);
      for (const s of segs) {
        assert.ok(l4Verifies(s.data, b.ipOff, b.l4Off, true, 17));
      }
    });
  }
});

Deno.test("buildFrame() helper makes frames whose seed is the pseudo-header sum", () => {
  const b = buildFrame({ payloadLen: 10 });
  assert.equal(
    getU16(b.frame, b.l4Off + 16),
    pseudoHeaderSum4(b.frame, b.ipOff, 6, 30),
  );
});

Deno.test("segment() segments VXLAN with and without the outer UDP checksum, over IPv4 and IPv6", async (t) => {
  for (const outerV6 of [false, true]) {
    for (const innerV6 of [false, true]) {
      for (const outerCsum of [false, true]) {
        await t.step(
          `outer v${outerV6 ? 6 : 4} inner v${
            innerV6 ? 6 : 4
          } csum ${outerCsum}`,
          () => {
            const v = buildVxlan({
              outerV6,
              innerV6,
              outerCsum,
              payloadLen: 5000,
              gsoSize: 1378,
            });
            const segs = [...segment(v.skb, SW)];
            assert.equal(segs.length, 4);
            segs.forEach((s, i) => {
              const d = s.data;
              assert.equal(
                getU16(d, v.udpOff + 4),
                d.length - v.udpOff,
                "outer udp.length",
              );
              if (outerCsum) {
                assert.ok(
                  l4Verifies(d, v.outerIpOff, v.udpOff, outerV6, 17),
                  `outer udp.checksum ${i}`,
                );
              } else assert.equal(getU16(d, v.udpOff + 6), 0);
              if (!outerV6) {
                assert.equal(
                  getU16(d, v.outerIpOff + 4),
                  (0xfffe + i) & 0xffff,
                  "outer ip.id",
                );
                assert.equal(
                  onesSum(d, v.outerIpOff, v.outerIpOff + 20),
                  0xffff,
                );
              }
              assert.ok(
                l4Verifies(d, v.innerIpOff, v.innerL4Off, innerV6, 6),
                `inner tcp.checksum ${i}`,
              );
            });
          },
        );
      }
    }
  }
});

Deno.test("segment() takes BIG TCP IPv4 (tot_len 0) up to 524280 bytes", () => {
  const { skb, b } = skbFor({
    payloadLen: 524280 - 66,
    gsoSize: 9000,
    tcpOptionsLen: 12,
  });
  const lin = skb.linear.slice();
  lin[b.ipOff + 2] = 0;
  lin[b.ipOff + 3] = 0;
  skb.linear = lin;
  let n = 0;
  for (const s of segment(skb, SW)) {
    assert.equal(getU16(s.data, b.ipOff + 2), s.data.length - b.ipOff);
    assert.ok(l4Verifies(s.data, b.ipOff, b.l4Off, false, 6));
    n++;
  }
  assert.equal(n, Math.ceil((524280 - 66) / 9000));
});

Deno.test("segment() strips a BIG TCP IPv6 jumbo Hop-by-Hop header", () => {
  const payloadLen = 200000;
  const { skb, b } = skbFor({
    ipv6: true,
    payloadLen,
    gsoSize: 8940,
    extHeaders: [{ type: 0, len: 8 }],
  });
  const f = skb.frags[0]!.page;
  // Turn the 8-byte HBH into the jumbo option: type 0xC2, len 4, value.
  const j = b.ipOff + 40;
  f[j + 2] = 0xc2;
  f[j + 3] = 4;
  const total = 8 + 20 + payloadLen;
  f[j + 4] = total >>> 24;
  f[j + 5] = (total >>> 16) & 0xff;
  f[j + 6] = (total >>> 8) & 0xff;
  f[j + 7] = total & 0xff;
  f[b.ipOff + 4] = 0;
  f[b.ipOff + 5] = 0;
  skb.linear = f.subarray(0, b.payloadOff);
  const segs = [...segment(skb, SW)];
  assert.equal(segs.length, Math.ceil(payloadLen / 8940));
  for (const s of segs) {
    assert.equal(s.data[b.ipOff + 6], 6, "next header is TCP");
    assert.equal(getU16(s.data, b.ipOff + 4), s.data.length - b.ipOff - 40);
    assert.ok(l4Verifies(s.data, b.ipOff, b.ipOff + 40, true, 6));
  }
});

Deno.test("segment() cuts GSO_PARTIAL chunks for a tunnel the device only does partially", () => {
  const v = buildVxlan({ outerCsum: true, payloadLen: 10000, gsoSize: 1000 });
  const { features, opts } = PARTIAL_TUNNEL_DEVICE;
  const segs = [...segment(v.skb, features, opts)];
  // one chunk of 10 segments' payload: nothing left over
  assert.equal(segs.length, 1);
  const d = segs[0]!.data;
  assert.equal(segs[0]!.gsoSize, 1000);
  assert.equal(segs[0]!.gsoSegs, 10);
  assert.ok((segs[0]!.gsoType & SKB_GSO.PARTIAL) !== 0);
  // outer lengths are those of one 1000-byte segment
  assert.equal(getU16(d, v.udpOff + 4), 1000 + (v.innerL4Off + 32) - v.udpOff);
  assert.equal(
    getU16(d, v.outerIpOff + 2),
    1000 + (v.innerL4Off + 32) - v.outerIpOff,
  );
});
