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
  let v = 0;
  for (let i = 0; i < width; i++) {
    const bit = shift + i;
    if ((b[off + (bit >>> 3)]! >>> (bit & 7)) & 1) v += 2 ** i;
  }
  return v;
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
  for (let i = 0; i < width; i++) {
    const bit = shift + i;
    const idx = off + (bit >>> 3);
    const m = 1 << (bit & 7);
    if (Math.floor(v / 2 ** i) % 2 === 1) b[idx] = b[idx]! | m;
    else b[idx] = b[idx]! & ~m;
  }
}
