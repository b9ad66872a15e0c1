/**
 * The adder's wide lanes: a small WebAssembly SIMD kernel that sums a run
 * of whole 32-bit words the way the adder tree does, one 64-byte beat per
 * step (four 16-byte loads, each folded pairwise into four 32-bit lanes of
 * 16-bit sums, beats accumulated, lanes and carries folded once at the
 * end). It is the model's own arithmetic, assembled here from opcodes; the
 * kernel sees only its own memory, so callers copy words into its window
 * (or keep frames there). When WebAssembly SIMD is unavailable, `null`
 * tells the adder to sum in JavaScript.
 *
 * @module
 */

/** Bytes of the kernel's copy window (one WebAssembly page). */
export const SIMD_WINDOW_BYTES = 65536;

/**
 * A kernel instance: its memory and the sum over it.
 *
 * @example
 * ```ts
 * import { createSimdLanes } from "./simd_lanes.ts";
 * const k = createSimdLanes(0);
 * if (k !== null) {
 *   k.bytes.set([1, 0, 2, 0], 0);
 *   k.sum(0, 4); // 3 (0x0001 + 0x0002 as little-endian lanes)
 * }
 * ```
 */
export interface SimdLanes {
  /** The kernel's memory: the copy window, then any extra bytes asked for. */
  bytes: Uint8Array;
  /** `bytes.buffer`. */
  buffer: ArrayBufferLike;
  /**
   * Sums bytes `[off, off + len)` of `bytes` as native-order 16-bit lanes.
   * `off` and `len` are multiples of 4 and `len` ≤ 256 KiB (lanes of
   * 32 bits cannot overflow below that).
   *
   * @param off First byte.
   * @param len Byte count.
   * @returns The folded sum, 0..0xffff (0 only for all-zero words).
   */
  sum(off: number, len: number): number;
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function section(id: number, bytes: number[]): number[] {
  return [id, ...uleb(bytes.length), ...bytes];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
}

// Value types and opcodes used below.
const I32 = 0x7f;
const I64 = 0x7e;
const V128 = 0x7b;
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const GET = 0x20;
const SET = 0x21;
const I32_LOAD = 0x28;
const I32_CONST = 0x41;
const I64_CONST = 0x42;
const I32_GE_U = 0x4f;
const I32_GT_U = 0x4b;
const I64_LE_U = 0x58;
const I32_ADD = 0x6a;
const I32_AND = 0x71;
const I32_SHR_U = 0x76;
const I64_ADD = 0x7c;
const I64_AND = 0x83;
const I64_SHR_U = 0x88;
const I32_WRAP_I64 = 0xa7;
const I64_EXTEND_I32_U = 0xad;
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const I32X4_EXTRACT_LANE = 0x1b;
const I32X4_EXTADD_PAIRWISE_I16X8_U = 0x7f;
const I32X4_ADD = 0xae;

// Locals: 0 off, 1 len (params); 2 end; 3 acc (v128); 4 s (i64); 5 t.
const OFF = 0;
const LEN = 1;
const STOP = 2;
const ACC = 3;
const S = 4;
const T = 5;

function kernelBody(): number[] {
  const b: number[] = [];
  // end = off + len
  b.push(GET, OFF, GET, LEN, I32_ADD, SET, STOP);
  // Whole beats: while (off + 64 <= end) { acc += pairwise(load ×4); off += 64 }
  b.push(BLOCK, VOID, LOOP, VOID);
  b.push(GET, OFF, I32_CONST, ...sleb(64), I32_ADD, GET, STOP, I32_GT_U);
  b.push(BR_IF, 1);
  // An adder tree: ((q0 + q1) + (q2 + q3)) + acc, one add on the
  // accumulator's chain per beat.
  const quarter = (k: number) => [
    GET,
    OFF,
    SIMD,
    ...uleb(V128_LOAD),
    0,
    ...uleb(16 * k),
    SIMD,
    ...uleb(I32X4_EXTADD_PAIRWISE_I16X8_U),
  ];
  const add = [SIMD, ...uleb(I32X4_ADD)];
  b.push(...quarter(0), ...quarter(1), ...add);
  b.push(...quarter(2), ...quarter(3), ...add, ...add);
  b.push(GET, ACC, ...add, SET, ACC);
  b.push(GET, OFF, I32_CONST, ...sleb(64), I32_ADD, SET, OFF, BR, 0, END, END);
  // Remaining words: s += (t & 0xffff) + (t >>> 16)
  b.push(BLOCK, VOID, LOOP, VOID);
  b.push(GET, OFF, GET, STOP, I32_GE_U, BR_IF, 1);
  b.push(GET, OFF, I32_LOAD, 2, 0, SET, T);
  b.push(GET, S, GET, T, I32_CONST, ...sleb(0xffff), I32_AND, I64_EXTEND_I32_U);
  b.push(I64_ADD, GET, T, I32_CONST, ...sleb(16), I32_SHR_U, I64_EXTEND_I32_U);
  b.push(I64_ADD, SET, S);
  b.push(GET, OFF, I32_CONST, ...sleb(4), I32_ADD, SET, OFF, BR, 0, END, END);
  // s += the four lanes
  for (let l = 0; l < 4; l++) {
    b.push(GET, S, GET, ACC, SIMD, ...uleb(I32X4_EXTRACT_LANE), l);
    b.push(I64_EXTEND_I32_U, I64_ADD, SET, S);
  }
  // Fold: while (s > 0xffff) s = (s & 0xffff) + (s >>> 16)
  b.push(BLOCK, VOID, LOOP, VOID);
  b.push(GET, S, I64_CONST, ...sleb(0xffff), I64_LE_U, BR_IF, 1);
  b.push(GET, S, I64_CONST, ...sleb(0xffff), I64_AND);
  b.push(GET, S, I64_CONST, ...sleb(16), I64_SHR_U, I64_ADD, SET, S);
  b.push(BR, 0, END, END);
  b.push(GET, S, I32_WRAP_I64, END);
  return b;
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const body = kernelBody();
  // Local declarations: i32 end, v128 acc, i64 s, i32 t.
  const fn = [4, 1, I32, 1, V128, 1, I64, 1, I32, ...body];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 2, I32, I32, 1, I32]), // (i32, i32) -> i32
    ...section(2, [1, ...name("env"), ...name("mem"), 0x02, 0x00, 0x01]), // memory import, min 1 page
    ...section(3, [1, 0]),
    ...section(7, [1, ...name("sum"), 0x00, 0x00]),
    ...section(10, [1, ...uleb(fn.length), ...fn]),
  ]);
}

let compiled: WebAssembly.Module | null | undefined;

function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(moduleBytes());
    } catch {
      compiled = null; // no WebAssembly, or no SIMD
    }
  }
  return compiled;
}

/**
 * Instantiates the kernel with a copy window and `extraBytes` more memory
 * after it (for frames that live in the kernel's memory).
 *
 * @param extraBytes Bytes after the window.
 * @returns The kernel, or null when WebAssembly SIMD is unavailable.
 *
 * @example
 * ```ts
 * import { createSimdLanes, SIMD_WINDOW_BYTES } from "./simd_lanes.ts";
 * const k = createSimdLanes(4096);
 * k === null || k.bytes.length >= SIMD_WINDOW_BYTES + 4096; // true
 * ```
 */
export function createSimdLanes(extraBytes: number): SimdLanes | null {
  const mod = kernelModule();
  if (mod === null) return null;
  const pages = 1 + Math.ceil(extraBytes / 65536);
  const mem = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const inst = new WebAssembly.Instance(mod, { env: { mem } });
  const sum = inst.exports.sum as (off: number, len: number) => number;
  return { bytes: new Uint8Array(mem.buffer), buffer: mem.buffer, sum };
}
