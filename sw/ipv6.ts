/**
 * IPv6 header codec (RFC 8200): the fixed header and the chain of
 * Hop-by-Hop (0), Routing (43), Destination Options (60) and Fragment (44)
 * extension headers, with the jumbo payload option (RFC 2675) recognised.
 *
 * @module
 */

import { getU16, getU32, setU16, setU32 } from "./bytes.ts";
import { DecodeError } from "./decode_error.ts";
import { EncodeError, ensureRoom } from "./encode_error.ts";

const WHAT = "IPv6 header";

/**
 * Next-header values of the extension headers the codec walks.
 *
 * @example
 * ```ts
 * import { IPV6_EXT } from "./ipv6.ts";
 * IPV6_EXT.FRAGMENT; // 44
 * ```
 */
export const IPV6_EXT = {
  HOP_BY_HOP: 0,
  ROUTING: 43,
  FRAGMENT: 44,
  DEST_OPTS: 60,
} as const;

/** Hop-by-Hop option type of the jumbo payload option. */
const JUMBO_OPTION = 0xc2;

/**
 * One extension header as found in the chain. `bytes` is a view into the
 * decoded buffer.
 *
 * @example
 * ```ts
 * import type { Ipv6ExtHeader } from "./ipv6.ts";
 * const hbh = new Uint8Array(8);
 * hbh[0] = 6; // next header: TCP
 * const e: Ipv6ExtHeader = { type: 0, offset: 54, len: 8, nextHeader: 6, bytes: hbh };
 * ```
 */
export interface Ipv6ExtHeader {
  /** This header's type (the previous header's next-header value). */
  type: number;
  /** Offset of this header in the decoded buffer (ignored by encode). */
  offset: number;
  /** Length in bytes: (hdrlen + 1) × 8, or 8 for a Fragment header. */
  len: number;
  /** The next-header value this header carries (ignored by encode). */
  nextHeader: number;
  /**
   * The whole header, `len` bytes. Encode copies it, except the next-header
   * byte (derived from the chain) and, except for Fragment headers, the
   * hdrlen byte (derived from the length).
   */
  bytes: Uint8Array;
}

/**
 * The fields of an IPv6 Fragment header.
 *
 * @example
 * ```ts
 * import type { Ipv6Fragment } from "./ipv6.ts";
 * const f: Ipv6Fragment = { offset: 185, more: true, identification: 7 };
 * ```
 */
export interface Ipv6Fragment {
  /** Fragment offset in units of 8 bytes, 0..8191. */
  offset: number;
  /** The M (more fragments) flag. */
  more: boolean;
  /** Identification. */
  identification: number;
}

/**
 * A decoded IPv6 header with its extension header chain. Addresses are
 * views into the decoded buffer.
 *
 * Encode reads `trafficClass`, `flowLabel`, `payloadLen`, `hopLimit`,
 * `src`, `dst`, `extHeaders` (type and bytes) and `upperProtocol`; the
 * other fields are what decode found.
 *
 * @example
 * ```ts
 * import type { Ipv6Header } from "./ipv6.ts";
 * const h: Ipv6Header = {
 *   trafficClass: 0, flowLabel: 0, payloadLen: 20, hopLimit: 64,
 *   src: new Uint8Array(16), dst: new Uint8Array(16), extHeaders: [],
 *   upperProtocol: 6, upperOffset: 40, headerLen: 40, jumbo: 0, fragment: null,
 * };
 * ```
 */
export interface Ipv6Header {
  /** Traffic class (DSCP and ECN), 0..255. */
  trafficClass: number;
  /** Flow label, 0..0xfffff. */
  flowLabel: number;
  /** `payload_len`: bytes after the fixed header (0 for jumbograms and BIG TCP). */
  payloadLen: number;
  /** Hop limit. */
  hopLimit: number;
  /** Source address (16 bytes). */
  src: Uint8Array;
  /** Destination address (16 bytes). */
  dst: Uint8Array;
  /** The extension headers, in order. */
  extHeaders: Ipv6ExtHeader[];
  /** Protocol after the last extension header (6 TCP, 17 UDP, 58 ICMPv6, …). */
  upperProtocol: number;
  /** Offset of the upper-layer header in the decoded buffer. */
  upperOffset: number;
  /** 40 plus all extension headers. */
  headerLen: number;
  /** The jumbo payload length of a Hop-by-Hop jumbo option, or 0. */
  jumbo: number;
  /** The Fragment header's fields when there is one, else null. */
  fragment: Ipv6Fragment | null;
}

/**
 * Tells whether a next-header value is an extension header the codec
 * walks: Hop-by-Hop, Routing, Fragment or Destination Options.
 *
 * @param nextHeader The next-header value.
 * @returns True for 0, 43, 44 and 60.
 *
 * @example
 * ```ts
 * import { isIpv6ExtHeader } from "./ipv6.ts";
 * isIpv6ExtHeader(43); // true
 * isIpv6ExtHeader(6); // false
 * ```
 */
export function isIpv6ExtHeader(nextHeader: number): boolean {
  return nextHeader === 0 || nextHeader === 43 || nextHeader === 44 ||
    nextHeader === 60;
}

/** Name of an extension header type, for messages. */
function extName(type: number): string {
  switch (type) {
    case 0:
      return "IPv6 Hop-by-Hop header";
    case 43:
      return "IPv6 Routing header";
    case 44:
      return "IPv6 Fragment header";
    default:
      return "IPv6 Destination Options header";
  }
}

/**
 * Checks the extension header of type `type` at `off` and returns its
 * length: (hdrlen + 1) × 8, or 8 for a Fragment header.
 *
 * @param b The bytes.
 * @param off Offset of the extension header.
 * @param type Its type (0, 43, 44 or 60).
 * @param end End of the IPv6 packet (from payload_len or the frame).
 * @returns The length in bytes.
 * @throws {DecodeError} When the header runs past `end` (field `header`
 * when not even 8 bytes remain, `hdrlen` otherwise).
 *
 * @example
 * ```ts
 * import { ipv6ExtHeaderLen } from "./ipv6.ts";
 * const b = new Uint8Array(16);
 * b[1] = 1;
 * ipv6ExtHeaderLen(b, 0, 60, b.length); // 16
 * ```
 */
export function ipv6ExtHeaderLen(
  b: Uint8Array,
  off: number,
  type: number,
  end: number,
): number {
  if (off + 8 > end) {
    throw new DecodeError(
      extName(type),
      off,
      "header",
      `needs 8 bytes, ${
        Math.max(0, end - off)
      } remain before the end of the packet at offset ${end}`,
    );
  }
  if (type === 44) return 8;
  const len = (b[off + 1]! + 1) * 8;
  if (off + len > end) {
    throw new DecodeError(
      extName(type),
      off,
      "hdrlen",
      `hdrlen ${
        b[off + 1]
      } (${len} bytes) runs past the end of the packet at offset ${end}`,
    );
  }
  return len;
}

/**
 * Finds a jumbo payload option (type 0xC2, 4 bytes of value) among the
 * options of the Hop-by-Hop header at `off` and returns its value.
 * Malformed option lists end the search without an error.
 *
 * @param b The bytes.
 * @param off Offset of the Hop-by-Hop header.
 * @param len Its length in bytes.
 * @returns The jumbo payload length, or 0 when there is no such option.
 *
 * @example
 * ```ts
 * import { ipv6JumboPayloadLen } from "./ipv6.ts";
 * const hbh = new Uint8Array([6, 0, 0xc2, 4, 0, 1, 0, 0]);
 * ipv6JumboPayloadLen(hbh, 0, 8); // 65536
 * ```
 */
export function ipv6JumboPayloadLen(
  b: Uint8Array,
  off: number,
  len: number,
): number {
  const end = off + len;
  let p = off + 2;
  while (p < end) {
    const t = b[p]!;
    if (t === 0) { // Pad1
      p++;
      continue;
    }
    if (p + 2 > end) return 0;
    const l = b[p + 1]!;
    if (p + 2 + l > end) return 0;
    if (t === JUMBO_OPTION && l === 4) return getU32(b, p + 2);
    p += 2 + l;
  }
  return 0;
}

/**
 * Decodes the IPv6 header at `off` and walks its extension headers until
 * the first header that is not Hop-by-Hop, Routing or Destination Options,
 * or just past a Fragment header (what follows it is fragmentable payload).
 * The chain is bounded by `payload_len`, or by the buffer when `payload_len`
 * is 0 or runs past it.
 *
 * @param b The bytes.
 * @param off Offset of the fixed header.
 * @returns The header; addresses and extension headers are views into `b`.
 * @throws {DecodeError} When the version is not 6, fewer than 40 bytes
 * remain, or an extension header runs past the packet.
 *
 * @example
 * ```ts
 * import { decodeIpv6 } from "./ipv6.ts";
 * const b = new Uint8Array(40);
 * b[0] = 0x60;
 * b[6] = 17;
 * decodeIpv6(b, 0).upperProtocol; // 17
 * ```
 */
export function decodeIpv6(b: Uint8Array, off = 0): Ipv6Header {
  if (off + 40 > b.length) {
    throw new DecodeError(
      WHAT,
      off,
      "header",
      `needs 40 bytes, ${Math.max(0, b.length - off)} remain`,
    );
  }
  const v = b[off]! >>> 4;
  if (v !== 6) {
    throw new DecodeError(WHAT, off, "version", `version ${v} is not 6`);
  }
  const payloadLen = getU16(b, off + 4);
  let end = off + 40 + payloadLen;
  if (payloadLen === 0 || end > b.length) end = b.length;
  const extHeaders: Ipv6ExtHeader[] = [];
  let nh = b[off + 6]!;
  let p = off + 40;
  let jumbo = 0;
  let fragment: Ipv6Fragment | null = null;
  while (isIpv6ExtHeader(nh)) {
    const len = ipv6ExtHeaderLen(b, p, nh, end);
    const next = b[p]!;
    extHeaders.push({
      type: nh,
      offset: p,
      len,
      nextHeader: next,
      bytes: b.subarray(p, p + len),
    });
    if (nh === 0 && jumbo === 0) jumbo = ipv6JumboPayloadLen(b, p, len);
    p += len;
    if (nh === 44) {
      const fo = getU16(b, p - 6);
      fragment = {
        offset: fo >>> 3,
        more: (fo & 1) !== 0,
        identification: getU32(b, p - 4),
      };
      nh = next;
      break;
    }
    nh = next;
  }
  const vtf = getU32(b, off);
  return {
    trafficClass: (vtf >>> 20) & 0xff,
    flowLabel: vtf & 0xfffff,
    payloadLen,
    hopLimit: b[off + 7]!,
    src: b.subarray(off + 8, off + 24),
    dst: b.subarray(off + 24, off + 40),
    extHeaders,
    upperProtocol: nh,
    upperOffset: p,
    headerLen: p - off,
    jumbo,
    fragment,
  };
}

/**
 * The number of bytes {@linkcode encodeIpv6} writes for a header.
 *
 * @param h The header.
 * @returns 40 plus the lengths of the extension headers' bytes.
 *
 * @example
 * ```ts
 * import { decodeIpv6, ipv6EncodedLen } from "./ipv6.ts";
 * const b = new Uint8Array(40);
 * b[0] = 0x60;
 * b[6] = 59; // No Next Header
 * ipv6EncodedLen(decodeIpv6(b, 0)); // 40
 * ```
 */
export function ipv6EncodedLen(h: Ipv6Header): number {
  let n = 40;
  for (const e of h.extHeaders) n += e.bytes.length;
  return n;
}

/**
 * Encodes an IPv6 header and its extension headers at `off`. The
 * next-header chain is written from the extension headers' `type`s and
 * `upperProtocol`; each extension header's hdrlen from its length.
 * `payloadLen` is written as given. Numeric fields are written modulo their
 * width.
 *
 * @param h The header.
 * @param b The output buffer.
 * @param off Where the fixed header goes.
 * @returns The number of bytes written.
 * @throws {EncodeError} When an address is not 16 bytes, an extension
 * header's bytes are not a multiple of 8 (exactly 8 for a Fragment header)
 * up to 2048, or `b` is too small.
 *
 * @example
 * ```ts
 * import { decodeIpv6, encodeIpv6 } from "./ipv6.ts";
 * const b = new Uint8Array(40);
 * b[0] = 0x60;
 * b[6] = 59; // No Next Header
 * const out = new Uint8Array(40);
 * encodeIpv6(decodeIpv6(b, 0), out, 0); // 40
 * ```
 */
export function encodeIpv6(h: Ipv6Header, b: Uint8Array, off: number): number {
  if (h.src.length !== 16) {
    throw new EncodeError(
      WHAT,
      off,
      "saddr",
      `saddr has ${h.src.length} bytes, not 16`,
    );
  }
  if (h.dst.length !== 16) {
    throw new EncodeError(
      WHAT,
      off,
      "daddr",
      `daddr has ${h.dst.length} bytes, not 16`,
    );
  }
  for (let i = 0; i < h.extHeaders.length; i++) {
    const e = h.extHeaders[i]!;
    const n = e.bytes.length;
    const bad = e.type === 44 ? n !== 8 : n < 8 || n > 2048 || n % 8 !== 0;
    if (bad) {
      throw new EncodeError(
        WHAT,
        off,
        "extHeaders",
        `extension header ${i} (type ${e.type}) has ${n} bytes, ` +
          (e.type === 44 ? "not 8" : "not a multiple of 8 from 8 to 2048"),
      );
    }
  }
  const len = ipv6EncodedLen(h);
  ensureRoom(WHAT, b, off, len);
  setU32(
    b,
    off,
    (6 << 28) | ((h.trafficClass & 0xff) << 20) | (h.flowLabel & 0xfffff),
  );
  setU16(b, off + 4, h.payloadLen);
  const ext = h.extHeaders;
  b[off + 6] = (ext.length > 0 ? ext[0]!.type : h.upperProtocol) & 0xff;
  b[off + 7] = h.hopLimit & 0xff;
  b.set(h.src, off + 8);
  b.set(h.dst, off + 24);
  let p = off + 40;
  for (let i = 0; i < ext.length; i++) {
    const e = ext[i]!;
    b.set(e.bytes, p);
    b[p] = (i + 1 < ext.length ? ext[i + 1]!.type : h.upperProtocol) & 0xff;
    if (e.type !== 44) b[p + 1] = e.bytes.length / 8 - 1;
    p += e.bytes.length;
  }
  return len;
}
