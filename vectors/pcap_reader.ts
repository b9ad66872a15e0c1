/**
 * Streaming reader of classic pcap files (libpcap savefile format).
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

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/**
 * Reads a classic pcap file record by record: both byte orders, µs and ns
 * timestamp magics. The file header is read by the constructor; `frames()`
 * then yields one frame per record, numbered from 1, with a copy of its
 * bytes. Memory stays flat: the read buffer only grows to the largest
 * record.
 *
 * `CaptureReader` detects the format and is usually the better entry point.
 *
 * @example
 * ```ts
 * import { bytesSink, PcapReader, PcapWriter } from "./mod.ts";
 * const sink = bytesSink();
 * new PcapWriter(sink, { linkType: 1 })
 *   .write({ data: new Uint8Array(60), timestampNs: 1_500_000_000n });
 * const r = new PcapReader(sink.bytes());
 * for (const f of r.frames()) console.log(f.number, f.timestampNs);
 * ```
 */
export class PcapReader {
  /** Always `"pcap"`. */
  readonly format: "pcap" = "pcap";
  /** The single interface described by the file header. */
  readonly interfaces: InterfaceInfo[] = [];
  /** The single implicit section (its byte order). */
  readonly sections: SectionInfo[] = [];
  #rb: ReadBuffer;
  #le: boolean;
  #nanosecond: boolean;
  #snapLen: number;
  #lengths: "normal" | "swapped" | "maybe" = "normal";
  #linkType: number;
  #maxRecord: number;
  #next = 1;

  /**
   * Reads the file header.
   *
   * @param src The file's bytes: a `ByteSource` (such as a `Deno.FsFile`)
   *   positioned at the file header, or the whole file in memory.
   * @param options Read-buffer tuning.
   * @throws {CaptureFormatError} When the header is missing, truncated or
   *   invalid (magic, version, reserved link-type bits).
   */
  constructor(src: ByteSource | Uint8Array, options: ReaderOptions = {}) {
    const source = src instanceof Uint8Array ? bytesSource(src) : src;
    this.#rb = source instanceof ReadBuffer
      ? source
      : new ReadBuffer(source, options.bufferSize);
    this.#maxRecord = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    const rb = this.#rb;
    const at = rb.offset;
    const got = rb.fill(FILE_HEADER);
    if (got === 0) {
      throw new CaptureFormatError(
        `Cannot read capture at offset ${at}: file is empty`,
        { offset: at },
      );
    }
    const b = rb.pos;
    const v = rb.view;
    const where = `Cannot read pcap file header at offset ${at}`;
    if (got >= 4) {
      const magic = v.getUint32(b, false);
      if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) this.#le = false;
      else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) this.#le = true;
      else {
        throw new CaptureFormatError(
          `${where}: unknown magic ${hex8(magic)}`,
          { offset: at },
        );
      }
      this.#nanosecond = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
    } else {
      this.#le = true;
      this.#nanosecond = false;
    }
    if (got < FILE_HEADER) {
      throw new CaptureFormatError(
        `${where}: file ends after ${got} of ${FILE_HEADER} bytes`,
        { offset: at },
      );
    }
    const le = this.#le;
    const major = v.getUint16(b + 4, le);
    const minor = v.getUint16(b + 6, le);
    if (major !== 2 || minor > 4) {
      throw new CaptureFormatError(
        `${where}: unsupported version ${major}.${minor} (expected 2.0 to 2.4)`,
        { offset: at + 4 },
      );
    }
    // sf-pcap.c: before 2.3 a record header held len before caplen; a 2.3
    // file may hold either order and is read as caplen <= len.
    this.#lengths = minor < 3 ? "swapped" : minor === 3 ? "maybe" : "normal";
    this.#snapLen = v.getUint32(b + 16, le);
    const word = v.getUint32(b + 20, le);
    // R bit (27) and Reserved3 (bits 16-25) must be 0.
    const reserved = word & 0x0bff0000;
    if (reserved !== 0) {
      throw new CaptureFormatError(
        `${where}: link-type word ${hex8(word)} has reserved bits ${
          hex8(reserved)
        } set`,
        { offset: at + 20 },
      );
    }
    this.#linkType = word & 0xffff;
    const info: InterfaceInfo = {
      section: 0,
      id: 0,
      linkType: this.#linkType,
      snapLen: this.#snapLen,
      tsresol: { base: 10, exp: this.#nanosecond ? 9 : 6 },
      tsoffset: 0n,
    };
    if ((word & 0x04000000) !== 0) info.fcsLen = (word >>> 28) * 2;
    this.interfaces.push(info);
    this.sections.push({
      offset: at,
      byteOrder: le ? "little" : "big",
      comments: [],
    });
    rb.consume(FILE_HEADER);
  }

  /**
   * Yields the frames of the file in order, reading as it goes. A file that
   * ends exactly after a record ends the iteration; anything else is an
   * error. Calling it again continues where the last iteration stopped.
   *
   * @returns A generator of frames, numbered from 1.
   * @throws {CaptureFormatError} When a record is truncated or its captured
   *   length exceeds the snap length.
   */
  *frames(): Generator<Frame, void, undefined> {
    const rb = this.#rb;
    const le = this.#le;
    const fracNs = this.#nanosecond ? 1n : 1000n;
    for (;;) {
      const at = rb.offset;
      const n = this.#next;
      const got = rb.fill(RECORD_HEADER);
      if (got === 0) return;
      const where = `Cannot read frame ${n} at offset ${at}`;
      if (got < RECORD_HEADER) {
        throw new CaptureFormatError(
          `${where}: record header truncated after ${got} of ${RECORD_HEADER} bytes`,
          { offset: at, frame: n },
        );
      }
      const v = rb.view;
      let b = rb.pos;
      const sec = v.getUint32(b, le);
      const frac = v.getUint32(b + 4, le);
      let capLen = v.getUint32(b + 8, le);
      let origLen = v.getUint32(b + 12, le);
      if (
        this.#lengths === "swapped" ||
        (this.#lengths === "maybe" && capLen > origLen)
      ) {
        [capLen, origLen] = [origLen, capLen];
      }
      if (this.#snapLen !== 0 && capLen > this.#snapLen) {
        throw new CaptureFormatError(
          `${where}: captured length ${capLen} exceeds snap length ${this.#snapLen}`,
          { offset: at, frame: n },
        );
      }
      if (capLen > this.#maxRecord) {
        throw new CaptureFormatError(
          `${where}: captured length ${capLen} exceeds the reader's limit of ${this.#maxRecord} bytes`,
          { offset: at, frame: n },
        );
      }
      const have = rb.fill(RECORD_HEADER + capLen);
      if (have < RECORD_HEADER + capLen) {
        throw new CaptureFormatError(
          `${where}: record truncated, captured length ${capLen} but the file ends after ${
            have - RECORD_HEADER
          } bytes of packet data`,
          { offset: at, frame: n },
        );
      }
      b = rb.pos;
      const data = rb.buffer.slice(
        b + RECORD_HEADER,
        b + RECORD_HEADER + capLen,
      );
      rb.consume(RECORD_HEADER + capLen);
      this.#next = n + 1;
      yield {
        number: n,
        data,
        origLen,
        timestampNs: BigInt(sec) * 1_000_000_000n + BigInt(frac) * fracNs,
        interfaceId: 0,
        linkType: this.#linkType,
        fileOffset: at,
      };
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
}

function hex8(v: number): string {
  return "0x" + (v >>> 0).toString(16).padStart(8, "0");
}
