/**
 * The error every header encoder throws when a header cannot be written.
 *
 * @module
 */

import { TsolabError } from "./types.ts";

/**
 * A header could not be encoded: the buffer is too small or a field holds a
 * value that has no encoding (options not a multiple of 4 bytes, an address
 * of the wrong length, …).
 *
 * The message reads `Cannot encode <header> at offset <offset>: <reason>`.
 *
 * @example
 * ```ts
 * import { EncodeError } from "./encode_error.ts";
 * const e = new EncodeError("TCP header", 34, "options", "options length 3 is not a multiple of 4");
 * e.field; // "options"
 * ```
 */
export class EncodeError extends TsolabError {
  /** What was being encoded, for example `"TCP header"`. */
  readonly header: string;
  /** Byte offset in the output buffer where the header starts. */
  readonly offset: number;
  /** The field at fault, or `buffer` when the output buffer is too small. */
  readonly field: string;

  /**
   * Creates the error; the message is built from `header`, `offset` and
   * `reason`.
   *
   * @param header What was being encoded, for example `"IPv4 header"`.
   * @param offset Byte offset in the output buffer where the header starts.
   * @param field The field at fault, or `buffer`.
   * @param reason What is wrong, in sentence case without a final period.
   * @param options Standard error options (`cause`).
   */
  constructor(
    header: string,
    offset: number,
    field: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot encode ${header} at offset ${offset}: ${reason}`, options);
    this.header = header;
    this.offset = offset;
    this.field = field;
  }
}

/**
 * Throws an {@linkcode EncodeError} unless `len` bytes fit in `b` from `off`.
 * The encoders call it before writing anything.
 *
 * @param header What is being encoded, for the message.
 * @param b The output buffer.
 * @param off Where the header starts.
 * @param len How many bytes the header needs.
 * @throws {EncodeError} With field `buffer` when the bytes do not fit.
 *
 * @example
 * ```ts
 * import { ensureRoom } from "./encode_error.ts";
 * ensureRoom("UDP header", new Uint8Array(42), 34, 8); // fits, no error
 * ```
 */
export function ensureRoom(
  header: string,
  b: Uint8Array,
  off: number,
  len: number,
): void {
  if (off < 0 || off + len > b.length) {
    throw new EncodeError(
      header,
      off,
      "buffer",
      `needs ${len} bytes, the buffer has ${
        Math.max(0, b.length - off)
      } from there`,
    );
  }
}
