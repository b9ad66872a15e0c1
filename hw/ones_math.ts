/**
 * 16-bit ones'-complement arithmetic for header fields (the model's own;
 * the reference's checksum code is off limits to `hw/`).
 *
 * @module
 */

/**
 * Folds a non-negative accumulator to 16 bits with end-around carry.
 *
 * @param x Accumulator (< 2^53).
 * @returns 0..0xffff.
 *
 * @example
 * ```ts
 * import { fold } from "./ones_math.ts";
 * fold(0x1fffe); // 0xffff
 * ```
 */
export function fold(x: number): number {
  while (x > 0xffff) {
    // x >>> 16 is floor(x / 65536) below 2^32, without a division.
    x = (x & 0xffff) + (x < 0x1_0000_0000 ? x >>> 16 : Math.floor(x / 65536));
  }
  return x;
}

/**
 * Adds 16-bit values in ones'-complement arithmetic.
 *
 * @param values The values.
 * @returns The folded sum.
 *
 * @example
 * ```ts
 * import { onesAdd } from "./ones_math.ts";
 * onesAdd(0xffff, 2); // 2
 * ```
 */
export function onesAdd(...values: number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return fold(s);
}

/**
 * Adds a 32-bit quantity (two 16-bit halves), e.g. a length.
 *
 * @param sum A 16-bit sum.
 * @param v A value < 2^32.
 * @returns The folded sum.
 *
 * @example
 * ```ts
 * import { onesAdd32 } from "./ones_math.ts";
 * onesAdd32(0, 0x10001); // 2
 * ```
 */
export function onesAdd32(sum: number, v: number): number {
  // v >>> 16 is floor(v / 65536) for 0 <= v < 2^32, without a division.
  return fold(
    sum + (v & 0xffff) +
      (v >= 0 && v < 0x1_0000_0000 ? v >>> 16 : Math.floor(v / 65536)),
  );
}

/**
 * Subtracts a 32-bit quantity (adds the complements of its halves), as
 * `csum_replace_by_diff(field, htonl(v))` does to an uncomplemented field.
 *
 * @param sum A 16-bit sum.
 * @param v A value < 2^32.
 * @returns The folded difference.
 *
 * @example
 * ```ts
 * import { onesAdd32, onesSub32 } from "./ones_math.ts";
 * onesSub32(onesAdd32(0x1234, 1500), 1500); // 0x1234
 * ```
 */
export function onesSub32(sum: number, v: number): number {
  return fold(
    sum + (~v & 0xffff) + (~Math.floor(v / 65536) & 0xffff),
  );
}

/**
 * Swaps the bytes of a 16-bit value (a sum over a range that starts at an
 * odd offset relative to another).
 *
 * @param x 0..0xffff.
 * @returns The swapped value.
 *
 * @example
 * ```ts
 * import { swap16 } from "./ones_math.ts";
 * swap16(0x1234); // 0x3412
 * ```
 */
export function swap16(x: number): number {
  return ((x & 0xff) << 8) | (x >>> 8);
}
