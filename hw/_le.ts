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
  // v mod 2^32 without a floating-point remainder (same low bytes).
  setLe32(b, off, v - Math.floor(v / 0x1_0000_0000) * 0x1_0000_0000);
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
  if (shift >= 32) {
    const v = le32(b, off + 4) >>> (shift - 32);
    return width === 32 ? v >>> 0 : (v & ((1 << width) - 1)) >>> 0;
  }
  const lo = le32(b, off);
  if (shift + width <= 32) {
    const v = lo >>> shift;
    return width === 32 ? v >>> 0 : (v & ((1 << width) - 1)) >>> 0;
  }
  const loBits = 32 - shift;
  const hi = le32(b, off + 4) & ((1 << (width - loBits)) - 1);
  return (lo >>> shift) + hi * 2 ** loBits;
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
  if (shift >= 32 || shift + width <= 32) {
    const o = shift >= 32 ? off + 4 : off;
    const sh = shift >= 32 ? shift - 32 : shift;
    const m = width === 32 ? 0xffffffff : (((1 << width) - 1) << sh) >>> 0;
    const cur = le32(b, o);
    setLe32(b, o, ((cur & ~m) | ((v << sh) & m)) >>> 0);
    return;
  }
  const loBits = 32 - shift;
  const loM = (((1 << loBits) - 1) << shift) >>> 0;
  setLe32(b, off, ((le32(b, off) & ~loM) | ((v << shift) & loM)) >>> 0);
  const hiBits = width - loBits;
  const hiM = (1 << hiBits) - 1;
  const hiV = Math.floor(v / 2 ** loBits) & hiM;
  setLe32(b, off + 4, ((le32(b, off + 4) & ~hiM) | hiV) >>> 0);
}
