/**
 * Ethernet II header codec with any number of 802.1Q (0x8100), 802.1ad QinQ
 * (0x88a8) and legacy QinQ (0x9100) tags.
 *
 * @module
 */

import { getU16, setU16 } from "./bytes.ts";
import { DecodeError } from "./decode_error.ts";
import { EncodeError, ensureRoom } from "./encode_error.ts";

/**
 * EtherType values tsolab knows by name.
 *
 * @example
 * ```ts
 * import { ETHERTYPE } from "./ethernet.ts";
 * ETHERTYPE.IPV6; // 0x86dd
 * ```
 */
export const ETHERTYPE = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
  QINQ: 0x88a8,
  QINQ_OLD: 0x9100,
} as const;

/** Length of an untagged Ethernet header: dst, src, EtherType. */
const BASE_LEN = 14;
/** Bytes each VLAN tag adds (TPID + TCI). */
const TAG_LEN = 4;

/**
 * One VLAN tag: its TPID and the fields of its TCI.
 *
 * @example
 * ```ts
 * import type { VlanTag } from "./ethernet.ts";
 * const t: VlanTag = { tpid: 0x8100, pcp: 0, dei: false, vid: 100 };
 * ```
 */
export interface VlanTag {
  /** Tag protocol identifier: 0x8100, 0x88a8 or 0x9100. */
  tpid: number;
  /** Priority code point, 0..7. */
  pcp: number;
  /** Drop eligible indicator. */
  dei: boolean;
  /** VLAN identifier, 0..4095. */
  vid: number;
}

/**
 * A decoded Ethernet header. `dst` and `src` are views into the decoded
 * buffer, not copies.
 *
 * @example
 * ```ts
 * import type { EthernetHeader } from "./ethernet.ts";
 * const h: EthernetHeader = {
 *   dst: new Uint8Array(6), src: new Uint8Array(6), tags: [],
 *   etherType: 0x0800, headerLen: 14,
 * };
 * ```
 */
export interface EthernetHeader {
  /** Destination MAC address (6 bytes). */
  dst: Uint8Array;
  /** Source MAC address (6 bytes). */
  src: Uint8Array;
  /** VLAN tags, outermost first. */
  tags: VlanTag[];
  /** EtherType after the last tag. */
  etherType: number;
  /**
   * Header length including tags (14 + 4 per tag); set by decode, ignored by
   * encode, which derives it from `tags`.
   */
  headerLen: number;
}

/**
 * Tells whether an EtherType is a VLAN tag protocol identifier (0x8100,
 * 0x88a8 or 0x9100).
 *
 * @param etherType The 16-bit value.
 * @returns True for a TPID.
 *
 * @example
 * ```ts
 * import { isVlanTpid } from "./ethernet.ts";
 * isVlanTpid(0x88a8); // true
 * ```
 */
export function isVlanTpid(etherType: number): boolean {
  return etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100;
}

/**
 * Decodes an Ethernet header and its VLAN tags at `off`.
 *
 * @param b The bytes.
 * @param off Offset of the destination address.
 * @returns The header; addresses are views into `b`.
 * @throws {DecodeError} When the header or a tag is truncated.
 *
 * @example
 * ```ts
 * import { decodeEthernet } from "./ethernet.ts";
 * const f = new Uint8Array(14);
 * f[12] = 0x08;
 * decodeEthernet(f, 0).etherType; // 0x0800
 * ```
 */
export function decodeEthernet(b: Uint8Array, off = 0): EthernetHeader {
  const end = b.length;
  if (off + BASE_LEN > end) {
    throw new DecodeError(
      "Ethernet header",
      off,
      "header",
      `needs 14 bytes, ${Math.max(0, end - off)} remain`,
    );
  }
  const tags: VlanTag[] = [];
  let p = off + 12;
  let t = getU16(b, p);
  while (isVlanTpid(t)) {
    if (p + TAG_LEN + 2 > end) {
      throw new DecodeError(
        "Ethernet header",
        off,
        "vlan",
        `VLAN tag ${tags.length + 1} at offset ${p} and the EtherType after ` +
          `it need 6 bytes, ${end - p} remain`,
      );
    }
    const tci = getU16(b, p + 2);
    tags.push({
      tpid: t,
      pcp: tci >>> 13,
      dei: (tci & 0x1000) !== 0,
      vid: tci & 0xfff,
    });
    p += TAG_LEN;
    t = getU16(b, p);
  }
  return {
    dst: b.subarray(off, off + 6),
    src: b.subarray(off + 6, off + 12),
    tags,
    etherType: t,
    headerLen: p + 2 - off,
  };
}

/**
 * The number of bytes {@linkcode encodeEthernet} writes for a header.
 *
 * @param h The header.
 * @returns 14 plus 4 per VLAN tag.
 *
 * @example
 * ```ts
 * import { ethernetEncodedLen } from "./ethernet.ts";
 * ethernetEncodedLen({
 *   dst: new Uint8Array(6), src: new Uint8Array(6),
 *   tags: [{ tpid: 0x8100, pcp: 0, dei: false, vid: 7 }],
 *   etherType: 0x0800, headerLen: 18,
 * }); // 18
 * ```
 */
export function ethernetEncodedLen(h: EthernetHeader): number {
  return BASE_LEN + TAG_LEN * h.tags.length;
}

/**
 * Encodes an Ethernet header with its tags at `off`. `headerLen` is not
 * read; numeric fields are written modulo their width.
 *
 * @param h The header.
 * @param b The output buffer.
 * @param off Where the destination address goes.
 * @returns The number of bytes written.
 * @throws {EncodeError} When an address is not 6 bytes or `b` is too small.
 *
 * @example
 * ```ts
 * import { decodeEthernet, encodeEthernet } from "./ethernet.ts";
 * const f = new Uint8Array(14);
 * f[12] = 0x86;
 * f[13] = 0xdd;
 * const out = new Uint8Array(14);
 * encodeEthernet(decodeEthernet(f, 0), out, 0); // 14
 * ```
 */
export function encodeEthernet(
  h: EthernetHeader,
  b: Uint8Array,
  off: number,
): number {
  const what = "Ethernet header";
  if (h.dst.length !== 6) {
    throw new EncodeError(
      what,
      off,
      "dst",
      `dst has ${h.dst.length} bytes, not 6`,
    );
  }
  if (h.src.length !== 6) {
    throw new EncodeError(
      what,
      off,
      "src",
      `src has ${h.src.length} bytes, not 6`,
    );
  }
  const len = ethernetEncodedLen(h);
  ensureRoom(what, b, off, len);
  b.set(h.dst, off);
  b.set(h.src, off + 6);
  let p = off + 12;
  for (const t of h.tags) {
    setU16(b, p, t.tpid);
    setU16(
      b,
      p + 2,
      ((t.pcp & 7) << 13) | (t.dei ? 0x1000 : 0) | (t.vid & 0xfff),
    );
    p += TAG_LEN;
  }
  setU16(b, p, h.etherType);
  return len;
}
