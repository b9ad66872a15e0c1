/**
 * The read buffer behind the capture readers (private to `vectors/`).
 *
 * @module
 */

import type { ByteSource } from "./byte_source.ts";

/** Initial capacity of a read buffer: 64 KiB. */
export const DEFAULT_READ_BUFFER = 65536;

/**
 * A read buffer over a {@linkcode ByteSource}: a fixed array that keeps the
 * bytes not yet consumed and grows only when one record needs more room than
 * it has, so memory stays flat however long the file is. It is itself a
 * `ByteSource`, so a reader can hand a partly consumed buffer to another.
 *
 * @example
 * ```ts
 * import { bytesSource } from "./byte_source.ts";
 * import { ReadBuffer } from "./_read_buffer.ts";
 * const rb = new ReadBuffer(bytesSource(new Uint8Array([1, 2, 3, 4])), 16);
 * rb.fill(4); // 4
 * rb.buffer[rb.pos + 3]; // 4
 * rb.consume(4);
 * rb.fill(1); // 0: end of input
 * ```
 */
export class ReadBuffer implements ByteSource {
  #src: ByteSource;
  #buf: Uint8Array;
  #view: DataView;
  #start = 0;
  #end = 0;
  #base = 0;
  #eof = false;

  /**
   * Creates an empty buffer over a source.
   *
   * @param src Where the bytes come from.
   * @param capacity Initial size of the buffer in bytes (at least 16).
   */
  constructor(src: ByteSource, capacity: number = DEFAULT_READ_BUFFER) {
    this.#src = src;
    this.#buf = new Uint8Array(Math.max(16, Math.floor(capacity)));
    this.#view = new DataView(this.#buf.buffer);
  }

  /**
   * File offset of the next byte not yet consumed.
   *
   * @returns The offset.
   */
  get offset(): number {
    return this.#base + this.#start;
  }

  /**
   * The buffer array. The next unconsumed byte is at `pos`; only the bytes
   * made available by the last `fill` are valid. A later `fill` may replace
   * the array.
   *
   * @returns The array.
   */
  get buffer(): Uint8Array {
    return this.#buf;
  }

  /**
   * A `DataView` over `buffer`, for multi-byte reads in either byte order.
   *
   * @returns The view.
   */
  get view(): DataView {
    return this.#view;
  }

  /**
   * Index in `buffer` of the next unconsumed byte.
   *
   * @returns The index.
   */
  get pos(): number {
    return this.#start;
  }

  /**
   * Current size of the buffer array in bytes.
   *
   * @returns The capacity.
   */
  get capacity(): number {
    return this.#buf.length;
  }

  /**
   * Makes `n` bytes from the current position available in `buffer`,
   * reading from the source, moving the kept bytes to the front, or growing
   * the array as needed.
   *
   * @param n How many bytes are wanted.
   * @returns How many are available, `n` unless the input ended first.
   */
  fill(n: number): number {
    if (this.#end - this.#start >= n) return n;
    if (this.#start + n > this.#buf.length) {
      if (n > this.#buf.length) {
        const grown = new Uint8Array(Math.ceil(n / 4096) * 4096);
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
        this.#view = new DataView(grown.buffer);
      } else {
        this.#buf.copyWithin(0, this.#start, this.#end);
      }
      this.#base += this.#start;
      this.#end -= this.#start;
      this.#start = 0;
    }
    while (this.#end - this.#start < n && !this.#eof) {
      const r = this.#src.readSync(this.#buf.subarray(this.#end));
      if (r === null || r <= 0) this.#eof = true;
      else this.#end += r;
    }
    return Math.min(n, this.#end - this.#start);
  }

  /**
   * Marks `n` available bytes as consumed.
   *
   * @param n How many; at most what the last `fill` made available.
   */
  consume(n: number): void {
    this.#start = Math.min(this.#start + n, this.#end);
  }

  /**
   * Skips `n` bytes without keeping them, reading through the source in
   * buffer-sized steps (the buffer does not grow).
   *
   * @param n How many bytes to skip.
   * @returns How many were skipped, `n` unless the input ended first.
   */
  discard(n: number): number {
    let skipped = 0;
    while (skipped < n) {
      const got = this.fill(Math.min(n - skipped, this.#buf.length));
      if (got === 0) break;
      this.consume(got);
      skipped += got;
    }
    return skipped;
  }

  /**
   * Reads buffered bytes first, then from the source (the `ByteSource`
   * contract).
   *
   * @param p Where to put the bytes.
   * @returns How many bytes were read, or `null` at the end of the input.
   */
  readSync(p: Uint8Array): number | null {
    if (p.length === 0) return 0;
    const got = this.fill(Math.min(p.length, this.#buf.length));
    if (got === 0) return null;
    p.set(this.#buf.subarray(this.#start, this.#start + got));
    this.consume(got);
    return got;
  }
}
