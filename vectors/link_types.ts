/**
 * LINKTYPE_* values (the tcpdump.org link-layer header types) that tsolab
 * knows how to decode.
 *
 * @module
 */

/**
 * Link-layer header types used in pcap and pcapng files.
 *
 * - `ETHERNET` (1): 14-byte Ethernet header, optional VLAN tags.
 * - `RAW` (101): no link header; the IP version nibble tells v4 from v6.
 * - `LINUX_SLL` (113): 16-byte Linux "cooked" header (`tcpdump -i any`).
 * - `LINUX_SLL2` (276): 20-byte Linux "cooked" v2 header.
 * - `IPV4` (228) and `IPV6` (229): raw IP of a fixed version.
 *
 * @example
 * ```ts
 * import { LINKTYPE } from "./link_types.ts";
 * LINKTYPE.ETHERNET; // 1
 * ```
 */
export const LINKTYPE = {
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/**
 * The link types the decoders support, in ascending order. The readers do
 * not check against this list: they yield every frame with its link type
 * and leave the decision to the consumer.
 *
 * @example
 * ```ts
 * import { SUPPORTED_LINKTYPES } from "./link_types.ts";
 * SUPPORTED_LINKTYPES.includes(113); // true
 * ```
 */
export const SUPPORTED_LINKTYPES: readonly number[] = Object.freeze([
  LINKTYPE.ETHERNET,
  LINKTYPE.RAW,
  LINKTYPE.LINUX_SLL,
  LINKTYPE.IPV4,
  LINKTYPE.IPV6,
  LINKTYPE.LINUX_SLL2,
]);
