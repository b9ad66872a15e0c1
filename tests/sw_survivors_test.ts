// Rules of the software GSO reference (sw/) that no other test pinned: USO
// without a checksum seed, GSO_PARTIAL USO lengths, the IPv6 UFO fragment
// header position, IPv6 payload_len of GSO_PARTIAL chunks and the
// GSO_PARTIAL tail. Expected values are derived from the kernel rules with
// the local checksum helpers below, not taken from the code under test.
import assert from "node:assert/strict";
import { getU16 } from "../sw/bytes.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { IP_SUMMED, SKB_GSO } from "../sw/types.ts";
import {
  buildVxlan,
  chain,
  groFragListSkb,
  PARTIAL_TUNNEL_DEVICE,
  skbFor,
} from "./_build.ts";

// RFC 1071 ones'-complement sum of big-endian 16-bit words of b[start,end)
// added to `acc`, folded to 16 bits (an odd last byte is padded with 0).
function sum16(b: Uint8Array, start: number, end: number, acc = 0): number {
  let s = acc;
  for (let i = start; i < end; i += 2) {
    s += (b[i]! << 8) | (i + 1 < end ? b[i + 1]! : 0);
    if (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  }
  return s;
}

// The UDP pseudo-header sum (addresses, protocol 17, length) of the IP
// header at ipOff.
function udpPseudo(
  d: Uint8Array,
  ipOff: number,
  ipv6: boolean,
  len: number,
): number {
  const s = ipv6
    ? sum16(d, ipOff + 8, ipOff + 40)
    : sum16(d, ipOff + 12, ipOff + 20);
  return sum16(new Uint8Array([0, 17, len >>> 8, len & 0xff]), 0, 4, s);
}

// A complete UDP checksum is right when the pseudo-header plus the whole
// datagram (check field included) sums to 0xFFFF.
function udpChecksumGood(
  d: Uint8Array,
  ipOff: number,
  l4Off: number,
  ipv6: boolean,
): boolean {
  const len = d.length - l4Off;
  return sum16(d, l4Off, d.length, udpPseudo(d, ipOff, ipv6, len)) === 0xffff;
}

const SEED_NONE = [IP_SUMMED.NONE, IP_SUMMED.UNNECESSARY];

Deno.test("segment() cuts and checksums a USO skb in software when it is not CHECKSUM_PARTIAL, even on a USO+csum device (__udp_gso_segment)", () => {
  // __udp_gso_segment: ip_summed != CHECKSUM_PARTIAL strips GSO_UDP_L4 and
  // every checksum feature, so skb_segment cuts datagrams of gso_size and
  // the checksum of each is completed in software (ip_summed NONE).
  const payloadLen = 2500;
  const mss = 1000;
  for (const ipv6 of [false, true]) {
    const l3Csum = ipv6 ? NETIF_F.IPV6_CSUM : NETIF_F.IP_CSUM;
    for (const csum of [NETIF_F.HW_CSUM, l3Csum]) {
      for (const ipSummed of SEED_NONE) {
        const { skb, b } = skbFor({
          ipv6,
          udp: true,
          payloadLen,
          gsoSize: mss,
        });
        skb.ipSummed = ipSummed;
        const f = NETIF_F.SG | NETIF_F.GSO | NETIF_F.GSO_UDP_L4 | csum;
        const segs = [...segment(skb, f)];
        const at = `ipv6=${ipv6} csum=${csum} ip_summed=${ipSummed}`;
        const sizes = [mss, mss, payloadLen - 2 * mss];
        assert.equal(segs.length, sizes.length, at);
        let o = b.payloadOff;
        segs.forEach((s, i) => {
          const d = s.data;
          assert.equal(s.ipSummed, IP_SUMMED.NONE, at);
          assert.equal(d.length - b.payloadOff, sizes[i], at);
          assert.equal(getU16(d, b.l4Off + 4), 8 + sizes[i]!, at);
          assert.deepEqual(
            d.subarray(b.payloadOff),
            b.frame.subarray(o, o + sizes[i]!),
            at,
          );
          o += sizes[i]!;
          assert.ok(udpChecksumGood(d, b.ipOff, b.l4Off, ipv6), `${at} #${i}`);
        });
      }
    }
  }
});

// Features of a device that finishes TCP/USO only on GSO_PARTIAL chunks:
// gso_features_check removed the partial types from `features`, and
// __skb_gso_segment keeps GSO_PARTIAL because features | partial covers
// the gso_type.
const PARTIAL = NETIF_F.SG | NETIF_F.GSO | NETIF_F.HW_CSUM |
  NETIF_F.GSO_PARTIAL;

Deno.test("segment() writes UDP length 8 + gso_size * gso_segs and its seed in a GSO_PARTIAL USO chunk (__udp_gso_segment: mss *= gso_segs)", () => {
  // skb_segment: k = floor(5500 / 1000) = 5, chunks of 5000 and 500.
  // __udp_gso_segment: skb_is_gso(segs) makes mss = 1000 * 5, so the first
  // chunk's uh->len is 8 + 5000 with the seed moved to that length; the
  // last (non-GSO) one gets its own length. The IP header describes one
  // gso_size packet (tot_len / payload_len of 8 + 1000).
  const payloadLen = 5500;
  const mss = 1000;
  for (const ipv6 of [false, true]) {
    const { skb, b } = skbFor({ ipv6, udp: true, payloadLen, gsoSize: mss });
    const segs = [
      ...segment(skb, PARTIAL, { gsoPartialFeatures: NETIF_F.GSO_UDP_L4 }),
    ];
    const at = `ipv6=${ipv6}`;
    assert.equal(segs.length, 2, at);
    const [big, tail] = segs as [typeof segs[0], typeof segs[0]];
    assert.equal(big.gsoSize, mss, at);
    assert.equal(big.gsoSegs, 5, at);
    assert.equal(big.data.length - b.payloadOff, 5 * mss, at);
    assert.equal(tail.gsoSize, 0, at);
    assert.equal(tail.data.length - b.payloadOff, 500, at);
    const lens: [typeof big, number, number][] = [
      [big, 8 + 5 * mss, 8 + mss],
      [tail, 8 + 500, 8 + 500],
    ];
    for (const [s, udpLen, oneSegL4] of lens) {
      const d = s.data;
      assert.equal(s.ipSummed, IP_SUMMED.PARTIAL, at);
      assert.equal(getU16(d, b.l4Off + 4), udpLen, at);
      assert.equal(
        getU16(d, b.l4Off + 6),
        udpPseudo(d, b.ipOff, ipv6, udpLen),
        `${at}: seed S(${udpLen})`,
      );
      if (ipv6) assert.equal(getU16(d, b.ipOff + 4), oneSegL4, at);
      else assert.equal(getU16(d, b.ipOff + 2), 20 + oneSegL4, at);
    }
  }
});

Deno.test("segment() inserts the IPv6 UFO Fragment header after Hop-by-Hop, Routing and the Destination Options before a Routing header (ip6_find_1stfragopt)", () => {
  // ip6_find_1stfragopt: the unfragmentable part is the fixed header, then
  // Hop-by-Hop, Routing and Destination Options headers up to the first
  // Destination Options header that follows a Routing header (or the first
  // header of another type). udp6_ufo_fragment puts the Fragment header
  // there; each fragment carries gso_size bytes of the UDP datagram.
  const cases: { ext: { type: number; len: number }[]; unfrag: number }[] = [
    { ext: [{ type: 43, len: 8 }, { type: 60, len: 8 }], unfrag: 1 },
    {
      ext: [{ type: 60, len: 8 }, { type: 43, len: 16 }, {
        type: 60,
        len: 8,
      }],
      unfrag: 2,
    },
    { ext: [{ type: 60, len: 16 }], unfrag: 1 },
    { ext: [{ type: 0, len: 8 }, { type: 60, len: 8 }], unfrag: 2 },
  ];
  const mss = 1000;
  const payloadLen = 2200;
  const fragId = 0x0a0b0c0d;
  for (const { ext, unfrag } of cases) {
    const at = ext.map((e) => e.type).join(",");
    const { skb, b } = skbFor({
      ipv6: true,
      udp: true,
      payloadLen,
      gsoSize: mss,
      extHeaders: ext,
    });
    skb.gsoType = SKB_GSO.UDP;
    const segs = [...segment(skb, NETIF_F.SG | NETIF_F.GSO, {
      ufo6FragId: fragId,
    })];
    const datagram = 8 + payloadLen;
    assert.equal(segs.length, Math.ceil(datagram / mss), at);
    const unfragLen = 40 + ext.slice(0, unfrag).reduce((n, e) => n + e.len, 0);
    const want = [
      ...ext.slice(0, unfrag).map((e) => e.type),
      44,
      ...ext.slice(unfrag).map((e) => e.type),
      17,
    ];
    const l4Off = b.l4Off + 8;
    let offset = 0;
    let reassembled: number[] = [];
    segs.forEach((s, i) => {
      const d = s.data;
      const c = chain(d, b.ipOff);
      assert.deepEqual(c.map((h) => h.type), want, `${at} #${i}`);
      const frag = b.ipOff + unfragLen;
      assert.equal(c[unfrag]!.at, frag, `${at} #${i}: Fragment header offset`);
      assert.equal(d[frag + 1], 0, at);
      assert.equal(
        ((d[frag + 4]! << 24) | (d[frag + 5]! << 16) | (d[frag + 6]! << 8) |
          d[frag + 7]!) >>> 0,
        fragId,
        at,
      );
      // ipv6_gso_segment: payload_len from the segment length; frag_off is
      // the running offset | M, advanced by payload_len - 8.
      const payloadLenField = d.length - b.ipOff - 40;
      assert.equal(getU16(d, b.ipOff + 4), payloadLenField, at);
      const mf = i < segs.length - 1 ? 1 : 0;
      assert.equal(getU16(d, frag + 2), offset | mf, `${at} #${i}: frag_off`);
      offset += payloadLenField - 8;
      // the headers after the Fragment header are the original ones
      assert.deepEqual(
        d.subarray(frag + 8, l4Off),
        b.frame.subarray(b.ipOff + unfragLen, b.l4Off),
        at,
      );
      reassembled = reassembled.concat([...d.subarray(l4Off)]);
    });
    // the fragments carry the UDP datagram, its checksum completed
    const dg = Uint8Array.from(reassembled);
    assert.equal(dg.length, datagram, at);
    assert.deepEqual(dg.subarray(8), b.frame.subarray(b.payloadOff), at);
    assert.equal(
      sum16(dg, 0, dg.length, udpPseudo(b.frame, b.ipOff, true, datagram)),
      0xffff,
      `${at}: datagram checksum`,
    );
  }
});

Deno.test("segment() sets the IPv6 payload_len of a GSO_PARTIAL TCP chunk to that of one gso_size packet, extension headers included (ipv6_gso_segment)", () => {
  // ipv6_gso_segment: for gso_partial && skb_is_gso(seg), payload_len =
  // gso_size + headers after the fixed IPv6 header; the non-GSO tail
  // keeps its own length. k = floor(5500 / 1000) = 5: chunks 5000, 500.
  const mss = 1000;
  const payloadLen = 5500;
  for (const ext of [[], [{ type: 0, len: 8 }, { type: 60, len: 16 }]]) {
    const { skb, b } = skbFor({
      ipv6: true,
      payloadLen,
      gsoSize: mss,
      extHeaders: ext,
    });
    const segs = [
      ...segment(skb, PARTIAL, { gsoPartialFeatures: NETIF_F.TSO6 }),
    ];
    const at = `ext=${ext.length}`;
    const hdrs = b.payloadOff - b.ipOff - 40; // ext headers + TCP header
    assert.equal(segs.length, 2, at);
    assert.notEqual(segs[0]!.gsoType & SKB_GSO.PARTIAL, 0, at);
    assert.equal(segs[0]!.gsoSize, mss, at);
    assert.equal(segs[0]!.data.length - b.payloadOff, 5 * mss, at);
    assert.equal(getU16(segs[0]!.data, b.ipOff + 4), hdrs + mss, at);
    assert.equal(segs[1]!.gsoSize, 0, at);
    assert.equal(getU16(segs[1]!.data, b.ipOff + 4), hdrs + 500, at);
  }
});

Deno.test("segment() sets the outer IPv6 payload_len of a GSO_PARTIAL VXLAN chunk to that of one gso_size packet (ipv6_gso_segment)", () => {
  // Outer IPv6 payload_len = outer UDP 8 + VXLAN 8 + inner Ethernet 14 +
  // inner IPv4 20 + inner TCP 32 + gso_size for the GSO chunk; the
  // non-GSO tail keeps its own length.
  const mss = 1000;
  const v = buildVxlan({
    outerV6: true,
    outerCsum: true,
    payloadLen: 10500,
    gsoSize: mss,
  });
  const { features, opts } = PARTIAL_TUNNEL_DEVICE;
  const segs = [...segment(v.skb, features, opts)];
  const hdrs = 8 + 8 + 14 + 20 + 32;
  assert.equal(segs.length, 2);
  assert.equal(segs[0]!.gsoSegs, 10);
  assert.notEqual(segs[0]!.gsoType & SKB_GSO.PARTIAL, 0);
  assert.equal(getU16(segs[0]!.data, v.outerIpOff + 4), hdrs + mss);
  assert.equal(segs[1]!.gsoSize, 0);
  assert.equal(segs[1]!.data.length - segs[1]!.payloadOffset, 500);
  assert.equal(getU16(segs[1]!.data, v.outerIpOff + 4), hdrs + 500);
});

Deno.test("segment() gives every IPv6 GSO chunk cut from a GRO frag_list (no GSO_PARTIAL bit) its own payload_len (ipv6_gso_segment)", () => {
  // skb_segment's frag_list chunks stay GSO skbs but without
  // SKB_GSO_PARTIAL, so ipv6_gso_segment uses payload_len = seg length -
  // nhoff - 40 for all of them, not the one-gso_size length.
  const mss = 1000;
  const sizes = [2000, 2000, 700]; // head's own payload, then frag_list
  const payloadLen = sizes.reduce((a, n) => a + n, 0);
  const { skb, b } = groFragListSkb(sizes, mss, true);
  const segs = [...segment(skb, NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO6)];
  assert.ok(
    segs.some((s) => s.gsoSize === mss && s.data.length - b.payloadOff > mss),
    "some output is a multi-segment GSO chunk",
  );
  let total = 0;
  for (const s of segs) {
    assert.equal(s.gsoType & SKB_GSO.PARTIAL, 0);
    assert.equal(getU16(s.data, b.ipOff + 4), s.data.length - b.ipOff - 40);
    total += s.data.length - b.payloadOff;
  }
  assert.equal(total, payloadLen);
});

Deno.test("segment() makes a GSO_PARTIAL tail of exactly gso_size non-GSO and gives a longer tail gso_segs = ceil(len / gso_size) (skb_segment)", () => {
  // skb_segment: partial_segs = min(len, GSO_BY_FRAGS - 1) / mss, so a
  // BIG TCP payload over 65534 bytes leaves a tail chunk that can reach
  // gso_size or more. Tail len <= gso_size: gso_size = 0; else (tail not
  // the first chunk) gso_segs = DIV_ROUND_UP(len, gso_size). The IPv4 ID
  // of the tail is the first chunk's plus its gso_segs.
  const mss = 1000;
  const k = Math.floor(65534 / mss); // 65
  for (const tailLen of [mss, 5 * mss + 1]) {
    const payloadLen = k * mss + tailLen;
    const { skb, b } = skbFor({ payloadLen, gsoSize: mss, id: 0x2000 });
    const segs = [
      ...segment(skb, PARTIAL, { gsoPartialFeatures: NETIF_F.TSO }),
    ];
    const at = `tail=${tailLen}`;
    assert.equal(segs.length, 2, at);
    const [big, tail] = segs as [typeof segs[0], typeof segs[0]];
    assert.equal(big.data.length - b.payloadOff, k * mss, at);
    assert.equal(big.gsoSize, mss, at);
    assert.equal(big.gsoSegs, k, at);
    assert.equal(tail.data.length - b.payloadOff, tailLen, at);
    assert.equal(getU16(big.data, b.ipOff + 4), 0x2000, at);
    assert.equal(getU16(tail.data, b.ipOff + 4), 0x2000 + k, at);
    if (tailLen <= mss) {
      assert.equal(tail.gsoSize, 0, at);
    } else {
      assert.equal(tail.gsoSize, mss, at);
      assert.equal(tail.gsoSegs, Math.ceil(tailLen / mss), at);
      assert.notEqual(tail.gsoType & SKB_GSO.PARTIAL, 0, at);
    }
  }
});

Deno.test("segment() caps GSO_PARTIAL partial_segs so a chunk never spans GSO_BY_FRAGS (0xFFFF) bytes (skb_segment)", () => {
  // skb_segment: partial_segs = min(len, GSO_BY_FRAGS - 1) / mss. With
  // gso_size 13107 (65535 = 5 * 13107) and 65535 bytes of payload that is
  // 65534 / 13107 = 4, not 5: one chunk of 4 * 13107 and a tail of exactly
  // gso_size, which is then not GSO.
  const mss = 13107;
  const payloadLen = 0xffff;
  const k = Math.floor((0xffff - 1) / mss);
  assert.equal(k, 4);
  const { skb, b } = skbFor({ payloadLen, gsoSize: mss });
  const segs = [...segment(skb, PARTIAL, { gsoPartialFeatures: NETIF_F.TSO })];
  assert.deepEqual(
    segs.map((s) => s.data.length - b.payloadOff),
    [k * mss, payloadLen - k * mss],
  );
  assert.equal(segs[0]!.gsoSegs, k);
  assert.equal(segs[0]!.gsoSize, mss);
  assert.equal(segs[1]!.gsoSize, 0);
});
