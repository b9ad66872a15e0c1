/**
 * UDP header codec (RFC 768).
 *
 * @module
 */

import { getU16, setU16 } from "./bytes.ts";
import { DecodeError } from "./decode_error.ts";
import { ensureRoom } from "./encode_error.ts";

/**
 * Length of a UDP header in bytes.
 *
 * @example
 * ```ts
 * import { UDP_HEADER_LEN } from "./udp.ts";
 * UDP_HEADER_LEN; // 8
 * ```
 */
export const UDP_HEADER_LEN = 8;

/**
 * A decoded UDP header.
 *
 * @example
 * ```ts
 * import type { UdpHeader } from "./udp.ts";
 * const h: UdpHeader = { srcPort: 5000, dstPort: 4789, length: 108, checksum: 0 };
 * ```
 */
export interface UdpHeader {
  /** Source port. */
  srcPort: number;
  /** Destination port. */
  dstPort: number;
  /** `len`: header plus payload (0 in an IPv6 jumbogram). */
  length: number;
  /** Checksum as stored (0 means none over IPv4). */
  checksum: number;
}

/**
 * Decodes the UDP header at `off`. The length field is not checked (see
 * `parsePacket` for that).
 *
 * @param b The bytes.
 * @param off Offset of the header.
 * @returns The header.
 * @throws {DecodeError} When fewer than 8 bytes remain.
 *
 * @example
 * ```ts
 * import { decodeUdp } from "./udp.ts";
 * decodeUdp(new Uint8Array([0, 53, 0x12, 0xb5, 0, 8, 0, 0]), 0).dstPort; // 4789
 * ```
 */
export function decodeUdp(b: Uint8Array, off = 0): UdpHeader {
  if (off + UDP_HEADER_LEN > b.length) {
    throw new DecodeError(
      "UDP header",
      off,
      "header",
      `needs 8 bytes, ${Math.max(0, b.length - off)} remain`,
    );
  }
  return {
    srcPort: getU16(b, off),
    dstPort: getU16(b, off + 2),
    length: getU16(b, off + 4),
    checksum: getU16(b, off + 6),
  };
}

/**
 * The number of bytes {@linkcode encodeUdp} writes: always 8.
 *
 * @param _h The header.
 * @returns 8.
 *
 * @example
 * ```ts
 * import { udpEncodedLen } from "./udp.ts";
 * udpEncodedLen({ srcPort: 1, dstPort: 2, length: 8, checksum: 0 }); // 8
 * ```
 */
export function udpEncodedLen(_h: UdpHeader): number {
  return UDP_HEADER_LEN;
}

/**
 * Encodes a UDP header at `off`, every field as given (modulo 16 bits).
 *
 * @param h The header.
 * @param b The output buffer.
 * @param off Where the header goes.
 * @returns The number of bytes written (8).
 * @throws {EncodeError} When `b` is too small.
 *
 * @example
 * ```ts
 * import { encodeUdp } from "./udp.ts";
 * const b = new Uint8Array(8);
 * encodeUdp({ srcPort: 1, dstPort: 2, length: 8, checksum: 0 }, b, 0); // 8
 * ```
 */
export function encodeUdp(h: UdpHeader, b: Uint8Array, off: number): number {
  ensureRoom("UDP header", b, off, UDP_HEADER_LEN);
  setU16(b, off, h.srcPort);
  setU16(b, off + 2, h.dstPort);
  setU16(b, off + 4, h.length);
  setU16(b, off + 6, h.checksum);
  return UDP_HEADER_LEN;
}
