/**
 * TCP header codec (RFC 9293) with the options both as raw bytes and as a
 * parsed list: EOL, NOP, MSS, window scale, SACK permitted, SACK blocks,
 * timestamps; other kinds are kept with their value bytes.
 *
 * @module
 */

import { getU16, getU32, setU16, setU32 } from "./bytes.ts";
import { DecodeError } from "./decode_error.ts";
import { EncodeError, ensureRoom } from "./encode_error.ts";

const WHAT = "TCP header";

/**
 * TCP flag bits as they appear in {@linkcode TcpHeader.flags}: the low 8
 * bits are byte 13 of the header, bit 8 is AE (formerly NS, RFC 3540) from
 * byte 12.
 *
 * @example
 * ```ts
 * import { TCP_FLAGS } from "./tcp.ts";
 * const synAck = TCP_FLAGS.SYN | TCP_FLAGS.ACK; // 0x12
 * ```
 */
export const TCP_FLAGS = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  AE: 0x100,
  NS: 0x100,
} as const;

/**
 * TCP option kinds the codec parses into fields.
 *
 * @example
 * ```ts
 * import { TCP_OPTION } from "./tcp.ts";
 * TCP_OPTION.TIMESTAMPS; // 8
 * ```
 */
export const TCP_OPTION = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WINDOW_SCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMPS: 8,
} as const;

/**
 * One SACK block: the left and right edges (sequence numbers).
 *
 * @example
 * ```ts
 * import type { TcpSackBlock } from "./tcp.ts";
 * const b: TcpSackBlock = { left: 1000, right: 2448 };
 * ```
 */
export interface TcpSackBlock {
  /** First sequence number of the block. */
  left: number;
  /** Sequence number just past the block. */
  right: number;
}

/**
 * One TCP option. Decode fills `kind`, `offset`, `len`, `data` and the
 * field of a known kind with its standard length (`mss`, `shift`,
 * `sackBlocks`, `tsval`/`tsecr`). Encode writes a known kind from those
 * fields when present, otherwise kind, length and `data`.
 *
 * An option whose length byte is missing, below 2 or runs past the options
 * is `malformed`: it ends the list and `data` holds every byte after the
 * kind, so encode writes it back unchanged.
 *
 * @example
 * ```ts
 * import type { TcpOption } from "./tcp.ts";
 * const mss: TcpOption = { kind: 2, offset: 0, len: 4, mss: 1460 };
 * ```
 */
export interface TcpOption {
  /** Option kind. */
  kind: number;
  /** Offset of the kind byte in the decoded buffer (ignored by encode). */
  offset: number;
  /**
   * Bytes the option occupies: 1 for NOP, the rest of the option space for
   * EOL (its padding included), the length byte otherwise (ignored by
   * encode).
   */
  len: number;
  /**
   * Bytes after the kind and length bytes (a view): the value; for EOL the
   * padding after it; for a malformed option everything after the kind.
   */
  data?: Uint8Array;
  /** MSS value (kind 2, length 4). */
  mss?: number;
  /** Window scale shift count (kind 3, length 3). */
  shift?: number;
  /** SACK blocks (kind 5, length 2 + 8n). */
  sackBlocks?: TcpSackBlock[];
  /** Timestamp value (kind 8, length 10). */
  tsval?: number;
  /** Timestamp echo reply (kind 8, length 10). */
  tsecr?: number;
  /** True when the option's length is missing or impossible. */
  malformed?: boolean;
}

/**
 * A decoded TCP header. `options` is a view into the decoded buffer.
 *
 * @example
 * ```ts
 * import type { TcpHeader } from "./tcp.ts";
 * const h: TcpHeader = {
 *   srcPort: 40000, dstPort: 5201, seq: 1, ack: 0, dataOffset: 5, reserved: 0,
 *   flags: 0x02, window: 64240, checksum: 0, urgent: 0,
 *   options: new Uint8Array(0), optionList: [],
 * };
 * ```
 */
export interface TcpHeader {
  /** Source port. */
  srcPort: number;
  /** Destination port. */
  dstPort: number;
  /** Sequence number. */
  seq: number;
  /** Acknowledgment number. */
  ack: number;
  /**
   * Data offset in 32-bit words; set by decode, ignored by encode, which
   * writes `5 + options.length / 4`.
   */
  dataOffset: number;
  /** The three reserved bits between the data offset and AE, 0..7. */
  reserved: number;
  /** Flags, see {@linkcode TCP_FLAGS} (9 bits, AE/NS included). */
  flags: number;
  /** Window. */
  window: number;
  /** Checksum as stored. */
  checksum: number;
  /** Urgent pointer. */
  urgent: number;
  /** Raw option bytes, padding included; encode writes these. */
  options: Uint8Array;
  /** The options parsed (see {@linkcode decodeTcpOptions}); encode ignores it. */
  optionList: TcpOption[];
}

/**
 * Checks the TCP header at `off` for truncation and a valid data offset,
 * and returns its length. The frame layout parser uses it on every frame.
 *
 * @param b The bytes.
 * @param off Offset of the header.
 * @param end End of the enclosing IP packet.
 * @returns The header length in bytes (data offset × 4).
 * @throws {DecodeError} When fewer than 20 bytes remain (field `header`),
 * or the data offset is below 5 or runs past `end` (field `doff`).
 *
 * @example
 * ```ts
 * import { tcpHeaderLen } from "./tcp.ts";
 * const b = new Uint8Array(20);
 * b[12] = 0x50;
 * tcpHeaderLen(b, 0, 20); // 20
 * ```
 */
export function tcpHeaderLen(b: Uint8Array, off: number, end: number): number {
  if (off + 20 > end) {
    throw new DecodeError(
      WHAT,
      off,
      "header",
      `needs 20 bytes, ${
        Math.max(0, end - off)
      } remain before the end of the packet at offset ${end}`,
    );
  }
  const doff = b[off + 12]! >>> 4;
  if (doff < 5) {
    throw new DecodeError(WHAT, off, "doff", `data offset ${doff} is below 5`);
  }
  const hl = doff * 4;
  if (off + hl > end) {
    throw new DecodeError(
      WHAT,
      off,
      "doff",
      `data offset ${doff} (${hl} bytes) runs past the end of the packet at offset ${end}`,
    );
  }
  return hl;
}

/**
 * Parses TCP options in `b[start..end)`. Never throws: a malformed option
 * ends the list (see {@linkcode TcpOption}).
 *
 * @param b The bytes.
 * @param start Offset of the first option byte.
 * @param end One past the last option byte.
 * @returns The options in order; `data` fields are views into `b`.
 *
 * @example
 * ```ts
 * import { decodeTcpOptions } from "./tcp.ts";
 * const o = new Uint8Array([2, 4, 0x05, 0xb4]);
 * decodeTcpOptions(o, 0, 4)[0]!.mss; // 1460
 * ```
 */
export function decodeTcpOptions(
  b: Uint8Array,
  start: number,
  end: number,
): TcpOption[] {
  const list: TcpOption[] = [];
  let p = start;
  while (p < end) {
    const kind = b[p]!;
    if (kind === 0) {
      list.push({
        kind,
        offset: p,
        len: end - p,
        data: b.subarray(p + 1, end),
      });
      break;
    }
    if (kind === 1) {
      list.push({ kind, offset: p, len: 1 });
      p++;
      continue;
    }
    const l = p + 1 < end ? b[p + 1]! : 0;
    if (l < 2 || p + l > end) {
      list.push({
        kind,
        offset: p,
        len: end - p,
        data: b.subarray(p + 1, end),
        malformed: true,
      });
      break;
    }
    const o: TcpOption = {
      kind,
      offset: p,
      len: l,
      data: b.subarray(p + 2, p + l),
    };
    if (kind === 2 && l === 4) o.mss = getU16(b, p + 2);
    else if (kind === 3 && l === 3) o.shift = b[p + 2]!;
    else if (kind === 8 && l === 10) {
      o.tsval = getU32(b, p + 2);
      o.tsecr = getU32(b, p + 6);
    } else if (kind === 5 && l > 2 && (l - 2) % 8 === 0) {
      const blocks: TcpSackBlock[] = [];
      for (let q = p + 2; q < p + l; q += 8) {
        blocks.push({ left: getU32(b, q), right: getU32(b, q + 4) });
      }
      o.sackBlocks = blocks;
    }
    list.push(o);
    p += l;
  }
  return list;
}

/** Encoded length of one option (see encodeOption). */
function optionLen(o: TcpOption): number {
  const dataLen = o.data ? o.data.length : 0;
  if (o.malformed || o.kind === 0) return 1 + dataLen;
  if (o.kind === 1) return 1;
  if (o.kind === 2 && o.mss !== undefined) return 4;
  if (o.kind === 3 && o.shift !== undefined) return 3;
  if (o.kind === 8 && o.tsval !== undefined) return 10;
  if (o.kind === 5 && o.sackBlocks !== undefined) {
    return 2 + 8 * o.sackBlocks.length;
  }
  return 2 + dataLen;
}

/**
 * The number of bytes {@linkcode encodeTcpOptions} writes, without padding.
 *
 * @param list The options.
 * @returns The total length.
 *
 * @example
 * ```ts
 * import { tcpOptionsEncodedLen } from "./tcp.ts";
 * tcpOptionsEncodedLen([{ kind: 1, offset: 0, len: 1 }, { kind: 3, offset: 0, len: 3, shift: 7 }]); // 4
 * ```
 */
export function tcpOptionsEncodedLen(list: readonly TcpOption[]): number {
  let n = 0;
  for (const o of list) n += optionLen(o);
  return n;
}

/**
 * Encodes a list of options at `off`, as given (no padding is added: end
 * the list with NOPs or an EOL whose `data` is the padding).
 *
 * @param list The options.
 * @param b The output buffer.
 * @param off Where the first option goes.
 * @returns The number of bytes written.
 * @throws {EncodeError} When `b` is too small or an option is longer than
 * 255 bytes.
 *
 * @example
 * ```ts
 * import { encodeTcpOptions } from "./tcp.ts";
 * const b = new Uint8Array(4);
 * encodeTcpOptions([{ kind: 2, offset: 0, len: 4, mss: 1460 }], b, 0); // 4
 * ```
 */
export function encodeTcpOptions(
  list: readonly TcpOption[],
  b: Uint8Array,
  off: number,
): number {
  const total = tcpOptionsEncodedLen(list);
  ensureRoom("TCP options", b, off, total);
  let p = off;
  for (const o of list) {
    const n = optionLen(o);
    b[p] = o.kind & 0xff;
    if (o.malformed || o.kind === 0) {
      if (o.data) b.set(o.data, p + 1);
    } else if (o.kind !== 1) {
      if (n > 255) {
        throw new EncodeError(
          "TCP options",
          off,
          "len",
          `option kind ${o.kind} at offset ${p} needs ${n} bytes, more than 255`,
        );
      }
      b[p + 1] = n;
      if (o.kind === 2 && o.mss !== undefined) setU16(b, p + 2, o.mss);
      else if (o.kind === 3 && o.shift !== undefined) b[p + 2] = o.shift & 0xff;
      else if (o.kind === 8 && o.tsval !== undefined) {
        setU32(b, p + 2, o.tsval);
        setU32(b, p + 6, o.tsecr ?? 0);
      } else if (o.kind === 5 && o.sackBlocks !== undefined) {
        let q = p + 2;
        for (const s of o.sackBlocks) {
          setU32(b, q, s.left);
          setU32(b, q + 4, s.right);
          q += 8;
        }
      } else if (o.data) b.set(o.data, p + 2);
    }
    p += n;
  }
  return total;
}

/**
 * Decodes the TCP header at `off`, its options included.
 *
 * @param b The bytes.
 * @param off Offset of the header.
 * @returns The header; `options` is a view into `b`.
 * @throws {DecodeError} When the header is truncated or its data offset is
 * below 5 or runs past the buffer.
 *
 * @example
 * ```ts
 * import { decodeTcp, TCP_FLAGS } from "./tcp.ts";
 * const b = new Uint8Array(20);
 * b[12] = 0x50;
 * b[13] = TCP_FLAGS.SYN;
 * decodeTcp(b, 0).flags; // 2
 * ```
 */
export function decodeTcp(b: Uint8Array, off = 0): TcpHeader {
  const hl = tcpHeaderLen(b, off, b.length);
  const b12 = b[off + 12]!;
  return {
    srcPort: getU16(b, off),
    dstPort: getU16(b, off + 2),
    seq: getU32(b, off + 4),
    ack: getU32(b, off + 8),
    dataOffset: hl >>> 2,
    reserved: (b12 >>> 1) & 7,
    flags: ((b12 & 1) << 8) | b[off + 13]!,
    window: getU16(b, off + 14),
    checksum: getU16(b, off + 16),
    urgent: getU16(b, off + 18),
    options: b.subarray(off + 20, off + hl),
    optionList: decodeTcpOptions(b, off + 20, off + hl),
  };
}

/**
 * The number of bytes {@linkcode encodeTcp} writes for a header.
 *
 * @param h The header.
 * @returns 20 plus the option bytes.
 *
 * @example
 * ```ts
 * import { decodeTcp, tcpEncodedLen } from "./tcp.ts";
 * const b = new Uint8Array(32);
 * b[12] = 0x80;
 * tcpEncodedLen(decodeTcp(b, 0)); // 32
 * ```
 */
export function tcpEncodedLen(h: TcpHeader): number {
  return 20 + h.options.length;
}

/**
 * Encodes a TCP header at `off` from its fields and raw `options` (build
 * those with {@linkcode encodeTcpOptions}). The data offset is derived from
 * the options; `checksum` is written as given. Numeric fields are written
 * modulo their width.
 *
 * @param h The header.
 * @param b The output buffer.
 * @param off Where the header goes.
 * @returns The number of bytes written.
 * @throws {EncodeError} When the options are not a multiple of 4 bytes up to
 * 40, or `b` is too small.
 *
 * @example
 * ```ts
 * import { decodeTcp, encodeTcp } from "./tcp.ts";
 * const b = new Uint8Array(20);
 * b[12] = 0x50;
 * encodeTcp(decodeTcp(b, 0), new Uint8Array(20), 0); // 20
 * ```
 */
export function encodeTcp(h: TcpHeader, b: Uint8Array, off: number): number {
  const optLen = h.options.length;
  if (optLen % 4 !== 0 || optLen > 40) {
    throw new EncodeError(
      WHAT,
      off,
      "options",
      `options length ${optLen} is not a multiple of 4 up to 40`,
    );
  }
  const len = 20 + optLen;
  ensureRoom(WHAT, b, off, len);
  setU16(b, off, h.srcPort);
  setU16(b, off + 2, h.dstPort);
  setU32(b, off + 4, h.seq);
  setU32(b, off + 8, h.ack);
  b[off + 12] = ((len >>> 2) << 4) | ((h.reserved & 7) << 1) |
    ((h.flags >>> 8) & 1);
  b[off + 13] = h.flags & 0xff;
  setU16(b, off + 14, h.window);
  setU16(b, off + 16, h.checksum);
  setU16(b, off + 18, h.urgent);
  b.set(h.options, off + 20);
  return len;
}
