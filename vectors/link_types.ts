/**
 * LINKTYPE_* values (the tcpdump.org link-layer header types) that tsolab
 * knows how to decode.
 *
 * @module
 */

import { LINKTYPE } from "../sw/link_header.ts";

// One definition of the values, shared with the decoders.
export { LINKTYPE };

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
