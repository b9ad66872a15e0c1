/**
 * Streaming writer of pcapng files.
 *
 * @module
 */

import { type ByteSink, writeAll } from "./byte_sink.ts";
import { CaptureWriteError } from "./capture_error.ts";
import { DEFAULT_SNAPLEN, type FrameToWrite } from "./pcap_writer.ts";
import { checkLengths, isUint } from "./_write_checks.ts";

/**
 * What a Section Header Block says about the capture.
 *
 * @example
 * ```ts
 * import type { SectionOptions } from "./pcapng_writer.ts";
 * const s: SectionOptions = { userAppl: "tsolab", comments: ["golden"] };
 * ```
 */
export interface SectionOptions {
  /** `shb_hardware`. */
  hardware?: string;
  /** `shb_os`. */
  os?: string;
  /** `shb_userappl`. */
  userAppl?: string;
  /** `opt_comment` values, in order. */
  comments?: string[];
}

/**
 * Options of {@linkcode PcapngWriter} and of `newSection`.
 *
 * @example
 * ```ts
 * import type { PcapngWriterOptions } from "./pcapng_writer.ts";
 * const o: PcapngWriterOptions = { littleEndian: false, section: {} };
 * ```
 */
export interface PcapngWriterOptions {
  /** The section's options. */
  section?: SectionOptions;
  /** Little-endian section (default true); false writes big-endian. */
  littleEndian?: boolean;
}

/**
 * One interface (an Interface Description Block) of a pcapng section.
 *
 * @example
 * ```ts
 * import type { InterfaceOptions } from "./pcapng_writer.ts";
 * const i: InterfaceOptions = { linkType: 1, name: "p2", tsresolNs: true };
 * ```
 */
export interface InterfaceOptions {
  /** LINKTYPE_* of the interface, 0..65535. */
  linkType: number;
  /** Snap length, 0 (no limit) to 2^32-1; default 262144. */
  snapLen?: number;
  /** `if_name`. */
  name?: string;
  /** `if_description`. */
  description?: string;
  /** Nanosecond timestamps (`if_tsresol` 9); default microseconds. */
  tsresolNs?: boolean;
  /** `if_fcslen`: bytes of FCS at the end of each frame, 0..255. */
  fcsLen?: number;
  /** `if_tsoffset`: seconds subtracted from every timestamp when written. */
  tsoffset?: bigint;
}

/**
 * One frame for the pcapng writer: the pcap fields plus the interface and
 * the Enhanced Packet Block options.
 *
 * @example
 * ```ts
 * import type { PcapngFrame } from "./pcapng_writer.ts";
 * const f: PcapngFrame = {
 *   data: new Uint8Array(60), timestampNs: 0n, interfaceId: 0,
 *   comments: ["segment 1 of 3"], epbFlags: 0x2,
 * };
 * ```
 */
export interface PcapngFrame extends FrameToWrite {
  /** Interface id in the current section (default 0). */
  interfaceId?: number;
  /** `opt_comment` values, in order. */
  comments?: string[];
  /** `epb_flags` (direction, FCS length, checksum and TSO bits, …). */
  epbFlags?: number;
}

interface WrittenInterface {
  snapLen: number;
  nanosecond: boolean;
  offsetNs: bigint;
}

interface Option {
  code: number;
  value: Uint8Array;
}

const utf8 = new TextEncoder();
const MAX_U64 = (1n << 64n) - 1n;

/**
 * Writes a pcapng file to a {@linkcode ByteSink} as frames come: a Section
 * Header Block in the constructor (and in `newSection`), an Interface
 * Description Block per `addInterface`, and an Enhanced Packet Block per
 * `write`, with `opt_comment` and `epb_flags` when given. Timestamps are
 * kept exactly: use `tsresolNs` for nanoseconds; a timestamp with
 * sub-microsecond digits is refused on a microsecond interface.
 *
 * @example
 * ```ts
 * import { bytesSink, CaptureReader, PcapngWriter } from "./mod.ts";
 * const sink = bytesSink();
 * const w = new PcapngWriter(sink, { section: { userAppl: "tsolab" } });
 * const p2 = w.addInterface({ linkType: 1, name: "p2", tsresolNs: true });
 * w.write({
 *   data: new Uint8Array(60), timestampNs: 5n, interfaceId: p2,
 *   comments: ["hello"], epbFlags: 0x800,
 * });
 * const [f] = CaptureReader.fromBytes(sink.bytes());
 * f.comments; // ["hello"]
 * ```
 */
export class PcapngWriter {
  #sink: ByteSink;
  #le = true;
  #interfaces: WrittenInterface[] = [];
  #count = 0;
  #scratch = new Uint8Array(2048);
  #view = new DataView(this.#scratch.buffer);

  /**
   * Writes the first Section Header Block.
   *
   * @param sink Where the file goes (`Deno.FsFile` will do).
   * @param options Section options and byte order.
   * @throws {CaptureWriteError} When an option is too long for pcapng.
   */
  constructor(sink: ByteSink, options: PcapngWriterOptions = {}) {
    this.#sink = sink;
    this.newSection(options);
  }

  /**
   * How many frames have been written (all sections).
   *
   * @returns The count.
   */
  get framesWritten(): number {
    return this.#count;
  }

  /**
   * Starts a new section, possibly in the other byte order. Interface ids
   * start again from 0.
   *
   * @param options Section options and byte order.
   * @throws {CaptureWriteError} When an option is too long for pcapng.
   */
  newSection(options: PcapngWriterOptions = {}): void {
    const s = options.section ?? {};
    const opts: Option[] = [];
    for (const c of s.comments ?? []) opts.push(text(1, c, "section comment"));
    if (s.hardware !== undefined) {
      opts.push(text(2, s.hardware, "shb_hardware"));
    }
    if (s.os !== undefined) opts.push(text(3, s.os, "shb_os"));
    if (s.userAppl !== undefined) {
      opts.push(text(4, s.userAppl, "shb_userappl"));
    }
    this.#le = options.littleEndian ?? true;
    this.#interfaces = [];
    const body = 16;
    const total = 12 + body + optionsSize(opts);
    const v = this.#begin(0x0a0d0d0a, total);
    const le = this.#le;
    v.setUint32(8, 0x1a2b3c4d, le);
    v.setUint16(12, 1, le);
    v.setUint16(14, 0, le);
    v.setBigInt64(16, -1n, le); // section length not given
    this.#finish(total, 8 + body, opts);
  }

  /**
   * Describes an interface of the current section.
   *
   * @param info Link type, snap length, name, description, precision.
   * @returns The interface id to pass to `write`.
   * @throws {CaptureWriteError} When a value is out of range.
   */
  addInterface(info: InterfaceOptions): number {
    const snapLen = info.snapLen ?? DEFAULT_SNAPLEN;
    const id = this.#interfaces.length;
    const where = `Cannot write interface ${id}`;
    if (!isUint(info.linkType, 0xffff)) {
      throw new CaptureWriteError(
        `${where}: link type ${info.linkType} is not in 0..65535`,
      );
    }
    if (!isUint(snapLen, 0xffffffff)) {
      throw new CaptureWriteError(
        `${where}: snap length ${snapLen} is not in 0..4294967295`,
      );
    }
    const opts: Option[] = [];
    if (info.name !== undefined) opts.push(text(2, info.name, "if_name"));
    if (info.description !== undefined) {
      opts.push(text(3, info.description, "if_description"));
    }
    if (info.tsresolNs) opts.push({ code: 9, value: new Uint8Array([9]) });
    if (info.fcsLen !== undefined) {
      if (!isUint(info.fcsLen, 0xff)) {
        throw new CaptureWriteError(
          `${where}: FCS length ${info.fcsLen} is not in 0..255`,
        );
      }
      opts.push({ code: 13, value: new Uint8Array([info.fcsLen]) });
    }
    const tsoffset = info.tsoffset ?? 0n;
    if (tsoffset < -(1n << 63n) || tsoffset >= 1n << 63n) {
      throw new CaptureWriteError(
        `${where}: if_tsoffset ${tsoffset} does not fit in 64 bits`,
      );
    }
    if (info.tsoffset !== undefined) {
      const value = new Uint8Array(8);
      new DataView(value.buffer).setBigInt64(0, tsoffset, this.#le);
      opts.push({ code: 14, value });
    }
    const total = 12 + 8 + optionsSize(opts);
    const v = this.#begin(1, total);
    v.setUint16(8, info.linkType, this.#le);
    v.setUint16(10, 0, this.#le);
    v.setUint32(12, snapLen, this.#le);
    this.#finish(total, 16, opts);
    this.#interfaces.push({
      snapLen,
      nanosecond: info.tsresolNs ?? false,
      offsetNs: tsoffset * 1_000_000_000n,
    });
    return id;
  }

  /**
   * Appends one Enhanced Packet Block.
   *
   * @param frame The bytes, lengths, timestamp, interface and options.
   * @throws {CaptureWriteError} When the interface was not added in this
   *   section, the data exceeds its snap length, the original length is
   *   shorter than the data, the timestamp does not fit or is finer than the
   *   interface's precision, or `epbFlags` is not a 32-bit value.
   */
  write(frame: PcapngFrame): void {
    const n = this.#count + 1;
    const id = frame.interfaceId ?? 0;
    const ifc = this.#interfaces[id];
    if (ifc === undefined) {
      throw new CaptureWriteError(
        `Cannot write frame ${n}: interface ${id} was not added in this section (it has ${this.#interfaces.length})`,
        n,
      );
    }
    const capLen = frame.data.length;
    const origLen = frame.origLen ?? capLen;
    checkLengths(n, capLen, origLen, ifc.snapLen);
    const rel = frame.timestampNs - ifc.offsetNs;
    const units = ifc.nanosecond ? rel : rel / 1000n;
    if (rel < 0n || units > MAX_U64) {
      throw new CaptureWriteError(
        `Cannot write frame ${n}: timestamp ${frame.timestampNs} ns does not fit the interface's 64-bit timestamp`,
        n,
      );
    }
    if (!ifc.nanosecond && rel % 1000n !== 0n) {
      throw new CaptureWriteError(
        `Cannot write frame ${n}: timestamp ${frame.timestampNs} ns has sub-microsecond digits; add the interface with tsresolNs`,
        n,
      );
    }
    const opts: Option[] = [];
    for (const c of frame.comments ?? []) {
      opts.push(text(1, c, `frame ${n} comment`));
    }
    if (frame.epbFlags !== undefined) {
      if (!isUint(frame.epbFlags, 0xffffffff)) {
        throw new CaptureWriteError(
          `Cannot write frame ${n}: epb_flags ${frame.epbFlags} is not a 32-bit value`,
          n,
        );
      }
      const value = new Uint8Array(4);
      new DataView(value.buffer).setUint32(0, frame.epbFlags, this.#le);
      opts.push({ code: 2, value });
    }
    const padded = pad4(capLen);
    const total = 12 + 20 + padded + optionsSize(opts);
    const v = this.#begin(6, total);
    const le = this.#le;
    v.setUint32(8, id, le);
    v.setUint32(12, Number(units >> 32n), le);
    v.setUint32(16, Number(units & 0xffffffffn), le);
    v.setUint32(20, capLen, le);
    v.setUint32(24, origLen, le);
    this.#scratch.set(frame.data, 28);
    this.#scratch.fill(0, 28 + capLen, 28 + padded);
    this.#finish(total, 28 + padded, opts);
    this.#count = n;
  }

  /** Sizes the scratch buffer and writes the block type and length. */
  #begin(type: number, total: number): DataView {
    if (this.#scratch.length < total) {
      this.#scratch = new Uint8Array(Math.max(total, this.#scratch.length * 2));
      this.#view = new DataView(this.#scratch.buffer);
    }
    this.#view.setUint32(0, type, this.#le);
    this.#view.setUint32(4, total, this.#le);
    return this.#view;
  }

  /** Writes the options and trailing length, then the block to the sink. */
  #finish(total: number, at: number, opts: Option[]): void {
    const v = this.#view;
    const le = this.#le;
    let p = at;
    for (const o of opts) {
      v.setUint16(p, o.code, le);
      v.setUint16(p + 2, o.value.length, le);
      this.#scratch.set(o.value, p + 4);
      const end = p + 4 + pad4(o.value.length);
      this.#scratch.fill(0, p + 4 + o.value.length, end);
      p = end;
    }
    if (opts.length > 0) {
      v.setUint32(p, 0, le); // opt_endofopt
      p += 4;
    }
    v.setUint32(p, total, le);
    writeAll(this.#sink, this.#scratch.subarray(0, total));
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function optionsSize(opts: Option[]): number {
  if (opts.length === 0) return 0;
  let n = 4; // opt_endofopt
  for (const o of opts) n += 4 + pad4(o.value.length);
  return n;
}

function text(code: number, s: string, what: string): Option {
  const value = utf8.encode(s);
  if (value.length > 0xffff) {
    throw new CaptureWriteError(
      `Cannot write ${what}: ${value.length} bytes of UTF-8 exceed the 65535-byte option limit`,
    );
  }
  return { code, value };
}
