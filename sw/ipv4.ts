/**
 * IPv4 header codec (RFC 791), options kept as raw bytes, and the header
 * checksum.
 *
 * @module
 */

import { getU16, setU16 } from "./bytes.ts";
import { checksum, onesSum } from "./checksum.ts";
import { DecodeError } from "./decode_error.ts";
import { EncodeError, ensureRoom } from "./encode_error.ts";

const WHAT = "IPv4 header";

/**
 * A decoded IPv4 header. `src`, `dst` and `options` are views into the
 * decoded buffer, not copies.
 *
 * @example
 * ```ts
 * import type { Ipv4Header } from "./ipv4.ts";
 * const h: Ipv4Header = {
 *   ihl: 5, dscp: 0, ecn: 0, totalLen: 40, id: 1, reservedFlag: false,
 *   df: true, mf: false, fragOffset: 0, ttl: 64, protocol: 6, checksum: 0,
 *   src: new Uint8Array([10, 0, 0, 1]), dst: new Uint8Array([10, 0, 0, 2]),
 *   options: new Uint8Array(0),
 * };
 * ```
 */
export interface Ipv4Header {
  /**
   * Header length in 32-bit words; set by decode, ignored by encode, which
   * writes `5 + options.length / 4`.
   */
  ihl: number;
  /** Differentiated services code point, 0..63. */
  dscp: number;
  /** ECN field, 0..3. */
  ecn: number;
  /** `tot_len`: header plus payload (0 for a BIG TCP packet). */
  totalLen: number;
  /** Identification. */
  id: number;
  /** The reserved (evil) flag bit. */
  reservedFlag: boolean;
  /** Don't fragment. */
  df: boolean;
  /** More fragments. */
  mf: boolean;
  /** Fragment offset in units of 8 bytes, 0..8191. */
  fragOffset: number;
  /** Time to live. */
  ttl: number;
  /** Upper-layer protocol (6 TCP, 17 UDP). */
  protocol: number;
  /** Header checksum as stored. */
  checksum: number;
  /** Source address (4 bytes). */
  src: Uint8Array;
  /** Destination address (4 bytes). */
  dst: Uint8Array;
  /** Option bytes (including any padding), 0..40 bytes, a multiple of 4. */
  options: Uint8Array;
}

/**
 * Checks the IPv4 header at `off` for truncation and a valid IHL, without
 * looking at the version or the length fields, and returns its length.
 * The frame layout parser uses it on every frame.
 *
 * @param b The bytes.
 * @param off Offset of the header.
 * @param end One past the last byte the header may use.
 * @param endName What `end` is, for the message (`frame`, `UDP datagram`).
 * @returns The header length in bytes (IHL × 4).
 * @throws {DecodeError} When fewer than 20 bytes remain (field `header`),
 * the IHL is below 5 or the header runs past `end` (field `ihl`).
 *
 * @example
 * ```ts
 * import { ipv4HeaderLen } from "./ipv4.ts";
 * const b = new Uint8Array(20);
 * b[0] = 0x45;
 * ipv4HeaderLen(b, 0, b.length); // 20
 * ```
 */
export function ipv4HeaderLen(
  b: Uint8Array,
  off: number,
  end: number,
  endName = "frame",
): number {
  if (off + 20 > end) {
    throw new DecodeError(
      WHAT,
      off,
      "header",
      `needs 20 bytes, ${Math.max(0, end - off)} remain in the ${endName}`,
    );
  }
  const ihl = b[off]! & 0x0f;
  if (ihl < 5) {
    throw new DecodeError(WHAT, off, "ihl", `ihl ${ihl} is below 5`);
  }
  const hl = ihl * 4;
  if (off + hl > end) {
    throw new DecodeError(
      WHAT,
      off,
      "ihl",
      `ihl ${ihl} (${hl} bytes) runs past the end of the ${endName} at offset ${end}`,
    );
  }
  return hl;
}

/**
 * Decodes the IPv4 header at `off`. Length fields are not checked against
 * the buffer beyond the header itself (see `parsePacket` for that).
 *
 * @param b The bytes.
 * @param off Offset of the header.
 * @returns The header; addresses and options are views into `b`.
 * @throws {DecodeError} When the version is not 4, the IHL is below 5 or
 * the header is truncated.
 *
 * @example
 * ```ts
 * import { decodeIpv4 } from "./ipv4.ts";
 * const b = new Uint8Array(20);
 * b[0] = 0x45;
 * b[9] = 17;
 * decodeIpv4(b, 0).protocol; // 17
 * ```
 */
export function decodeIpv4(b: Uint8Array, off = 0): Ipv4Header {
  if (off < b.length && b[off]! >>> 4 !== 4) {
    throw new DecodeError(
      WHAT,
      off,
      "version",
      `version ${b[off]! >>> 4} is not 4`,
    );
  }
  const hl = ipv4HeaderLen(b, off, b.length, "buffer");
  const tos = b[off + 1]!;
  const frag = getU16(b, off + 6);
  return {
    ihl: hl >>> 2,
    dscp: tos >>> 2,
    ecn: tos & 3,
    totalLen: getU16(b, off + 2),
    id: getU16(b, off + 4),
    reservedFlag: (frag & 0x8000) !== 0,
    df: (frag & 0x4000) !== 0,
    mf: (frag & 0x2000) !== 0,
    fragOffset: frag & 0x1fff,
    ttl: b[off + 8]!,
    protocol: b[off + 9]!,
    checksum: getU16(b, off + 10),
    src: b.subarray(off + 12, off + 16),
    dst: b.subarray(off + 16, off + 20),
    options: b.subarray(off + 20, off + hl),
  };
}

/**
 * The number of bytes {@linkcode encodeIpv4} writes for a header.
 *
 * @param h The header.
 * @returns 20 plus the option bytes.
 *
 * @example
 * ```ts
 * import { decodeIpv4, ipv4EncodedLen } from "./ipv4.ts";
 * const b = new Uint8Array(24);
 * b[0] = 0x46;
 * ipv4EncodedLen(decodeIpv4(b, 0)); // 24
 * ```
 */
export function ipv4EncodedLen(h: Ipv4Header): number {
  return 20 + h.options.length;
}

/**
 * Encodes an IPv4 header at `off`. The IHL is derived from `options`;
 * `checksum` and `totalLen` are written as given (use
 * {@linkcode ipv4HeaderChecksum} to fill in the checksum). Numeric fields
 * are written modulo their width.
 *
 * @param h The header.
 * @param b The output buffer.
 * @param off Where the header goes.
 * @returns The number of bytes written.
 * @throws {EncodeError} When the options are not a multiple of 4 bytes or
 * longer than 40, an address is not 4 bytes, or `b` is too small.
 *
 * @example
 * ```ts
 * import { decodeIpv4, encodeIpv4, ipv4HeaderChecksum } from "./ipv4.ts";
 * import { setU16 } from "./bytes.ts";
 * const b = new Uint8Array(20);
 * b[0] = 0x45;
 * const out = new Uint8Array(20);
 * encodeIpv4(decodeIpv4(b, 0), out, 0);
 * setU16(out, 10, ipv4HeaderChecksum(out, 0));
 * ```
 */
export function encodeIpv4(h: Ipv4Header, b: Uint8Array, off: number): number {
  const optLen = h.options.length;
  if (optLen % 4 !== 0 || optLen > 40) {
    throw new EncodeError(
      WHAT,
      off,
      "options",
      `options length ${optLen} is not a multiple of 4 up to 40`,
    );
  }
  if (h.src.length !== 4) {
    throw new EncodeError(
      WHAT,
      off,
      "saddr",
      `saddr has ${h.src.length} bytes, not 4`,
    );
  }
  if (h.dst.length !== 4) {
    throw new EncodeError(
      WHAT,
      off,
      "daddr",
      `daddr has ${h.dst.length} bytes, not 4`,
    );
  }
  const len = 20 + optLen;
  ensureRoom(WHAT, b, off, len);
  b[off] = 0x40 | (len >>> 2);
  b[off + 1] = ((h.dscp & 0x3f) << 2) | (h.ecn & 3);
  setU16(b, off + 2, h.totalLen);
  setU16(b, off + 4, h.id);
  setU16(
    b,
    off + 6,
    (h.reservedFlag ? 0x8000 : 0) | (h.df ? 0x4000 : 0) | (h.mf ? 0x2000 : 0) |
      (h.fragOffset & 0x1fff),
  );
  b[off + 8] = h.ttl & 0xff;
  b[off + 9] = h.protocol & 0xff;
  setU16(b, off + 10, h.checksum);
  b.set(h.src, off + 12);
  b.set(h.dst, off + 16);
  b.set(h.options, off + 20);
  return len;
}

/**
 * The header checksum the IPv4 header at `off` should carry, computed over
 * IHL × 4 bytes as if the checksum field were zero (`ip_send_check`).
 *
 * To compute: store the result at `off + 10`. To verify: compare it with
 * the stored value (`getU16(b, off + 10)`).
 *
 * @param b The bytes; the IHL at `off` must be valid and the header present.
 * @param off Offset of the header.
 * @returns The checksum, 0..0xffff.
 *
 * @example Verify a received header
 * ```ts
 * import { ipv4HeaderChecksum } from "./ipv4.ts";
 * import { getU16 } from "./bytes.ts";
 * const b = new Uint8Array(20);
 * b[0] = 0x45;
 * const ok = ipv4HeaderChecksum(b, 0) === getU16(b, 10); // false: field is 0
 * ```
 */
export function ipv4HeaderChecksum(b: Uint8Array, off: number): number {
  const hl = (b[off]! & 0x0f) * 4;
  return checksum(b, off + 12, off + hl, onesSum(b, off, off + 10));
}
