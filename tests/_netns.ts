// Helpers of the live kernel tests that build namespaces and capture in
// them: run a command, wait for a child's banner, start tcpdump.

/** Runs a command; throws with its stderr when it fails. */
export async function sh(argv: string[]): Promise<void> {
  const r = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!r.success) {
    throw new Error(
      `${argv.join(" ")}: ${new TextDecoder().decode(r.stderr).trim()}`,
    );
  }
}

/** Reads a child's stream until a line contains `text`. */
export async function waitFor(
  stream: ReadableStream<Uint8Array>,
  text: string,
): Promise<void> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`exited before printing "${text}": ${seen}`);
    seen += value;
  }
  reader.releaseLock();
}

/** tcpdump writing every byte of `dev` in netns `ns` to `path`, unbuffered. */
export function tcpdump(
  ns: string,
  dev: string,
  path: string,
): Deno.ChildProcess {
  return new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      ns,
      "tcpdump",
      "-i",
      dev,
      "-s",
      "0",
      "-U",
      "-w",
      path,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
}
