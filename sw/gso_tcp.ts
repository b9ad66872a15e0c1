/**
 * TCP segmentation offload in software: `tcp4_gso_segment()`,
 * `tcp6_gso_segment()` and `tcp_gso_segment()` (net/ipv4/tcp_offload.c,
 * net/ipv6/tcpv6_offload.c).
 *
 * @module
 */

import { getU16, getU32, setU16, setU32 } from "./bytes.ts";
import {
  csumAdd,
  csumFoldKeep,
  pseudoHeaderSum4,
  pseudoHeaderSum6,
} from "./checksum.ts";
import type { GsoPlan, GsoSegment, GsoState } from "./gso_segment_types.ts";
import { listAddressFixup } from "./gso_list_fixup.ts";
import { gsoMakeChecksum, gsoResetChecksum, mayPull } from "./gso_state.ts";
import { NETIF_F } from "./netdev_features.ts";
import { skbGsoFeaturesOk } from "./skb_segment.ts";
import { skbPageLen } from "./skbuff.ts";
import { SegmentError } from "./segment_error.ts";
import { IP_SUMMED, SKB_GSO } from "./types.ts";

const TCP_FIN = 0x01;
const TCP_PSH = 0x08;
const TCP_CWR = 0x80;

/**
 * `tcp4_gso_segment()` / `tcp6_gso_segment()` followed by
 * `tcp_gso_segment()`: checks, re-seeds a non-PARTIAL packet, and plans the
 * split with a patch for seq, flags and checksum of every segment. A
 * SKB_GSO_FRAGLIST skb whose head still holds one gso_size of payload is
 * planned as an un-chaining instead (skb_segment_list, NAT fix-ups).
 *
 * @param st The segmentation state.
 * @param thOff Offset of the TCP header in the frame.
 * @param ipOff Offset of the IP header (for the pseudo-header).
 * @param ipv6 True for TCP over IPv6.
 * @param protocol EtherType of the network layer (for the checksum test).
 * @returns The plan.
 * @throws {SegmentError} For the kernel's EINVAL cases.
 *
 * @example
 * ```ts
 * import { tcpGsoSegment } from "./gso_tcp.ts";
 * import { newGsoState } from "./gso_state.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 4000, seed: 1, timestamps: true });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * const st = newGsoState(skb, 0n, 0n);
 * const plan = tcpGsoSegment(st, 34, 14, false, 0x0800);
 * plan.doffset; // 66 (Ethernet, IPv4 and TCP with timestamps)
 * plan.mss; // 1448
 * ```
 */
export function tcpGsoSegment(
  st: GsoState,
  thOff: number,
  ipOff: number,
  ipv6: boolean,
  protocol: number,
): GsoPlan {
  const skb = st.skb;
  // tcp4_gso_segment / tcp6_gso_segment: the gso_type must say this family.
  const want = ipv6 ? SKB_GSO.TCPV6 : SKB_GSO.TCPV4;
  if ((skb.gsoType & want) === 0) {
    throw new SegmentError(
      "gso-type-mismatch",
      "EINVAL",
      `Cannot segment: TCP over IPv${ipv6 ? 6 : 4} needs gso_type ${
        ipv6 ? "TCPV6" : "TCPV4"
      }`,
    );
  }
  mayPull(st, thOff + 20, "TCP header");
  if ((skb.gsoType & SKB_GSO.FRAGLIST) !== 0) {
    if (!st.encapsulation) {
      // tcp4_gso_segment: un-chain only while the head still holds exactly
      // one gso_size of payload; anything else was rebuilt on the way and
      // is cut by skb_segment, checksummed afresh.
      const doff = (st.head[thOff + 12]! >>> 4) * 4;
      mayPull(st, thOff + doff, "TCP header with options");
      if (skbPageLen(skb) - thOff - doff === skb.gsoSize) {
        return {
          doffset: thOff + doff,
          mss: skb.gsoSize,
          protocol,
          patches: [listAddressFixup(ipOff, ipv6, false)],
          segmentList: ipOff,
        };
      }
      st.ipSummed = IP_SUMMED.NONE;
    } else {
      throw new SegmentError(
        "unsupported-protocol",
        "EPROTONOSUPPORT",
        "Cannot segment: SKB_GSO_FRAGLIST inside a tunnel is not modelled",
      );
    }
  }
  const h = st.head;
  const l4Len = st.len - thOff;
  if (st.ipSummed !== IP_SUMMED.PARTIAL) {
    // tcp4_gso_segment: the stack normally seeded the checksum; derive the
    // seed from the addresses when it did not.
    const seed = ipv6
      ? pseudoHeaderSum6(h, ipOff, 6, l4Len)
      : pseudoHeaderSum4(h, ipOff, 6, l4Len);
    setU16(h, thOff + 16, seed);
    st.ipSummed = IP_SUMMED.PARTIAL;
  } else if (skb.csumStart !== thOff + st.shift) {
    // tcp_gso_segment: the device would sum from csum_start; it must be
    // the TCP header.
    throw new SegmentError(
      "csum-start-mismatch",
      "EINVAL",
      `Cannot segment: csum_start ${skb.csumStart} is not the TCP header at offset ${thOff}`,
    );
  }
  const thlen = (h[thOff + 12]! >>> 4) * 4;
  if (thlen < 20) {
    throw new SegmentError(
      "bad-header-length",
      "EINVAL",
      `Cannot segment: TCP data offset ${thlen / 4} at offset ${
        thOff + 12
      } is below 5`,
    );
  }
  mayPull(st, thOff + thlen, "TCP header with options");
  const mss = skb.gsoSize;
  const payload = l4Len - thlen;
  if (payload <= mss) {
    throw new SegmentError(
      "payload-not-above-gso-size",
      "EINVAL",
      `Cannot segment: TCP payload ${payload} is not above gso_size ${mss}`,
    );
  }
  if (skbGsoFeaturesOk(st.features | NETIF_F.GSO_ROBUST, skb)) {
    // tcp_gso_segment: the device can segment it; hand it on unchanged.
    return unsegmentedPlan(Math.ceil(payload / mss));
  }
  const oldlen = ~l4Len >>> 0;
  const accecn = (skb.gsoType & SKB_GSO.TCP_ACCECN) !== 0;
  let seq = getU32(h, thOff + 4);
  let stride = mss;
  let newcheck = 0;
  const patch = (seg: GsoSegment): void => {
    const d = seg.data;
    if (seg.index === 0) {
      // tcp_gso_segment: a GSO_PARTIAL chunk stands for gso_segs segments.
      if (seg.gsoSize !== 0) stride = mss * seg.gsoSegs;
      const delta = (oldlen + thlen + stride) >>> 0;
      newcheck = csumFoldKeep(csumAdd(getU16(d, thOff + 16), delta));
    } else {
      seq = (seq + stride) >>> 0;
      setU32(d, thOff + 4, seq);
      // tcp_gso_segment: CWR only on the first segment unless AccECN uses
      // it as a counter bit.
      if (!accecn) d[thOff + 13]! &= ~TCP_CWR;
    }
    let check = newcheck;
    if (!seg.last) {
      d[thOff + 13]! &= ~(TCP_FIN | TCP_PSH);
    } else {
      const delta = (oldlen + (d.length - thOff)) >>> 0;
      check = csumFoldKeep(csumAdd(getU16(d, thOff + 16), delta));
    }
    setU16(d, thOff + 16, check);
    if (seg.ipSummed === IP_SUMMED.PARTIAL) {
      gsoResetChecksum(seg, thOff, ~check);
      seg.csumStart = thOff;
      seg.csumOffset = 16;
    } else {
      setU16(d, thOff + 16, gsoMakeChecksum(seg, thOff, ~check));
    }
  };
  return { doffset: thOff + thlen, mss, protocol, patches: [patch] };
}

/**
 * The plan of a packet the device segments itself: no split, no patches.
 *
 * @param gsoSegs The recomputed segment count.
 * @returns The plan.
 *
 * @example
 * ```ts
 * import { unsegmentedPlan } from "./gso_tcp.ts";
 * unsegmentedPlan(45).unsegmented; // 45
 * ```
 */
export function unsegmentedPlan(gsoSegs: number): GsoPlan {
  return { doffset: 0, mss: 0, protocol: 0, patches: [], unsegmented: gsoSegs };
}
