/**
 * IPv4 software GSO: `inet_gso_segment()` (net/ipv4/af_inet.c). Dispatches
 * to the L4 segmenter, then writes each segment's ID, total length (or UFO
 * fragment offset) and header checksum.
 *
 * @module
 */

import { getU16, setU16 } from "./bytes.ts";
import { checksum } from "./checksum.ts";
import type { GsoPlan, GsoSegment, GsoState } from "./gso_segment_types.ts";
import { mayPull } from "./gso_state.ts";
import { tcpGsoSegment } from "./gso_tcp.ts";
import { udpGsoDispatch } from "./gso_udp.ts";
import { SegmentError } from "./segment_error.ts";
import { SKB_GSO } from "./types.ts";

const IP_MF = 0x2000;

/**
 * `inet_gso_segment()` for the IPv4 header at `nhoff`.
 *
 * @param st The segmentation state.
 * @param nhoff Offset of the IPv4 header in the frame.
 * @returns The plan, with this layer's patch added.
 * @throws {SegmentError} For a bad header or an unsupported protocol.
 *
 * @example
 * ```ts
 * import { inetGsoSegment } from "./gso_ipv4.ts";
 * import { newGsoState } from "./gso_state.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 4000, seed: 1, timestamps: true });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * const st = newGsoState(skb, 0n, 0n);
 * const plan = inetGsoSegment(st, 14);
 * plan.doffset; // 66
 * plan.protocol; // 0x0800
 * ```
 */
export function inetGsoSegment(
  st: GsoState,
  nhoff: number,
): GsoPlan {
  mayPull(st, nhoff + 20, "IPv4 header");
  const h = st.head;
  const ihl = (h[nhoff]! & 0x0f) * 4;
  if ((h[nhoff]! >>> 4) !== 4 || ihl < 20) {
    throw new SegmentError(
      "bad-header-length",
      "EINVAL",
      `Cannot segment: IPv4 header at offset ${nhoff} has ihl ${
        ihl / 4
      }, below 5`,
    );
  }
  mayPull(st, nhoff + ihl, "IPv4 header with options");
  let id = getU16(h, nhoff + 4);
  const proto = h[nhoff + 9]!;
  // inet_gso_segment: inner headers only get the device's tunnel features.
  const encap = st.encapLevel > 0;
  if (encap) st.features &= st.hwEncFeatures;
  st.encapLevel += ihl;
  const thOff = nhoff + ihl;
  // inet_gso_segment (late 2025): the outer/only header keeps its ID with
  // TCP_FIXEDID, an inner one with TCP_FIXEDID_INNER; no DF requirement.
  const fixedid = (st.skb.gsoType &
    (encap ? SKB_GSO.TCP_FIXEDID_INNER : SKB_GSO.TCP_FIXEDID)) !== 0;
  const udpfrag = (!st.encapsulation || encap) &&
    (st.skb.gsoType & SKB_GSO.UDP) !== 0;
  let plan: GsoPlan;
  if (proto === 6) plan = tcpGsoSegment(st, thOff, nhoff, false, 0x0800);
  else if (proto === 17) plan = udpGsoDispatch(st, thOff, nhoff, false);
  else {
    throw new SegmentError(
      "unsupported-protocol",
      "EPROTONOSUPPORT",
      `Cannot segment: IPv4 protocol ${proto} at offset ${
        nhoff + 9
      } has no GSO handler`,
    );
  }
  let fragOffset = 0;
  let gsoPartial = false;
  if (plan.unsegmented !== undefined) return plan;
  plan.patches.push((seg: GsoSegment): void => {
    const d = seg.data;
    if (seg.index === 0) gsoPartial = (seg.gsoType & SKB_GSO.PARTIAL) !== 0;
    let totLen: number;
    if (udpfrag) {
      // UFO: fragments share the ID; frag_off overwrites DF.
      setU16(d, nhoff + 6, (fragOffset >>> 3) | (seg.last ? 0 : IP_MF));
      fragOffset += d.length - nhoff - ihl;
      totLen = d.length - nhoff;
    } else if (seg.gsoSize !== 0) {
      if (!fixedid) {
        setU16(d, nhoff + 4, id);
        id = (id + seg.gsoSegs) & 0xffff;
      }
      totLen = gsoPartial
        ? seg.gsoSize + seg.payloadOffset - nhoff
        : d.length - nhoff;
    } else {
      if (!fixedid) {
        setU16(d, nhoff + 4, id);
        id = (id + 1) & 0xffff;
      }
      totLen = d.length - nhoff;
    }
    // inet_gso_segment: htons(tot_len) keeps the low 16 bits
    setU16(d, nhoff + 2, totLen & 0xffff);
    // ip_send_check: the whole header, options included; a frag_list
    // member un-chained by skb_segment_list has its own header length.
    const segIhl = (d[nhoff]! & 0x0f) * 4;
    setU16(d, nhoff + 10, 0);
    setU16(d, nhoff + 10, checksum(d, nhoff, nhoff + segIhl));
  });
  return plan;
}
