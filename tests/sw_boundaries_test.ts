// Boundary cases of the software GSO reference (sw/): each test pins one
// kernel rule at the exact value where it changes its answer.
import assert from "node:assert/strict";
import { getU16 } from "../sw/bytes.ts";
import { onesSum, pseudoHeaderSum4 } from "../sw/checksum.ts";
import { l4ChecksumComplete } from "../sw/l4_checksum.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { SegmentError } from "../sw/segment_error.ts";
import { IP_SUMMED, SKB_GSO, type SkBuff } from "../sw/types.ts";
import { xmitDecision } from "../sw/xmit_decision.ts";
import { BIG_TCP_DEVICE, buildFrame, skbFor } from "./_build.ts";

const SW = NETIF_F.SG | NETIF_F.GSO; // no checksum offload: all final

function refuses(skb: SkBuff, reason: string, features = SW, msg?: string) {
  assert.throws(
    () => [...segment(skb, features)],
    (e: unknown) => e instanceof SegmentError && e.reason === reason,
    msg,
  );
}

// Sets the two bytes at `off` (even, relative to `start`) so that the ones'
// complement sum of [start, end) plus `ph` folds to 0xFFFF, i.e. the
// computed checksum ~sum is 0.
function forceZeroChecksum(
  d: Uint8Array,
  start: number,
  end: number,
  ph: number,
  off: number,
): void {
  d[off] = 0;
  d[off + 1] = 0;
  const s = onesSum(d, start, end, ph);
  const w = ~s & 0xffff; // s +' ~s = 0xFFFF
  d[off] = w >>> 8;
  d[off + 1] = w & 0xff;
  assert.equal(onesSum(d, start, end, ph), 0xffff);
}

Deno.test("segment() refuses TCP whose gso_type names the other IP family (tcp4_gso_segment/tcp6_gso_segment)", () => {
  const v4 = skbFor({ payloadLen: 3000, gsoSize: 1000 }).skb;
  v4.gsoType = SKB_GSO.TCPV6;
  refuses(v4, "gso-type-mismatch", SW, "IPv4 with TCPV6");
  const v6 = skbFor({ ipv6: true, payloadLen: 3000, gsoSize: 1000 }).skb;
  v6.gsoType = SKB_GSO.TCPV4;
  refuses(v6, "gso-type-mismatch", SW, "IPv6 with TCPV4");
});

Deno.test("segment() refuses a CHECKSUM_PARTIAL TCP skb whose csum_start is not the TCP header (tcp_gso_segment)", () => {
  for (const ipv6 of [false, true]) {
    const { skb } = skbFor({ ipv6, payloadLen: 3000, gsoSize: 1000 });
    assert.equal(skb.ipSummed, IP_SUMMED.PARTIAL);
    skb.csumStart = skb.transportHeader + 2;
    refuses(skb, "csum-start-mismatch", SW, `ipv6=${ipv6}`);
  }
});

Deno.test("segment() refuses a USO skb whose payload is exactly gso_size (__udp_gso_segment: skb->len <= sizeof(udphdr) + mss)", () => {
  const { skb } = skbFor({ udp: true, payloadLen: 1000, gsoSize: 1000 });
  refuses(skb, "payload-not-above-gso-size");
  // one byte more makes two datagrams
  const more = skbFor({ udp: true, payloadLen: 1001, gsoSize: 1000 }).skb;
  assert.equal([...segment(more, SW)].length, 2);
});

Deno.test("segment() refuses a UFO datagram whose header plus payload is exactly gso_size (udp4_ufo_fragment: skb->len <= mss)", () => {
  const { skb } = skbFor({ udp: true, payloadLen: 992, gsoSize: 1000 });
  skb.gsoType = SKB_GSO.UDP;
  refuses(skb, "payload-not-above-gso-size");
  const more = skbFor({ udp: true, payloadLen: 993, gsoSize: 1000 }).skb;
  more.gsoType = SKB_GSO.UDP;
  assert.equal([...segment(more, SW)].length, 2);
});

Deno.test("segment() refuses an IPv4 super-packet with ihl 4 (inet_gso_segment: ihl < sizeof(*iph))", () => {
  const { skb, b } = skbFor({ payloadLen: 3000, gsoSize: 1000 });
  const lin = skb.linear.slice();
  lin[b.ipOff] = 0x44;
  skb.linear = lin;
  refuses(skb, "bad-header-length");
});

Deno.test("segment() refuses gso_size 65536, one above the 16-bit gso_size field", () => {
  const { skb } = skbFor({ payloadLen: 70000, gsoSize: 0x10000 });
  refuses(skb, "bad-gso-size");
});

Deno.test("segment() allows exactly 65535 segments (skb_segment: gso_segs is 16 bits)", () => {
  const { skb } = skbFor({ payloadLen: 65535, gsoSize: 1 });
  const into = new Uint8Array(256);
  let n = 0;
  let last = false;
  for (const s of segment(skb, SW, { into })) {
    n++;
    last = s.last;
  }
  assert.equal(n, 65535);
  assert.ok(last);
});

function fragmented(gsoSize: number, payloadLen: number, fragSize: number) {
  const { skb, b } = skbFor({ payloadLen, gsoSize });
  const page = skb.frags[0]!.page;
  skb.frags = [];
  for (let o = b.payloadOff; o < page.length; o += fragSize) {
    skb.frags.push({
      page,
      offset: o,
      size: Math.min(fragSize, page.length - o),
    });
  }
  return skb;
}

Deno.test("segment() with SG allows a segment of exactly MAX_SKB_FRAGS (17) frags and refuses 18 (skb_segment)", () => {
  const ok = fragmented(1700, 3400, 100);
  assert.equal(ok.frags.length, 34);
  const segs = [...segment(ok, SW)];
  assert.equal(segs.length, 2);
  assert.ok(segs.every((s) => s.data.length - s.payloadOffset === 1700));
  refuses(fragmented(1800, 3600, 100), "too-many-frags");
});

Deno.test("l4ChecksumComplete() writes a computed UDP checksum of 0 as 0xFFFF and a TCP one as 0 (udp4_hwcsum, CSUM_MANGLED_0)", () => {
  for (const udp of [true, false]) {
    const { frame, ipOff, l4Off } = buildFrame({ udp, payloadLen: 100 });
    const l4Len = frame.length - l4Off;
    const proto = udp ? 17 : 6;
    const field = l4Off + (udp ? 6 : 16);
    frame[field] = 0;
    frame[field + 1] = 0;
    const ph = pseudoHeaderSum4(frame, ipOff, proto, l4Len);
    forceZeroChecksum(frame, l4Off, frame.length, ph, frame.length - 2);
    l4ChecksumComplete(frame, {
      ipv6: false,
      ipOffset: ipOff,
      l4Offset: l4Off,
      l4Len,
      proto,
    });
    assert.equal(getU16(frame, field), udp ? 0xffff : 0, `udp=${udp}`);
  }
});

Deno.test("segment() UFO writes a datagram checksum of 0 as 0xFFFF (udp4_ufo_fragment: CSUM_MANGLED_0)", () => {
  const { skb, b } = skbFor({ udp: true, payloadLen: 3000, gsoSize: 1480 });
  skb.gsoType = SKB_GSO.UDP;
  const f = skb.frags[0]!.page;
  // The checksum covers the datagram with its check field 0.
  const d = f.slice(b.l4Off);
  d[6] = 0;
  d[7] = 0;
  const ph = pseudoHeaderSum4(f, b.ipOff, 17, d.length);
  forceZeroChecksum(d, 0, d.length, ph, d.length - 2);
  f.set(d.subarray(d.length - 2), f.length - 2);
  const segs = [...segment(skb, SW)];
  assert.equal(segs.length, 3);
  assert.equal(getU16(segs[0]!.data, b.l4Off + 6), 0xffff);
});

// A TCP/IPv6 super-packet with one 8-byte Hop-by-Hop header; with `jumbo`
// its option is the BIG TCP jumbo option (type 0xC2, length 4, value) and
// the fixed header's payload_len 0, else buildFrame's PadN.
function hbhSkb(payloadLen: number, gsoSize: number, jumbo: boolean) {
  const { skb, b } = skbFor({
    ipv6: true,
    payloadLen,
    gsoSize,
    extHeaders: [{ type: 0, len: 8 }],
  });
  const f = skb.frags[0]!.page;
  const j = b.ipOff + 40;
  assert.equal(f[j], 6, "HBH next header is TCP");
  if (jumbo) {
    f[j + 2] = 0xc2;
    f[j + 3] = 4;
    const total = 8 + 20 + payloadLen;
    f[j + 4] = total >>> 24;
    f[j + 5] = (total >>> 16) & 0xff;
    f[j + 6] = (total >>> 8) & 0xff;
    f[j + 7] = total & 0xff;
    f[b.ipOff + 4] = 0;
    f[b.ipOff + 5] = 0;
  } else {
    assert.equal(f[j + 2], 1, "PadN");
  }
  skb.linear = f.subarray(0, b.payloadOff);
  return { skb, b };
}

Deno.test("segment() keeps an 8-byte PadN Hop-by-Hop header on a >64KiB TCP/IPv6 super-packet: only the jumbo option is BIG TCP's (ipv6_has_hopopt_jumbo)", () => {
  const { skb, b } = hbhSkb(70000, 1440, false);
  const segs = [...segment(skb, SW)];
  assert.equal(segs.length, Math.ceil(70000 / 1440));
  for (const s of segs) {
    assert.equal(s.data[b.ipOff + 6], 0, "next header stays Hop-by-Hop");
    assert.equal(s.data[b.ipOff + 42], 1, "PadN stays");
    assert.equal(s.data.length - s.payloadOffset <= 1440, true);
    assert.equal(s.payloadOffset, b.payloadOff);
  }
});

Deno.test("segment() keeps the jumbo Hop-by-Hop header of a packet of exactly 65536 bytes from its IPv6 header, and strips it one byte later (ipv6_has_hopopt_jumbo: len <= GRO_LEGACY_MAX_SIZE)", () => {
  // skb_mac_gso_segment pulls the MAC header first: skb->len counts from
  // the IPv6 header. 40 IPv6 + 8 HBH + 20 TCP + payload = 65536.
  const payloadLen = 65536 - 68;
  const { skb, b } = hbhSkb(payloadLen, 8940, true);
  assert.equal(b.frame.length - b.ipOff, 65536);
  const segs = [...segment(skb, SW)];
  assert.equal(segs.length, Math.ceil(payloadLen / 8940));
  for (const s of segs) {
    assert.equal(s.data[b.ipOff + 6], 0, "next header stays Hop-by-Hop");
    assert.equal(s.data[b.ipOff + 42], 0xc2, "jumbo option stays");
    assert.equal(s.payloadOffset, b.payloadOff);
  }
  const over = hbhSkb(payloadLen + 1, 8940, true);
  for (const s of segment(over.skb, SW)) {
    assert.equal(s.data[over.b.ipOff + 6], 6, "jumbo header removed: TCP");
    assert.equal(s.payloadOffset, over.b.payloadOff - 8);
  }
});

Deno.test("xmitDecision() with IPV6_CSUM|TSO6 lets a jumbo Hop-by-Hop BIG TCP skb through but segments one with a PadN Hop-by-Hop header (gso_features_check)", () => {
  const dev = BIG_TCP_DEVICE;
  const jumbo = xmitDecision(hbhSkb(70000, 1440, true).skb, dev);
  assert.equal(jumbo.path, "hardware", jumbo.reasons.join("; "));
  const padn = xmitDecision(hbhSkb(70000, 1440, false).skb, dev);
  assert.equal(padn.path, "software-gso", padn.reasons.join("; "));
  assert.equal(padn.features & (NETIF_F.IPV6_CSUM | NETIF_F.TSO6), 0n);
});
