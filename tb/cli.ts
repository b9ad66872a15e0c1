/**
 * The `tsolab` command line: dispatches to the commands, prints their help,
 * and turns usage and input errors into one line on stderr and exit 2.
 *
 * @module
 */

import { TsolabError } from "../sw/types.ts";
import { parseArgsErrorLine } from "./cli_args.ts";
import { checkMain } from "./check_command.ts";
import { featuresMain } from "./features_command.ts";
import { pcieMain } from "./pcie_command.ts";
import { reportMain } from "./report_command.ts";
import { segmentMain } from "./segment_command.ts";
import { sweepMain } from "./sweep_command.ts";
import { vectorsMain } from "./vectors_command.ts";
import { verifyMain } from "./verify_command.ts";

/**
 * Help text of the whole CLI.
 *
 * @example
 * ```ts
 * import { CLI_HELP } from "./cli.ts";
 * console.log(CLI_HELP);
 * ```
 */
export const CLI_HELP =
  `tsolab — a testbench for NIC transmit segmentation offload

Usage: tsolab <command> [options]   (deno task tsolab <command> …)

Commands:
  verify     check the engines against the kernel's own output (the main job)
  segment    segment a capture's super-packets as Linux (or the NIC model) does
  check      compare your device's wire capture with the Linux reference
  features   the model device's offload features, as ethtool -k shows them
  vectors    golden vectors: capture (Linux netns), extract, gen, manifest
  pcie       effective PCIe bandwidth for DMA transfers of a given size
  sweep      NIC model throughput against send size, as SVG or HTML
  report     one self-contained HTML page: verify results, stage utilisation, throughput, PCIe curves

Run "tsolab <command> --help" for a command's options and an example.

Exit status: 0 ok; 1 verification mismatch; 2 bad input, usage or refusal.
`;

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  check: checkMain,
  features: featuresMain,
  pcie: pcieMain,
  report: reportMain,
  segment: segmentMain,
  sweep: sweepMain,
  vectors: vectorsMain,
  verify: verifyMain,
};

/**
 * Runs the CLI.
 *
 * @param args Command-line arguments (without the program name).
 * @returns The exit status.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await cliMain(Deno.args));
 * ```
 */
export async function cliMain(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(CLI_HELP);
    return cmd === undefined ? 2 : 0;
  }
  const run = COMMANDS[cmd];
  if (run === undefined) {
    console.error(`tsolab: unknown command "${cmd}" (see tsolab --help)`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (e) {
    if (e instanceof TsolabError) {
      console.error(`tsolab ${cmd}: ${e.message}`);
      return 2;
    }
    if (
      e instanceof TypeError &&
      (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      console.error(`tsolab ${cmd}: ${parseArgsErrorLine(e, rest)}`);
      return 2;
    }
    // Any file-system error (missing file, permission, a directory where a
    // file was expected): one line, exit 2, never a stack trace.
    if (isDenoIoError(e)) {
      console.error(`tsolab ${cmd}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

function isDenoIoError(e: unknown): e is Error {
  return Object.values(Deno.errors).some((c) => e instanceof c);
}
