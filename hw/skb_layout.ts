/**
 * What a driver reads from an skb before it writes descriptors: the header
 * offsets and lengths (`skb_network_offset`, `skb_transport_offset`, TCP
 * `doff`, the inner offsets of a tunnel), the packet length, and a way to
 * copy bytes out of the linear area and the page fragments. Driver code,
 * written for the model; it does not use the reference's decoders.
 *
 * @module
 */
import { IP_SUMMED, SKB_GSO, type SkBuff } from "../sw/types.ts";
import { HwUsageError } from "./errors.ts";

/**
 * Header geometry of an skb as a driver computes it.
 *
 * @example
 * ```ts
 * import type { SkbLayout } from "./skb_layout.ts";
 * function hdr(l: SkbLayout): number { return l.hdrLen; }
 * ```
 */
export interface SkbLayout {
  /** skb->len. */
  len: number;
  /** (Outer) network header offset = MAC header length. */
  macLen: number;
  /** (Inner) IP header offset. */
  ipOff: number;
  /** (Inner) IP header length with options / extension headers. */
  ipLen: number;
  /** (Inner) IP version is 4. */
  ipv4: boolean;
  /** (Inner) L4 header offset. */
  l4Off: number;
  /** (Inner) L4 header length (TCP doff·4, 8 for UDP). */
  l4Len: number;
  /** (Inner) L4 protocol. */
  l4: "tcp" | "udp" | "none";
  /** Headers through the (inner) L4 header. */
  hdrLen: number;
  /** Tunnel geometry, or null. */
  tunnel: {
    outerIpOff: number;
    outerIpLen: number;
    outerIpv4: boolean;
    outerL4Off: number;
    l4TunLen: number;
  } | null;
}

/**
 * skb->len: linear bytes plus fragments plus the frag_list.
 *
 * @param skb The skb.
 * @returns Bytes.
 *
 * @example
 * ```ts
 * import { skbLength } from "./skb_layout.ts";
 * skbLength({ linear: new Uint8Array(10), frags: [{ page: new Uint8Array(8), offset: 0, size: 8 }], fragList: [] } as never); // 18
 * ```
 */
export function skbLength(skb: SkBuff): number {
  let n = skb.linear.length;
  const frags = skb.frags;
  for (let i = 0; i < frags.length; i++) n += frags[i]!.size;
  const list = skb.fragList;
  for (let i = 0; i < list.length; i++) n += skbLength(list[i]!);
  return n;
}

/**
 * Copies `len` bytes starting at `off` of the skb's data (linear area, then
 * fragments) into `dst`.
 *
 * @param skb The skb.
 * @param off Offset in skb data.
 * @param len Bytes.
 * @param dst Destination.
 * @param dstOff Offset in the destination.
 * @throws {HwUsageError} When the skb is shorter.
 *
 * @example
 * ```ts
 * import { skbCopy } from "./skb_layout.ts";
 * const skb = { linear: new Uint8Array([1, 2]), frags: [{ page: new Uint8Array([0, 3]), offset: 1, size: 1 }], fragList: [] };
 * const d = new Uint8Array(2);
 * skbCopy(skb as never, 1, 2, d, 0); // d = [2, 3]
 * ```
 */
export function skbCopy(
  skb: SkBuff,
  off: number,
  len: number,
  dst: Uint8Array,
  dstOff: number,
): void {
  let o = off;
  let left = len;
  let d = dstOff;
  if (o < skb.linear.length) {
    const n = Math.min(left, skb.linear.length - o);
    dst.set(skb.linear.subarray(o, o + n), d);
    d += n;
    left -= n;
    o = 0;
  } else o -= skb.linear.length;
  for (const f of skb.frags) {
    if (left === 0) break;
    if (o >= f.size) {
      o -= f.size;
      continue;
    }
    const n = Math.min(left, f.size - o);
    dst.set(f.page.subarray(f.offset + o, f.offset + o + n), d);
    d += n;
    left -= n;
    o = 0;
  }
  if (left > 0) {
    throw new HwUsageError(
      `Cannot copy ${len} bytes at offset ${off} of an skb of ${
        skbLength(skb)
      } bytes`,
    );
  }
}

/** One byte of the skb's data (linear area, then fragments). */
function byteAt(skb: SkBuff, off: number): number {
  const lin = skb.linear;
  if (off < lin.length) return lin[off]!;
  let o = off - lin.length;
  for (let i = 0; i < skb.frags.length; i++) {
    const f = skb.frags[i]!;
    if (o < f.size) return f.page[f.offset + o]!;
    o -= f.size;
  }
  throw new HwUsageError(
    `Cannot read byte ${off} of an skb of ${skbLength(skb)} bytes`,
  );
}

function ipInfo(
  skb: SkBuff,
  off: number,
  l4Off: number,
): { ipv4: boolean; len: number } {
  const v = byteAt(skb, off) >>> 4;
  if (v !== 4 && v !== 6) {
    throw new HwUsageError(
      `Cannot find an IP header at offset ${off}: version nibble is ${v}`,
    );
  }
  return { ipv4: v === 4, len: l4Off - off };
}

function l4Kind(skb: SkBuff): "tcp" | "udp" | "none" {
  if (skb.gsoSize > 0) {
    if ((skb.gsoType & (SKB_GSO.TCPV4 | SKB_GSO.TCPV6)) !== 0) return "tcp";
    if ((skb.gsoType & (SKB_GSO.UDP_L4 | SKB_GSO.UDP)) !== 0) return "udp";
    return "none";
  }
  if (skb.ipSummed === IP_SUMMED.PARTIAL) {
    if (skb.csumOffset === 16) return "tcp";
    if (skb.csumOffset === 6) return "udp";
  }
  return "none";
}

/**
 * Computes the header geometry a driver uses, from the skb's header
 * offsets and the L4 header itself.
 *
 * @param skb The skb.
 * @returns The layout.
 * @throws {HwUsageError} When there is no IP header where the offsets say.
 *
 * @example
 * ```ts
 * import { skbLayout } from "./skb_layout.ts";
 * import { bulkTcpSkb } from "./workload.ts";
 * skbLayout(bulkTcpSkb({ sendBytes: 4000, mss: 1448 })).hdrLen; // 66
 * ```
 */
export function skbLayout(skb: SkBuff): SkbLayout {
  const len = skbLength(skb);
  const l4Guess = l4Kind(skb);
  let tunnel: SkbLayout["tunnel"] = null;
  let ipOff: number;
  let l4Off: number;
  if (skb.encapsulation) {
    const outer = ipInfo(skb, skb.networkHeader, skb.transportHeader);
    tunnel = {
      outerIpOff: skb.networkHeader,
      outerIpLen: outer.len,
      outerIpv4: outer.ipv4,
      outerL4Off: skb.transportHeader,
      l4TunLen: skb.innerNetworkHeader - skb.transportHeader,
    };
    ipOff = skb.innerNetworkHeader;
    l4Off = skb.innerTransportHeader;
  } else {
    ipOff = skb.networkHeader;
    l4Off = skb.transportHeader;
  }
  if (skb.ipSummed === IP_SUMMED.PARTIAL && skb.gsoSize === 0) {
    l4Off = skb.csumStart;
  }
  const ip = ipInfo(skb, ipOff, l4Off);
  let l4 = l4Guess;
  if (l4 === "none") {
    const proto = byteAt(skb, ipOff + (ip.ipv4 ? 9 : 6));
    l4 = proto === 6 ? "tcp" : proto === 17 ? "udp" : "none";
  }
  let l4Len = 0;
  if (l4 === "tcp") l4Len = (byteAt(skb, l4Off + 12) >>> 4) * 4;
  else if (l4 === "udp") l4Len = 8;
  return {
    len,
    macLen: skb.networkHeader,
    ipOff,
    ipLen: ip.len,
    ipv4: ip.ipv4,
    l4Off,
    l4Len,
    l4,
    hdrLen: l4Off + l4Len,
    tunnel,
  };
}

/**
 * Reads a big-endian 16-bit field of the skb's data.
 *
 * @param skb The skb.
 * @param off Offset.
 * @returns The value.
 *
 * @example
 * ```ts
 * import { skbU16 } from "./skb_layout.ts";
 * skbU16({ linear: new Uint8Array([8, 0]), frags: [], fragList: [] } as never, 0); // 0x0800
 * ```
 */
export function skbU16(skb: SkBuff, off: number): number {
  return (byteAt(skb, off) << 8) | byteAt(skb, off + 1);
}

/**
 * Innermost L4 payload bytes of an skb (what goodput counts).
 *
 * @param skb The skb.
 * @returns skb->len minus all headers through the innermost L4 header.
 *
 * @example
 * ```ts
 * import { skbPayloadBytes } from "./skb_layout.ts";
 * import { bulkTcpSkb } from "./workload.ts";
 * skbPayloadBytes(bulkTcpSkb({ sendBytes: 1448, mss: 1448 })); // 1448
 * ```
 */
export function skbPayloadBytes(skb: SkBuff): number {
  const l = skbLayout(skb);
  return Math.max(0, l.len - l.hdrLen);
}
