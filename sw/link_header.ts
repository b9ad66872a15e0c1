/**
 * Link-layer headers of capture files: where the Ethernet header or the IP
 * packet starts for a LINKTYPE_* value, and what protocol follows.
 *
 * @module
 */

import { getU16 } from "./bytes.ts";
import { DecodeError } from "./decode_error.ts";

/**
 * LINKTYPE_* values the parser accepts.
 *
 * @example
 * ```ts
 * import { LINKTYPE } from "./link_header.ts";
 * LINKTYPE.LINUX_SLL2; // 276
 * ```
 */
export const LINKTYPE = {
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/**
 * A decoded link-layer header.
 *
 * @example
 * ```ts
 * import type { LinkHeader } from "./link_header.ts";
 * const l: LinkHeader = { linkType: 113, headerLen: 16, ethernet: false, protocol: 0x0800, packetType: 4 };
 * ```
 */
export interface LinkHeader {
  /** The LINKTYPE_* value. */
  linkType: number;
  /** Bytes before the Ethernet header, or before L3 for other link types. */
  headerLen: number;
  /** True when an Ethernet header follows (LINKTYPE_ETHERNET). */
  ethernet: boolean;
  /**
   * EtherType of what follows a non-Ethernet link header (0x0800 or 0x86dd
   * for raw IP, the SLL protocol field otherwise); 0 for Ethernet.
   */
  protocol: number;
  /** SLL/SLL2 packet type (0 host … 4 outgoing), or -1 for other types. */
  packetType: number;
}

/**
 * The length of the link-layer header of a link type.
 *
 * @param linkType The LINKTYPE_* value.
 * @returns 0 for Ethernet and raw IP, 16 for SLL, 20 for SLL2.
 * @throws {DecodeError} For a link type tsolab does not read (field `linktype`).
 *
 * @example
 * ```ts
 * import { linkHeaderLen } from "./link_header.ts";
 * linkHeaderLen(113); // 16
 * ```
 */
export function linkHeaderLen(linkType: number): number {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return 0;
    case LINKTYPE.LINUX_SLL:
      return 16;
    case LINKTYPE.LINUX_SLL2:
      return 20;
    default:
      throw new DecodeError(
        "link header",
        0,
        "linktype",
        `link type ${linkType} is not supported (use 1, 101, 113, 228, 229 or 276)`,
      );
  }
}

/**
 * The EtherType of what follows a non-Ethernet link header: from the
 * version nibble for LINKTYPE_RAW, fixed for LINKTYPE_IPV4/IPV6, from the
 * protocol field for SLL (offset 14) and SLL2 (offset 0).
 *
 * @param b The frame.
 * @param off Offset of the link header.
 * @param linkType The LINKTYPE_* value.
 * @returns The EtherType, or 0 for LINKTYPE_ETHERNET.
 * @throws {DecodeError} For an unsupported link type, a truncated link
 * header, or a raw IP version nibble that is neither 4 nor 6.
 *
 * @example
 * ```ts
 * import { linkProtocol } from "./link_header.ts";
 * linkProtocol(new Uint8Array([0x60]), 0, 101); // 0x86dd
 * ```
 */
export function linkProtocol(
  b: Uint8Array,
  off: number,
  linkType: number,
): number {
  const len = linkHeaderLen(linkType);
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return 0;
    case LINKTYPE.IPV4:
      return 0x0800;
    case LINKTYPE.IPV6:
      return 0x86dd;
    case LINKTYPE.RAW: {
      if (off >= b.length) {
        throw new DecodeError(
          "raw IP link header",
          off,
          "header",
          "needs 1 byte to read the IP version, the frame is empty",
        );
      }
      const v = b[off]! >>> 4;
      if (v === 4) return 0x0800;
      if (v === 6) return 0x86dd;
      throw new DecodeError(
        "raw IP link header",
        off,
        "version",
        `version ${v} is neither 4 nor 6`,
      );
    }
  }
  const name = linkType === LINKTYPE.LINUX_SLL ? "SLL header" : "SLL2 header";
  if (off + len > b.length) {
    throw new DecodeError(
      name,
      off,
      "header",
      `needs ${len} bytes, ${Math.max(0, b.length - off)} remain`,
    );
  }
  return getU16(b, off + (linkType === LINKTYPE.LINUX_SLL ? 14 : 0));
}

/**
 * Decodes the link-layer header at the start of a frame.
 *
 * @param b The frame.
 * @param off Offset of the link header (0 for captured frames).
 * @param linkType The LINKTYPE_* value of the capture.
 * @returns The header's length, kind and protocol.
 * @throws {DecodeError} As {@linkcode linkProtocol}.
 *
 * @example
 * ```ts
 * import { decodeLinkHeader } from "./link_header.ts";
 * decodeLinkHeader(new Uint8Array(14), 0, 1).ethernet; // true
 * ```
 */
export function decodeLinkHeader(
  b: Uint8Array,
  off: number,
  linkType: number,
): LinkHeader {
  const protocol = linkProtocol(b, off, linkType);
  let packetType = -1;
  if (linkType === LINKTYPE.LINUX_SLL) packetType = getU16(b, off);
  else if (linkType === LINKTYPE.LINUX_SLL2) packetType = b[off + 10]!;
  return {
    linkType,
    headerLen: linkHeaderLen(linkType),
    ethernet: linkType === LINKTYPE.ETHERNET,
    protocol,
    packetType,
  };
}
