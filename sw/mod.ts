/**
 * The software reference: what the Linux kernel sends, byte for byte.
 *
 * - Checksums: {@linkcode onesSum} (fast) and {@linkcode onesSumReference}
 *   (slow, obvious), pseudo-header sums, RFC 1624 updates, and the kernel's
 *   own 16/32-bit seed arithmetic.
 * - Header codecs, one file per protocol, symmetric decode/encode: Ethernet
 *   with 802.1Q/QinQ, IPv4 with options, IPv6 with extension headers, TCP
 *   with options, UDP, VXLAN; {@linkcode parsePacket} for a frame's layout.
 * - {@linkcode SkBuff} layout (linear part, frags, frag_list) and
 *   {@linkcode skbFromFrame}.
 * - Netdev features with their ethtool names, `netdev_fix_features`, the
 *   device limits and the transmit decision of `validate_xmit_skb`.
 * - {@linkcode segment}: software GSO (TCPv4/v6, USO, UFO, VXLAN, BIG TCP,
 *   GSO_PARTIAL, frag_list), one segment at a time.
 * - The driver-side software TSO helper of `net/core/tso.c`.
 *
 * ```ts
 * import { NETIF_F, parsePacket, segment, skbFromFrame } from "./mod.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 *
 * const { frame } = buildSuperPacket({ payloadLen: 3000, seed: 1 });
 * const layout = parsePacket(frame, 1);
 * const skb = skbFromFrame(frame, layout, { gsoSize: 1448 })!;
 * const segs = [...segment(skb, NETIF_F.SG | NETIF_F.GSO)];
 * segs.map((seg) => seg.data.length); // [1502, 1502, 158]
 * ```
 *
 * @module
 */

export * from "./bytes.ts";
export * from "./checksum.ts";
export * from "./decode_error.ts";
export * from "./encode_error.ts";
export * from "./ethernet.ts";
export * from "./fix_features.ts";
export * from "./gso_segment_types.ts";
export * from "./ipv4.ts";
export * from "./ipv6.ts";
export * from "./l4_checksum.ts";
export * from "./link_header.ts";
export * from "./net_device.ts";
export * from "./netdev_features.ts";
export * from "./packet_layout.ts";
export * from "./segment.ts";
export * from "./segment_error.ts";
export * from "./skb_from_frame.ts";
export * from "./skbuff.ts";
export * from "./tcp.ts";
export * from "./tso_helper.ts";
export * from "./types.ts";
export * from "./udp.ts";
export * from "./udp_send_checks.ts";
export * from "./vxlan.ts";
export * from "./xmit_decision.ts";
