/**
 * Byte helpers shared by every part of tsolab, including the NIC model.
 *
 * Network byte order (big-endian) readers and writers over plain
 * `Uint8Array`s, plus hex formatting. Nothing here knows about protocols.
 *
 * @module
 */

/**
 * Reads a big-endian 16-bit value.
 *
 * @param b The bytes.
 * @param off Offset of the first (most significant) byte.
 * @returns The value, 0..65535.
 *
 * @example Read an EtherType
 * ```ts
 * import { getU16 } from "./bytes.ts";
 * getU16(new Uint8Array([0x08, 0x00]), 0); // 0x0800
 * ```
 */
export function getU16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

/**
 * Writes a big-endian 16-bit value (the low 16 bits of `v`).
 *
 * @param b The bytes.
 * @param off Offset of the first byte.
 * @param v The value.
 *
 * @example Write a length
 * ```ts
 * import { setU16 } from "./bytes.ts";
 * const b = new Uint8Array(2);
 * setU16(b, 0, 1500);
 * ```
 */
export function setU16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

/**
 * Reads a big-endian 32-bit unsigned value.
 *
 * @param b The bytes.
 * @param off Offset of the first byte.
 * @returns The value, 0..2^32-1.
 *
 * @example Read a TCP sequence number
 * ```ts
 * import { getU32 } from "./bytes.ts";
 * getU32(new Uint8Array([0, 0, 1, 0]), 0); // 256
 * ```
 */
export function getU32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) |
    b[off + 3]!) >>> 0;
}

/**
 * Writes a big-endian 32-bit value (`v` taken modulo 2^32).
 *
 * @param b The bytes.
 * @param off Offset of the first byte.
 * @param v The value.
 *
 * @example Write a sequence number that wraps
 * ```ts
 * import { setU32 } from "./bytes.ts";
 * const b = new Uint8Array(4);
 * setU32(b, 0, 0xffffffff + 2); // stores 1
 * ```
 */
export function setU32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

/**
 * Formats a number as `0x` followed by zero-padded lowercase hex digits.
 *
 * @param v The value.
 * @param digits Minimum number of hex digits.
 * @returns The formatted string.
 *
 * @example
 * ```ts
 * import { hex } from "./bytes.ts";
 * hex(0xfb4, 8); // "0x00000fb4"
 * ```
 */
export function hex(v: number, digits = 4): string {
  return "0x" + (v >>> 0).toString(16).padStart(digits, "0");
}

/**
 * Returns true when two byte arrays hold the same bytes.
 *
 * @param a First array.
 * @param b Second array.
 * @returns Whether they are equal in length and content.
 *
 * @example
 * ```ts
 * import { bytesEqual } from "./bytes.ts";
 * bytesEqual(new Uint8Array([1]), new Uint8Array([1])); // true
 * ```
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Index of the first byte where two arrays differ, or -1 when they are
 * equal. A length difference counts as a difference at the shorter length.
 *
 * @param a First array.
 * @param b Second array.
 * @returns The offset of the first difference, or -1.
 *
 * @example
 * ```ts
 * import { firstDifference } from "./bytes.ts";
 * firstDifference(new Uint8Array([1, 2]), new Uint8Array([1, 3])); // 1
 * ```
 */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * Concatenates byte arrays into a new one.
 *
 * @param parts The arrays, in order.
 * @returns A new array holding all bytes.
 *
 * @example
 * ```ts
 * import { concatBytes } from "./bytes.ts";
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]).length; // 3
 * ```
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Formats bytes as a hex dump, 16 bytes per line, with offsets.
 *
 * @param b The bytes.
 * @param start First offset to show.
 * @param end One past the last offset to show.
 * @returns The dump, one line per 16 bytes.
 *
 * @example
 * ```ts
 * import { hexDump } from "./bytes.ts";
 * hexDump(new Uint8Array([0xde, 0xad]), 0, 2); // "0000  de ad"
 * ```
 */
export function hexDump(b: Uint8Array, start = 0, end = b.length): string {
  const lines: string[] = [];
  const s = start - (start % 16);
  for (let o = s; o < Math.min(end, b.length); o += 16) {
    const cells: string[] = [];
    for (let i = o; i < Math.min(o + 16, b.length, end); i++) {
      cells.push(b[i]!.toString(16).padStart(2, "0"));
    }
    lines.push(o.toString(16).padStart(4, "0") + "  " + cells.join(" "));
  }
  return lines.join("\n");
}
