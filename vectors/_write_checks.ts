/**
 * Checks shared by the capture writers (private to `vectors/`).
 *
 * @module
 */

import { CaptureWriteError } from "./capture_error.ts";

/**
 * Checks a frame's lengths for a writer (shared with the pcapng writer).
 *
 * @param n 1-based frame number, for the message.
 * @param capLen Bytes of data.
 * @param origLen Original length.
 * @param snapLen Snap length (0 = no limit).
 * @throws {CaptureWriteError} When a length is out of range.
 *
 * @example
 * ```ts
 * import { checkLengths } from "./_write_checks.ts";
 * checkLengths(1, 60, 60, 262144);
 * ```
 */
export function checkLengths(
  n: number,
  capLen: number,
  origLen: number,
  snapLen: number,
): void {
  if (snapLen !== 0 && capLen > snapLen) {
    throw new CaptureWriteError(
      `Cannot write frame ${n}: ${capLen} bytes of data exceed snap length ${snapLen}`,
      n,
    );
  }
  if (!isUint(origLen, 0xffffffff) || origLen < capLen) {
    throw new CaptureWriteError(
      `Cannot write frame ${n}: original length ${origLen} is not in ${capLen}..4294967295 (the data length and up)`,
      n,
    );
  }
}

/**
 * Whether `v` is an integer in 0..max.
 *
 * @param v The value.
 * @param max The largest allowed value.
 * @returns True when it is.
 *
 * @example
 * ```ts
 * import { isUint } from "./_write_checks.ts";
 * isUint(65536, 0xffff); // false
 * ```
 */
export function isUint(v: number, max: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= max;
}
