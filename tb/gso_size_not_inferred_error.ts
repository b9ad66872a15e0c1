/**
 * The error of a capture comparison whose gso_size cannot be inferred.
 *
 * @module
 */

import { UsageError } from "./cli_args.ts";

/**
 * No gso_size was given and the egress capture holds no TCP or UDP payload
 * from the sender to infer one from: the comparison would segment at
 * gso_size 0. A usage error (exit 2), never a mismatch.
 *
 * @example
 * ```ts
 * import { GsoSizeNotInferredError } from "./gso_size_not_inferred_error.ts";
 * const e = new GsoSizeNotInferredError("out.pcap", "10.0.0.1");
 * e.message; // "out.pcap: gso_size could not be inferred: no TCP or UDP payload from sender 10.0.0.1 in the egress capture; pass --gso-size"
 * ```
 */
export class GsoSizeNotInferredError extends UsageError {
  /** The sender whose egress frames were looked for. */
  readonly sender: string;

  /**
   * @param egress The egress capture.
   * @param sender The sender whose frames were looked for.
   */
  constructor(egress: string, sender: string) {
    super(
      `${egress}: gso_size could not be inferred: no TCP or UDP payload from sender ${sender} in the egress capture; pass --gso-size`,
    );
    this.name = "GsoSizeNotInferredError";
    this.sender = sender;
  }
}
