/**
 * Errors of the kernel capture tool (`vectors capture`).
 *
 * @module
 */

import { TsolabError } from "../../sw/types.ts";

/**
 * An external command (ip, ethtool, tcpdump, a helper in a namespace)
 * failed. The message names the command line, its exit code and the first
 * line of its stderr.
 *
 * @example
 * ```ts
 * import { CommandError } from "./errors.ts";
 * const e = new CommandError(["ip", "netns", "add", "x"], 1, "File exists");
 * e.code; // 1
 * ```
 */
export class CommandError extends TsolabError {
  /** The command line. */
  readonly argv: readonly string[];
  /** Its exit code (or -1 when it was killed). */
  readonly code: number;
  /** Its complete stderr. */
  readonly stderr: string;

  /**
   * Builds the message from the command line and its stderr.
   *
   * @param argv The command line.
   * @param code The exit code.
   * @param stderr What it wrote to stderr.
   */
  constructor(argv: readonly string[], code: number, stderr: string) {
    const first = stderr.split("\n").find((l) => l.trim() !== "")?.trim() ??
      "no message";
    super(`Command failed with exit code ${code}: ${argv.join(" ")}: ${first}`);
    this.argv = argv;
    this.code = code;
    this.stderr = stderr;
  }
}

/**
 * The running kernel cannot do a scenario (it refused the super-packet, or a
 * device option is unsupported). The scenario is reported as skipped with
 * this message as the reason, never silently dropped.
 *
 * @example
 * ```ts
 * import { ScenarioSkipped } from "./errors.ts";
 * const e = new ScenarioSkipped("Scenario tap-tcp4-mss1: the tap refused gso_size 1");
 * e instanceof ScenarioSkipped; // true
 * ```
 */
export class ScenarioSkipped extends TsolabError {}

/**
 * A capture could not be taken or is incomplete: tcpdump did not start or
 * dropped frames, the end marker never reached a capture file, a socket flow
 * lost data.
 *
 * @example
 * ```ts
 * import { CaptureRunError } from "./errors.ts";
 * new CaptureRunError("Capture on p2 dropped 3 frames");
 * ```
 */
export class CaptureRunError extends TsolabError {}
