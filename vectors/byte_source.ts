/**
 * Where capture readers get their bytes from: anything with a synchronous
 * `readSync`, such as a `Deno.FsFile`, or a byte array in memory.
 *
 * @module
 */

/**
 * A synchronous source of bytes. `readSync` fills the start of `p` with up
 * to `p.length` bytes and returns how many it wrote, or `null` at the end of
 * the input. `Deno.FsFile` satisfies this interface.
 *
 * @example
 * ```ts
 * import type { ByteSource } from "./byte_source.ts";
 * const zeros: ByteSource = {
 *   readSync(p: Uint8Array): number | null {
 *     p.fill(0);
 *     return p.length;
 *   },
 * };
 * ```
 */
export interface ByteSource {
  /**
   * Reads the next bytes into `p`.
   *
   * @param p Where to put them.
   * @returns How many bytes were read, or `null` at the end of the input.
   */
  readSync(p: Uint8Array): number | null;
}

/**
 * Wraps a byte array as a {@linkcode ByteSource} that hands out its bytes in
 * order. The array is not copied; do not change it while reading.
 *
 * @param bytes The whole input.
 * @returns A source that reads `bytes` from the start.
 *
 * @example
 * ```ts
 * import { bytesSource } from "./byte_source.ts";
 * const src = bytesSource(new Uint8Array([1, 2, 3]));
 * const p = new Uint8Array(2);
 * src.readSync(p); // 2, p = [1, 2]
 * src.readSync(p); // 1, p = [3, 2]
 * src.readSync(p); // null
 * ```
 */
export function bytesSource(bytes: Uint8Array): ByteSource {
  let pos = 0;
  return {
    readSync(p: Uint8Array): number | null {
      if (pos >= bytes.length) return null;
      const n = Math.min(p.length, bytes.length - pos);
      p.set(bytes.subarray(pos, pos + n));
      pos += n;
      return n;
    },
  };
}
