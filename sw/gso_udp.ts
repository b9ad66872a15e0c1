/**
 * UDP software GSO: `udp4_ufo_fragment()` / `udp6_ufo_fragment()` dispatch,
 * USO (`__udp_gso_segment()`, one datagram per segment) and legacy UFO (IP
 * fragments of one datagram) (net/ipv4/udp_offload.c,
 * net/ipv6/udp_offload.c).
 *
 * @module
 */

import { getU16, setU16 } from "./bytes.ts";
import {
  csum16Add,
  csum16Sub,
  fold16,
  pseudoHeaderSum4,
  pseudoHeaderSum6,
} from "./checksum.ts";
import type { GsoPlan, GsoSegment, GsoState } from "./gso_segment_types.ts";
import {
  gsoMakeChecksum,
  gsoResetChecksum,
  mayPull,
  streamOnesSum,
} from "./gso_state.ts";
import { unsegmentedPlan } from "./gso_tcp.ts";
import { listAddressFixup } from "./gso_list_fixup.ts";
import { udpTunnelSegment } from "./gso_udp_tunnel.ts";
import { ip6FindFirstFragOpt } from "./gso_ipv6.ts";
import { NETIF_F } from "./netdev_features.ts";
import { skbGsoFeaturesOk } from "./skb_segment.ts";
import { skbFlatten, skbPageLen } from "./skbuff.ts";
import { SegmentError } from "./segment_error.ts";
import { IP_SUMMED, SKB_GSO, type SkBuff } from "./types.ts";

const CSUM_MANGLED_0 = 0xffff;

/**
 * `udp4_ufo_fragment()` / `udp6_ufo_fragment()`: tunnel, USO or UFO.
 *
 * @param st The segmentation state.
 * @param udpOff Offset of the UDP header.
 * @param ipOff Offset of the IP header.
 * @param ipv6 True over IPv6.
 * @returns The plan.
 * @throws {SegmentError} For the kernel's EINVAL cases.
 *
 * @example
 * ```ts
 * import { udpGsoDispatch } from "./gso_udp.ts";
 * import { newGsoState } from "./gso_state.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ udp: true, payloadLen: 3000, seed: 1 });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1400 })!;
 * udpGsoDispatch(newGsoState(skb, 0n, 0n), 34, 14, false).doffset; // 42 (USO)
 * ```
 */
export function udpGsoDispatch(
  st: GsoState,
  udpOff: number,
  ipOff: number,
  ipv6: boolean,
): GsoPlan {
  const type = st.skb.gsoType;
  if (
    st.encapsulation &&
    (type & (SKB_GSO.UDP_TUNNEL | SKB_GSO.UDP_TUNNEL_CSUM)) !== 0
  ) {
    return udpTunnelSegment(st, udpOff, ipv6);
  }
  if ((type & (SKB_GSO.UDP | SKB_GSO.UDP_L4)) === 0) {
    throw new SegmentError(
      "gso-type-mismatch",
      "EINVAL",
      "Cannot segment: UDP needs gso_type UDP_L4 (USO) or UDP (UFO)",
    );
  }
  mayPull(st, udpOff + 8, "UDP header");
  if ((type & SKB_GSO.UDP_L4) !== 0) {
    return udpGsoSegment(st, udpOff, ipv6, ipOff);
  }
  return ufoFragment(st, udpOff, ipOff, ipv6);
}

/**
 * `__udp_gso_segment()`: USO, every segment its own datagram; a
 * SKB_GSO_FRAGLIST skb from UDP GRO is un-chained instead when its head
 * still holds one gso_size of payload.
 *
 * @param st The segmentation state.
 * @param udpOff Offset of the UDP header.
 * @param ipv6 True over IPv6.
 * @param ipOff Offset of the IP header (pseudo-header, FRAGLIST fix-ups).
 * @returns The plan.
 * @throws {SegmentError} When the payload is not above gso_size.
 *
 * @example
 * ```ts
 * import { udpGsoSegment } from "./gso_udp.ts";
 * import { newGsoState } from "./gso_state.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ udp: true, payloadLen: 3000, seed: 1 });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1400 })!;
 * udpGsoSegment(newGsoState(skb, 0n, 0n), 34, false, 14).doffset; // 42
 * ```
 */
export function udpGsoSegment(
  st: GsoState,
  udpOff: number,
  ipv6: boolean,
  ipOff: number,
): GsoPlan {
  const skb = st.skb;
  const fraglist = (skb.gsoType & SKB_GSO.FRAGLIST) !== 0;
  const mss = skb.gsoSize;
  const l4Len = st.len - udpOff;
  if (l4Len <= 8 + mss) {
    throw new SegmentError(
      "payload-not-above-gso-size",
      "EINVAL",
      `Cannot segment: UDP payload ${l4Len - 8} is not above gso_size ${mss}`,
    );
  }
  // __udp_gso_segment: checked whatever the checksum state, except for
  // FRAGLIST, whose GRO never set csum_start.
  if (!fraglist && skb.csumStart !== udpOff + st.shift) {
    throw new SegmentError(
      "csum-start-mismatch",
      "EINVAL",
      `Cannot segment: csum_start ${skb.csumStart} is not the UDP header at offset ${udpOff}`,
    );
  }
  // __udp_gso_segment: without a seeded checksum, segment and checksum in
  // software.
  if (st.ipSummed !== IP_SUMMED.PARTIAL) {
    st.features &= ~(NETIF_F.GSO_UDP_L4 | NETIF_F.HW_CSUM | NETIF_F.IP_CSUM |
      NETIF_F.IPV6_CSUM);
  }
  if (skbGsoFeaturesOk(st.features | NETIF_F.GSO_ROBUST, skb)) {
    return unsegmentedPlan(Math.ceil((l4Len - 8) / mss));
  }
  const h = st.head;
  if (fraglist) {
    // __udp_gso_segment: un-chain while the head still holds exactly one
    // gso_size of payload; the head's length field goes back to one
    // datagram (GRO had set it to the whole packet).
    if (skbPageLen(skb) - udpOff - 8 === mss) {
      const headLen = (seg: GsoSegment): void => {
        if (seg.index === 0) setU16(seg.data, udpOff + 4, 8 + mss);
      };
      return {
        doffset: udpOff + 8,
        mss,
        protocol: ipv6 ? 0x86dd : 0x0800,
        patches: [headLen, listAddressFixup(ipOff, ipv6, true)],
        segmentList: ipOff,
      };
    }
    // __udp_gso_segment: otherwise linearize and seed the checksum that
    // udp4_gro_receive skipped for fraglist, then segment as USO.
    st.skb = linearized(skb);
    st.ipSummed = IP_SUMMED.PARTIAL;
    setU16(
      h,
      udpOff + 6,
      ipv6
        ? pseudoHeaderSum6(h, ipOff, 17, l4Len)
        : pseudoHeaderSum4(h, ipOff, 17, l4Len),
    );
  }
  const origCheck = getU16(h, udpOff + 6);
  const origLen = getU16(h, udpOff + 4);
  let newlen = 0;
  let check = 0;
  const patch = (seg: GsoSegment): void => {
    const d = seg.data;
    if (seg.index === 0) {
      // a GSO_PARTIAL chunk carries gso_segs datagrams' worth of payload
      const stride = seg.gsoSize !== 0 ? mss * seg.gsoSegs : mss;
      newlen = 8 + stride;
      check = csum16Add(csum16Sub(origCheck, origLen), newlen);
    }
    if (seg.last) {
      // the last datagram may be short: adjust from the copied original
      newlen = d.length - udpOff;
      check = csum16Add(csum16Sub(origCheck, origLen), newlen);
    }
    setU16(d, udpOff + 4, newlen);
    setU16(d, udpOff + 6, check);
    if (seg.ipSummed === IP_SUMMED.PARTIAL) {
      gsoResetChecksum(seg, udpOff, ~check);
      seg.csumStart = udpOff;
      seg.csumOffset = 6;
    } else {
      setU16(
        d,
        udpOff + 6,
        gsoMakeChecksum(seg, udpOff, ~check) || CSUM_MANGLED_0,
      );
    }
  };
  return {
    doffset: udpOff + 8,
    mss,
    protocol: ipv6 ? 0x86dd : 0x0800,
    patches: [patch],
  };
}

function ufoFragment(
  st: GsoState,
  udpOff: number,
  ipOff: number,
  ipv6: boolean,
): GsoPlan {
  const mss = st.skb.gsoSize;
  const l4Len = st.len - udpOff;
  if (l4Len <= mss) {
    throw new SegmentError(
      "payload-not-above-gso-size",
      "EINVAL",
      `Cannot segment: UFO datagram of ${l4Len} bytes is not above gso_size ${mss}`,
    );
  }
  const h = st.head;
  // udp4_ufo_fragment: fragments cannot be checksummed by the device, so
  // the whole datagram's checksum is computed in software first.
  setU16(h, udpOff + 6, 0);
  const sum = streamOnesSum(st, udpOff);
  const ph = ipv6
    ? pseudoHeaderSum6(h, ipOff, 17, l4Len)
    : pseudoHeaderSum4(h, ipOff, 17, l4Len);
  const check = ~fold16(ph + sum) & 0xffff;
  setU16(h, udpOff + 6, check === 0 ? CSUM_MANGLED_0 : check);
  st.ipSummed = IP_SUMMED.UNNECESSARY;
  if (!st.encapHdrCsum) st.features |= NETIF_F.HW_CSUM;
  let doffset = udpOff;
  if (ipv6) {
    // udp6_ufo_fragment: insert a Fragment header after the unfragmentable
    // part; ipv6_gso_segment fills its offsets.
    const { len, prevOff } = ip6FindFirstFragOpt(h, ipOff, h.length);
    const at = ipOff + len;
    const grown = new Uint8Array(st.head.length + 8);
    grown.set(h.subarray(0, at), 0);
    grown.set(h.subarray(at), at + 8);
    grown[at] = h[prevOff]!;
    grown[prevOff] = 44;
    const id = st.ufo6FragId >>> 0;
    grown[at + 4] = id >>> 24;
    grown[at + 5] = (id >>> 16) & 0xff;
    grown[at + 6] = (id >>> 8) & 0xff;
    grown[at + 7] = id & 0xff;
    st.head = grown;
    st.len += 8;
    st.shift -= 8;
    doffset += 8;
  }
  return { doffset, mss, protocol: ipv6 ? 0x86dd : 0x0800, patches: [] };
}

// __skb_linearize: the same bytes, all in the linear area.
function linearized(skb: SkBuff): SkBuff {
  return { ...skb, linear: skbFlatten(skb), frags: [], fragList: [] };
}
