/**
 * Streaming reader of pcapng files.
 *
 * @module
 */

import type { Frame } from "../sw/types.ts";
import { type ByteSource, bytesSource } from "./byte_source.ts";
import { CaptureFormatError } from "./capture_error.ts";
import {
  DEFAULT_MAX_RECORD_BYTES,
  type InterfaceInfo,
  type ReaderOptions,
  type SectionInfo,
} from "./capture_info.ts";
import { ReadBuffer } from "./_read_buffer.ts";

const SHB = 0x0a0d0d0a;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

/** Per-interface timestamp scaling: ns = units * mul / div + offsetNs. */
interface Clock {
  info: InterfaceInfo;
  mul: bigint;
  div: bigint;
  offsetNs: bigint;
}

const utf8 = new TextDecoder();

/**
 * Reads a pcapng file block by block. Handles several sections, each in its
 * own byte order (interface ids restart in each); Interface Description
 * Blocks with `if_name`, `if_description`, `if_tsresol` (powers of 10 and
 * of 2), `if_tsoffset` and `if_fcslen`; Enhanced, Simple and obsolete
 * Packet Blocks; and skips every other block (statistics, name resolution,
 * decryption secrets, custom, local-use, unknown) after checking its
 * lengths.
 *
 * The constructor reads the first Section Header Block and every block
 * before the first packet, so `interfaces` is known before iterating.
 * Timestamps are exact `bigint` nanoseconds (units below 1 ns are
 * truncated). Memory stays flat: the read buffer only grows to the largest
 * packet block, and skipped blocks are read through without buffering.
 *
 * `CaptureReader` detects the format and is usually the better entry point.
 *
 * @example
 * ```ts
 * import { bytesSink, PcapngReader, PcapngWriter } from "./mod.ts";
 * const sink = bytesSink();
 * const w = new PcapngWriter(sink);
 * const eth = w.addInterface({ linkType: 1, tsresolNs: true });
 * w.write({ data: new Uint8Array(60), timestampNs: 7n, interfaceId: eth });
 * const r = new PcapngReader(sink.bytes());
 * r.interfaces[0].tsresol; // { base: 10, exp: 9 }
 * for (const f of r.frames()) console.log(f.timestampNs); // 7n
 * ```
 */
export class PcapngReader {
  /** Always `"pcapng"`. */
  readonly format: "pcapng" = "pcapng";
  /** Every interface seen so far, all sections, in file order. */
  readonly interfaces: InterfaceInfo[] = [];
  /** Every section seen so far, in file order. */
  readonly sections: SectionInfo[] = [];
  #rb: ReadBuffer;
  #le = true;
  #clocks: Clock[] = [];
  #maxRecord: number;
  #next = 1;

  /**
   * Reads the first Section Header Block and the blocks up to the first
   * packet.
   *
   * @param src The file's bytes: a `ByteSource` (such as a `Deno.FsFile`)
   *   positioned at the first block, or the whole file in memory.
   * @param options Read-buffer tuning.
   * @throws {CaptureFormatError} When the file does not start with a valid
   *   Section Header Block, or a block before the first packet is invalid.
   */
  constructor(src: ByteSource | Uint8Array, options: ReaderOptions = {}) {
    const source = src instanceof Uint8Array ? bytesSource(src) : src;
    this.#rb = source instanceof ReadBuffer
      ? source
      : new ReadBuffer(source, options.bufferSize);
    this.#maxRecord = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    const rb = this.#rb;
    const at = rb.offset;
    const got = rb.fill(4);
    if (got === 0) {
      throw new CaptureFormatError(
        `Cannot read capture at offset ${at}: file is empty`,
        { offset: at },
      );
    }
    if (got < 4 || rb.view.getUint32(rb.pos, false) !== SHB) {
      throw new CaptureFormatError(
        `Cannot read pcapng at offset ${at}: the file does not start with a section header block`,
        { offset: at },
      );
    }
    // Read ahead through the non-packet blocks.
    for (;;) {
      if (rb.fill(8) < 8) break;
      const type = rb.view.getUint32(rb.pos, this.#le);
      if (type === EPB || type === SPB || type === PB) break;
      this.#block();
    }
  }

  /**
   * Yields the frames of the file in order, reading as it goes and
   * updating `sections` and `interfaces` as their blocks go by. A file that
   * ends exactly after a block ends the iteration; anything else is an
   * error. Calling it again continues where the last iteration stopped.
   *
   * @returns A generator of frames, numbered from 1 across the file.
   * @throws {CaptureFormatError} When a block is malformed or truncated, or
   *   a packet refers to an interface that was not described.
   */
  *frames(): Generator<Frame, void, undefined> {
    for (;;) {
      const f = this.#block();
      if (f === null) return;
      if (f !== undefined) yield f;
    }
  }

  /**
   * Same as `frames()`.
   *
   * @returns A generator of frames.
   */
  [Symbol.iterator](): Generator<Frame, void, undefined> {
    return this.frames();
  }

  /** Reads one block: a frame, undefined for other blocks, null at the end. */
  #block(): Frame | undefined | null {
    const rb = this.#rb;
    const at = rb.offset;
    const got = rb.fill(8);
    if (got === 0) return null;
    const type = got >= 4 ? rb.view.getUint32(rb.pos, this.#le) : -1;
    const isPacket = type === EPB || type === SPB || type === PB;
    const frame = isPacket ? this.#next : undefined;
    const what = isPacket
      ? `frame ${frame}`
      : type === SHB
      ? "section header block"
      : type === IDB
      ? "interface description block"
      : type === -1
      ? "block"
      : `block of type ${hex8(type)}`;
    const fail = (reason: string): CaptureFormatError =>
      new CaptureFormatError(`Cannot read ${what} at offset ${at}: ${reason}`, {
        offset: at,
        frame,
      });
    if (got < 8) {
      throw fail(`file ends inside the block header (${got} of 8 bytes)`);
    }
    let le = this.#le;
    if (type === SHB) {
      const g = rb.fill(12);
      if (g < 12) {
        throw fail(`file ends inside the block header (${g} of 12 bytes)`);
      }
      const bom = rb.view.getUint32(rb.pos + 8, false);
      if (bom === BYTE_ORDER_MAGIC) le = false;
      else if (bom === BYTE_ORDER_MAGIC_SWAPPED) le = true;
      else throw fail(`unknown byte-order magic ${hex8(bom)}`);
    }
    const total = rb.view.getUint32(rb.pos + 4, le);
    if (total < 12) {
      throw fail(`block total length ${total} is less than 12`);
    }
    if (total % 4 !== 0) {
      throw fail(`block total length ${total} is not a multiple of 4`);
    }
    const known = isPacket || type === SHB || type === IDB;
    if (!known) {
      // Skipped blocks are read through, never buffered whole.
      const skipped = rb.discard(total - 4);
      const g = skipped < total - 4 ? 0 : rb.fill(4);
      if (g < 4) {
        throw fail(
          `block truncated, total length ${total} but the file ends after ${
            skipped + g
          } bytes`,
        );
      }
      const trailer = rb.view.getUint32(rb.pos, le);
      if (trailer !== total) {
        throw fail(
          `trailing block length ${trailer} does not match leading length ${total}`,
        );
      }
      rb.consume(4);
      return undefined;
    }
    if (total > this.#maxRecord) {
      throw fail(
        `block total length ${total} exceeds the reader's limit of ${this.#maxRecord} bytes`,
      );
    }
    const have = rb.fill(total);
    if (have < total) {
      throw fail(
        `block truncated, total length ${total} but the file ends after ${have} bytes`,
      );
    }
    const v = rb.view;
    const b = rb.pos;
    const trailer = v.getUint32(b + total - 4, le);
    if (trailer !== total) {
      throw fail(
        `trailing block length ${trailer} does not match leading length ${total}`,
      );
    }
    const ctx: BlockContext = { u8: rb.buffer, v, b, at, total, le, fail };
    let out: Frame | undefined;
    if (type === SHB) this.#sectionHeader(ctx);
    else if (type === IDB) this.#interfaceDescription(ctx);
    else if (type === SPB) out = this.#simplePacket(ctx);
    else out = this.#packet(ctx, type === EPB);
    rb.consume(total);
    if (out !== undefined) this.#next++;
    return out;
  }

  #sectionHeader(c: BlockContext): void {
    if (c.total < 28) {
      throw c.fail(
        `block total length ${c.total} is too short for a section header (at least 28)`,
      );
    }
    const major = c.v.getUint16(c.b + 12, c.le);
    const minor = c.v.getUint16(c.b + 14, c.le);
    if (major !== 1) {
      throw c.fail(`unsupported version ${major}.${minor} (expected 1.0)`);
    }
    const section: SectionInfo = {
      offset: c.at,
      byteOrder: c.le ? "little" : "big",
      comments: [],
    };
    forEachOption(c, c.b + 24, (code, p, len) => {
      const text = () => utf8.decode(c.u8.subarray(p, p + len));
      if (code === 1) section.comments.push(text());
      else if (code === 2) section.hardware = text();
      else if (code === 3) section.os = text();
      else if (code === 4) section.userAppl = text();
    });
    this.#le = c.le;
    this.#clocks = [];
    this.sections.push(section);
  }

  #interfaceDescription(c: BlockContext): void {
    if (this.sections.length === 0) {
      throw c.fail("interface description block before any section header");
    }
    if (c.total < 20) {
      throw c.fail(
        `block total length ${c.total} is too short for an interface description (at least 20)`,
      );
    }
    const info: InterfaceInfo = {
      section: this.sections.length - 1,
      id: this.#clocks.length,
      linkType: c.v.getUint16(c.b + 8, c.le),
      snapLen: c.v.getUint32(c.b + 12, c.le),
      tsresol: { base: 10, exp: 6 },
      tsoffset: 0n,
    };
    forEachOption(c, c.b + 16, (code, p, len) => {
      const text = () => utf8.decode(c.u8.subarray(p, p + len));
      if (code === 2) info.name = text();
      else if (code === 3) info.description = text();
      else if (code === 9 && len >= 1) {
        const r = c.v.getUint8(p);
        info.tsresol = { base: (r & 0x80) !== 0 ? 2 : 10, exp: r & 0x7f };
      } else if (code === 13 && len >= 1) info.fcsLen = c.v.getUint8(p);
      else if (code === 14 && len >= 8) {
        info.tsoffset = c.v.getBigInt64(p, c.le);
      }
    });
    const { base, exp } = info.tsresol;
    let mul = 1n;
    let div = 1n;
    if (base === 2) {
      mul = 1_000_000_000n;
      div = 1n << BigInt(exp);
    } else if (exp <= 9) mul = 10n ** BigInt(9 - exp);
    else div = 10n ** BigInt(exp - 9);
    this.#clocks.push({
      info,
      mul,
      div,
      offsetNs: info.tsoffset * 1_000_000_000n,
    });
    this.interfaces.push(info);
  }

  #clock(c: BlockContext, id: number, blockName: string): Clock {
    if (this.#clocks.length === 0) {
      throw c.fail(
        `${blockName} before any interface description block in its section`,
      );
    }
    const clock = this.#clocks[id];
    if (clock === undefined) {
      throw c.fail(
        `interface id ${id} has no interface description block (the section has ${this.#clocks.length})`,
      );
    }
    return clock;
  }

  #packet(c: BlockContext, enhanced: boolean): Frame {
    const blockName = enhanced ? "enhanced packet block" : "packet block";
    if (c.total < 32) {
      throw c.fail(
        `block total length ${c.total} is too short for ${
          enhanced ? "an" : "a"
        } ${blockName} (at least 32)`,
      );
    }
    const { v, b, le } = c;
    const id = enhanced ? v.getUint32(b + 8, le) : v.getUint16(b + 8, le);
    const clock = this.#clock(c, id, blockName);
    const capLen = v.getUint32(b + 20, le);
    const origLen = v.getUint32(b + 24, le);
    const room = c.total - 32;
    if (capLen > room) {
      throw c.fail(
        `captured length ${capLen} exceeds the block body (${room} bytes of packet data)`,
      );
    }
    const snapLen = clock.info.snapLen;
    if (snapLen !== 0 && capLen > snapLen) {
      throw c.fail(`captured length ${capLen} exceeds snap length ${snapLen}`);
    }
    const units = (BigInt(v.getUint32(b + 12, le)) << 32n) |
      BigInt(v.getUint32(b + 16, le));
    let ns = units * clock.mul;
    if (clock.div !== 1n) ns /= clock.div;
    const frame: Frame = {
      number: this.#next,
      data: c.u8.slice(b + 28, b + 28 + capLen),
      origLen,
      timestampNs: ns + clock.offsetNs,
      interfaceId: id,
      linkType: clock.info.linkType,
      fileOffset: c.at,
      section: clock.info.section,
    };
    forEachOption(c, b + 28 + ((capLen + 3) & ~3), (code, p, len) => {
      if (code === 1) {
        (frame.comments ??= []).push(
          utf8.decode(c.u8.subarray(p, p + len)),
        );
      } else if (code === 2 && len >= 4) frame.epbFlags = v.getUint32(p, le);
    });
    return frame;
  }

  #simplePacket(c: BlockContext): Frame {
    if (c.total < 16) {
      throw c.fail(
        `block total length ${c.total} is too short for a simple packet block (at least 16)`,
      );
    }
    const { v, b, le } = c;
    const clock = this.#clock(c, 0, "simple packet block");
    const origLen = v.getUint32(b + 8, le);
    const snapLen = clock.info.snapLen;
    const capLen = snapLen === 0 ? origLen : Math.min(origLen, snapLen);
    const room = c.total - 16;
    if (capLen > room) {
      throw c.fail(
        `captured length ${capLen} exceeds the block body (${room} bytes of packet data)`,
      );
    }
    return {
      number: this.#next,
      data: c.u8.slice(b + 12, b + 12 + capLen),
      origLen,
      timestampNs: 0n,
      interfaceId: 0,
      linkType: clock.info.linkType,
      fileOffset: c.at,
      section: clock.info.section,
    };
  }
}

/** A block held whole in the read buffer. */
interface BlockContext {
  /** The read buffer. */
  u8: Uint8Array;
  /** View over the read buffer. */
  v: DataView;
  /** Index of the block's first byte in the view. */
  b: number;
  /** File offset of the block. */
  at: number;
  /** Block total length. */
  total: number;
  /** Byte order of the block's section. */
  le: boolean;
  /** Builds the error for this block. */
  fail: (reason: string) => CaptureFormatError;
}

/**
 * Calls `fn(code, valueIndex, length)` for each option from `start` to the
 * end of the block body; stops at opt_endofopt or when fewer than 4 bytes
 * are left (a list without terminator).
 */
function forEachOption(
  c: BlockContext,
  start: number,
  fn: (code: number, p: number, len: number) => void,
): void {
  const end = c.b + c.total - 4;
  let p = start;
  while (p + 4 <= end) {
    const code = c.v.getUint16(p, c.le);
    const len = c.v.getUint16(p + 2, c.le);
    if (code === 0) return;
    if (p + 4 + len > end) {
      throw c.fail(
        `option ${code} at offset ${
          c.at + (p - c.b)
        } has length ${len}, past the end of the block`,
      );
    }
    fn(code, p + 4, len);
    p += 4 + ((len + 3) & ~3);
  }
}

function hex8(v: number): string {
  return "0x" + (v >>> 0).toString(16).padStart(8, "0");
}
