/**
 * Deterministic payload bytes: byte `i` of stream `seed` is a fixed function
 * of (seed, i), so a TCP stream cut into any writes, or a UDP datagram sent
 * in any pieces, is reproducible and checkable at the receiver.
 *
 * Private to `vectors/capture/`.
 *
 * @module
 */

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Bytes `offset .. offset+length` of the pattern stream numbered `seed`.
 *
 * @param seed The stream's seed (any 32-bit integer).
 * @param offset Position of the first byte in the stream.
 * @param length Number of bytes.
 * @returns The bytes.
 *
 * @example
 * ```ts
 * import { patternBytes } from "./_pattern.ts";
 * const a = patternBytes(7, 0, 8);
 * const b = patternBytes(7, 4, 4);
 * a[4] === b[0]; // true
 * ```
 */
export function patternBytes(
  seed: number,
  offset: number,
  length: number,
): Uint8Array {
  const out = new Uint8Array(length);
  let word = -1;
  let h = 0;
  for (let k = 0; k < length; k++) {
    const i = offset + k;
    const w = Math.floor(i / 4);
    if (w !== word) {
      word = w;
      h = mix32((w ^ Math.imul(seed, 0x9e3779b1)) >>> 0);
    }
    out[k] = (h >>> ((i % 4) * 8)) & 0xff;
  }
  return out;
}
