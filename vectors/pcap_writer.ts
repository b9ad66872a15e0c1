/**
 * Streaming writer of classic pcap files.
 *
 * @module
 */

import { type ByteSink, writeAll } from "./byte_sink.ts";
import { CaptureWriteError } from "./capture_error.ts";
import { checkLengths, isUint } from "./_write_checks.ts";

/**
 * Options of {@linkcode PcapWriter}.
 *
 * @example
 * ```ts
 * import type { PcapWriterOptions } from "./pcap_writer.ts";
 * const o: PcapWriterOptions = { linkType: 1, nanosecond: true };
 * ```
 */
export interface PcapWriterOptions {
  /** LINKTYPE_* of every frame, 0..65535. */
  linkType: number;
  /** Snap length, 1..2^32-1 (default 262144, as tcpdump). */
  snapLen?: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d); default microseconds. */
  nanosecond?: boolean;
  /** Little-endian file (default true); false writes big-endian. */
  littleEndian?: boolean;
  /** Bytes of FCS at the end of each frame (even, 0..30), if to be stated. */
  fcsLen?: number;
}

/**
 * One frame for a capture writer.
 *
 * @example
 * ```ts
 * import type { FrameToWrite } from "./pcap_writer.ts";
 * const f: FrameToWrite = { data: new Uint8Array(60), timestampNs: 0n };
 * ```
 */
export interface FrameToWrite {
  /** The captured bytes, from the link-layer header on. */
  data: Uint8Array;
  /** Length on the wire (default `data.length`; not less than it). */
  origLen?: number;
  /** Nanoseconds since the Unix epoch (not negative). */
  timestampNs: bigint;
}

/**
 * Default snap length of the writers: 262144, as tcpdump and dumpcap.
 *
 * @example
 * ```ts
 * import { DEFAULT_SNAPLEN } from "./pcap_writer.ts";
 * DEFAULT_SNAPLEN; // 262144
 * ```
 */
export const DEFAULT_SNAPLEN = 262144;

/**
 * Writes a classic pcap file to a {@linkcode ByteSink} as frames come: the
 * file header in the constructor, then one record per `write`. Timestamps
 * are kept exactly: a timestamp with sub-microsecond digits is refused in a
 * microsecond file rather than rounded.
 *
 * @example
 * ```ts
 * import { bytesSink, CaptureReader, PcapWriter } from "./mod.ts";
 * const sink = bytesSink();
 * const w = new PcapWriter(sink, { linkType: 1, littleEndian: false });
 * w.write({ data: new Uint8Array(60), timestampNs: 1_000_002_000n });
 * const [f] = CaptureReader.fromBytes(sink.bytes());
 * f.timestampNs; // 1_000_002_000n
 * ```
 */
export class PcapWriter {
  #sink: ByteSink;
  #le: boolean;
  #nanosecond: boolean;
  #snapLen: number;
  #count = 0;
  #scratch = new Uint8Array(2048);

  /**
   * Writes the file header.
   *
   * @param sink Where the file goes (`Deno.FsFile` will do).
   * @param options Link type, snap length, timestamp precision, byte order.
   * @throws {CaptureWriteError} When an option is out of range.
   */
  constructor(sink: ByteSink, options: PcapWriterOptions) {
    const linkType = options.linkType;
    const snapLen = options.snapLen ?? DEFAULT_SNAPLEN;
    const fcsLen = options.fcsLen;
    if (!isUint(linkType, 0xffff)) {
      throw new CaptureWriteError(
        `Cannot write pcap file header: link type ${linkType} is not in 0..65535`,
      );
    }
    if (!isUint(snapLen, 0xffffffff) || snapLen === 0) {
      throw new CaptureWriteError(
        `Cannot write pcap file header: snap length ${snapLen} is not in 1..4294967295`,
      );
    }
    if (
      fcsLen !== undefined && (!isUint(fcsLen, 30) || fcsLen % 2 !== 0)
    ) {
      throw new CaptureWriteError(
        `Cannot write pcap file header: FCS length ${fcsLen} is not an even number of bytes in 0..30`,
      );
    }
    this.#sink = sink;
    this.#le = options.littleEndian ?? true;
    this.#nanosecond = options.nanosecond ?? false;
    this.#snapLen = snapLen;
    const h = new Uint8Array(24);
    const v = new DataView(h.buffer);
    const le = this.#le;
    v.setUint32(0, this.#nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, le);
    v.setUint16(4, 2, le);
    v.setUint16(6, 4, le);
    v.setUint32(16, snapLen, le);
    const fcsBits = fcsLen === undefined
      ? 0
      : (((fcsLen / 2) << 28) | 0x04000000) >>> 0;
    v.setUint32(20, (fcsBits | linkType) >>> 0, le);
    writeAll(sink, h);
  }

  /**
   * How many frames have been written.
   *
   * @returns The count.
   */
  get framesWritten(): number {
    return this.#count;
  }

  /**
   * Appends one record.
   *
   * @param frame The bytes, original length and timestamp.
   * @throws {CaptureWriteError} When the data exceeds the snap length, the
   *   original length is shorter than the data or above 2^32-1, or the
   *   timestamp is negative, beyond 2106, or finer than the file's precision.
   */
  write(frame: FrameToWrite): void {
    const n = this.#count + 1;
    const capLen = frame.data.length;
    const origLen = frame.origLen ?? capLen;
    checkLengths(n, capLen, origLen, this.#snapLen);
    const ts = frame.timestampNs;
    const sec = ts / 1_000_000_000n;
    const rem = ts % 1_000_000_000n;
    if (ts < 0n || sec > 0xffffffffn) {
      throw new CaptureWriteError(
        `Cannot write frame ${n}: timestamp ${ts} ns is outside the pcap range (0 to 2^32 seconds)`,
        n,
      );
    }
    if (!this.#nanosecond && rem % 1000n !== 0n) {
      throw new CaptureWriteError(
        `Cannot write frame ${n}: timestamp ${ts} ns has sub-microsecond digits; use a nanosecond file`,
        n,
      );
    }
    const size = 16 + capLen;
    if (this.#scratch.length < size) {
      this.#scratch = new Uint8Array(Math.max(size, this.#scratch.length * 2));
    }
    const out = this.#scratch.subarray(0, size);
    const v = new DataView(out.buffer, 0, size);
    const le = this.#le;
    v.setUint32(0, Number(sec), le);
    v.setUint32(4, this.#nanosecond ? Number(rem) : Number(rem / 1000n), le);
    v.setUint32(8, capLen, le);
    v.setUint32(12, origLen, le);
    out.set(frame.data, 16);
    writeAll(this.#sink, out);
    this.#count = n;
  }
}
