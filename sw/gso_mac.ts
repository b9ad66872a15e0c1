/**
 * `skb_mac_gso_segment()` (net/core/gso.c): skips the link-layer header and
 * any 802.1Q/802.1ad tags, then dispatches on the network protocol.
 *
 * @module
 */

import { getU16 } from "./bytes.ts";
import type { GsoPlan, GsoState } from "./gso_segment_types.ts";
import { inetGsoSegment } from "./gso_ipv4.ts";
import { ipv6GsoSegment } from "./gso_ipv6.ts";
import { mayPull } from "./gso_state.ts";
import { SegmentError } from "./segment_error.ts";

/**
 * Segments the packet whose MAC header is at `mac`. For the outermost
 * header the network offset and protocol come from the skb (any link-layer
 * header, such as Linux SLL, is replicated like an L2 header); for an inner
 * (tunnelled) frame the Ethernet header and its VLAN tags are parsed.
 *
 * @param st The segmentation state.
 * @param mac Offset of the MAC header.
 * @param outermost True for the packet's own link-layer header.
 * @returns The plan.
 * @throws {SegmentError} For an unsupported network protocol.
 *
 * @example
 * ```ts
 * import { macGsoSegment } from "./gso_mac.ts";
 * import { newGsoState } from "./gso_state.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 4000, seed: 1, timestamps: true });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * const st = newGsoState(skb, 0n, 0n);
 * const plan = macGsoSegment(st, 0, true);
 * plan.doffset; // 66
 * plan.patches.length; // 2 (TCP, then IPv4)
 * ```
 */
export function macGsoSegment(
  st: GsoState,
  mac: number,
  outermost: boolean,
): GsoPlan {
  let nh: number;
  let proto: number;
  if (outermost) {
    nh = st.skb.networkHeader;
    proto = st.skb.protocol;
  } else {
    // skb_network_protocol: look through the inner Ethernet's VLAN tags.
    mayPull(st, mac + 14, "inner Ethernet header");
    nh = mac + 14;
    proto = getU16(st.head, mac + 12);
    while (proto === 0x8100 || proto === 0x88a8) {
      mayPull(st, nh + 4, "inner VLAN tag");
      proto = getU16(st.head, nh + 2);
      nh += 4;
    }
  }
  if (proto === 0x0800) return inetGsoSegment(st, nh);
  if (proto === 0x86dd) return ipv6GsoSegment(st, nh, outermost);
  throw new SegmentError(
    "unsupported-protocol",
    "EPROTONOSUPPORT",
    `Cannot segment: network protocol 0x${
      proto.toString(16).padStart(4, "0")
    } has no GSO handler`,
  );
}
