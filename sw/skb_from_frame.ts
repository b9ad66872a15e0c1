/**
 * Turning a captured frame into the super-packet skb Linux would have had:
 * headers in the linear area, payload as one page fragment (no copy), the
 * gso_type read from the headers, and CHECKSUM_PARTIAL when the innermost
 * L4 checksum holds the pseudo-header seed.
 *
 * @module
 */

import type { PacketLayout } from "./packet_layout.ts";
import { l4ChecksumSeed } from "./l4_checksum.ts";
import { getU16 } from "./bytes.ts";
import { newSkb } from "./skbuff.ts";
import { IP_SUMMED, SKB_GSO, type SkBuff } from "./types.ts";

/**
 * How to read a frame as a super-packet.
 *
 * @example
 * ```ts
 * import type { SkbFromFrameOptions } from "./skb_from_frame.ts";
 * const o: SkbFromFrameOptions = { gsoSize: 1448 };
 * ```
 */
export interface SkbFromFrameOptions {
  /** gso_size (MSS) to give the skb. */
  gsoSize: number;
  /** Set SKB_GSO_TCP_FIXEDID (keep the IPv4 ID). */
  fixedId?: boolean;
  /** Set SKB_GSO_TCP_ACCECN (keep CWR on every segment). */
  accecn?: boolean;
  /** Take UDP as legacy UFO (SKB_GSO_UDP) instead of USO (UDP_L4). */
  ufo?: boolean;
}

/**
 * Builds the skb of a super-packet from a frame and its parsed layout. The
 * gso_type comes from the headers: TCPV4/TCPV6/UDP_L4 by the innermost
 * protocol, UDP_TUNNEL or UDP_TUNNEL_CSUM (outer UDP checksum non-zero) for
 * VXLAN, TCP_ECN when CWR is set; FIXEDID, ACCECN and UFO only on request.
 * Trailing bytes after the IP packet (Ethernet padding) are not part of it.
 *
 * @param data The frame's bytes (kept by reference).
 * @param layout Its layout from `parsePacket()`.
 * @param opts gso_size and the optional type bits.
 * @returns The skb, or null when the frame has no TCP/UDP payload.
 *
 * @example
 * ```ts
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 3000, seed: 1 });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * skb.linear.length; // 54 (the headers; the payload is one page fragment)
 * skb.gsoSegs; // 3
 * ```
 */
export function skbFromFrame(
  data: Uint8Array,
  layout: PacketLayout,
  opts: SkbFromFrameOptions,
): SkBuff | null {
  const l4 = layout.l4;
  if (l4 === null) return null;
  const ip = layout.inner ?? layout.outer;
  if (ip === null) return null;
  const end = layout.payloadOffset + layout.payloadLen;
  const frame = data.subarray(0, end);
  const hdrLen = layout.payloadOffset;
  let gsoType = 0;
  if (l4.proto === 6) {
    gsoType = ip.version === 4 ? SKB_GSO.TCPV4 : SKB_GSO.TCPV6;
    if ((frame[l4.offset + 13]! & 0x80) !== 0) gsoType |= SKB_GSO.TCP_ECN;
    if (opts.fixedId) gsoType |= SKB_GSO.TCP_FIXEDID;
    if (opts.accecn) gsoType |= SKB_GSO.TCP_ACCECN;
  } else {
    gsoType = opts.ufo ? SKB_GSO.UDP : SKB_GSO.UDP_L4;
  }
  const tunnel = layout.tunnel;
  if (tunnel !== null) {
    gsoType |= tunnel.udpChecksum !== 0
      ? SKB_GSO.UDP_TUNNEL_CSUM
      : SKB_GSO.UDP_TUNNEL;
  }
  const site = {
    ipv6: ip.version === 6,
    ipOffset: ip.offset,
    l4Offset: l4.offset,
    l4Len: end - l4.offset,
    proto: l4.proto,
  };
  const field = getU16(frame, l4.offset + (l4.proto === 6 ? 16 : 6));
  const partial = field === l4ChecksumSeed(frame, site);
  const outer = layout.outer!;
  const innerProto = tunnel === null
    ? 0
    : getU16(frame, tunnel.innerMacOffset + tunnel.innerL2Len - 2);
  return newSkb({
    linear: frame.subarray(0, hdrLen),
    frags: end > hdrLen
      ? [{ page: frame, offset: hdrLen, size: end - hdrLen }]
      : [],
    gsoSize: opts.gsoSize,
    gsoSegs: Math.ceil(layout.payloadLen / opts.gsoSize),
    gsoType: gsoType >>> 0,
    ipSummed: partial ? IP_SUMMED.PARTIAL : IP_SUMMED.NONE,
    csumStart: l4.offset,
    csumOffset: l4.proto === 6 ? 16 : 6,
    macHeader: 0,
    networkHeader: outer.offset,
    transportHeader: tunnel !== null ? tunnel.udpOffset : l4.offset,
    protocol: outer.version === 4 ? 0x0800 : 0x86dd,
    encapsulation: tunnel !== null,
    innerMacHeader: tunnel?.innerMacOffset ?? 0,
    innerNetworkHeader: tunnel !== null ? ip.offset : 0,
    innerTransportHeader: tunnel !== null ? l4.offset : 0,
    innerProtocol: innerProto,
  });
}
