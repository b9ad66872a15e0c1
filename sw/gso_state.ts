/**
 * Helpers for the GSO layers: creating the per-call state, reading header
 * bytes (copied on first use so the caller's skb is never modified), the
 * checksum feature test and `gso_make_checksum`.
 *
 * @module
 */

import { csumFoldKeep, onesSum } from "./checksum.ts";
import { CB_CSUM_PENDING } from "./gso_segment_types.ts";
import type { GsoSegment, GsoState } from "./gso_segment_types.ts";
import { SegmentError } from "./segment_error.ts";
import { skbCopyBits, skbLen, skbPieces } from "./skbuff.ts";
import type { SkBuff } from "./types.ts";

const FIRST_HEAD = 512;

// Head buffers of finished segmentations, handed to the next call: a typed
// array's backing store lives outside the JS heap, and allocating one per
// call cost as much as segmenting a small packet. Only a call that ran to
// its end (or was closed) gives its buffer back, so no two live calls share.
const headPool: Uint8Array[] = [];
const HEAD_POOL_MAX = 8;

/**
 * Makes the state of one segmentation call.
 *
 * @param skb The super-packet.
 * @param features Features in force.
 * @param hwEncFeatures The device's hw_enc_features.
 * @param into Output memory, if any.
 * @returns The state.
 *
 * @example
 * ```ts
 * import { newGsoState } from "./gso_state.ts";
 * import { newSkb } from "./skbuff.ts";
 * const st = newGsoState(newSkb({ linear: new Uint8Array(60) }), 0n, 0n);
 * st.len; // 60
 * ```
 */
export function newGsoState(
  skb: SkBuff,
  features: bigint,
  hwEncFeatures: bigint,
  into?: Uint8Array,
): GsoState {
  const len = skbLen(skb);
  const n = Math.min(len, FIRST_HEAD);
  const headBuf = headPool.pop() ?? new Uint8Array(FIRST_HEAD);
  const head = n === FIRST_HEAD ? headBuf : headBuf.subarray(0, n);
  skbCopyBits(skb, 0, n, head, 0);
  return {
    skb,
    head,
    headBuf,
    len,
    features,
    hwEncFeatures,
    encapLevel: 0,
    encapsulation: skb.encapsulation,
    encapHdrCsum: false,
    ipSummed: skb.ipSummed,
    into,
    shift: 0,
    ufo6FragId: 0,
    devFeatures: features,
  };
}

/**
 * Ends a segmentation call: its first head buffer goes back to the pool for
 * the next call. The state must not be used afterwards.
 *
 * @param st The state of a call that has produced all it will.
 *
 * @example
 * ```ts
 * import { newGsoState, releaseGsoState } from "./gso_state.ts";
 * import { newSkb } from "./skbuff.ts";
 * const st = newGsoState(newSkb({ linear: new Uint8Array(60) }), 0n, 0n);
 * releaseGsoState(st);
 * ```
 */
export function releaseGsoState(st: GsoState): void {
  const buf = st.headBuf;
  st.headBuf = undefined;
  if (buf !== undefined && headPool.length < HEAD_POOL_MAX) headPool.push(buf);
}

/**
 * Makes sure the first `n` header bytes are in `st.head` (the kernel's
 * `pskb_may_pull`), copying more of the skb when needed.
 *
 * @param st The state.
 * @param n Bytes needed from the start of the packet.
 * @param what The header being read, for the error message.
 * @throws {SegmentError} When the packet is shorter than `n`.
 *
 * @example
 * ```ts
 * import { mayPull, newGsoState } from "./gso_state.ts";
 * import { newSkb } from "./skbuff.ts";
 * const st = newGsoState(newSkb({ linear: new Uint8Array(60) }), 0n, 0n);
 * mayPull(st, 54, "TCP header");
 * ```
 */
export function mayPull(st: GsoState, n: number, what: string): void {
  if (n <= st.head.length) return;
  if (n > st.len) {
    throw new SegmentError(
      "bad-header-length",
      "EINVAL",
      `Cannot segment: ${what} ends at offset ${n}, past the packet end ${st.len}`,
    );
  }
  const grown = new Uint8Array(
    Math.min(st.len, Math.max(n, st.head.length * 2)),
  );
  grown.set(st.head);
  skbCopyBits(
    st.skb,
    st.head.length + st.shift,
    grown.length - st.head.length,
    grown,
    st.head.length,
  );
  st.head = grown;
}

/**
 * Adds a block's 16-bit sum that starts `offset` bytes into the summed
 * region (`csum_block_add`: rotate by 8 bits when the offset is odd).
 *
 * @param sum Sum so far.
 * @param block The block's sum.
 * @param offset Distance of the block from the start of the region.
 * @returns The folded sum.
 *
 * @example
 * ```ts
 * import { csumBlockAdd } from "./gso_state.ts";
 * csumBlockAdd(0, 0x1234, 1); // 0x3412
 * ```
 */
export function csumBlockAdd(
  sum: number,
  block: number,
  offset: number,
): number {
  const b = (offset & 1) !== 0 ? ((block & 0xff) << 8) | (block >>> 8) : block;
  const s = sum + b;
  return (s & 0xffff) + (s >>> 16);
}

/**
 * `gso_make_checksum()`: completes an L4 checksum in software from the
 * header bytes at `start` (whose checksum field holds the seed) up to the
 * segment's recorded payload sum, and records the new sum start.
 *
 * @param seg The segment.
 * @param start Offset of the L4 (or outer UDP) header.
 * @param res The value to record as the new SKB_GSO_CB csum (`~seed`).
 * @returns The final checksum (`csum_fold`, may be 0).
 *
 * @example
 * ```ts
 * import { gsoMakeChecksum, newGsoState } from "./gso_state.ts";
 * import { skbSegment } from "./skb_segment.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 3000, seed: 1, timestamps: true });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * const st = newGsoState(skb, 0n, 0n);
 * const seg = skbSegment(st, 66, 1448, 0x0800).next().value!;
 * gsoMakeChecksum(seg, 34, 0x1234); // 0x7055
 * [seg.cbCsumStart, seg.cbCsum]; // [34, 0x1234]
 * ```
 */
export function gsoMakeChecksum(
  seg: GsoSegment,
  start: number,
  res: number,
): number {
  const total = seg.cbCsum === CB_CSUM_PENDING
    ? onesSum(seg.data, start, seg.data.length)
    : csumBlockAdd(
      onesSum(seg.data, start, seg.cbCsumStart),
      seg.cbCsum,
      seg.cbCsumStart - start,
    );
  seg.cbCsum = res & 0xffff;
  seg.cbCsumStart = start;
  return ~csumFoldKeep(total) & 0xffff;
}

/**
 * `gso_reset_checksum()`: the device will finish the checksum; record where
 * its region starts and the sum it will stand for.
 *
 * @param seg The segment.
 * @param start Offset of the L4 header.
 * @param res `~seed`.
 *
 * @example
 * ```ts
 * import { gsoResetChecksum, newGsoState } from "./gso_state.ts";
 * import { skbSegment } from "./skb_segment.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 3000, seed: 1, timestamps: true });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * const st = newGsoState(skb, 0n, 0n);
 * const seg = skbSegment(st, 66, 1448, 0x0800).next().value!;
 * gsoResetChecksum(seg, 34, 0xabcd);
 * [seg.cbCsumStart, seg.cbCsum]; // [34, 0xabcd]
 * ```
 */
export function gsoResetChecksum(
  seg: GsoSegment,
  start: number,
  res: number,
): void {
  seg.cbCsum = res & 0xffff;
  seg.cbCsumStart = start;
}

/**
 * The 16-bit ones'-complement sum of the packet from `from` (an offset in
 * `st.head` coordinates) to its end: header bytes come from `st.head` (as
 * modified so far), the rest from the skb's pieces.
 *
 * @param st The segmentation state.
 * @param from First byte.
 * @returns The folded, uncomplemented sum.
 *
 * @example
 * ```ts
 * import { newGsoState, streamOnesSum } from "./gso_state.ts";
 * import { newSkb } from "./skbuff.ts";
 * const skb = newSkb({
 *   linear: new Uint8Array([0x12, 0x34]),
 *   frags: [{ page: new Uint8Array([0, 1]), offset: 0, size: 2 }],
 * });
 * streamOnesSum(newGsoState(skb, 0n, 0n), 0); // 0x1235
 * ```
 */
export function streamOnesSum(st: GsoState, from: number): number {
  const headEnd = Math.min(st.head.length, st.len);
  let sum = from < headEnd ? onesSum(st.head, from, headEnd) : 0;
  let rel = Math.max(0, headEnd - from);
  let pos = 0;
  const start = Math.max(from, headEnd) + st.shift;
  for (const p of skbPieces(st.skb)) {
    const n = p.end - p.start;
    if (pos + n > start) {
      const s = p.start + Math.max(0, start - pos);
      sum = csumBlockAdd(sum, onesSum(p.bytes, s, p.end), rel);
      rel += p.end - s;
    }
    pos += n;
  }
  return sum;
}
