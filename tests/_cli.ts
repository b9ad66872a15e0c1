// Scripts run as a user runs them: `deno run FLAGS SCRIPT ARGS` in a child
// process with no stdin and no colour, its exit code and output decoded;
// `tsolab` is the project's CLI with the permissions its tasks grant.

const MOD = new URL("../mod.ts", import.meta.url).pathname;

/** What one run printed and returned. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

// Runs `deno run FLAGS SCRIPT ARGS` and waits for it.
export async function denoRun(
  flags: string[],
  script: string,
  args: string[],
): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, script, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

// Runs `tsolab ARGS` (mod.ts with read, write and env access).
export function tsolab(args: string[]): Promise<CliResult> {
  return denoRun(["--allow-read", "--allow-write", "--allow-env"], MOD, args);
}
