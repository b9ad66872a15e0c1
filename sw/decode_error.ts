/**
 * The error every header decoder and the frame layout parser throw for a
 * malformed header.
 *
 * @module
 */

import { TsolabError } from "./types.ts";

/**
 * A header could not be decoded: it is truncated or one of its fields is
 * impossible (an IPv4 IHL below 5, a TCP data offset past the packet, …).
 *
 * The message reads `Cannot decode <header> at offset <offset>: <reason>`.
 *
 * @example
 * ```ts
 * import { DecodeError } from "./decode_error.ts";
 * const e = new DecodeError("IPv4 header", 14, "ihl", "ihl 4 is below 5");
 * e.message; // "Cannot decode IPv4 header at offset 14: ihl 4 is below 5"
 * e.field; // "ihl"
 * ```
 */
export class DecodeError extends TsolabError {
  /** What was being decoded, for example `"IPv4 header"`. */
  readonly header: string;
  /** Byte offset of that header from the start of the buffer. */
  readonly offset: number;
  /**
   * The field at fault, named as in the protocol's header definition
   * (`ihl`, `tot_len`, `doff`, …), or `header` when the bytes end too early.
   */
  readonly field: string;

  /**
   * Creates the error; the message is built from `header`, `offset` and
   * `reason`.
   *
   * @param header What was being decoded, for example `"TCP header"`.
   * @param offset Byte offset of that header from the start of the buffer.
   * @param field The field at fault, or `header` for a truncated header.
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
    super(`Cannot decode ${header} at offset ${offset}: ${reason}`, options);
    this.header = header;
    this.offset = offset;
    this.field = field;
  }
}
