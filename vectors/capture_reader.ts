/**
 * One reader for both capture formats: detects pcap or pcapng by the magic
 * number and streams frames from a file, a `ByteSource` or memory.
 *
 * @module
 */

import type { Frame } from "../sw/types.ts";
import { type ByteSource, bytesSource } from "./byte_source.ts";
import { CaptureFormatError } from "./capture_error.ts";
import type {
  InterfaceInfo,
  ReaderOptions,
  SectionInfo,
} from "./capture_info.ts";
import { PcapReader } from "./pcap_reader.ts";
import { PcapngReader } from "./pcapng_reader.ts";
import { ReadBuffer } from "./_read_buffer.ts";

/**
 * Reads a pcap or pcapng capture, whichever the first four bytes say: pcap
 * in either byte order with µs or ns timestamps, or pcapng with any number
 * of sections. Frames are yielded one at a time, numbered from 1 across the
 * file, with exact `bigint` nanosecond timestamps; memory stays flat however
 * large the file is (the read buffer only grows to the largest record).
 *
 * Unknown link types are not an error: every frame carries the link type of
 * its interface and the consumer decides (see `SUPPORTED_LINKTYPES`).
 *
 * @example Read a file
 * ```ts
 * import { CaptureReader } from "./capture_reader.ts";
 * import { createCaptureWriter } from "./capture_writer.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".pcapng" });
 * const w = createCaptureWriter(path, { linkType: 1 });
 * w.write({ data: new Uint8Array(60), timestampNs: 1_000n });
 * w.close();
 * using r = CaptureReader.openFile(path);
 * [...r].map((f) => [f.number, f.timestampNs, f.linkType, f.data.length]); // [[1, 1000n, 1, 60]]
 * Deno.removeSync(path);
 * ```
 *
 * @example Read from memory
 * ```ts
 * import { bytesSink, CaptureReader, PcapWriter } from "./mod.ts";
 * const sink = bytesSink();
 * new PcapWriter(sink, { linkType: 1, nanosecond: true })
 *   .write({ data: new Uint8Array(60), timestampNs: 1_000_000_001n });
 * const r = CaptureReader.fromBytes(sink.bytes());
 * r.format; // "pcap"
 * [...r.frames()][0].timestampNs; // 1_000_000_001n
 * ```
 */
export class CaptureReader {
  /** The detected format. */
  readonly format: "pcap" | "pcapng";
  #impl: PcapReader | PcapngReader;
  #file: Deno.FsFile | undefined;

  /**
   * Opens a capture file and reads its header. Keeps the file open until
   * `close()` (or the end of a `using` block).
   *
   * @param path Path of the file.
   * @param options Read-buffer tuning.
   * @returns The reader.
   * @throws {CaptureFormatError} When the file is not a valid capture.
   *
   * @example
   * ```ts
   * import { CaptureReader } from "./capture_reader.ts";
   * import { createCaptureWriter } from "./capture_writer.ts";
   * const path = Deno.makeTempFileSync({ suffix: ".pcap" });
   * const w = createCaptureWriter(path, { linkType: 1 });
   * w.write({ data: new Uint8Array(60), timestampNs: 0n });
   * w.close();
   * const r = CaptureReader.openFile(path);
   * try {
   *   [...r.frames()].map((f) => f.number); // [1]
   * } finally {
   *   r.close();
   * }
   * Deno.removeSync(path);
   * ```
   */
  static openFile(path: string, options?: ReaderOptions): CaptureReader {
    const file = Deno.openSync(path, { read: true });
    if (file.statSync().isDirectory) {
      // Opening a directory succeeds; reading it would fail with no name.
      file.close();
      throw new CaptureFormatError(
        "Cannot read capture at offset 0: it is a directory",
        { offset: 0 },
      );
    }
    try {
      const r = new CaptureReader(file, options);
      r.#file = file;
      return r;
    } catch (e) {
      file.close();
      throw e;
    }
  }

  /**
   * Reads a capture held in memory. The array is not copied; do not change
   * it while reading.
   *
   * @param bytes The whole file.
   * @param options Read-buffer tuning.
   * @returns The reader.
   * @throws {CaptureFormatError} When the bytes are not a valid capture.
   *
   * @example
   * ```ts
   * import { CaptureFormatError, CaptureReader } from "./mod.ts";
   * try {
   *   CaptureReader.fromBytes(new Uint8Array([1, 2, 3, 4]));
   * } catch (e) {
   *   if (!(e instanceof CaptureFormatError)) throw e; // unknown magic
   * }
   * ```
   */
  static fromBytes(bytes: Uint8Array, options?: ReaderOptions): CaptureReader {
    return new CaptureReader(bytesSource(bytes), options);
  }

  /**
   * Reads the header of a capture from any byte source (the source is not
   * closed by `close()`).
   *
   * @param src Where the bytes come from, positioned at the start of the
   *   file; `Deno.FsFile` will do.
   * @param options Read-buffer tuning.
   * @throws {CaptureFormatError} When the input is empty, too short, has an
   *   unknown magic number or an invalid header.
   */
  constructor(src: ByteSource, options: ReaderOptions = {}) {
    const rb = new ReadBuffer(src, options.bufferSize);
    const got = rb.fill(4);
    if (got === 0) {
      throw new CaptureFormatError(
        "Cannot read capture at offset 0: file is empty",
        { offset: 0 },
      );
    }
    if (got < 4) {
      throw new CaptureFormatError(
        `Cannot read capture at offset 0: file ends after ${got} bytes, before the end of the magic number`,
        { offset: 0 },
      );
    }
    const magic = rb.view.getUint32(rb.pos, false);
    switch (magic) {
      case 0x0a0d0d0a:
        this.#impl = new PcapngReader(rb, options);
        break;
      case 0xa1b2c3d4:
      case 0xa1b23c4d:
      case 0xd4c3b2a1:
      case 0x4d3cb2a1:
        this.#impl = new PcapReader(rb, options);
        break;
      default:
        throw new CaptureFormatError(
          `Cannot read capture at offset 0: unknown magic 0x${
            magic.toString(16).padStart(8, "0")
          } (neither pcap nor pcapng)`,
          { offset: 0 },
        );
    }
    this.format = this.#impl.format;
  }

  /**
   * The interfaces seen so far: the pcap file header, or every pcapng
   * Interface Description Block read up to now (all sections; see
   * `InterfaceInfo.section` and `.id`).
   *
   * @returns The live list.
   */
  get interfaces(): InterfaceInfo[] {
    return this.#impl.interfaces;
  }

  /**
   * The sections seen so far (one for pcap).
   *
   * @returns The live list.
   */
  get sections(): SectionInfo[] {
    return this.#impl.sections;
  }

  /**
   * Yields the frames in file order, reading as it goes. Each frame owns a
   * copy of its bytes. Calling it again continues where the last iteration
   * stopped.
   *
   * @returns A generator of frames, numbered from 1 across the file.
   * @throws {CaptureFormatError} When a record or block is malformed or the
   *   file ends inside one.
   */
  frames(): Generator<Frame, void, undefined> {
    return this.#impl.frames();
  }

  /**
   * Same as `frames()`.
   *
   * @returns A generator of frames.
   */
  [Symbol.iterator](): Generator<Frame, void, undefined> {
    return this.#impl.frames();
  }

  /** Closes the file opened by `openFile` (no-op otherwise, or when closed). */
  close(): void {
    const file = this.#file;
    this.#file = undefined;
    file?.close();
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
