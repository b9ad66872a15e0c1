/**
 * The host stack's side of a driver fallback: the reference segments the
 * super-packet (software GSO) and each segment becomes the non-GSO skb the
 * stack hands the driver, with CHECKSUM_PARTIAL seeds left where the device
 * checksums.
 *
 * @module
 */

import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { newSkb, skbLen, skbPieceList } from "../sw/skbuff.ts";
import type { SkbFrag, SkBuff } from "../sw/types.ts";

/**
 * Segments a super-packet as the host stack does before handing the
 * segments to a driver that refused it. With scatter-gather (which the
 * stack's software GSO has here) `skb_segment` gives each segment a new
 * linear area holding its headers and whatever of its payload lay in the
 * super-packet's linear area, and frags pointing into the super-packet's own
 * pages for the rest; each host segment has that layout, so a driver maps
 * and describes it as it would the kernel's. The bytes are the reference's.
 *
 * @param skb The super-packet.
 * @param hostChecksum True when the device cannot checksum these packets
 *   (the stack completes every checksum); otherwise seeds are left.
 * @param ufo6FragId Identification for an IPv6 UFO fragment header.
 * @returns The segments as skbs, lazily.
 *
 * @example
 * ```ts
 * import { hostSegments } from "./host_segments.ts";
 * import { bulkTcpSkb } from "../hw/workload.ts";
 * // 4000 bytes in 4096-byte pages, MSS 1448: three segments
 * const segs = [...hostSegments(bulkTcpSkb({ sendBytes: 4000, mss: 1448 }), false)];
 * segs.map((s) => s.frags.length); // [1, 1, 1]
 * ```
 */
export function* hostSegments(
  skb: SkBuff,
  hostChecksum: boolean,
  ufo6FragId = 0,
): Generator<SkBuff> {
  const features = NETIF_F.SG | NETIF_F.GSO |
    (hostChecksum ? 0n : NETIF_F.HW_CSUM);
  const segs = [...segment(skb, features, { ufo6FragId })];
  const pieces = skbPieceList(skb);
  let payloadAt = skbLen(skb);
  for (const s of segs) payloadAt -= s.data.length - s.payloadOffset;
  let pi = 0;
  let piStart = 0; // stream offset of pieces[pi]
  for (const s of segs) {
    const len = s.data.length - s.payloadOffset;
    const frags: SkbFrag[] = [];
    let linearEnd = s.unsegmented === true ? s.data.length : s.payloadOffset;
    if (s.unsegmented !== true) {
      // skb_segment: payload in the head's linear area is copied into the
      // segment's own; the rest stays in the pages it was in.
      for (let at = payloadAt; at < payloadAt + len;) {
        const p = pieces[pi]!;
        const pEnd = piStart + p.end - p.start;
        if (at >= pEnd) {
          piStart = pEnd;
          pi++;
          continue;
        }
        const take = Math.min(pEnd, payloadAt + len) - at;
        const segOff = s.payloadOffset + (at - payloadAt);
        if (p.kind === "linear" && frags.length === 0) linearEnd += take;
        else {
          frags.push(
            pageFrag(p.bytes, p.start + (at - piStart), s.data, segOff, take),
          );
        }
        at += take;
      }
      payloadAt += len;
    }
    yield newSkb({
      linear: s.data.subarray(0, linearEnd),
      frags,
      ipSummed: s.ipSummed,
      csumStart: s.csumStart,
      csumOffset: s.csumOffset,
      macHeader: skb.macHeader,
      networkHeader: skb.networkHeader,
      transportHeader: skb.transportHeader,
      protocol: skb.protocol,
      encapsulation: skb.encapsulation,
      innerMacHeader: skb.innerMacHeader,
      innerNetworkHeader: skb.innerNetworkHeader,
      innerTransportHeader: skb.innerTransportHeader,
      innerProtocol: skb.innerProtocol,
    });
  }
}

// A frag of the super-packet's own page when its bytes are the segment's
// (payload the GSO layers did not rewrite), else of the segment's copy.
function pageFrag(
  page: Uint8Array,
  offset: number,
  seg: Uint8Array,
  segOffset: number,
  size: number,
): SkbFrag {
  for (let i = 0; i < size; i++) {
    if (page[offset + i] !== seg[segOffset + i]) {
      return { page: seg, offset: segOffset, size };
    }
  }
  return { page, offset, size };
}
