/**
 * Classifying and completing one TCP or UDP checksum inside a frame: is it
 * good, the CHECKSUM_PARTIAL pseudo-header seed, zero (UDP: none), bad, or
 * not verifiable because the frame was truncated.
 *
 * @module
 */

import { getU16, setU16 } from "./bytes.ts";
import {
  checksum,
  onesSum,
  pseudoHeaderSum4,
  pseudoHeaderSum6,
} from "./checksum.ts";

/**
 * Where one L4 checksum lives in a frame.
 *
 * @example
 * ```ts
 * import type { L4Site } from "./l4_checksum.ts";
 * const s: L4Site = { ipv6: false, ipOffset: 14, l4Offset: 34, l4Len: 40, proto: 6 };
 * ```
 */
export interface L4Site {
  /** True when the pseudo-header is IPv6. */
  ipv6: boolean;
  /** Offset of the IP header that gives the addresses. */
  ipOffset: number;
  /** Offset of the TCP/UDP header. */
  l4Offset: number;
  /** TCP/UDP header plus payload length, from the IP length fields. */
  l4Len: number;
  /** 6 TCP, 17 UDP. */
  proto: number;
}

/**
 * What a checksum field holds.
 *
 * @example
 * ```ts
 * import type { L4ChecksumStatus } from "./l4_checksum.ts";
 * const s: L4ChecksumStatus = "seed";
 * ```
 */
export type L4ChecksumStatus = "good" | "seed" | "zero" | "bad" | "truncated";

function pseudo(b: Uint8Array, s: L4Site): number {
  return s.ipv6
    ? pseudoHeaderSum6(b, s.ipOffset, s.proto, s.l4Len)
    : pseudoHeaderSum4(b, s.ipOffset, s.proto, s.l4Len);
}

function fieldOffset(s: L4Site): number {
  return s.l4Offset + (s.proto === 6 ? 16 : 6);
}

/**
 * Classifies the checksum at a site. A UDP zero is "zero" (no checksum);
 * a field equal to the folded pseudo-header sum of the L4 length is "seed"
 * (left for a device to finish, as the sending host's stack writes it).
 *
 * @param b Frame bytes.
 * @param s The site.
 * @returns The status.
 *
 * @example
 * ```ts
 * import { l4ChecksumStatus } from "./l4_checksum.ts";
 * const frame = new Uint8Array(54); // Ethernet, IPv4 and TCP headers, all zero
 * const site = { ipv6: false, ipOffset: 14, l4Offset: 34, l4Len: 20, proto: 6 };
 * l4ChecksumStatus(frame, site); // "bad"
 * l4ChecksumStatus(frame, { ...site, l4Len: 40 }); // "truncated"
 * ```
 */
export function l4ChecksumStatus(b: Uint8Array, s: L4Site): L4ChecksumStatus {
  const end = s.l4Offset + s.l4Len;
  if (end > b.length || s.l4Len < (s.proto === 6 ? 20 : 8)) return "truncated";
  const field = getU16(b, fieldOffset(s));
  if (s.proto === 17 && field === 0) return "zero";
  const ph = pseudo(b, s);
  if (onesSum(b, s.l4Offset, end, ph) === 0xffff) return "good";
  if (field === ph) return "seed";
  return "bad";
}

/**
 * Writes the final checksum at a site (a computed UDP 0 goes out as
 * 0xFFFF, as `udp4_hwcsum`/`CSUM_MANGLED_0` do).
 *
 * @param b Frame bytes (modified).
 * @param s The site.
 *
 * @example
 * ```ts
 * import { l4ChecksumComplete, l4ChecksumStatus } from "./l4_checksum.ts";
 * const frame = new Uint8Array(54); // Ethernet, IPv4 and TCP headers, all zero
 * const site = { ipv6: false, ipOffset: 14, l4Offset: 34, l4Len: 20, proto: 6 };
 * l4ChecksumComplete(frame, site);
 * l4ChecksumStatus(frame, site); // "good"
 * ```
 */
export function l4ChecksumComplete(b: Uint8Array, s: L4Site): void {
  const f = fieldOffset(s);
  setU16(b, f, 0);
  let c = checksum(b, s.l4Offset, s.l4Offset + s.l4Len, pseudo(b, s));
  if (s.proto === 17 && c === 0) c = 0xffff;
  setU16(b, f, c);
}

/**
 * The seed a CHECKSUM_PARTIAL packet carries at a site: the folded
 * pseudo-header sum with the L4 length.
 *
 * @param b Frame bytes.
 * @param s The site.
 * @returns The seed.
 *
 * @example
 * ```ts
 * import { l4ChecksumSeed, l4ChecksumStatus } from "./l4_checksum.ts";
 * const frame = new Uint8Array(54); // Ethernet, IPv4 and TCP headers, all zero
 * const site = { ipv6: false, ipOffset: 14, l4Offset: 34, l4Len: 20, proto: 6 };
 * l4ChecksumSeed(frame, site); // 26 (protocol 6 + length 20)
 * frame[51] = 26; // the TCP checksum field (offset 50) holds the seed
 * l4ChecksumStatus(frame, site); // "seed"
 * ```
 */
export function l4ChecksumSeed(b: Uint8Array, s: L4Site): number {
  return pseudo(b, s);
}
