/**
 * Errors of the capture-file readers and writers.
 *
 * @module
 */

import { TsolabError } from "../sw/types.ts";

/**
 * Where a format error was found: the byte offset in the file and, when the
 * error belongs to a packet record or block, its 1-based frame number.
 *
 * @example
 * ```ts
 * import { type CaptureErrorLocation, CaptureFormatError } from "./capture_error.ts";
 * const where: CaptureErrorLocation = { offset: 40, frame: 1 };
 * const err = new CaptureFormatError("record caplen exceeds snaplen", where);
 * err.frame; // 1
 * ```
 */
export interface CaptureErrorLocation {
  /** Byte offset in the file (of the record, block, header or field). */
  offset: number;
  /** 1-based frame number, when the error belongs to a frame. */
  frame?: number;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * A capture file that cannot be read: bad magic, bad version, a block or
 * record whose lengths do not add up, a truncated file, a packet for an
 * interface that was never described. The message says what and where, for
 * example `Cannot read frame 12 at offset 4096: captured length 70000
 * exceeds snap length 65535`.
 *
 * @example
 * ```ts
 * import { CaptureFormatError, CaptureReader } from "./mod.ts";
 * try {
 *   CaptureReader.fromBytes(new Uint8Array(0));
 * } catch (e) {
 *   if (!(e instanceof CaptureFormatError)) throw e;
 *   console.log(e.offset, e.frame, e.message);
 * }
 * ```
 */
export class CaptureFormatError extends TsolabError {
  /** Byte offset in the file where the problem was found. */
  readonly offset: number;
  /** 1-based number of the frame concerned, or undefined. */
  readonly frame: number | undefined;

  /**
   * Creates the error.
   *
   * @param message What is wrong and where (sentence case, no final period).
   * @param location The byte offset and, if any, the frame number.
   */
  constructor(message: string, location: CaptureErrorLocation) {
    super(
      message,
      location.cause === undefined ? undefined : { cause: location.cause },
    );
    this.offset = location.offset;
    this.frame = location.frame;
  }
}

/**
 * A frame, interface or option that a capture writer cannot store as asked:
 * a timestamp that does not fit or would lose precision, data longer than
 * the snap length, an interface id that was never added, a second link type
 * in a pcap file.
 *
 * @example
 * ```ts
 * import { bytesSink, CaptureWriteError, PcapWriter } from "./mod.ts";
 * const w = new PcapWriter(bytesSink(), { linkType: 1 });
 * try {
 *   w.write({ data: new Uint8Array(60), timestampNs: -1n });
 * } catch (e) {
 *   if (!(e instanceof CaptureWriteError)) throw e;
 * }
 * ```
 */
export class CaptureWriteError extends TsolabError {
  /** 1-based number of the frame concerned, or undefined. */
  readonly frame: number | undefined;

  /**
   * Creates the error.
   *
   * @param message What cannot be written and why.
   * @param frame 1-based number of the frame concerned, if any.
   */
  constructor(message: string, frame?: number) {
    super(message);
    this.frame = frame;
  }
}
