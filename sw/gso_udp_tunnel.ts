/**
 * UDP tunnel (VXLAN, Geneve) software GSO: `skb_udp_tunnel_segment()` and
 * `__skb_udp_tunnel_segment()` (net/ipv4/udp_offload.c). Segments the inner
 * frame, then writes each segment's outer UDP length and, for
 * UDP_TUNNEL_CSUM, its outer checksum.
 *
 * @module
 */

import { getU16, setU16 } from "./bytes.ts";
import { csumAdd, csumFoldKeep, csumSub } from "./checksum.ts";
import type { GsoPlan, GsoSegment, GsoState } from "./gso_segment_types.ts";
import { gsoMakeChecksum, mayPull } from "./gso_state.ts";
import { macGsoSegment } from "./gso_mac.ts";
import { NETIF_F } from "./netdev_features.ts";
import { SegmentError } from "./segment_error.ts";
import { IP_SUMMED, SKB_GSO } from "./types.ts";

const CSUM_MANGLED_0 = 0xffff;

/**
 * `__skb_udp_tunnel_segment()` for the outer UDP header at `udpOff`; the
 * inner Ethernet frame starts at the skb's `innerMacHeader`.
 *
 * @param st The segmentation state.
 * @param udpOff Offset of the outer UDP header.
 * @param ipv6 True when the outer network header is IPv6.
 * @returns The plan, with this layer's patch added.
 * @throws {SegmentError} When the tunnel header is malformed.
 *
 * @example
 * ```ts
 * import { udpTunnelSegment } from "./gso_udp_tunnel.ts";
 * import { newGsoState } from "./gso_state.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const vxlan = { vni: 7, udpChecksum: false };
 * const { frame } = buildSuperPacket({ vxlan, payloadLen: 3000, seed: 1 });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * udpTunnelSegment(newGsoState(skb, 0n, 0n), 34, false).doffset; // 104
 * ```
 */
export function udpTunnelSegment(
  st: GsoState,
  udpOff: number,
  ipv6: boolean,
): GsoPlan {
  const skb = st.skb;
  const innerMac = skb.innerMacHeader - st.shift;
  const tnlHlen = innerMac - udpOff;
  if (tnlHlen < 8) {
    throw new SegmentError(
      "bad-header-length",
      "EINVAL",
      `Cannot segment: inner MAC header ${skb.innerMacHeader} is not after the outer UDP header at ${udpOff}`,
    );
  }
  mayPull(st, innerMac, "tunnel header");
  const h = st.head;
  // The outer UDP length may have overflowed 16 bits; negate the real one.
  const isPartial = (skb.gsoType & SKB_GSO.PARTIAL) !== 0;
  const oldLen = isPartial ? getU16(h, udpOff + 4) : st.len - udpOff;
  const partial = csumSub(getU16(h, udpOff + 6), oldLen);
  const needCsum = (skb.gsoType & SKB_GSO.UDP_TUNNEL_CSUM) !== 0;
  const csumFeat = NETIF_F.HW_CSUM |
    (ipv6 ? NETIF_F.IPV6_CSUM : NETIF_F.IP_CSUM);
  const offloadCsum = needCsum && (st.devFeatures & csumFeat) !== 0n;
  st.encapsulation = false;
  st.encapLevel = 0;
  st.encapHdrCsum = needCsum;
  st.features &= st.hwEncFeatures;
  if (needCsum) st.features &= ~NETIF_F.SCTP_CRC;
  if ((skb.gsoType & SKB_GSO.TUNNEL_REMCSUM) !== 0) {
    throw new SegmentError(
      "unsupported-protocol",
      "EPROTONOSUPPORT",
      "Cannot segment: remote checksum offload (TUNNEL_REMCSUM) is not modelled",
    );
  }
  let gsoPartial = false;
  const plan = macGsoSegment(st, innerMac, false);
  if (plan.unsegmented !== undefined) return plan;
  plan.patches.push((seg: GsoSegment): void => {
    const d = seg.data;
    if (seg.index === 0) gsoPartial = (seg.gsoType & SKB_GSO.PARTIAL) !== 0;
    const segEncap = seg.ipSummed === IP_SUMMED.PARTIAL;
    const len = d.length - udpOff;
    setU16(
      d,
      udpOff + 4,
      gsoPartial && seg.gsoSize !== 0
        ? seg.gsoSize + seg.payloadOffset - udpOff
        : len,
    );
    if (needCsum) {
      const seed = csumFoldKeep(csumAdd(partial, len));
      setU16(d, udpOff + 6, seed);
      if (segEncap || !offloadCsum) {
        // local checksum offload: the inner seed stands for the inner L4
        // region the device has yet to finish
        setU16(
          d,
          udpOff + 6,
          gsoMakeChecksum(seg, udpOff, ~seed) || CSUM_MANGLED_0,
        );
      } else {
        seg.ipSummed = IP_SUMMED.PARTIAL;
        seg.csumStart = udpOff;
        seg.csumOffset = 6;
      }
    }
  });
  return plan;
}
