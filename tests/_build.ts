// Test helpers: build Ethernet/IPv4|IPv6/TCP|UDP frames byte by byte, with
// the L4 checksum holding the CHECKSUM_PARTIAL seed as a sending stack
// leaves it. Deliberately independent of the codecs under test.
import { setU16, setU32 } from "../sw/bytes.ts";
import { pseudoHeaderSum4, pseudoHeaderSum6 } from "../sw/checksum.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { newSkb } from "../sw/skbuff.ts";
import type { GsoOptions } from "../sw/gso_segment_types.ts";
import type { XmitDevice } from "../sw/xmit_decision.ts";
import { IP_SUMMED, SKB_GSO, type SkBuff } from "../sw/types.ts";

export interface BuildOptions {
  ipv6?: boolean;
  udp?: boolean;
  payloadLen: number;
  gsoSize?: number;
  id?: number;
  seq?: number;
  flags?: number; // TCP flags byte
  tcpOptionsLen?: number; // multiple of 4
  ipOptionsLen?: number; // IPv4, multiple of 4
  extHeaders?: { type: number; len: number }[]; // IPv6 HBH(0)/Routing(43)/Dest(60)
  vlanTags?: number; // number of 802.1Q tags
  df?: boolean;
  seedByte?: number;
}

export function payloadBytes(n: number, seed = 7): Uint8Array {
  const p = new Uint8Array(n);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    p[i] = x >>> 24;
  }
  return p;
}

export interface Built {
  frame: Uint8Array;
  ipOff: number;
  l4Off: number;
  payloadOff: number;
}

export function buildFrame(o: BuildOptions): Built {
  const tags = o.vlanTags ?? 0;
  const l2 = 14 + 4 * tags;
  const ipOpt = o.ipOptionsLen ?? 0;
  const ext = o.extHeaders ?? [];
  const extLen = ext.reduce((n, e) => n + e.len, 0);
  const ipHl = o.ipv6 ? 40 + extLen : 20 + ipOpt;
  const l4Hl = o.udp ? 8 : 20 + (o.tcpOptionsLen ?? 0);
  const total = l2 + ipHl + l4Hl + o.payloadLen;
  const f = new Uint8Array(total);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  let p = 12;
  for (let t = 0; t < tags; t++) {
    setU16(f, p, 0x8100);
    setU16(f, p + 2, 100 + t);
    p += 4;
  }
  setU16(f, p, o.ipv6 ? 0x86dd : 0x0800);
  const ipOff = l2;
  const proto = o.udp ? 17 : 6;
  const l4Off = ipOff + ipHl;
  const l4Len = l4Hl + o.payloadLen;
  if (o.ipv6) {
    f[ipOff] = 0x60;
    setU16(f, ipOff + 4, extLen + l4Len);
    f[ipOff + 7] = 64;
    f.set([0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], ipOff + 8);
    f.set([0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], ipOff + 24);
    let nhPtr = ipOff + 6;
    let q = ipOff + 40;
    for (const e of ext) {
      f[nhPtr] = e.type;
      f[q + 1] = e.len / 8 - 1;
      if (e.len > 2) f[q + 2] = 1; // PadN
      if (e.len > 3) f[q + 3] = e.len - 4;
      nhPtr = q;
      q += e.len;
    }
    f[nhPtr] = proto;
  } else {
    f[ipOff] = 0x40 | (ipHl / 4);
    setU16(f, ipOff + 2, ipHl + l4Len);
    setU16(f, ipOff + 4, o.id ?? 0x1234);
    if (o.df ?? true) setU16(f, ipOff + 6, 0x4000);
    f[ipOff + 8] = 64;
    f[ipOff + 9] = proto;
    f.set([10, 77, 0, 1, 10, 77, 0, 2], ipOff + 12);
    for (let i = 0; i < ipOpt; i++) f[ipOff + 20 + i] = 1; // NOP options
  }
  setU16(f, l4Off, 40000);
  setU16(f, l4Off + 2, 5001);
  if (o.udp) {
    setU16(f, l4Off + 4, l4Len);
  } else {
    setU32(f, l4Off + 4, o.seq ?? 1000);
    setU32(f, l4Off + 8, 77);
    f[l4Off + 12] = (l4Hl / 4) << 4;
    f[l4Off + 13] = o.flags ?? 0x18;
    setU16(f, l4Off + 14, 501);
    for (let i = 20; i < l4Hl; i++) f[l4Off + i] = 1; // NOP
  }
  f.set(payloadBytes(o.payloadLen, o.seedByte ?? 7), l4Off + l4Hl);
  const seed = o.ipv6
    ? pseudoHeaderSum6(f, ipOff, proto, l4Len)
    : pseudoHeaderSum4(f, ipOff, proto, l4Len);
  setU16(f, l4Off + (o.udp ? 6 : 16), seed);
  return { frame: f, ipOff, l4Off, payloadOff: l4Off + l4Hl };
}

export function skbFor(
  o: BuildOptions,
  extraType = 0,
): { skb: SkBuff; b: Built } {
  const b = buildFrame(o);
  const f = b.frame;
  const skb = newSkb({
    linear: f.subarray(0, b.payloadOff),
    frags: [{ page: f, offset: b.payloadOff, size: f.length - b.payloadOff }],
    gsoSize: o.gsoSize ?? 1448,
    gsoType:
      (o.udp ? SKB_GSO.UDP_L4 : (o.ipv6 ? SKB_GSO.TCPV6 : SKB_GSO.TCPV4)) |
      extraType,
    ipSummed: IP_SUMMED.PARTIAL,
    csumStart: b.l4Off,
    csumOffset: o.udp ? 6 : 16,
    networkHeader: b.ipOff,
    transportHeader: b.l4Off,
    protocol: o.ipv6 ? 0x86dd : 0x0800,
  });
  return { skb, b };
}

// A GRO-style TCP skb as skb_segment sees it: the head holds sizes[0]
// payload bytes in page frags (`headFrags` of them, default 1) and each
// frag_list member one of the rest: its first `memberLinear` bytes (default
// 0) in its linear area, whose `headFrag` is as given, the rest in a page
// frag.
export function groFragListSkb(
  sizes: number[],
  mss: number,
  ipv6 = false,
  o: { memberLinear?: number; headFrag?: boolean; headFrags?: number } = {},
): { skb: SkBuff; b: Built } {
  const payloadLen = sizes.reduce((a, n) => a + n, 0);
  const b = buildFrame({ ipv6, payloadLen });
  const f = b.frame;
  const lin = o.memberLinear ?? 0;
  const fragList: SkBuff[] = [];
  let off = b.payloadOff + sizes[0]!;
  for (const n of sizes.slice(1)) {
    fragList.push(newSkb({
      linear: f.slice(off, off + lin),
      frags: [{ page: f, offset: off + lin, size: n - lin }],
      ...(o.headFrag !== undefined ? { headFrag: o.headFrag } : {}),
    }));
    off += n;
  }
  const k = o.headFrags ?? 1;
  const frags = [];
  for (let i = 0, at = b.payloadOff; i < k; i++) {
    const size = Math.floor(sizes[0]! / k) + (i < sizes[0]! % k ? 1 : 0);
    frags.push({ page: f, offset: at, size });
    at += size;
  }
  const skb = newSkb({
    linear: f.subarray(0, b.payloadOff),
    frags,
    fragList,
    gsoSize: mss,
    gsoType: ipv6 ? SKB_GSO.TCPV6 : SKB_GSO.TCPV4,
    ipSummed: IP_SUMMED.PARTIAL,
    csumStart: b.l4Off,
    csumOffset: 16,
    networkHeader: b.ipOff,
    transportHeader: b.l4Off,
    protocol: ipv6 ? 0x86dd : 0x0800,
  });
  return { skb, b };
}

// A device that segments a VXLAN tunnel with the outer UDP checksum only
// through GSO_PARTIAL (ice's way): its features and segment() options.
export const PARTIAL_TUNNEL_DEVICE: {
  features: bigint;
  opts: GsoOptions;
} = {
  features: NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO | NETIF_F.GSO_PARTIAL |
    NETIF_F.GSO_UDP_TUNNEL_CSUM,
  opts: {
    gsoPartialFeatures: NETIF_F.GSO_UDP_TUNNEL_CSUM,
    hwEncFeatures: NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO |
      NETIF_F.GSO_PARTIAL,
  },
};

// A BIG TCP device: IPv6-only checksum offload and TSO6, gso_max_size
// 512 KiB (the most BIG TCP allows), IPv4 at the legacy 64 KiB.
export const BIG_TCP_DEVICE: XmitDevice = {
  name: "big0",
  features: NETIF_F.SG | NETIF_F.IPV6_CSUM | NETIF_F.TSO6,
  hwEncFeatures: 0n,
  vlanFeatures: 0n,
  gsoPartialFeatures: 0n,
  gsoMaxSize: 524280,
  gsoIpv4MaxSize: 65536,
  gsoMaxSegs: 65535,
};

export interface VxlanOptions {
  outerV6?: boolean;
  innerV6?: boolean;
  outerCsum?: boolean;
  payloadLen: number;
  gsoSize: number;
  outerId?: number;
}

// A VXLAN (port 4789, VNI 7) super-packet as the vxlan driver hands it to
// the device: inner TCP seeded, outer UDP seeded with S(len) when the tunnel
// checksums (udp_set_csum), zero otherwise.
export function buildVxlan(
  o: VxlanOptions,
): {
  skb: SkBuff;
  frame: Uint8Array;
  udpOff: number;
  innerIpOff: number;
  innerL4Off: number;
  outerIpOff: number;
} {
  const inner = buildFrame({
    ipv6: o.innerV6 ?? false,
    payloadLen: o.payloadLen,
    tcpOptionsLen: 12,
  });
  const outerIpLen = o.outerV6 ? 40 : 20;
  const hdr = 14 + outerIpLen + 8 + 8;
  const f = new Uint8Array(hdr + inner.frame.length);
  f.set([2, 0, 0, 0, 0, 0x12, 2, 0, 0, 0, 0, 0x11], 0);
  setU16(f, 12, o.outerV6 ? 0x86dd : 0x0800);
  const ip = 14;
  const udp = ip + outerIpLen;
  const udpLen = 16 + inner.frame.length;
  if (o.outerV6) {
    f[ip] = 0x60;
    setU16(f, ip + 4, udpLen);
    f[ip + 6] = 17;
    f[ip + 7] = 64;
    f.set([0xfd, 0x78, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], ip + 8);
    f.set([0xfd, 0x78, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], ip + 24);
  } else {
    f[ip] = 0x45;
    setU16(f, ip + 2, 20 + udpLen);
    setU16(f, ip + 4, o.outerId ?? 0xfffe);
    f[ip + 8] = 64;
    f[ip + 9] = 17;
    f.set([10, 78, 0, 1, 10, 78, 0, 2], ip + 12);
  }
  setU16(f, udp, 51000);
  setU16(f, udp + 2, 4789);
  setU16(f, udp + 4, udpLen);
  f[udp + 8] = 0x08;
  f[udp + 14] = 7; // VNI 7 in bytes 4..6
  f.set(inner.frame, udp + 16);
  if (o.outerCsum) {
    const seed = o.outerV6
      ? pseudoHeaderSum6(f, ip, 17, udpLen)
      : pseudoHeaderSum4(f, ip, 17, udpLen);
    setU16(f, udp + 6, seed);
  }
  const innerMac = udp + 16;
  const innerIpOff = innerMac + inner.ipOff;
  const innerL4Off = innerMac + inner.l4Off;
  const payloadOff = innerMac + inner.payloadOff;
  const skb = newSkb({
    linear: f.subarray(0, payloadOff),
    frags: [{ page: f, offset: payloadOff, size: f.length - payloadOff }],
    gsoSize: o.gsoSize,
    gsoType: ((o.innerV6 ? SKB_GSO.TCPV6 : SKB_GSO.TCPV4) |
      (o.outerCsum ? SKB_GSO.UDP_TUNNEL_CSUM : SKB_GSO.UDP_TUNNEL)) >>> 0,
    ipSummed: IP_SUMMED.PARTIAL,
    csumStart: innerL4Off,
    csumOffset: 16,
    networkHeader: ip,
    transportHeader: udp,
    protocol: o.outerV6 ? 0x86dd : 0x0800,
    encapsulation: true,
    innerMacHeader: innerMac,
    innerNetworkHeader: innerIpOff,
    innerTransportHeader: innerL4Off,
    innerProtocol: o.innerV6 ? 0x86dd : 0x0800,
  });
  return { skb, frame: f, udpOff: udp, innerIpOff, innerL4Off, outerIpOff: ip };
}

// The IPv6 next-header chain from the header at ipOff: each extension
// header's type and offset, ending with the upper-layer protocol.
export function chain(
  d: Uint8Array,
  ipOff: number,
): { type: number; at: number }[] {
  const out: { type: number; at: number }[] = [];
  let next = d[ipOff + 6]!;
  let at = ipOff + 40;
  for (;;) {
    out.push({ type: next, at });
    if (next !== 0 && next !== 43 && next !== 60 && next !== 44) return out;
    const len = next === 44 ? 8 : (d[at + 1]! + 1) * 8;
    next = d[at]!;
    at += len;
  }
}
