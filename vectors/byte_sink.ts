/**
 * Where capture writers put their bytes: anything with a synchronous
 * `writeSync`, such as a `Deno.FsFile`, or a growing array in memory.
 *
 * @module
 */

import { CaptureWriteError } from "./capture_error.ts";

/**
 * A synchronous destination for bytes. `writeSync` writes some prefix of `p`
 * and returns how many bytes it wrote (possibly fewer than `p.length`).
 * `Deno.FsFile` satisfies this interface.
 *
 * @example
 * ```ts
 * import type { ByteSink } from "./byte_sink.ts";
 * let count = 0;
 * const counter: ByteSink = {
 *   writeSync(p: Uint8Array): number {
 *     count += p.length;
 *     return p.length;
 *   },
 * };
 * ```
 */
export interface ByteSink {
  /**
   * Writes a prefix of `p`.
   *
   * @param p The bytes to write.
   * @returns How many bytes were written.
   */
  writeSync(p: Uint8Array): number;
}

/**
 * A {@linkcode ByteSink} that keeps everything written to it in memory.
 *
 * @example
 * ```ts
 * import { bytesSink } from "./byte_sink.ts";
 * const s = bytesSink();
 * s.writeSync(new Uint8Array([1, 2]));
 * s.bytes(); // Uint8Array [1, 2]
 * ```
 */
export interface BytesSink extends ByteSink {
  /**
   * The bytes written so far.
   *
   * @returns A copy of them.
   */
  bytes(): Uint8Array;
}

/**
 * Creates a sink that collects the written bytes in memory.
 *
 * @returns The sink; `bytes()` returns what was written so far.
 *
 * @example
 * ```ts
 * import { bytesSink, PcapWriter } from "./mod.ts";
 * const sink = bytesSink();
 * new PcapWriter(sink, { linkType: 1 });
 * sink.bytes().length; // 24, the file header
 * ```
 */
export function bytesSink(): BytesSink {
  let buf = new Uint8Array(4096);
  let len = 0;
  return {
    writeSync(p: Uint8Array): number {
      if (len + p.length > buf.length) {
        const grown = new Uint8Array(Math.max(buf.length * 2, len + p.length));
        grown.set(buf.subarray(0, len));
        buf = grown;
      }
      buf.set(p, len);
      len += p.length;
      return p.length;
    },
    bytes(): Uint8Array {
      return buf.slice(0, len);
    },
  };
}

/**
 * Writes all of `p` to `sink`, calling `writeSync` again after a short
 * write.
 *
 * @param sink The destination.
 * @param p The bytes.
 * @throws {CaptureWriteError} When the sink accepts no bytes at all.
 *
 * @example
 * ```ts
 * import { bytesSink, writeAll } from "./byte_sink.ts";
 * const s = bytesSink();
 * writeAll(s, new Uint8Array(10));
 * ```
 */
export function writeAll(sink: ByteSink, p: Uint8Array): void {
  let done = 0;
  while (done < p.length) {
    const n = sink.writeSync(done === 0 ? p : p.subarray(done));
    if (!(n > 0)) {
      throw new CaptureWriteError(
        `Cannot write to sink: it accepted ${done} of ${p.length} bytes and then none`,
      );
    }
    done += n;
  }
}

/**
 * A sink that gathers small writes into one buffer and passes them on in
 * large pieces: one write call per 256 KiB instead of one per block. Call
 * `flush()` before closing what it writes to.
 *
 * @example
 * ```ts
 * import { BufferedSink, bytesSink } from "./byte_sink.ts";
 * const inner = bytesSink();
 * const b = new BufferedSink(inner);
 * b.writeSync(new Uint8Array([1, 2, 3]));
 * b.flush();
 * inner.bytes().length; // 3
 * ```
 */
export class BufferedSink implements ByteSink {
  #inner: ByteSink;
  #buf: Uint8Array;
  #used = 0;

  /**
   * Wraps a sink.
   *
   * @param inner Where the bytes go.
   * @param size Buffer size in bytes (default 256 KiB).
   */
  constructor(inner: ByteSink, size = 256 * 1024) {
    this.#inner = inner;
    this.#buf = new Uint8Array(size);
  }

  /**
   * Takes all of `p` (buffered, or written through when large).
   *
   * @param p The bytes.
   * @returns `p.length`.
   */
  writeSync(p: Uint8Array): number {
    if (this.#used + p.length > this.#buf.length) this.flush();
    if (p.length >= this.#buf.length) writeAll(this.#inner, p);
    else {
      this.#buf.set(p, this.#used);
      this.#used += p.length;
    }
    return p.length;
  }

  /** Writes out what is buffered. */
  flush(): void {
    if (this.#used > 0) {
      writeAll(this.#inner, this.#buf.subarray(0, this.#used));
    }
    this.#used = 0;
  }
}
