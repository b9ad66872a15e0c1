/**
 * Where a segment's bytes go and the record that carries them, shared by
 * `skb_segment()` and `skb_segment_list()`: with the caller's `into` buffer
 * every segment is written over the last one and its record is reused (no
 * allocation per segment); without it each segment gets bytes of its own.
 *
 * @module
 */

import type { GsoSegment } from "./gso_segment_types.ts";

/**
 * The bytes segment `index` is written into: the first `total` bytes of
 * `into`, or a fresh array when there is no `into`.
 *
 * @param into The caller's reusable buffer, or undefined.
 * @param total The segment's length.
 * @param index The segment's position (for the error).
 * @param cached A view of `into` made by an earlier call; returned as is
 *   when it already has `total` bytes, so full-sized segments share one.
 * @returns The segment's bytes.
 * @throws {RangeError} When `into` is shorter than `total`.
 *
 * @example
 * ```ts
 * import { segmentBytes } from "./segment_buffer.ts";
 * const into = new Uint8Array(1514);
 * segmentBytes(into, 1000, 0).buffer === into.buffer; // true
 * segmentBytes(undefined, 60, 0).length; // 60
 * ```
 */
export function segmentBytes(
  into: Uint8Array | undefined,
  total: number,
  index: number,
  cached?: Uint8Array,
): Uint8Array {
  if (into === undefined) return new Uint8Array(total);
  if (into.length < total) {
    throw new RangeError(
      `Cannot segment into the given buffer: segment ${index} needs ${total} bytes, it has ${into.length}`,
    );
  }
  return cached?.length === total ? cached : into.subarray(0, total);
}

/**
 * A segment record with every field at its neutral value; the segmenter
 * fills in the rest before yielding it.
 *
 * @param data The segment's bytes.
 * @param payloadOffset Where its payload starts (also the start of the
 *   checksum the segmenter sums as it copies).
 * @returns The record.
 *
 * @example
 * ```ts
 * import { blankSegment } from "./segment_buffer.ts";
 * const s = blankSegment(new Uint8Array(60), 54);
 * s.cbCsumStart; // 54
 * ```
 */
export function blankSegment(
  data: Uint8Array,
  payloadOffset: number,
): GsoSegment {
  return {
    data,
    index: 0,
    last: false,
    payloadOffset,
    ipSummed: 0,
    csumStart: 0,
    csumOffset: 0,
    gsoSize: 0,
    gsoSegs: 0,
    gsoType: 0,
    cbCsumStart: payloadOffset,
    cbCsum: 0,
  };
}
