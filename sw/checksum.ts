/**
 * The Internet checksum (RFC 1071): ones'-complement sums of big-endian
 * 16-bit words, a fast path and a slow obvious reference, pseudo-header sums
 * for IPv4 and IPv6, and incremental update (RFC 1624).
 *
 * Sums are returned folded to 16 bits and not complemented (the kernel's
 * `fold16`); `checksum()` returns the complemented value that goes on the
 * wire (the kernel's `csum_fold`).
 *
 * @module
 */

/**
 * Folds a non-negative accumulator (up to 2^53) to 16 bits with end-around
 * carry, without complementing.
 *
 * @param x The accumulator.
 * @returns A value in 0..0xffff.
 *
 * @example
 * ```ts
 * import { fold16 } from "./checksum.ts";
 * fold16(0x1fffe); // 0xffff
 * ```
 */
export function fold16(x: number): number {
  while (x > 0x7fffffff) x = (x % 65536) + Math.floor(x / 65536);
  while (x > 0xffff) x = (x & 0xffff) + (x >>> 16);
  return x;
}

/**
 * Adds two 16-bit ones'-complement values (`csum16_add`).
 *
 * @param a First value, 0..0xffff.
 * @param b Second value, 0..0xffff.
 * @returns The folded sum.
 *
 * @example
 * ```ts
 * import { onesAdd } from "./checksum.ts";
 * onesAdd(0xffff, 1); // 1
 * ```
 */
export function onesAdd(a: number, b: number): number {
  const s = a + b;
  return (s & 0xffff) + (s >>> 16);
}

/**
 * Subtracts a 16-bit value in ones'-complement arithmetic (`csum16_sub`:
 * adds the complement).
 *
 * @param a The value to subtract from.
 * @param b The value to subtract.
 * @returns The folded difference.
 *
 * @example
 * ```ts
 * import { onesSub } from "./checksum.ts";
 * onesSub(0x1234, 0x0034); // 0x1200
 * ```
 */
export function onesSub(a: number, b: number): number {
  return onesAdd(a, ~b & 0xffff);
}

function swap16(x: number): number {
  return ((x & 0xff) << 8) | (x >>> 8);
}

/**
 * The slow, obvious ones'-complement sum: one byte at a time, the byte at an
 * even distance from `start` is the high byte of its word, an odd trailing
 * byte is the high byte of a zero-padded word. The fast path is checked
 * against it for every length and alignment.
 *
 * @param b The bytes.
 * @param start First byte to sum.
 * @param end One past the last byte to sum.
 * @param acc A 16-bit sum to add in.
 * @returns The folded, uncomplemented sum.
 *
 * @example
 * ```ts
 * import { onesSumReference } from "./checksum.ts";
 * onesSumReference(new Uint8Array([0x12, 0x34, 0x56])); // 0x6834
 * ```
 */
export function onesSumReference(
  b: Uint8Array,
  start = 0,
  end: number = b.length,
  acc = 0,
): number {
  let s = acc;
  for (let i = start; i < end; i++) {
    s += (i - start) % 2 === 0 ? b[i]! << 8 : b[i]!;
    s = (s & 0xffff) + (s >>> 16);
  }
  return s;
}

// 32-bit words per chunk: 16384 half-words of at most 0xffff keep each
// int32 accumulator below 2^31.
const CHUNK_WORDS = 16384;

// One 32-bit view per backing buffer, kept for the last buffer summed:
// segmenting into the same output buffer sums it many times, and making a
// view per call costs more than summing a short header.
let viewBuffer: ArrayBufferLike | null = null;
let viewWords: Int32Array = new Int32Array(0);

function wordsOf(buffer: ArrayBufferLike): Int32Array {
  if (buffer !== viewBuffer || viewWords.length * 4 + 3 < buffer.byteLength) {
    viewBuffer = buffer;
    viewWords = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
  }
  return viewWords;
}

/**
 * The ones'-complement sum of `b[start..end)` as big-endian 16-bit words,
 * plus `acc`: the fast path. Reads aligned 32-bit little-endian words and
 * sums their halves in integer accumulators, byte-swapping once at the end
 * (RFC 1071 §2(B): the sum is byte-order independent up to a swap).
 *
 * @param b The bytes.
 * @param start First byte to sum.
 * @param end One past the last byte to sum.
 * @param acc A 16-bit sum to add in.
 * @returns The folded, uncomplemented sum, 0..0xffff.
 *
 * @example
 * ```ts
 * import { onesSum } from "./checksum.ts";
 * onesSum(new Uint8Array([0x12, 0x34, 0x56])); // 0x6834
 * ```
 */
export function onesSum(
  b: Uint8Array,
  start = 0,
  end: number = b.length,
  acc = 0,
): number {
  const n = end - start;
  if (n < 64) {
    let s = acc;
    let i = start;
    for (; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
    if (i < end) s += b[i]! << 8;
    return fold16(s);
  }
  const base = b.byteOffset;
  // Sum with words paired at even absolute addresses; swap at the end when
  // `start` is odd in absolute terms.
  let be = 0; // big-endian word sum of the loose head and tail bytes
  let p = start;
  while (((base + p) & 3) !== 0) {
    be += ((base + p) & 1) === 0 ? b[p]! << 8 : b[p]!;
    p++;
  }
  const words = (end - p) >>> 2;
  const w = wordsOf(b.buffer);
  let le = 0; // folded sum of byte-swapped 16-bit halves
  let i = (base + p) >>> 2;
  const last = i + words;
  while (i < last) {
    const stop = Math.min(last, i + CHUNK_WORDS);
    let lo = 0, hi = 0;
    const stop4 = i + ((stop - i) & ~3);
    for (; i < stop4; i += 4) {
      const x = w[i]!, y = w[i + 1]!, z = w[i + 2]!, v = w[i + 3]!;
      lo = (lo + (x & 0xffff) + (y & 0xffff) + (z & 0xffff) + (v & 0xffff)) |
        0;
      hi = (hi + (x >>> 16) + (y >>> 16) + (z >>> 16) + (v >>> 16)) | 0;
    }
    for (; i < stop; i++) {
      const x = w[i]!;
      lo += x & 0xffff;
      hi += x >>> 16;
    }
    le = fold16(le + lo + hi);
  }
  p += words * 4;
  for (; p < end; p++) be += ((base + p) & 1) === 0 ? b[p]! << 8 : b[p]!;
  let total = fold16(be + swap16(le));
  if (((base + start) & 1) !== 0) total = swap16(total);
  return fold16(total + acc);
}

/**
 * The Internet checksum of `b[start..end)`: the complement of the folded
 * sum, as stored in a header (`csum_fold`).
 *
 * @param b The bytes.
 * @param start First byte.
 * @param end One past the last byte.
 * @param acc A 16-bit sum to add in (a pseudo-header sum).
 * @returns The checksum, 0..0xffff.
 *
 * @example
 * ```ts
 * import { checksum } from "./checksum.ts";
 * checksum(new Uint8Array([0x45, 0x00])); // 0xbaff
 * ```
 */
export function checksum(
  b: Uint8Array,
  start = 0,
  end: number = b.length,
  acc = 0,
): number {
  return ~onesSum(b, start, end, acc) & 0xffff;
}

/**
 * The pseudo-header sum for IPv4 (`csum_tcpudp_nofold`): source and
 * destination addresses read from the IPv4 header at `ipOffset`, protocol
 * and the 32-bit L4 length.
 *
 * @param b Bytes holding the IPv4 header.
 * @param ipOffset Offset of the IPv4 header.
 * @param proto IP protocol number (6 TCP, 17 UDP).
 * @param l4Len L4 header plus payload length (may exceed 65535).
 * @returns The folded sum `PH(len)` (the CHECKSUM_PARTIAL seed).
 *
 * @example
 * ```ts
 * import { pseudoHeaderSum4 } from "./checksum.ts";
 * const ip = new Uint8Array(20);
 * pseudoHeaderSum4(ip, 0, 6, 20); // 6 + 20
 * ```
 */
export function pseudoHeaderSum4(
  b: Uint8Array,
  ipOffset: number,
  proto: number,
  l4Len: number,
): number {
  const s = onesSumReference(b, ipOffset + 12, ipOffset + 20);
  return fold16(s + proto + (l4Len % 65536) + Math.floor(l4Len / 65536));
}

/**
 * The pseudo-header sum for IPv6 (`csum_ipv6_magic` without the fold):
 * addresses from the IPv6 header at `ipOffset`, the 32-bit length and the
 * next-header value.
 *
 * @param b Bytes holding the IPv6 header.
 * @param ipOffset Offset of the IPv6 fixed header.
 * @param proto Upper-layer protocol (6 TCP, 17 UDP).
 * @param l4Len Upper-layer packet length.
 * @returns The folded sum.
 *
 * @example
 * ```ts
 * import { pseudoHeaderSum6 } from "./checksum.ts";
 * pseudoHeaderSum6(new Uint8Array(40), 0, 17, 8); // 17 + 8
 * ```
 */
export function pseudoHeaderSum6(
  b: Uint8Array,
  ipOffset: number,
  proto: number,
  l4Len: number,
): number {
  const s = onesSumReference(b, ipOffset + 8, ipOffset + 40);
  return fold16(s + proto + (l4Len % 65536) + Math.floor(l4Len / 65536));
}

/**
 * RFC 1624 eqn. 3 incremental update of a stored (complemented) checksum
 * when one 16-bit word changes (`csum_replace2`).
 *
 * @param check The checksum as stored.
 * @param oldWord The word's old value.
 * @param newWord The word's new value.
 * @returns The updated checksum.
 *
 * @example
 * ```ts
 * import { checksumReplace16 } from "./checksum.ts";
 * checksumReplace16(0xbaff, 0x4500, 0x4501); // 0xbafe
 * ```
 */
export function checksumReplace16(
  check: number,
  oldWord: number,
  newWord: number,
): number {
  const s = onesAdd(onesAdd(~check & 0xffff, ~oldWord & 0xffff), newWord);
  return ~s & 0xffff;
}

/**
 * The kernel's `csum_add()` on 32-bit unfolded sums: add with end-around
 * carry, kept in 32 bits. Used where the kernel's exact bit pattern of a seed
 * matters (a seed left in a header for the device).
 *
 * @param a A 32-bit sum.
 * @param b A 32-bit value.
 * @returns The 32-bit sum with the carry wrapped in.
 *
 * @example
 * ```ts
 * import { csumAdd } from "./checksum.ts";
 * csumAdd(0xffffffff, 2); // 2
 * ```
 */
export function csumAdd(a: number, b: number): number {
  const r = (a + b) >>> 0;
  return r < (b >>> 0) ? (r + 1) >>> 0 : r;
}

/**
 * The kernel's `csum_sub()`: `csum_add(a, ~b)` in 32 bits.
 *
 * @param a A 32-bit sum.
 * @param b The 32-bit value to subtract.
 * @returns The 32-bit difference.
 *
 * @example
 * ```ts
 * import { csumSub } from "./checksum.ts";
 * csumSub(10, 3); // 7
 * ```
 */
export function csumSub(a: number, b: number): number {
  return csumAdd(a, ~b >>> 0);
}

/**
 * Folds a 32-bit sum to 16 bits without complementing: `~csum_fold(x)` in
 * kernel terms, the value a CHECKSUM_PARTIAL seed field holds. Zero only
 * when `x` is zero.
 *
 * @param x A 32-bit sum.
 * @returns The folded value.
 *
 * @example
 * ```ts
 * import { csumFoldKeep } from "./checksum.ts";
 * csumFoldKeep(0x0001fffe); // 0xffff
 * ```
 */
export function csumFoldKeep(x: number): number {
  let s = (x & 0xffff) + (x >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s & 0xffff;
}

/**
 * The kernel's `csum16_add()`: a 16-bit add with end-around carry, exactly
 * as the kernel computes it (so `csum16_add(0, 0)` stays 0).
 *
 * @param a 16-bit value.
 * @param b 16-bit value.
 * @returns The 16-bit result.
 *
 * @example
 * ```ts
 * import { csum16Add } from "./checksum.ts";
 * csum16Add(0xffff, 1); // 1
 * ```
 */
export function csum16Add(a: number, b: number): number {
  let r = (a + b) & 0xffff;
  if (r < b) r = (r + 1) & 0xffff;
  return r;
}

/**
 * The kernel's `csum16_sub()`: `csum16_add(a, ~b)`.
 *
 * @param a 16-bit value.
 * @param b 16-bit value to subtract.
 * @returns The 16-bit result.
 *
 * @example
 * ```ts
 * import { csum16Sub } from "./checksum.ts";
 * csum16Sub(0x1234, 0x0034); // 0x1200
 * ```
 */
export function csum16Sub(a: number, b: number): number {
  return csum16Add(a, ~b & 0xffff);
}

/**
 * The kernel's `inet_proto_csum_replace4/16/2()`: updates a stored L4
 * checksum when the bytes `from` (an address or a port, as in the header)
 * become `to`.
 *
 * - Not CHECKSUM_PARTIAL: the complemented old bytes and the new ones are
 *   added to `~csum_unfold(check)`, whose high half is 0xffff, so the 32-bit
 *   sum is never zero and the result never 0xffff (`csum_fold` of a
 *   non-zero sum).
 * - CHECKSUM_PARTIAL: the field holds the pseudo-header seed, which only an
 *   address change (`pseudohdr`) moves; the sum starts from the seed itself
 *   and is stored folded, not complemented. A port change leaves it alone.
 *
 * @param check The checksum as stored.
 * @param from The old bytes (even length).
 * @param to The new bytes (same length).
 * @param partial True when the packet is CHECKSUM_PARTIAL.
 * @param pseudohdr True when the bytes are part of the pseudo-header.
 * @returns The updated checksum field.
 *
 * @example
 * ```ts
 * import { inetProtoCsumReplace } from "./checksum.ts";
 * const from = Uint8Array.of(0x12, 0x34);
 * const to = Uint8Array.of(0x12, 0x35);
 * // A finished checksum drops by one when a word grows by one.
 * inetProtoCsumReplace(0x5000, from, to, false, false); // 0x4fff
 * // A seed moves the other way, and only for pseudo-header bytes.
 * inetProtoCsumReplace(0x5000, from, to, true, true); // 0x5001
 * inetProtoCsumReplace(0x5000, from, to, true, false); // 0x5000
 * ```
 */
export function inetProtoCsumReplace(
  check: number,
  from: Uint8Array,
  to: Uint8Array,
  partial: boolean,
  pseudohdr: boolean,
): number {
  if (partial && !pseudohdr) return check;
  let s = partial ? check : ~check & 0xffff;
  for (let i = 0; i + 1 < from.length; i += 2) {
    s += ~((from[i]! << 8) | from[i + 1]!) & 0xffff;
    s += (to[i]! << 8) | to[i + 1]!;
  }
  if (partial) return s === 0 ? 0 : s % 0xffff || 0xffff;
  s %= 0xffff;
  return ~(s === 0 ? 0xffff : s) & 0xffff;
}
