/**
 * The error of a capture comparison that would compare nothing.
 *
 * @module
 */

import { UsageError } from "./cli_args.ts";

/**
 * A capture pair holds no frame from the sender to compare: the sender
 * given is not in the ingress capture, or no TCP/UDP frame names one. A
 * usage error (exit 2), never a match.
 *
 * @example
 * ```ts
 * import { NothingToCompareError } from "./nothing_to_compare_error.ts";
 * const e = new NothingToCompareError("in.pcap", "10.0.0.9", ["10.0.0.1"]);
 * e.message; // "in.pcap: no frame from sender 10.0.0.9 to compare (sources in the capture: 10.0.0.1)"
 * ```
 */
export class NothingToCompareError extends UsageError {
  /** The sender looked for ("" when none could be inferred). */
  readonly sender: string;

  /**
   * @param ingress The ingress capture.
   * @param sender The sender looked for, or "" when none could be inferred.
   * @param sources The source addresses the capture does hold.
   */
  constructor(ingress: string, sender: string, sources: string[]) {
    const seen = sources.length > 0
      ? `sources in the capture: ${sources.join(", ")}`
      : "no IP frames in the capture";
    super(
      sender === ""
        ? `${ingress}: no TCP or UDP frame to take the sender from (${seen})`
        : `${ingress}: no frame from sender ${sender} to compare (${seen})`,
    );
    this.name = "NothingToCompareError";
    this.sender = sender;
  }
}
