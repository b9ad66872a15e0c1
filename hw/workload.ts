/**
 * Synthetic traffic for the model's sweeps and tables: bulk TCP sends as
 * GSO super-packets laid out the way a sending stack lays them out
 * (headers in the linear area, payload in page fragments, the
 * CHECKSUM_PARTIAL seed in the TCP checksum field), and the per-segment
 * skbs a host stack would hand a driver in the `gso` and `none` modes.
 * This is a traffic generator, not a reference: the testbench hands the
 * reference's segments to the model when it compares bytes.
 *
 * @module
 */
import { getU16, getU32, setU16, setU32 } from "../sw/bytes.ts";
import { IP_SUMMED, SKB_GSO, type SkBuff } from "../sw/types.ts";
import { pseudoHeaderSeed } from "./driver_common.ts";
import { skbLength } from "./skb_layout.ts";

/**
 * Options of `bulkTcpSkb`.
 *
 * @example
 * ```ts
 * import type { BulkTcpOptions } from "./workload.ts";
 * const o: BulkTcpOptions = { sendBytes: 65536, mss: 1448 };
 * ```
 */
export interface BulkTcpOptions {
  /** TCP payload bytes of the send. */
  sendBytes: number;
  /** gso_size. */
  mss: number;
  /** IPv6 instead of IPv4. */
  ipv6?: boolean;
  /** TCP options bytes (12 = timestamps, the default). */
  tcpOptions?: number;
  /** Bytes per page fragment (default 4096). */
  fragBytes?: number;
  /** Initial sequence number. */
  seq?: number;
  /** IPv4 ID. */
  id?: number;
}

/**
 * Builds one bulk TCP send as a super-packet (a plain packet when it fits
 * in one MSS).
 *
 * @param o Size, MSS and layout.
 * @returns The skb.
 *
 * @example
 * ```ts
 * import { bulkTcpSkb } from "./workload.ts";
 * const skb = bulkTcpSkb({ sendBytes: 65536, mss: 1448 });
 * skb.frags.length; // 16
 * ```
 */
export function bulkTcpSkb(o: BulkTcpOptions): SkBuff {
  const ipLen = o.ipv6 ? 40 : 20;
  const tcpLen = 20 + (o.tcpOptions ?? 12);
  const hdrLen = 14 + ipLen + tcpLen;
  const l4Len = tcpLen + o.sendBytes;
  const h = new Uint8Array(hdrLen);
  h.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  setU16(h, 12, o.ipv6 ? 0x86dd : 0x0800);
  const ip = 14;
  if (o.ipv6) {
    h[ip] = 0x60;
    setU16(h, ip + 4, l4Len);
    h[ip + 6] = 6;
    h[ip + 7] = 64;
    h.set([0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], ip + 8);
    h.set([0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], ip + 24);
  } else {
    h[ip] = 0x45;
    setU16(h, ip + 2, Math.min(0xffff, ipLen + l4Len));
    setU16(h, ip + 4, o.id ?? 1);
    setU16(h, ip + 6, 0x4000);
    h[ip + 8] = 64;
    h[ip + 9] = 6;
    h.set([10, 77, 0, 1, 10, 77, 0, 2], ip + 12);
    const adderless = (() => {
      let s = 0;
      for (let i = 0; i < 20; i += 2) s += getU16(h, ip + i);
      while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
      return ~s & 0xffff;
    })();
    setU16(h, ip + 10, adderless);
  }
  const l4 = ip + ipLen;
  setU16(h, l4, 40000);
  setU16(h, l4 + 2, 5001);
  setU32(h, l4 + 4, o.seq ?? 1000);
  setU32(h, l4 + 8, 1);
  h[l4 + 12] = (tcpLen / 4) << 4;
  h[l4 + 13] = 0x18;
  setU16(h, l4 + 14, 501);
  for (let i = 20; i < tcpLen; i++) h[l4 + i] = 1;
  setU16(h, l4 + 16, pseudoHeaderSeed(h, ip, !o.ipv6, 6, l4Len));
  const fragBytes = o.fragBytes ?? 4096;
  const frags = [];
  for (let off = 0; off < o.sendBytes; off += fragBytes) {
    const size = Math.min(fragBytes, o.sendBytes - off);
    const page = new Uint8Array(fragBytes);
    for (let i = 0; i < size; i += 97) page[i] = (off + i) & 0xff;
    frags.push({ page, offset: 0, size });
  }
  const gso = o.sendBytes > o.mss;
  return {
    linear: h,
    frags,
    fragList: [],
    gsoSize: gso ? o.mss : 0,
    gsoSegs: gso ? Math.ceil(o.sendBytes / o.mss) : 0,
    gsoType: gso ? (o.ipv6 ? SKB_GSO.TCPV6 : SKB_GSO.TCPV4) : 0,
    ipSummed: IP_SUMMED.PARTIAL,
    csumStart: l4,
    csumOffset: 16,
    macHeader: 0,
    networkHeader: ip,
    transportHeader: l4,
    protocol: o.ipv6 ? 0x86dd : 0x0800,
    encapsulation: false,
    innerMacHeader: 0,
    innerNetworkHeader: 0,
    innerTransportHeader: 0,
    innerProtocol: 0,
  };
}

/**
 * The per-segment skbs a host stack hands a driver after software GSO with
 * scatter-gather and checksum offload: headers in a new linear area with
 * per-segment lengths, ID, sequence, flags and pseudo-header seed, payload
 * referencing the super-packet's fragments. For plain TCP/IPv4 and IPv6
 * super-packets without tunnels.
 *
 * @param skb A TCP super-packet (e.g. from `bulkTcpSkb`).
 * @returns One non-GSO CHECKSUM_PARTIAL skb per segment.
 *
 * @example
 * ```ts
 * import { bulkTcpSkb, syntheticHostSegments } from "./workload.ts";
 * syntheticHostSegments(bulkTcpSkb({ sendBytes: 4000, mss: 1448 })).length; // 3
 * ```
 */
export function syntheticHostSegments(skb: SkBuff): SkBuff[] {
  if (skb.gsoSize === 0) return [skb];
  const ip = skb.networkHeader;
  const l4 = skb.transportHeader;
  const ipv4 = (skb.linear[ip]! >>> 4) === 4;
  const hdrLen = l4 + (skb.linear[l4 + 12]! >>> 4) * 4;
  const total = skbLength(skb) - hdrLen;
  const out: SkBuff[] = [];
  // Payload regions after the headers.
  const regions: { page: Uint8Array; offset: number; size: number }[] = [];
  if (skb.linear.length > hdrLen) {
    regions.push({
      page: skb.linear,
      offset: hdrLen,
      size: skb.linear.length - hdrLen,
    });
  }
  for (const f of skb.frags) regions.push(f);
  let r = 0;
  let inR = 0;
  const seq0 = getU32(skb.linear, l4 + 4);
  const id0 = ipv4 ? getU16(skb.linear, ip + 4) : 0;
  const n = Math.ceil(total / skb.gsoSize);
  for (let s = 0; s < n; s++) {
    const size = Math.min(skb.gsoSize, total - s * skb.gsoSize);
    const h = skb.linear.slice(0, hdrLen);
    const l4Len = hdrLen - l4 + size;
    if (ipv4) {
      setU16(h, ip + 2, hdrLen - ip + size);
      setU16(h, ip + 4, (id0 + s) & 0xffff);
      setU16(h, ip + 10, 0);
      let sum = 0;
      for (let i = ip; i < l4; i += 2) sum += getU16(h, i);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      setU16(h, ip + 10, ~sum & 0xffff);
    } else setU16(h, ip + 4, hdrLen - ip - 40 + size);
    setU32(h, l4 + 4, (seq0 + s * skb.gsoSize) >>> 0);
    if (s < n - 1) h[l4 + 13] = h[l4 + 13]! & ~0x09;
    if (s > 0) h[l4 + 13] = h[l4 + 13]! & ~0x80;
    setU16(h, l4 + 16, pseudoHeaderSeed(h, ip, ipv4, 6, l4Len));
    const frags = [];
    let left = size;
    while (left > 0) {
      const reg = regions[r]!;
      const c = Math.min(reg.size - inR, left);
      frags.push({ page: reg.page, offset: reg.offset + inR, size: c });
      left -= c;
      inR += c;
      if (inR === reg.size) {
        r++;
        inR = 0;
      }
    }
    out.push({
      ...skb,
      linear: h,
      frags,
      gsoSize: 0,
      gsoSegs: 0,
      gsoType: 0,
    });
  }
  return out;
}
