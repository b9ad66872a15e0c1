/**
 * The driver-side software TSO helper of net/core/tso.c (mvneta,
 * mv643xx_eth, mvpp2, otx2, fec, …): per-segment headers built in a side
 * buffer, payload referenced in place, one descriptor per header and per
 * contiguous payload chunk. It is not GSO: IPv4 IDs always increment, the
 * IPv4 header checksum and the L4 checksum are left stale for the NIC to
 * insert, IPv6 payload_len leaves out extension headers, RST is cleared on
 * all but the last segment, CWR is copied to all, and frag_list is not
 * walked (linux-gso.md §10).
 *
 * Reads only the SkBuff fields and the header bytes; offsets are relative
 * to `skb.linear` (the driver's `skb->data`).
 *
 * @module
 */

import { getU16, getU32, setU16, setU32 } from "./bytes.ts";
import { SKB_GSO, type SkBuff, TsolabError } from "./types.ts";

/**
 * An skb the helper cannot walk: headers outside the linear area, no
 * gso_size, an empty payload region, or a header buffer too small.
 *
 * @example
 * ```ts
 * import { TsoHelperError } from "./tso_helper.ts";
 * const e = new TsoHelperError("Cannot start TSO: gso_size is 0");
 * e instanceof TsoHelperError; // true
 * ```
 */
export class TsoHelperError extends TsolabError {}

/**
 * The helper's cursor (`struct tso_t`).
 *
 * @example
 * ```ts
 * import type { TsoState } from "./tso_helper.ts";
 * const s: TsoState = {
 *   hdrLen: 54, tlen: 20, ipId: 1, tcpSeq: 1000, ipv6: false,
 *   nextFragIdx: 0, size: 0, data: new Uint8Array(0),
 * };
 * ```
 */
export interface TsoState {
  /** Header bytes replicated per segment: L2 + L3 + L4 (`tso_start`'s return). */
  hdrLen: number;
  /** L4 header length: TCP doff × 4, or 8 for UDP. */
  tlen: number;
  /** Next IPv4 ID (u16); read from bytes 4–5 of the L3 header even for IPv6. */
  ipId: number;
  /** Next TCP sequence number (u32); 0 for UDP. */
  tcpSeq: number;
  /** True when the L3 protocol (through VLAN tags) is IPv6. */
  ipv6: boolean;
  /** Index of the next page fragment. */
  nextFragIdx: number;
  /** Bytes left in the current region. */
  size: number;
  /** The rest of the current region (linear payload or a fragment), in place. */
  data: Uint8Array;
}

/**
 * One segment as a tso.c driver emits it.
 *
 * @example
 * ```ts
 * import type { TsoSegment } from "./tso_helper.ts";
 * const s: TsoSegment = {
 *   header: new Uint8Array(54), chunks: [new Uint8Array(1448)], isLast: false,
 *   payloadLen: 1448,
 * };
 * ```
 */
export interface TsoSegment {
  /** The segment's headers (hdrLen bytes). */
  header: Uint8Array;
  /** Payload chunks, views into the skb; none crosses a region boundary. */
  chunks: Uint8Array[];
  /** True for the last segment. */
  isLast: boolean;
  /** Payload bytes of the segment (sum of the chunk lengths). */
  payloadLen: number;
}

function isVlanType(t: number): boolean {
  return t === 0x8100 || t === 0x88a8;
}

function l3Protocol(skb: SkBuff): number {
  // vlan_get_protocol: look through in-band tags
  if (!isVlanType(skb.protocol)) return skb.protocol;
  let off = skb.macHeader + 12;
  while (off + 2 <= skb.linear.length && isVlanType(getU16(skb.linear, off))) {
    off += 4;
  }
  return off + 2 <= skb.linear.length ? getU16(skb.linear, off) : 0;
}

function moveToFrag(skb: SkBuff, tso: TsoState): void {
  const frag = skb.frags[tso.nextFragIdx]!;
  tso.data = frag.page.subarray(frag.offset, frag.offset + frag.size);
  tso.size = frag.size;
  tso.nextFragIdx++;
}

/**
 * Starts walking a GSO skb (`tso_start`): L4 header length (TCP doff × 4
 * for TCPV4/TCPV6 GSO, else 8), header length from the MAC header, the
 * IPv4 ID and TCP sequence to start from, and the payload cursor at the
 * first payload byte (the first fragment when the linear area holds only
 * headers).
 *
 * @param skb A GSO skb whose headers are in the linear area.
 * @returns The cursor.
 * @throws {TsoHelperError} When gso_size is 0 or the headers are not linear.
 *
 * @example
 * ```ts
 * import { tsoStart } from "./tso_helper.ts";
 * import { IP_SUMMED, SKB_GSO, type SkBuff } from "./types.ts";
 * const linear = new Uint8Array(54 + 100);
 * linear.set([0x08, 0x00], 12);
 * linear[14] = 0x45;
 * linear[14 + 32] = 0x50; // doff 5
 * const skb: SkBuff = {
 *   linear, frags: [], fragList: [], gsoSize: 50, gsoSegs: 2, gsoType: SKB_GSO.TCPV4,
 *   ipSummed: IP_SUMMED.PARTIAL, csumStart: 34, csumOffset: 16,
 *   macHeader: 0, networkHeader: 14, transportHeader: 34, protocol: 0x0800,
 *   encapsulation: false, innerMacHeader: 0, innerNetworkHeader: 0,
 *   innerTransportHeader: 0, innerProtocol: 0,
 * };
 * tsoStart(skb).hdrLen; // 54
 * ```
 */
export function tsoStart(skb: SkBuff): TsoState {
  if (skb.gsoSize <= 0) {
    throw new TsoHelperError("Cannot start TSO: gso_size is 0 (not a GSO skb)");
  }
  const b = skb.linear;
  const th = skb.transportHeader;
  const tcp = (skb.gsoType & (SKB_GSO.TCPV4 | SKB_GSO.TCPV6)) !== 0;
  if (th + (tcp ? 20 : 8) > b.length) {
    throw new TsoHelperError(
      `Cannot start TSO: L4 header at offset ${th} is not in the ${b.length}-byte linear area`,
    );
  }
  // tso_start: skb_is_gso_tcp picks TCP's doff, anything else is UDP
  const tlen = tcp ? (b[th + 12]! >> 4) * 4 : 8;
  const end = th + tlen;
  if (end > b.length) {
    throw new TsoHelperError(
      `Cannot start TSO: headers end at offset ${end}, past the ${b.length}-byte linear area`,
    );
  }
  const tso: TsoState = {
    hdrLen: end - skb.macHeader,
    tlen,
    // tso_start: ip_hdr(skb)->id is read whatever the L3 protocol
    ipId: getU16(b, skb.networkHeader + 4),
    tcpSeq: tcp ? getU32(b, th + 4) : 0,
    ipv6: l3Protocol(skb) === 0x86dd,
    nextFragIdx: 0,
    size: b.length - end,
    data: b.subarray(end),
  };
  if (tso.size === 0 && tso.nextFragIdx < skb.frags.length) {
    moveToFrag(skb, tso);
  }
  return tso;
}

/**
 * Writes one segment's headers into `out` (`tso_build_hdr`): a copy of the
 * skb's headers, then IPv4 ID := the cursor's ID (then +1, always) and
 * tot_len := size + header length − L2 length, or IPv6 payload_len :=
 * size + L4 header length; TCP seq := the cursor's sequence and, unless
 * last, PSH, FIN and RST cleared; UDP len := 8 + size. No checksum is
 * touched.
 *
 * @param skb The skb.
 * @param out Header buffer, at least hdrLen bytes.
 * @param tso The cursor (its ipId advances).
 * @param size Payload bytes of this segment.
 * @param isLast True for the last segment.
 * @throws {TsoHelperError} When `out` is shorter than hdrLen.
 *
 * @example
 * ```ts
 * import { tsoBuildHdr, tsoStart } from "./tso_helper.ts";
 * import { IP_SUMMED, SKB_GSO, type SkBuff } from "./types.ts";
 * const linear = new Uint8Array(54 + 100);
 * linear.set([0x08, 0x00], 12);
 * linear[14] = 0x45;
 * linear[14 + 32] = 0x50;
 * const skb: SkBuff = {
 *   linear, frags: [], fragList: [], gsoSize: 50, gsoSegs: 2, gsoType: SKB_GSO.TCPV4,
 *   ipSummed: IP_SUMMED.PARTIAL, csumStart: 34, csumOffset: 16,
 *   macHeader: 0, networkHeader: 14, transportHeader: 34, protocol: 0x0800,
 *   encapsulation: false, innerMacHeader: 0, innerNetworkHeader: 0,
 *   innerTransportHeader: 0, innerProtocol: 0,
 * };
 * const tso = tsoStart(skb);
 * const hdr = new Uint8Array(tso.hdrLen);
 * tsoBuildHdr(skb, hdr, tso, 50, false);
 * (hdr[16]! << 8) | hdr[17]!; // 90: tot_len = 50 + 54 - 14
 * ```
 */
export function tsoBuildHdr(
  skb: SkBuff,
  out: Uint8Array,
  tso: TsoState,
  size: number,
  isLast: boolean,
): void {
  if (out.length < tso.hdrLen) {
    throw new TsoHelperError(
      `Cannot build TSO header: buffer of ${out.length} bytes is shorter than hdr_len ${tso.hdrLen}`,
    );
  }
  const mac = skb.macHeader;
  out.set(skb.linear.subarray(mac, mac + tso.hdrLen));
  const l2 = skb.networkHeader - mac;
  if (!tso.ipv6) {
    // tso_build_hdr: the ID increments per segment regardless of DF or FIXEDID
    setU16(out, l2 + 4, tso.ipId);
    setU16(out, l2 + 2, size + tso.hdrLen - l2);
    tso.ipId = (tso.ipId + 1) & 0xffff;
  } else {
    // tso_build_hdr: extension headers are not counted (quirk kept)
    setU16(out, l2 + 4, size + tso.tlen);
  }
  const l4 = skb.transportHeader - mac;
  if (tso.tlen !== 8) {
    setU32(out, l4 + 4, tso.tcpSeq);
    // tso_build_hdr: only the last segment may end, push or reset the stream
    if (!isLast) out[l4 + 13] = out[l4 + 13]! & ~(0x08 | 0x01 | 0x04);
  } else {
    setU16(out, l4 + 4, 8 + size);
  }
}

/**
 * Advances the cursor over `size` payload bytes just queued
 * (`tso_build_data`): sequence += size, and on reaching the end of the
 * current region, the next fragment (frag_list is never entered).
 *
 * @param skb The skb.
 * @param tso The cursor.
 * @param size Bytes consumed; at most what is left in the current region.
 * @throws {TsoHelperError} When `size` exceeds the current region.
 *
 * @example
 * ```ts
 * import { tsoBuildData, tsoStart } from "./tso_helper.ts";
 * import { IP_SUMMED, SKB_GSO, type SkBuff } from "./types.ts";
 * const linear = new Uint8Array(54 + 100);
 * linear.set([0x08, 0x00], 12);
 * linear[14] = 0x45;
 * linear[14 + 32] = 0x50;
 * const skb: SkBuff = {
 *   linear, frags: [], fragList: [], gsoSize: 50, gsoSegs: 2, gsoType: SKB_GSO.TCPV4,
 *   ipSummed: IP_SUMMED.PARTIAL, csumStart: 34, csumOffset: 16,
 *   macHeader: 0, networkHeader: 14, transportHeader: 34, protocol: 0x0800,
 *   encapsulation: false, innerMacHeader: 0, innerNetworkHeader: 0,
 *   innerTransportHeader: 0, innerProtocol: 0,
 * };
 * const tso = tsoStart(skb);
 * tsoBuildData(skb, tso, 50);
 * tso.size; // 50
 * ```
 */
export function tsoBuildData(skb: SkBuff, tso: TsoState, size: number): void {
  if (size > tso.size) {
    throw new TsoHelperError(
      `Cannot advance TSO cursor by ${size} bytes: only ${tso.size} left in the current region`,
    );
  }
  // tso_build_data: advanced for UDP too, where it is unused
  tso.tcpSeq = (tso.tcpSeq + size) >>> 0;
  tso.size -= size;
  tso.data = tso.data.subarray(size);
  if (tso.size === 0 && tso.nextFragIdx < skb.frags.length) {
    moveToFrag(skb, tso);
  }
}

/**
 * Descriptors a tso.c driver reserves for the skb (`tso_count_descs`, "the
 * Marvell way"): one header and one data descriptor per segment, plus one
 * per fragment boundary.
 *
 * @param skb The skb.
 * @returns 2 × gso_segs + nr_frags.
 *
 * @example
 * ```ts
 * import { tsoCountDescs } from "./tso_helper.ts";
 * import type { SkBuff } from "./types.ts";
 * tsoCountDescs({ gsoSegs: 3, frags: [{}, {}] } as unknown as SkBuff); // 8
 * ```
 */
export function tsoCountDescs(skb: SkBuff): number {
  return skb.gsoSegs * 2 + skb.frags.length;
}

/**
 * Walks a GSO skb the way the canonical tso.c driver loop (mvneta) does:
 * payload = linear payload + fragments (frag_list is not walked); per
 * segment of min(gso_size, left) bytes, build the header, then emit data
 * chunks of min(region left, segment left) bytes, each a view into the
 * skb. Yields one segment at a time.
 *
 * @param skb A GSO skb with its headers in the linear area.
 * @param headerBuffer Optional slot to build every header in (like a
 *   driver's per-queue TSO header area); the yielded header is then a view
 *   valid until the next segment. A new array per segment otherwise.
 * @returns A generator of segments.
 * @throws {TsoHelperError} For a malformed skb (see {@linkcode tsoStart}) or an empty fragment.
 *
 * @example
 * ```ts
 * import { tsoSegments } from "./tso_helper.ts";
 * import { IP_SUMMED, SKB_GSO, type SkBuff } from "./types.ts";
 * const linear = new Uint8Array(54 + 100);
 * linear.set([0x08, 0x00], 12);
 * linear[14] = 0x45;
 * linear[14 + 32] = 0x50;
 * const skb: SkBuff = {
 *   linear, frags: [], fragList: [], gsoSize: 60, gsoSegs: 2, gsoType: SKB_GSO.TCPV4,
 *   ipSummed: IP_SUMMED.PARTIAL, csumStart: 34, csumOffset: 16,
 *   macHeader: 0, networkHeader: 14, transportHeader: 34, protocol: 0x0800,
 *   encapsulation: false, innerMacHeader: 0, innerNetworkHeader: 0,
 *   innerTransportHeader: 0, innerProtocol: 0,
 * };
 * [...tsoSegments(skb)].map((s) => s.payloadLen); // [60, 40]
 * ```
 */
export function* tsoSegments(
  skb: SkBuff,
  headerBuffer?: Uint8Array,
): Generator<TsoSegment> {
  const tso = tsoStart(skb);
  let total = skb.linear.length - skb.macHeader - tso.hdrLen;
  for (const f of skb.frags) total += f.size;
  while (total > 0) {
    let seg = Math.min(skb.gsoSize, total);
    total -= seg;
    const isLast = total === 0;
    const header = headerBuffer
      ? headerBuffer.subarray(0, tso.hdrLen)
      : new Uint8Array(tso.hdrLen);
    tsoBuildHdr(skb, header, tso, seg, isLast);
    const chunks: Uint8Array[] = [];
    const payloadLen = seg;
    while (seg > 0) {
      const n = Math.min(tso.size, seg);
      if (n === 0) {
        throw new TsoHelperError(
          `Cannot walk TSO payload: empty region before fragment ${tso.nextFragIdx}`,
        );
      }
      chunks.push(tso.data.subarray(0, n));
      seg -= n;
      tsoBuildData(skb, tso, n);
    }
    yield { header, chunks, isLast, payloadLen };
  }
}
