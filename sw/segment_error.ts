/**
 * The error the segmenter throws when it refuses a super-packet, with the
 * kernel's reason and errno.
 *
 * @module
 */

import { TsolabError } from "./types.ts";

/**
 * Why a super-packet was refused. The CLI counts rejections by this code.
 *
 * @example
 * ```ts
 * import type { SegmentRejectReason } from "./segment_error.ts";
 * const r: SegmentRejectReason = "payload-not-above-gso-size";
 * ```
 */
export type SegmentRejectReason =
  | "payload-not-above-gso-size"
  | "too-many-frags"
  | "bad-header-length"
  | "too-many-segments"
  | "csum-start-mismatch"
  | "gso-type-mismatch"
  | "unsupported-protocol"
  | "bad-gso-size";

/**
 * Thrown by `segment()` when the kernel would drop the super-packet
 * (`skb_gso_segment` returning an error).
 *
 * @example
 * ```ts
 * import { SegmentError } from "./segment_error.ts";
 * const e = new SegmentError(
 *   "payload-not-above-gso-size",
 *   "EINVAL",
 *   "Cannot segment: TCP payload 1000 is not above gso_size 1448",
 * );
 * e.reason; // "payload-not-above-gso-size"
 * ```
 */
export class SegmentError extends TsolabError {
  /** Machine-readable reason, used for counting. */
  readonly reason: SegmentRejectReason;
  /** The errno the kernel returns for it. */
  readonly errno: "EINVAL" | "EPROTONOSUPPORT";

  /**
   * Creates the error.
   *
   * @param reason Machine-readable reason.
   * @param errno The kernel's errno.
   * @param message What was wrong and where.
   */
  constructor(
    reason: SegmentRejectReason,
    errno: "EINVAL" | "EPROTONOSUPPORT",
    message: string,
  ) {
    super(message);
    this.reason = reason;
    this.errno = errno;
  }
}
