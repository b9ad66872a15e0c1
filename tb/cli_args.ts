/**
 * Command-line helpers shared by the tsolab commands: the usage error, the
 * `-K name on|off` pre-parser (ethtool style, any number of pairs after one
 * `-K`), and number parsing with range checks.
 *
 * @module
 */

import { TsolabError } from "../sw/types.ts";

/**
 * A usage or bad-input error: the CLI prints its message as one line and
 * exits with status 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./cli_args.ts";
 * new UsageError("--gso-size must be 1..65535, got 0");
 * ```
 */
export class UsageError extends TsolabError {}

/**
 * Pulls every `-K name on|off [name on|off …]` out of an argument list.
 * The pairs after one `-K` end at the first word not followed by on/off,
 * which stays an ordinary argument.
 *
 * @param args The arguments.
 * @returns The remaining arguments and the feature changes in order.
 * @throws {UsageError} When a name has no on/off after it.
 *
 * @example
 * ```ts
 * import { extractFeatureArgs } from "./cli_args.ts";
 * extractFeatureArgs(["-K", "tso", "on", "gso", "off", "in.pcap"]);
 * // { rest: ["in.pcap"], changes: [["tso", true], ["gso", false]] }
 * ```
 */
export function extractFeatureArgs(
  args: readonly string[],
): { rest: string[]; changes: [string, boolean][] } {
  const rest: string[] = [];
  const changes: [string, boolean][] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a !== "-K" && a !== "--features") {
      rest.push(a);
      continue;
    }
    let pairs = 0;
    while (i + 1 < args.length && !args[i + 1]!.startsWith("-")) {
      const name = args[i + 1]!;
      const v = args[i + 2];
      // After a pair, a word without on/off after it is the next argument
      // (the input file), as in `-K tx on IN -o OUT`.
      if (pairs > 0 && v !== "on" && v !== "off") break;
      if (v !== "on" && v !== "off") {
        throw new UsageError(
          `-K ${name}: expected "on" or "off", got ${
            v === undefined ? "nothing" : `"${v}"`
          }`,
        );
      }
      changes.push([name, v === "on"]);
      i += 2;
      pairs++;
    }
    if (pairs === 0) throw new UsageError("-K needs a feature name and on|off");
  }
  return { rest, changes };
}

/**
 * Parses an integer option and checks its range.
 *
 * @param name The option's name, for the message.
 * @param v The text (undefined when absent).
 * @param min Smallest allowed value.
 * @param max Largest allowed value.
 * @returns The number.
 * @throws {UsageError} When missing, not an integer, or out of range.
 *
 * @example
 * ```ts
 * import { intOption } from "./cli_args.ts";
 * intOption("--gso-size", "1448", 1, 65535); // 1448
 * ```
 */
export function intOption(
  name: string,
  v: string | undefined,
  min: number,
  max: number,
): number {
  if (v === undefined) throw new UsageError(`${name} is required`);
  if (!/^\d+$/.test(v)) {
    throw new UsageError(`${name} must be an integer, got "${v}"`);
  }
  const n = Number(v);
  if (n < min || n > max) {
    throw new UsageError(`${name} must be ${min}..${max}, got ${n}`);
  }
  return n;
}

/**
 * Parses an integer option that must be one of a set of values (a PCIe
 * size, a lane count).
 *
 * @param name The option's name, for the message.
 * @param v The text (undefined when absent).
 * @param allowed The values allowed, in the order the message lists them.
 * @returns The number.
 * @throws {UsageError} When missing, not an integer, or not allowed.
 *
 * @example
 * ```ts
 * import { choiceOption } from "./cli_args.ts";
 * choiceOption("--rcb", "128", [64, 128]); // 128
 * ```
 */
export function choiceOption(
  name: string,
  v: string | undefined,
  allowed: readonly number[],
): number {
  if (v === undefined) throw new UsageError(`${name} is required`);
  if (!/^\d+$/.test(v) || !allowed.includes(Number(v))) {
    throw new UsageError(
      `${name} must be one of ${allowed.join(", ")}, got "${v}"`,
    );
  }
  return Number(v);
}

/**
 * Parses a decimal number option that must be zero or more (a rate).
 *
 * @param name The option's name, for the message.
 * @param v The text.
 * @returns The number.
 * @throws {UsageError} When not a finite decimal number, or negative.
 *
 * @example
 * ```ts
 * import { nonNegativeOption } from "./cli_args.ts";
 * nonNegativeOption("--issue-mtps", "12.5"); // 12.5
 * ```
 */
export function nonNegativeOption(name: string, v: string): number {
  if (!/^(\d+\.?\d*|\.\d+)$/.test(v)) {
    throw new UsageError(`${name} must be a number >= 0, got "${v}"`);
  }
  return Number(v);
}

/**
 * Turns an argument error of `node:util` `parseArgs` into one line. Its
 * message for an option followed by a value that starts with "-" (say
 * `--gso-size -1`) runs over three lines; this one names the option and
 * the value and says how to pass such a value. An unknown option is named
 * with the nearest option the command's help documents, when one is close.
 *
 * @param e The error parseArgs threw (`code` ERR_PARSE_ARGS_*).
 * @param args The arguments it parsed.
 * @param help The command's help text, whose `--options` are the known ones.
 * @returns The message, on one line.
 *
 * @example
 * ```ts
 * import { parseArgsErrorLine } from "./cli_args.ts";
 * const e = Object.assign(new TypeError("Option '--size' argument is ambiguous.\nDid you forget…"), {
 *   code: "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
 * });
 * parseArgsErrorLine(e, ["--size", "-5"]);
 * // '--size needs a value, got "-5", which looks like an option; to pass a value that starts with "-", write --size=-5'
 * const u = Object.assign(new TypeError("Unknown option '--gso-sise'. To specify…"), {
 *   code: "ERR_PARSE_ARGS_UNKNOWN_OPTION",
 * });
 * parseArgsErrorLine(u, ["--gso-sise", "1448"], "  --gso-size N   segment size");
 * // "unknown option --gso-sise; did you mean --gso-size?"
 * ```
 */
export function parseArgsErrorLine(
  e: Error & { code?: string },
  args: readonly string[],
  help = "",
): string {
  const m = e.message.match(/^Option '([^']+)' argument is ambiguous/);
  if (m !== null) {
    const name = m[1]!;
    const i = args.findIndex((a, j) =>
      a === name && args[j + 1]?.startsWith("-")
    );
    if (i < 0) return `${name} needs a value`;
    const next = args[i + 1]!;
    const joined = name.startsWith("--") ? `${name}=${next}` : name + next;
    return `${name} needs a value, got "${next}", which looks like an option; to pass a value that starts with "-", write ${joined}`;
  }
  const unknown = e.message.match(/^Unknown option '([^']+)'/);
  if (unknown !== null) {
    const name = unknown[1]!;
    const near = nearestOption(name, help);
    return `unknown option ${name}${
      near === null ? "" : `; did you mean ${near}?`
    }`;
  }
  const missing = e.message.match(
    /^Option '(?:-\w, )?(--?[\w-]+)[^']*' argument missing/,
  );
  if (missing !== null) return `${missing[1]} needs a value`;
  return e.message.split("\n").map((l) => l.trim()).filter((l) => l !== "")
    .join(" ");
}

// The documented `--option` nearest to a mistyped one: at most two edits,
// or the only option it is a prefix of.
function nearestOption(name: string, help: string): string | null {
  const known = [...new Set(help.match(/--[a-z][a-z0-9-]*/g) ?? [])];
  let best: string | null = null;
  let bestDist = 3;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDist) {
      best = k;
      bestDist = d;
    }
  }
  if (best !== null) return best;
  const longer = known.filter((k) => k.startsWith(name));
  return longer.length === 1 ? longer[0]! : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length]!;
}
