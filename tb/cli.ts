/**
 * The `tsolab` command line: dispatches to the commands, prints their help,
 * and turns usage and input errors into one line on stderr and exit 2.
 *
 * @module
 */

import { TsolabError } from "../sw/types.ts";
import { parseArgsErrorLine } from "./cli_args.ts";
import { CHECK_HELP, checkMain } from "./check_command.ts";
import { FEATURES_HELP, featuresMain } from "./features_command.ts";
import { PCIE_HELP, pcieMain } from "./pcie_command.ts";
import { REPORT_HELP, reportMain } from "./report_command.ts";
import { SEGMENT_HELP, segmentMain } from "./segment_command.ts";
import { SWEEP_HELP, sweepMain } from "./sweep_command.ts";
import { EXTRACT_HELP, MANIFEST_HELP, vectorsMain } from "./vectors_command.ts";
import { VERIFY_HELP, verifyMain } from "./verify_command.ts";
import { GEN_USAGE } from "../vectors/generate.ts";

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

// Each command with the help whose options a mistyped one is matched
// against (for vectors, that of its subcommand).
const COMMANDS: Record<
  string,
  { run: (args: string[]) => Promise<number>; help: (sub?: string) => string }
> = {
  check: { run: checkMain, help: () => CHECK_HELP },
  features: { run: featuresMain, help: () => FEATURES_HELP },
  pcie: { run: pcieMain, help: () => PCIE_HELP },
  report: { run: reportMain, help: () => REPORT_HELP },
  segment: { run: segmentMain, help: () => SEGMENT_HELP },
  sweep: { run: sweepMain, help: () => SWEEP_HELP },
  vectors: {
    run: vectorsMain,
    help: (sub) =>
      ({ extract: EXTRACT_HELP, manifest: MANIFEST_HELP, gen: GEN_USAGE })[
        sub ?? ""
      ] ?? "",
  },
  verify: { run: verifyMain, help: () => VERIFY_HELP },
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
  const command = COMMANDS[cmd];
  if (command === undefined) {
    console.error(`tsolab: unknown command "${cmd}" (see tsolab --help)`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof TsolabError) {
      console.error(`tsolab ${cmd}: ${e.message}`);
      return 2;
    }
    if (
      e instanceof TypeError &&
      (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      const which = cmd === "vectors" ? `vectors ${rest[0]}` : cmd;
      const line = parseArgsErrorLine(e, rest, command.help(rest[0]));
      // A line that already says how to write the value needs no pointer.
      const see = line.includes("to pass a value")
        ? ""
        : ` (see tsolab ${which} --help)`;
      console.error(`tsolab ${which}: ${line}${see}`);
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
