/**
 * Little-endian field access for descriptor bytes (private helpers).
 *
 * @module
 */

/**
 * Reads a little-endian 32-bit value.
 *
 * @param b Bytes.
 * @param off Offset.
 * @returns The value.
 */
export function le32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) |
    (b[off + 3]! << 24)) >>> 0;
}

/**
 * Writes a little-endian 32-bit value.
 *
 * @param b Bytes.
 * @param off Offset.
 * @param v Value (taken modulo 2^32).
 */
export function setLe32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

/**
 * Reads a little-endian 64-bit value that fits in a double (< 2^53).
 *
 * @param b Bytes.
 * @param off Offset.
 * @returns The value.
 */
export function le64(b: Uint8Array, off: number): number {
  return le32(b, off) + le32(b, off + 4) * 0x1_0000_0000;
}

/**
 * Writes a little-endian 64-bit value (< 2^53).
 *
 * @param b Bytes.
 * @param off Offset.
 * @param v Value.
 */
export function setLe64(b: Uint8Array, off: number, v: number): void {
  setLe32(b, off, v % 0x1_0000_0000);
  setLe32(b, off + 4, Math.floor(v / 0x1_0000_0000));
}

/**
 * Reads bits `[shift, shift + width)` of the little-endian quadword at `off`.
 *
 * @param b Bytes.
 * @param off Offset of the quadword.
 * @param shift First bit.
 * @param width Number of bits (≤ 32).
 * @returns The field.
 */
export function getBits(
  b: Uint8Array,
  off: number,
  shift: number,
  width: number,
): number {
  const lo = le32(b, off);
  const hi = le32(b, off + 4);
  const mask = width === 32 ? 0xffffffff : (2 ** width) - 1;
  if (shift >= 32) return (hi >>> (shift - 32)) & mask;
  if (shift + width <= 32) return ((lo >>> shift) & mask) >>> 0;
  const loBits = 32 - shift;
  return ((lo >>> shift) +
    (hi & ((1 << (width - loBits)) - 1)) * 2 ** loBits) >>>
    0;
}

/**
 * Writes bits `[shift, shift + width)` of the little-endian quadword at `off`.
 *
 * @param b Bytes.
 * @param off Offset of the quadword.
 * @param shift First bit.
 * @param width Number of bits (≤ 32).
 * @param v The field value (masked to `width` bits).
 */
export function setBits(
  b: Uint8Array,
  off: number,
  shift: number,
  width: number,
  v: number,
): void {
  let lo = le32(b, off);
  let hi = le32(b, off + 4);
  const val = v % 2 ** width;
  if (shift >= 32) {
    const m = ((2 ** width - 1) * 2 ** (shift - 32)) >>> 0;
    hi = ((hi & ~m) | ((val * 2 ** (shift - 32)) >>> 0 & m)) >>> 0;
  } else if (shift + width <= 32) {
    const m = ((2 ** width - 1) * 2 ** shift) >>> 0;
    lo = ((lo & ~m) | ((val * 2 ** shift) >>> 0 & m)) >>> 0;
  } else {
    const loBits = 32 - shift;
    const loVal = val % 2 ** loBits;
    const hiVal = Math.floor(val / 2 ** loBits);
    const mLo = ((2 ** loBits - 1) * 2 ** shift) >>> 0;
    lo = ((lo & ~mLo) | ((loVal * 2 ** shift) >>> 0)) >>> 0;
    const mHi = (2 ** (width - loBits)) - 1;
    hi = ((hi & ~mHi) | hiVal) >>> 0;
  }
  setLe32(b, off, lo);
  setLe32(b, off + 4, hi);
}
