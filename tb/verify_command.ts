/**
 * `tsolab verify`: the main job. Runs each available engine over the golden
 * inputs and compares what it sends with what the Linux kernel sent, byte
 * for byte, printing one line per file and, for a failure, the frame,
 * segment, field, expected and actual values.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { kernelCaptureEgressDevice } from "../sw/net_device.ts";
import { UsageError } from "./cli_args.ts";
import {
  compareCaptures,
  type CompareResult,
  type EngineHints,
} from "./capture_compare.ts";
import { formatDivergence } from "./scoreboard.ts";
import type { Engine } from "./segment_run.ts";
import { swTransmit } from "./sw_engine.ts";

/** Help text of `verify`. */
export const VERIFY_HELP =
  `tsolab verify — check the engines against what the Linux kernel sent

Usage:
  tsolab verify [--captures DIR] [--engine sw|hw|all] [--json] [PAIR …]

With no arguments, verifies every capture pair NAME.in.pcap / NAME.out.pcap
in the kernel captures folder (../shared/kernel-captures beside the
project). For each pair every engine segments the ingress capture as the
kernel's egress device does, and the frames the sender sent are compared
with the kernel's, in order, byte for byte. gso_size is the largest payload
the sender's egress frames carry.

Prints one line per pair and engine: super-packets, frames, segments,
pass/FAIL; a failure names the ingress frame, the segment index, the field
(Wireshark names), expected and actual values.

Exit status: 0 all pass; 1 any mismatch; 2 usage or unusable input.

Example:
  deno task verify
`;

/**
 * Where the kernel captures live: `../shared/kernel-captures` beside the
 * project folder.
 *
 * @returns The folder path.
 *
 * @example
 * ```ts ignore
 * defaultCapturesDir(); // "/work/shared/kernel-captures"
 * ```
 */
export function defaultCapturesDir(): string {
  return new URL("../../shared/kernel-captures", import.meta.url).pathname;
}

/**
 * Lists the capture pairs of a folder: names with both `.in.pcap` and
 * `.out.pcap` files, sorted.
 *
 * @param dir The folder.
 * @returns Pair names.
 * @throws {UsageError} When the folder cannot be read.
 *
 * @example
 * ```ts ignore
 * capturePairs("/work/shared/kernel-captures"); // ["tcp4", "tcp4-vxlan", …]
 * ```
 */
export function capturePairs(dir: string): string[] {
  const names = new Set<string>();
  try {
    for (const e of Deno.readDirSync(dir)) names.add(e.name);
  } catch (e) {
    throw new UsageError(
      `${dir}: cannot read folder (${(e as Error).message})`,
    );
  }
  return [...names]
    .filter((n) => n.endsWith(".in.pcap"))
    .map((n) => n.slice(0, -".in.pcap".length))
    .filter((n) => names.has(`${n}.out.pcap`))
    .sort();
}

/**
 * Formats one comparison as a report line.
 *
 * @param name Pair name.
 * @param engine Engine name.
 * @param r The result.
 * @returns The line.
 *
 * @example
 * ```ts ignore
 * formatCompare("tcp4", "sw", result); // "tcp4  sw  super_packets=30 … pass"
 * ```
 */
export function formatCompare(
  name: string,
  engine: string,
  r: CompareResult,
): string {
  const head = `${name.padEnd(16)} ${engine.padEnd(3)} gso_size=${r.gsoSize} ` +
    `super_packets=${r.superPackets} segments=${r.segments} frames=${r.frames}`;
  if (r.mismatch === null) return `${head} pass`;
  return `${head} FAIL\n` +
    r.divergences.map((d) => formatDivergence(d).replace(/^/gm, "  ")).join(
      "\n",
    );
}

/**
 * Runs `verify` with command-line arguments.
 *
 * @param args Arguments after `verify`.
 * @returns The exit status.
 * @throws {UsageError} For bad usage.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await verifyMain([]));
 * ```
 */
export async function verifyMain(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      captures: { type: "string" },
      engine: { type: "string", default: "all" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(VERIFY_HELP);
    return 0;
  }
  const dir = values.captures ?? defaultCapturesDir();
  const pairs = positionals.length > 0 ? positionals : capturePairs(dir);
  if (pairs.length === 0) {
    throw new UsageError(`${dir}: no capture pairs found`);
  }
  const engines: [string, (h: EngineHints) => Engine][] = [];
  if (values.engine === "sw" || values.engine === "all") {
    engines.push(["sw", (h) => {
      const dev = kernelCaptureEgressDevice();
      return (skb) => swTransmit(skb, dev, h);
    }]);
  }
  if (values.engine === "hw" || values.engine === "all") {
    try {
      const { makeHwEngine } = await import("./hw_engine.ts");
      engines.push([
        "hw",
        (h: EngineHints) => makeHwEngine(undefined, { hints: h }).engine,
      ]);
    } catch (e) {
      if (values.engine === "hw") throw e;
    }
  }
  if (engines.length === 0) {
    throw new UsageError(
      `--engine must be sw, hw or all, got "${values.engine}"`,
    );
  }
  let failed = 0;
  const results: unknown[] = [];
  for (const name of pairs) {
    for (const [ename, make] of engines) {
      const r = compareCaptures(
        `${dir}/${name}.in.pcap`,
        `${dir}/${name}.out.pcap`,
        make,
      );
      if (r.mismatch !== null) failed++;
      if (values.json) results.push({ name, engine: ename, ...r });
      else console.log(formatCompare(name, ename, r));
    }
  }
  const total = pairs.length * engines.length;
  if (values.json) {
    console.log(JSON.stringify({ results, passed: total - failed, failed }));
  }
  console.log(`verify: ${total - failed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}
