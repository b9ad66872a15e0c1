/**
 * The checksum engine's adder: sums `busBytes` per beat the way a datapath
 * does, with its own arithmetic (the model must not use the reference's
 * checksum code). Each beat's lanes are added as 32-bit words in the
 * machine's byte order (a tree of 16-bit adders, end-around carries
 * deferred), beats are accumulated, and the result is folded and
 * byte-swapped once, as RTL adders do for odd start offsets. Bytes outside
 * the summed range are masked off (tkeep), so beat boundaries and odd
 * lengths need no special path. Long runs of whole words go through the
 * WebAssembly SIMD lanes of `simd_lanes.ts` (the same lanes, a beat per
 * step); frames from an adder's `frameStore` are summed where they lie.
 *
 * @module
 */

import {
  createSimdLanes,
  SIMD_WINDOW_BYTES,
  type SimdLanes,
} from "./simd_lanes.ts";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Runs of whole words at least this long go through the SIMD lanes. */
const SIMD_MIN_WORDS = 96;

// One kernel for every adder's copies (its memory is a window used only
// within a sum); created on first use, null without WebAssembly SIMD.
let shared: SimdLanes | null | undefined;

function sharedLanes(): SimdLanes | null {
  if (shared === undefined) shared = createSimdLanes(0);
  return shared;
}

function swap16(x: number): number {
  return ((x & 0xff) << 8) | (x >>> 8);
}

function fold(x: number): number {
  while (x > 0xffff) {
    // x >>> 16 is floor(x / 65536) below 2^32, without a division.
    x = (x & 0xffff) + (x < 0x1_0000_0000 ? x >>> 16 : Math.floor(x / 65536));
  }
  return x;
}

const SLAB_BYTES = 1 << 20;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/**
 * Allocates a frame buffer padded to whole beats (so the adder can read
 * whole 32-bit lanes), carved from a shared slab: frames stay valid as long
 * as they are referenced, and the slab is never reused.
 *
 * @param len Frame length in bytes.
 * @param busBytes Beat width in bytes (a multiple of 4).
 * @returns A `Uint8Array` of length `len` at a beat-aligned offset.
 *
 * @example
 * ```ts
 * import { allocBeats } from "./ones_adder.ts";
 * const f = allocBeats(60, 64);
 * f.length; // 60
 * f.byteOffset % 64; // 0
 * ```
 */
export function allocBeats(len: number, busBytes: number): Uint8Array {
  const padded = Math.max(busBytes, Math.ceil(len / busBytes) * busBytes);
  if (padded > SLAB_BYTES / 4) {
    return new Uint8Array(new ArrayBuffer(padded), 0, len);
  }
  let off = Math.ceil(slabUsed / busBytes) * busBytes;
  if (off + padded > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    off = 0;
  }
  slabUsed = off + padded;
  return new Uint8Array(slab, off, len);
}

/**
 * A ones'-complement adder `busBytes` wide.
 *
 * @example
 * ```ts
 * import { allocBeats, OnesAdder } from "./ones_adder.ts";
 * const a = new OnesAdder(64);
 * const f = allocBeats(3, 64);
 * f.set([0x01, 0x02, 0x03]);
 * a.sum(f, 0, 3).toString(16); // "402" (0x0102 + 0x0300)
 * ```
 */
export class OnesAdder {
  /** Beat width in bytes. */
  readonly busBytes: number;
  /** Fault hook: add an odd trailing byte in the low lane of its beat. */
  oddByteWrongLane = false;
  /** Beats summed so far. */
  beats = 0;
  #wordsPerBeat: number;
  #views = new WeakMap<ArrayBufferLike, Uint32Array>();

  /**
   * Creates the instance.
   *
   * @param busBytes Beat width in bytes, a multiple of 4.
   */
  constructor(busBytes: number) {
    this.busBytes = busBytes;
    this.#wordsPerBeat = Math.max(1, busBytes >>> 2);
    const w = this.#wordsPerBeat;
    this.#beatShift = (w & (w - 1)) === 0 ? 31 - Math.clz32(w) : -1;
  }

  /** log2 of words per beat, or -1 when that is not a power of two. */
  #beatShift: number;
  #lastBuf: ArrayBufferLike | null = null;
  #lastView: Uint8Array | null = null;
  #lastViewBuf: ArrayBufferLike | null = null;
  #lastWords: Uint32Array = new Uint32Array(0);

  #words(buf: ArrayBufferLike): Uint32Array {
    let w = this.#views.get(buf);
    if (w === undefined) {
      w = new Uint32Array(buf, 0, buf.byteLength >>> 2);
      this.#views.set(buf, w);
    }
    this.#lastBuf = buf;
    this.#lastWords = w;
    return w;
  }

  /**
   * Sums bytes `[start, end)` of `b` as big-endian 16-bit words aligned at
   * `start` (an odd trailing byte is the high byte of a zero-padded word).
   *
   * @param b The bytes; a buffer from `allocBeats` takes the fast path.
   * @param start First byte.
   * @param end One past the last byte.
   * @returns The folded, uncomplemented sum, 0..0xffff.
   *
   * @example
   * ```ts
   * import { allocBeats, OnesAdder } from "./ones_adder.ts";
   * const f = allocBeats(4, 4);
   * f.set([0xff, 0xff, 0x00, 0x01]);
   * new OnesAdder(4).sum(f, 0, 4); // 1 (0xffff + 0x0001 with end-around carry)
   * ```
   */
  sum(b: Uint8Array, start: number, end: number): number {
    if (end <= start) return 0;
    // The buffer getter is a call; frames repeat, so remember the last one.
    let buf: ArrayBufferLike;
    if (b === this.#lastView) buf = this.#lastViewBuf!;
    else {
      buf = b.buffer;
      this.#lastView = b;
      this.#lastViewBuf = buf;
    }
    const byteOffset = b.byteOffset;
    const words = buf === this.#lastBuf ? this.#lastWords : this.#words(buf);
    let be: number;
    if ((byteOffset & 3) !== 0 || words.length * 4 < byteOffset + end) {
      be = this.#slowSum(b, start, end);
    } else {
      const base = byteOffset >>> 2;
      const ws = base + (start >>> 2);
      const we = base + ((end - 1) >>> 2);
      const headMask = (0xffffffff << (8 * (start & 3))) >>> 0;
      const tailMask = 0xffffffff >>> (8 * (3 - ((end - 1) & 3)));
      let acc: number;
      if (LITTLE_ENDIAN) {
        if (ws === we) {
          acc = (words[ws]! & headMask & tailMask) >>> 0;
        } else {
          acc = ((words[ws]! & headMask) >>> 0) +
            ((words[we]! & tailMask) >>> 0);
        }
      } else {
        // Big-endian host: byte k of a word sits at bits 24 − 8k.
        const hm = 0xffffffff >>> (8 * (start & 3));
        const tm = (0xffffffff << (8 * (3 - ((end - 1) & 3)))) >>> 0;
        acc = ws === we
          ? (words[ws]! & hm & tm) >>> 0
          : ((words[ws]! & hm) >>> 0) + ((words[we]! & tm) >>> 0);
      }
      // Whole beats between the masked head and tail words.
      // The lanes of each beat go through the adder tree and the beats are
      // accumulated; addition is associative, so whole beats are summed in
      // one pass with 16-bit half-lane accumulators (int32, folded every
      // 8 Ki words), which is the same arithmetic. Long runs go through the
      // SIMD lanes (`simd_lanes.ts`), which do the same sixteen lanes per
      // beat several times faster.
      let w = ws + 1;
      let lo = 0;
      let hi = 0;
      if (
        we - w >= SIMD_MIN_WORDS && LITTLE_ENDIAN && sharedLanes() !== null
      ) {
        acc += this.#simdSum(buf, w, we);
        w = we;
      }
      while (w < we) {
        const stop = Math.min(we, w + 8192);
        const stop4 = w + ((stop - w) & ~3);
        for (; w < stop4; w += 4) {
          const p = words[w]!;
          const q = words[w + 1]!;
          const r = words[w + 2]!;
          const t = words[w + 3]!;
          lo =
            (lo + (p & 0xffff) + (q & 0xffff) + (r & 0xffff) + (t & 0xffff)) |
            0;
          hi = (hi + (p >>> 16) + (q >>> 16) + (r >>> 16) + (t >>> 16)) | 0;
        }
        for (; w < stop; w++) {
          const p = words[w]!;
          lo += p & 0xffff;
          hi += p >>> 16;
        }
        acc += lo + hi;
        lo = 0;
        hi = 0;
      }
      const sh = this.#beatShift;
      this.beats += sh >= 0
        ? ((we - base) >>> sh) - ((ws - base) >>> sh) + 1
        : Math.floor((we - base) / this.#wordsPerBeat) -
          Math.floor((ws - base) / this.#wordsPerBeat) + 1;
      const f = fold(acc);
      // f is the sum of native 16-bit words, aligned at even frame offsets.
      be = LITTLE_ENDIAN ? swap16(f) : f;
    }
    if (this.oddByteWrongLane && (end & 1) === 1) {
      // The trailing byte belongs in the high lane of its word; put it low.
      const t = b[end - 1]!;
      be = fold(be + t + (~(t << 8) & 0xffff));
    }
    if ((start & 1) === 1) be = swap16(be);
    return be;
  }

  /** This adder's own kernel, holding its frame store, or null. */
  #lanes: SimdLanes | null = null;

  /**
   * A zeroed buffer of `len` bytes at a beat-aligned offset in the adder's
   * own memory, so frames built there are summed in place (the frame store
   * next to the adder). Each call returns fresh memory; earlier buffers
   * stay valid. Without SIMD lanes this is `allocBeats`.
   *
   * @param len Bytes.
   * @returns The buffer.
   *
   * @example
   * ```ts
   * import { OnesAdder } from "./ones_adder.ts";
   * const a = new OnesAdder(64);
   * const f = a.frameStore(100);
   * f.set([0x01, 0x02, 0x03]);
   * a.sum(f, 0, 3).toString(16); // "402"
   * ```
   */
  frameStore(len: number): Uint8Array {
    if (!LITTLE_ENDIAN || sharedLanes() === null) {
      return allocBeats(len, this.busBytes);
    }
    const padded = Math.ceil(len / this.busBytes) * this.busBytes;
    const k = createSimdLanes(padded + this.busBytes)!;
    this.#lanes = k;
    return new Uint8Array(k.buffer, SIMD_WINDOW_BYTES, len);
  }

  /** Folded sum of words `[from, to)` of `buf` through the SIMD lanes. */
  #simdSum(buf: ArrayBufferLike, from: number, to: number): number {
    // Frames in this adder's store are summed where they are; anything else
    // is copied through the window of the kernel all adders share.
    const own = this.#lanes;
    const inKernel = own !== null && buf === own.buffer;
    const k = inKernel ? own : sharedLanes()!;
    const chunk = SIMD_WINDOW_BYTES >>> 2;
    let s = 0;
    while (from < to) {
      const n = Math.min(to - from, chunk);
      if (inKernel) s += k.sum(from * 4, n * 4);
      else {
        k.bytes.set(new Uint8Array(buf, from * 4, n * 4), 0);
        s += k.sum(0, n * 4);
      }
      from += n;
    }
    return s;
  }

  #slowSum(b: Uint8Array, start: number, end: number): number {
    let acc = 0;
    let i = start & ~1;
    if ((start & 1) === 1) {
      acc += b[start]!;
      i = start + 1;
    }
    for (; i + 1 < end; i += 2) acc += (b[i]! << 8) | b[i + 1]!;
    if (i < end) acc += b[i]! << 8;
    this.beats += Math.ceil((end - start) / this.busBytes);
    return fold(acc);
  }
}
