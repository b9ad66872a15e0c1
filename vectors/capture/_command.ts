/**
 * Runs external commands for the capture tool and records every command
 * line, so that each scenario's JSON says exactly what was run.
 *
 * Private to `vectors/capture/`.
 *
 * @module
 */

import { CommandError } from "./errors.ts";

/** What a finished command produced. */
export interface CommandOutput {
  /** Exit code. */
  code: number;
  /** Standard output as text. */
  stdout: string;
  /** Standard error as text. */
  stderr: string;
}

/**
 * Quotes a command line for display the way a POSIX shell would read it.
 *
 * @param argv The command and its arguments.
 * @returns One line.
 *
 * @example
 * ```ts
 * import { shellLine } from "./_command.ts";
 * shellLine(["echo", "a b"]); // "echo 'a b'"
 * ```
 */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) =>
    /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`
  ).join(" ");
}

/**
 * The argument vector that runs `argv` inside network namespace `ns`.
 *
 * @param ns The namespace name.
 * @param argv The command.
 * @returns `ip netns exec NS …argv`.
 *
 * @example
 * ```ts
 * import { inNetns } from "./_command.ts";
 * inNetns("a", ["ethtool", "-k", "p2"]).length; // 7
 * ```
 */
export function inNetns(ns: string, argv: readonly string[]): string[] {
  return ["ip", "netns", "exec", ns, ...argv];
}

/**
 * Runs a command to completion, appending its line to `log`.
 *
 * @param log The command log.
 * @param argv The command and its arguments.
 * @param options `allowFailure`: return a non-zero exit instead of throwing.
 * @returns Its exit code and output.
 * @throws {CommandError} When it exits non-zero and failure is not allowed.
 *
 * @example
 * ```ts
 * import { runCommand } from "./_command.ts";
 * const log: string[] = [];
 * const out = await runCommand(log, [Deno.execPath(), "eval", "console.log(1)"]);
 * [out.code, out.stdout]; // [0, "1\n"]
 * log.length; // 1
 * ```
 */
export async function runCommand(
  log: string[],
  argv: readonly string[],
  options: { allowFailure?: boolean } = {},
): Promise<CommandOutput> {
  log.push(shellLine(argv));
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    throw new CommandError(
      argv,
      -1,
      e instanceof Error ? e.message : String(e),
    );
  }
  const res = {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  if (res.code !== 0 && !options.allowFailure) {
    throw new CommandError(argv, res.code, res.stderr || res.stdout);
  }
  return res;
}

/**
 * The argument vector that runs one of the capture tool's helper scripts
 * (`sender.ts`, `receiver.ts`, `marker.ts`) with the current Deno binary and
 * only `--allow-ffi`.
 *
 * @param script File name next to this module.
 * @param args Arguments for the script.
 * @returns The command line.
 *
 * @example
 * ```ts
 * import { helperScript } from "./_command.ts";
 * const argv = helperScript("marker.ts", ["eth0", "ab12cd"]);
 * argv[0] === Deno.execPath(); // true
 * argv.slice(-3, -2)[0]!.endsWith("/marker.ts"); // true
 * argv.slice(-2); // ["eth0", "ab12cd"]
 * ```
 */
export function helperScript(
  script: string,
  args: readonly string[],
): string[] {
  const url = new URL(`./${script}`, import.meta.url);
  const path = url.protocol === "file:"
    ? decodeURIComponent(url.pathname)
    : url.href;
  return [
    Deno.execPath(),
    "run",
    "--quiet",
    "--no-prompt",
    "--no-config",
    "--allow-ffi",
    path,
    ...args,
  ];
}
