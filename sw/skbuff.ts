/**
 * Building and reading socket buffers: `newSkb()` makes an `SkBuff` from
 * headers and payload laid out as a linear part plus page fragments, and the
 * readers walk its bytes in order (linear, frags, then each frag_list member)
 * without flattening it.
 *
 * @module
 */

import { IP_SUMMED, type SkbFrag, type SkBuff, TsolabError } from "./types.ts";

/**
 * MAX_SKB_FRAGS with the kernel's default CONFIG_MAX_SKB_FRAGS.
 *
 * @example
 * ```ts
 * import { MAX_SKB_FRAGS } from "./skbuff.ts";
 * const tooMany = (frags: number) => frags > MAX_SKB_FRAGS;
 * tooMany(18); // true
 * ```
 */
export const MAX_SKB_FRAGS = 17;

/**
 * The special gso_size that segments on frag_list boundaries (SCTP).
 *
 * @example
 * ```ts
 * import { GSO_BY_FRAGS } from "./skbuff.ts";
 * const gsoSize = GSO_BY_FRAGS; // 0xffff: one segment per frag_list member
 * ```
 */
export const GSO_BY_FRAGS = 0xffff;

/**
 * Options of `newSkb()`: every SkBuff field may be given; the rest default
 * to a non-GSO, CHECKSUM_NONE, unencapsulated packet.
 *
 * @example
 * ```ts
 * import type { NewSkbOptions } from "./skbuff.ts";
 * const o: NewSkbOptions = { linear: new Uint8Array(54), gsoSize: 1448 };
 * ```
 */
export type NewSkbOptions = Partial<SkBuff> & { linear: Uint8Array };

/**
 * Makes an SkBuff. Offsets default to 0 and flags to a plain packet.
 *
 * @param opts The fields to set; `linear` is required.
 * @returns A new SkBuff.
 *
 * @example
 * ```ts
 * import { newSkb, skbLen } from "./skbuff.ts";
 * const skb = newSkb({
 *   linear: new Uint8Array(100),
 *   frags: [{ page: new Uint8Array(4096), offset: 0, size: 1000 }],
 * });
 * skbLen(skb); // 1100
 * ```
 */
export function newSkb(opts: NewSkbOptions): SkBuff {
  return {
    frags: [],
    fragList: [],
    gsoSize: 0,
    gsoSegs: 0,
    gsoType: 0,
    ipSummed: IP_SUMMED.NONE,
    csumStart: 0,
    csumOffset: 0,
    macHeader: 0,
    networkHeader: 0,
    transportHeader: 0,
    protocol: 0,
    encapsulation: false,
    innerMacHeader: 0,
    innerNetworkHeader: 0,
    innerTransportHeader: 0,
    innerProtocol: 0,
    ...opts,
  };
}

/**
 * `skb_headlen()`: bytes in the linear area.
 *
 * @param skb The packet.
 * @returns The linear length.
 *
 * @example
 * ```ts
 * import { newSkb, skbHeadlen } from "./skbuff.ts";
 * skbHeadlen(newSkb({ linear: new Uint8Array(66) })); // 66
 * ```
 */
export function skbHeadlen(skb: SkBuff): number {
  return skb.linear.length;
}

/**
 * `skb_pagelen()`: the linear area and the page fragments, without the
 * frag_list: the head's own packet in a GRO skb.
 *
 * @param skb The packet.
 * @returns Linear plus fragment bytes.
 *
 * @example
 * ```ts
 * import { newSkb, skbPageLen } from "./skbuff.ts";
 * const page = new Uint8Array(4096);
 * skbPageLen(newSkb({
 *   linear: new Uint8Array(66),
 *   frags: [{ page, offset: 0, size: 1448 }],
 *   fragList: [newSkb({ linear: new Uint8Array(1448) })],
 * })); // 1514
 * ```
 */
export function skbPageLen(skb: SkBuff): number {
  let n = skb.linear.length;
  for (const f of skb.frags) n += f.size;
  return n;
}

/**
 * `skb->len`: every byte of the packet, linear area, frags and frag_list.
 *
 * @param skb The packet.
 * @returns The total length.
 *
 * @example
 * ```ts
 * import { newSkb, skbLen } from "./skbuff.ts";
 * skbLen(newSkb({ linear: new Uint8Array(66) })); // 66
 * ```
 */
export function skbLen(skb: SkBuff): number {
  let n = skb.linear.length;
  for (const f of skb.frags) n += f.size;
  for (const m of skb.fragList) n += skbLen(m);
  return n;
}

/**
 * One contiguous piece of an skb's byte stream: `bytes[start..end)`, and
 * which kind of memory it lives in (for frag accounting).
 *
 * @example
 * ```ts
 * import type { SkbPiece } from "./skbuff.ts";
 * const p: SkbPiece = {
 *   bytes: new Uint8Array(4), start: 0, end: 4, kind: "linear", member: -1,
 * };
 * ```
 */
export interface SkbPiece {
  /** Backing memory. */
  bytes: Uint8Array;
  /** First byte in `bytes`. */
  start: number;
  /** One past the last byte in `bytes`. */
  end: number;
  /** Where the bytes live. */
  kind: "linear" | "frag" | "member-linear" | "member-frag";
  /** Index of the frag_list member, or -1 for the head skb. */
  member: number;
}

/**
 * Walks an skb's bytes in transmit order as contiguous pieces: the linear
 * area, the frags, then each frag_list member's linear area and frags.
 * Empty pieces are skipped.
 *
 * @param skb The packet.
 * @returns A generator of pieces.
 *
 * @example
 * ```ts
 * import { newSkb, skbPieces } from "./skbuff.ts";
 * const skb = newSkb({ linear: new Uint8Array(10) });
 * [...skbPieces(skb)].length; // 1
 * ```
 */
export function* skbPieces(skb: SkBuff): Generator<SkbPiece> {
  yield* skbPieceList(skb);
}

/**
 * The pieces of `skbPieces()` as an array, built without a generator (the
 * segmenter walks them on every call).
 *
 * @param skb The packet.
 * @returns The non-empty pieces in transmit order.
 *
 * @example
 * ```ts
 * import { newSkb, skbPieceList } from "./skbuff.ts";
 * skbPieceList(newSkb({ linear: new Uint8Array(10) })).length; // 1
 * ```
 */
export function skbPieceList(skb: SkBuff): SkbPiece[] {
  const out: SkbPiece[] = [];
  ownPieces(out, skb, -1, "linear", "frag");
  for (let i = 0; i < skb.fragList.length; i++) {
    ownPieces(out, skb.fragList[i]!, i, "member-linear", "member-frag");
  }
  return out;
}

function ownPieces(
  out: SkbPiece[],
  skb: SkBuff,
  member: number,
  linKind: SkbPiece["kind"],
  fragKind: SkbPiece["kind"],
): void {
  if (skb.linear.length > 0) {
    out.push({
      bytes: skb.linear,
      start: 0,
      end: skb.linear.length,
      kind: linKind,
      member,
    });
  }
  for (let i = 0; i < skb.frags.length; i++) {
    const f = skb.frags[i]!;
    if (f.size === 0) continue;
    out.push({
      bytes: f.page,
      start: f.offset,
      end: f.offset + f.size,
      kind: fragKind,
      member,
    });
  }
  // Nested frag_lists do not occur on transmit; members are flat skbs.
}

/**
 * Copies `len` bytes of the skb's byte stream, starting at stream offset
 * `from`, into `out` at `outOffset`.
 *
 * @param skb The packet.
 * @param from Offset in the skb's byte stream.
 * @param len Number of bytes.
 * @param out Destination.
 * @param outOffset Where to write in `out`.
 * @throws {TsolabError} When the range runs past the end of the skb.
 *
 * @example
 * ```ts
 * import { newSkb, skbCopyBits } from "./skbuff.ts";
 * const skb = newSkb({ linear: new Uint8Array([1, 2, 3]) });
 * const out = new Uint8Array(2);
 * skbCopyBits(skb, 1, 2, out, 0); // out = [2, 3]
 * ```
 */
export function skbCopyBits(
  skb: SkBuff,
  from: number,
  len: number,
  out: Uint8Array,
  outOffset: number,
): void {
  let pos = 0;
  let o = outOffset;
  let want = len;
  // Walks linear, frags, then frag_list members without building pieces:
  // the segmenter copies the headers this way on every call.
  const copy = (bytes: Uint8Array, start: number, end: number): void => {
    const n = end - start;
    if (want > 0 && from < pos + n) {
      const s = start + Math.max(0, from - pos);
      const take = Math.min(end - s, want);
      out.set(bytes.subarray(s, s + take), o);
      o += take;
      want -= take;
      from += take;
    }
    pos += n;
  };
  for (let m = -1; m < skb.fragList.length && want > 0; m++) {
    const part = m < 0 ? skb : skb.fragList[m]!;
    copy(part.linear, 0, part.linear.length);
    for (let i = 0; i < part.frags.length && want > 0; i++) {
      const f = part.frags[i]!;
      copy(f.page, f.offset, f.offset + f.size);
    }
  }
  if (want > 0) {
    throw new TsolabError(
      `Cannot copy ${len} bytes at offset ${from - (len - want)} of skb: ` +
        `it holds ${pos} bytes`,
    );
  }
}

/**
 * Returns the whole packet as one contiguous array (a copy unless the skb
 * is purely linear).
 *
 * @param skb The packet.
 * @returns Its bytes.
 *
 * @example
 * ```ts
 * import { newSkb, skbFlatten } from "./skbuff.ts";
 * skbFlatten(newSkb({ linear: new Uint8Array(3) })).length; // 3
 * ```
 */
export function skbFlatten(skb: SkBuff): Uint8Array {
  if (skb.frags.length === 0 && skb.fragList.length === 0) return skb.linear;
  const out = new Uint8Array(skbLen(skb));
  skbCopyBits(skb, 0, out.length, out, 0);
  return out;
}

/**
 * Splits a contiguous packet into an skb with `headLen` linear bytes and the
 * rest as frags of the given sizes (the last frag takes what is left), all
 * referencing `data` without copying. Useful to give the same bytes many
 * layouts.
 *
 * @param data The packet bytes.
 * @param headLen Bytes to keep in the linear area.
 * @param fragSizes Sizes of the frags after it.
 * @returns Linear view and frags (other SkBuff fields are left to the caller).
 * @throws {RangeError} When the sizes do not fit the data.
 *
 * @example
 * ```ts
 * import { layoutFrags } from "./skbuff.ts";
 * const { linear, frags } = layoutFrags(new Uint8Array(3000), 66, [1000]);
 * frags.length; // 2: 1000 and the remaining 1934
 * ```
 */
export function layoutFrags(
  data: Uint8Array,
  headLen: number,
  fragSizes: readonly number[],
): { linear: Uint8Array; frags: SkbFrag[] } {
  if (headLen > data.length) {
    throw new RangeError(
      `Cannot lay out skb: head length ${headLen} exceeds ${data.length} bytes`,
    );
  }
  const frags: SkbFrag[] = [];
  let o = headLen;
  for (const s of fragSizes) {
    if (o + s > data.length) {
      throw new RangeError(
        `Cannot lay out skb: frag of ${s} at ${o} runs past ${data.length} bytes`,
      );
    }
    if (s > 0) frags.push({ page: data, offset: o, size: s });
    o += s;
  }
  if (o < data.length) {
    frags.push({ page: data, offset: o, size: data.length - o });
  }
  return { linear: data.subarray(0, headLen), frags };
}
