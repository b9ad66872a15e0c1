/**
 * VXLAN header codec (RFC 7348): 8 bytes of flags, reserved bits and the
 * 24-bit VNI, carried in UDP to port 4789.
 *
 * @module
 */

import { DecodeError } from "./decode_error.ts";
import { ensureRoom } from "./encode_error.ts";

/**
 * The IANA UDP port of VXLAN.
 *
 * @example
 * ```ts
 * import { VXLAN_PORT } from "./vxlan.ts";
 * VXLAN_PORT; // 4789
 * ```
 */
export const VXLAN_PORT = 4789;

/**
 * Length of a VXLAN header in bytes.
 *
 * @example
 * ```ts
 * import { VXLAN_HEADER_LEN } from "./vxlan.ts";
 * VXLAN_HEADER_LEN; // 8
 * ```
 */
export const VXLAN_HEADER_LEN = 8;

/**
 * The I flag: the VNI is valid (must be set on VXLAN frames).
 *
 * @example
 * ```ts
 * import { VXLAN_FLAG_I } from "./vxlan.ts";
 * const valid = (0x08 & VXLAN_FLAG_I) !== 0; // true
 * ```
 */
export const VXLAN_FLAG_I = 0x08;

/**
 * A decoded VXLAN header.
 *
 * @example
 * ```ts
 * import type { VxlanHeader } from "./vxlan.ts";
 * const h: VxlanHeader = { flags: 0x08, reserved1: 0, vni: 7, reserved2: 0 };
 * ```
 */
export interface VxlanHeader {
  /** The flags byte; see {@linkcode VXLAN_FLAG_I}. */
  flags: number;
  /** The 24 reserved bits after the flags. */
  reserved1: number;
  /** VXLAN network identifier, 0..0xffffff. */
  vni: number;
  /** The reserved byte after the VNI. */
  reserved2: number;
}

/**
 * Decodes the VXLAN header at `off`.
 *
 * @param b The bytes.
 * @param off Offset of the header.
 * @returns The header.
 * @throws {DecodeError} When fewer than 8 bytes remain.
 *
 * @example
 * ```ts
 * import { decodeVxlan } from "./vxlan.ts";
 * decodeVxlan(new Uint8Array([8, 0, 0, 0, 0, 0, 7, 0]), 0).vni; // 7
 * ```
 */
export function decodeVxlan(b: Uint8Array, off = 0): VxlanHeader {
  if (off + VXLAN_HEADER_LEN > b.length) {
    throw new DecodeError(
      "VXLAN header",
      off,
      "header",
      `needs 8 bytes, ${Math.max(0, b.length - off)} remain`,
    );
  }
  return {
    flags: b[off]!,
    reserved1: (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!,
    vni: (b[off + 4]! << 16) | (b[off + 5]! << 8) | b[off + 6]!,
    reserved2: b[off + 7]!,
  };
}

/**
 * The number of bytes {@linkcode encodeVxlan} writes: always 8.
 *
 * @param _h The header.
 * @returns 8.
 *
 * @example
 * ```ts
 * import { vxlanEncodedLen } from "./vxlan.ts";
 * vxlanEncodedLen({ flags: 8, reserved1: 0, vni: 1, reserved2: 0 }); // 8
 * ```
 */
export function vxlanEncodedLen(_h: VxlanHeader): number {
  return VXLAN_HEADER_LEN;
}

/**
 * Encodes a VXLAN header at `off`, every field as given (modulo its width).
 *
 * @param h The header.
 * @param b The output buffer.
 * @param off Where the header goes.
 * @returns The number of bytes written (8).
 * @throws {EncodeError} When `b` is too small.
 *
 * @example
 * ```ts
 * import { encodeVxlan, VXLAN_FLAG_I } from "./vxlan.ts";
 * const b = new Uint8Array(8);
 * encodeVxlan({ flags: VXLAN_FLAG_I, reserved1: 0, vni: 7, reserved2: 0 }, b, 0);
 * ```
 */
export function encodeVxlan(
  h: VxlanHeader,
  b: Uint8Array,
  off: number,
): number {
  ensureRoom("VXLAN header", b, off, VXLAN_HEADER_LEN);
  b[off] = h.flags & 0xff;
  b[off + 1] = (h.reserved1 >>> 16) & 0xff;
  b[off + 2] = (h.reserved1 >>> 8) & 0xff;
  b[off + 3] = h.reserved1 & 0xff;
  b[off + 4] = (h.vni >>> 16) & 0xff;
  b[off + 5] = (h.vni >>> 8) & 0xff;
  b[off + 6] = h.vni & 0xff;
  b[off + 7] = h.reserved2 & 0xff;
  return VXLAN_HEADER_LEN;
}
