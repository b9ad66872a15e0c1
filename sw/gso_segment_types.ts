/**
 * The segment record that the GSO layers pass back up the protocol stack,
 * and the per-call state they share (the kernel's `SKB_GSO_CB`).
 *
 * @module
 */

import type { SkBuff } from "./types.ts";

/**
 * One output segment of software GSO. `data` is the whole frame from the
 * (outer) MAC header; every header is at the same offset as in the
 * super-packet. Valid until the generator is resumed when the caller passed
 * an `into` buffer.
 *
 * @example
 * ```ts
 * import type { GsoSegment } from "./gso_segment_types.ts";
 * function frameLen(s: GsoSegment): number {
 *   return s.data.length;
 * }
 * ```
 */
export interface GsoSegment {
  /** The segment's bytes, from the MAC header to the end. */
  data: Uint8Array;
  /** 0-based position among the outputs. */
  index: number;
  /** True for the last output. */
  last: boolean;
  /** Offset of the first payload byte (all headers before it). */
  payloadOffset: number;
  /** IP_SUMMED.PARTIAL when the device must finish the L4 checksum. */
  ipSummed: number;
  /** Where the device starts summing when PARTIAL. */
  csumStart: number;
  /** Offset of the checksum field from csumStart. */
  csumOffset: number;
  /** Non-zero only for GSO_PARTIAL (or frag_list) chunks still to split. */
  gsoSize: number;
  /** Segments a GSO_PARTIAL chunk stands for. */
  gsoSegs: number;
  /** gso_type of a GSO_PARTIAL chunk. */
  gsoType: number;
  /** SKB_GSO_CB(skb)->csum_start: offset the `cbCsum` sum starts at. */
  cbCsumStart: number;
  /**
   * SKB_GSO_CB(skb)->csum: 16-bit sum of data[cbCsumStart..end). Inside the
   * GSO layers it may be `CB_CSUM_PENDING` (not summed yet); every segment
   * handed to a caller holds the sum.
   */
  cbCsum: number;
  /**
   * True when the device can segment the packet itself and this is the
   * super-packet, unchanged (the kernel's NULL return); no layer patches it.
   */
  unsegmented?: boolean;
}

/**
 * `cbCsum` of a segment whose payload has not been summed yet: skb_segment
 * leaves it so, and the first `gso_make_checksum` sums header and payload
 * in one pass (the same ones'-complement sum, one call per segment fewer).
 *
 * @example
 * ```ts
 * import { CB_CSUM_PENDING } from "./gso_segment_types.ts";
 * CB_CSUM_PENDING; // -1
 * ```
 */
export const CB_CSUM_PENDING: number = -1;

/**
 * Rewrites one segment's header fields in place (one protocol layer's work
 * on the way back up the stack).
 *
 * @example
 * ```ts
 * import type { SegmentPatch } from "./gso_segment_types.ts";
 * // Clears PSH in the TCP flags of a TCP/IPv4 segment (byte 13 of TCP at 34).
 * const clearPsh: SegmentPatch = (seg) => {
 *   seg.data[47] &= ~0x08;
 * };
 * ```
 */
export type SegmentPatch = (seg: GsoSegment) => void;

/**
 * What the layers decided before splitting: where the payload starts, the
 * stride, and the patches to apply to every segment, innermost layer
 * first. `unsegmented` is set (to gso_segs) when the device can segment the
 * packet itself.
 *
 * @example
 * ```ts
 * import type { GsoPlan } from "./gso_segment_types.ts";
 * const p: GsoPlan = { doffset: 66, mss: 1448, protocol: 0x0800, patches: [] };
 * ```
 */
export interface GsoPlan {
  /** Length of all headers: the payload starts here. */
  doffset: number;
  /** gso_size (or GSO_BY_FRAGS). */
  mss: number;
  /** EtherType of the network layer being split (checksum capability). */
  protocol: number;
  /** Per-segment header rewrites, innermost first. */
  patches: SegmentPatch[];
  /** Set to gso_segs when the packet goes to the device unsegmented. */
  unsegmented?: number;
  /**
   * SKB_GSO_FRAGLIST: un-chain the frag_list instead of cutting the payload
   * (skb_segment_list). The head goes out as its own packet and each member
   * as one with its own headers (`SkBuff.ownHeaders`), behind a copy of this
   * many leading bytes of the head (its link-layer header).
   */
  segmentList?: number;
}

/**
 * Options of one `segment()` call.
 *
 * @example
 * ```ts
 * import type { GsoOptions } from "./gso_segment_types.ts";
 * const o: GsoOptions = { into: new Uint8Array(65536) };
 * ```
 */
export interface GsoOptions {
  /**
   * Preallocated memory for the segments: each yielded `data` is a view of
   * it, overwritten by the next segment.
   */
  into?: Uint8Array;
  /** The device's hw_enc_features (features usable inside tunnels). */
  hwEncFeatures?: bigint;
  /**
   * Identification for the Fragment header IPv6 UFO inserts. The kernel
   * draws it from a keyed hash (`ipv6_proxy_select_ident`), so a
   * reproduction has to be told the value. Default 0.
   */
  ufo6FragId?: number;
  /**
   * `dev->features & dev->gso_partial_features`: types the device segments
   * only when the stack first cuts GSO_PARTIAL chunks (the effective
   * features lack them: gso_features_check strips them).
   */
  gsoPartialFeatures?: bigint;
}

/**
 * State shared by the layers of one segmentation (the parts of the skb the
 * kernel mutates on the way down).
 *
 * @example
 * ```ts
 * import type { GsoState } from "./gso_segment_types.ts";
 * function level(s: GsoState): number {
 *   return s.encapLevel;
 * }
 * ```
 */
export interface GsoState {
  /** The super-packet. */
  skb: SkBuff;
  /** Its bytes as one contiguous view of the headers (the linear area). */
  head: Uint8Array;
  /**
   * The pooled buffer `head` started as; returned to the pool when the call
   * ends (undefined once returned).
   */
  headBuf?: Uint8Array | undefined;
  /** skb->len. */
  len: number;
  /** Features in force at this layer. */
  features: bigint;
  /** The device's hw_enc_features. */
  hwEncFeatures: bigint;
  /** SKB_GSO_CB(skb)->encap_level. */
  encapLevel: number;
  /** skb->encapsulation at this layer. */
  encapsulation: boolean;
  /** skb->encap_hdr_csum: an outer UDP checksum is pending. */
  encapHdrCsum: boolean;
  /** skb->ip_summed at this layer. */
  ipSummed: number;
  /** Output memory, if any. */
  into: Uint8Array | undefined;
  /**
   * skb stream offset minus `head` offset for bytes after a header the
   * kernel inserted (+) or removed (−) in the head (UFO6 fragment header,
   * BIG TCP jumbo option); 0 otherwise.
   */
  shift: number;
  /** Identification for an inserted IPv6 Fragment header (UFO6). */
  ufo6FragId: number;
  /** The features the device has (`skb->dev->features`). */
  devFeatures: bigint;
}
