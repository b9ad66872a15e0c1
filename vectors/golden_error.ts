/**
 * Errors of the golden-vector format, of turning capture pairs into golden
 * vectors, and of the manifest.
 *
 * @module
 */

import { TsolabError } from "../sw/types.ts";

/**
 * A golden vector that cannot be written or read as the format requires: a
 * frame over the size limit or truncated, a super-packet without its
 * metadata, a comment that does not parse, fewer expected frames than the
 * ingress frame announced. The message names the file, the frame number
 * and, where it helps, the byte offset.
 *
 * @example
 * ```ts
 * import { GoldenVectorError } from "./golden_error.ts";
 * const e = new GoldenVectorError(
 *   "tcp4.pcapng: frame 3 at offset 4096: segments=2 but 1 expected frame follows",
 *   { path: "tcp4.pcapng", frame: 3 },
 * );
 * e.frame; // 3
 * ```
 */
export class GoldenVectorError extends TsolabError {
  /** The file concerned, if any. */
  readonly path: string | undefined;
  /** 1-based frame number in that file, if any. */
  readonly frame: number | undefined;

  /**
   * Creates the error.
   *
   * @param message What is wrong and where (sentence case, no final period).
   * @param where The file and frame number, when known.
   * @param options Standard error options (`cause`).
   */
  constructor(
    message: string,
    where: { path?: string; frame?: number } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.path = where.path;
    this.frame = where.frame;
  }
}

/**
 * An ingress and an egress capture whose frames do not pair up: a segment
 * missing, one too many, two out of order, a payload byte changed, a flow
 * the egress frame does not belong to. The message names the ingress frame
 * and the egress frame where the pairing broke.
 *
 * @example
 * ```ts
 * import { PairingError } from "./golden_error.ts";
 * const e = new PairingError(
 *   "tcp4.in.pcap frame 12: egress frame 30 carries payload bytes 2896..4344, expected 1448..2896 (a segment is missing or out of order)",
 *   { ingressFrame: 12, egressFrame: 30 },
 * );
 * e.egressFrame; // 30
 * ```
 */
export class PairingError extends TsolabError {
  /** 1-based number of the ingress frame being paired, if any. */
  readonly ingressFrame: number | undefined;
  /** 1-based number of the egress frame where it broke, if any. */
  readonly egressFrame: number | undefined;

  /**
   * Creates the error.
   *
   * @param message What does not pair and where.
   * @param where The ingress and egress frame numbers, when known.
   */
  constructor(
    message: string,
    where: { ingressFrame?: number; egressFrame?: number } = {},
  ) {
    super(message);
    this.ingressFrame = where.ingressFrame;
    this.egressFrame = where.egressFrame;
  }
}
