// Helpers of the live kernel tests that build namespaces and capture in
// them: run a command, wait for a child's banner, start tcpdump; and the
// probes that decide whether a test needing a tool or root can run.
import { missingRequirements } from "../vectors/capture/capture_main.ts";

/** True when `name --version` runs and succeeds. */
export async function hasTool(name: string): Promise<boolean> {
  try {
    const r = await new Deno.Command(name, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return r.success;
  } catch {
    return false;
  }
}

/**
 * Why a live kernel test cannot run here (root, iproute2, ethtool,
 * tcpdump, and a tap device when `needTap`), as the line it prints; "" when
 * it can. `what` names the test.
 */
export async function liveSkipReason(
  what: string,
  needTap = false,
): Promise<string> {
  let missing: string[];
  try {
    missing = await missingRequirements(needTap);
  } catch (e) {
    missing = [`a usable environment (${e instanceof Error ? e.message : e})`];
  }
  const reason = missing.length
    ? `${what} ignored: missing ${missing.join(", ")}`
    : "";
  if (reason) console.log(reason);
  return reason;
}

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

/** Addresses of a sender – router – receiver chain of namespaces. */
export interface RouterChain {
  v: 4 | 6;
  prefix: number;
  sender: string;
  routerIn: string;
  routerOut: string;
  receiver: string;
}

/**
 * Wires netns `${tag}a` – `${tag}r` – `${tag}b` (already created) with two
 * veth pairs (`${tag}a`/`${tag}r1`, `${tag}r2`/`${tag}b`), addresses,
 * default routes through the router and forwarding on in it.
 */
export async function wireRouterChain(
  tag: string,
  f: RouterChain,
): Promise<void> {
  const [a, r, b] = [`${tag}a`, `${tag}r`, `${tag}b`];
  for (const [x, y] of [[`${tag}a`, `${tag}r1`], [`${tag}r2`, `${tag}b`]]) {
    await sh(["ip", "link", "add", x!, "type", "veth", "peer", "name", y!]);
  }
  const ports = [
    [a, `${tag}a`, f.sender],
    [r, `${tag}r1`, f.routerIn],
    [r, `${tag}r2`, f.routerOut],
    [b, `${tag}b`, f.receiver],
  ] as const;
  const ipv = `-${f.v}`;
  for (const [ns, dev, addr] of ports) {
    await sh(["ip", "link", "set", dev, "netns", ns]);
    // nodad: an IPv6 address is usable at once, not after DAD.
    const extra = f.v === 6 ? ["nodad"] : [];
    await sh(
      ["ip", "-n", ns, ipv, "addr", "add", `${addr}/${f.prefix}`, "dev", dev]
        .concat(extra),
    );
    await sh(["ip", "-n", ns, "link", "set", dev, "up"]);
  }
  for (const [ns, via] of [[a, f.routerIn], [b, f.routerOut]]) {
    await sh(["ip", "-n", ns!, ipv, "route", "add", "default", "via", via!]);
  }
  await sh([
    "ip",
    "netns",
    "exec",
    r,
    "sysctl",
    "-qw",
    f.v === 4 ? "net.ipv4.ip_forward=1" : "net.ipv6.conf.all.forwarding=1",
  ]);
}

/**
 * Sends `bytes` over TCP from netns `a` to a receiver it starts in netns
 * `b` on `receiver`:5001; the receiver goes into `children` so a failing
 * test can stop it.
 */
export async function sendTcpStream(
  a: string,
  b: string,
  receiver: string,
  bytes: number,
  children: Deno.ChildProcess[],
): Promise<void> {
  const rx = new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      b,
      Deno.execPath(),
      "eval",
      `
    const l = Deno.listen({ hostname: "${receiver}", port: 5001 });
    console.log("ready");
    const c = await l.accept();
    const buf = new Uint8Array(1 << 20);
    while ((await c.read(buf)) !== null);
    l.close();`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  children.push(rx);
  await waitFor(rx.stdout, "ready");
  await sh([
    "ip",
    "netns",
    "exec",
    a,
    Deno.execPath(),
    "eval",
    `
  const c = await Deno.connect({ hostname: "${receiver}", port: 5001 });
  const data = new Uint8Array(${bytes}).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
  for (let o = 0; o < data.length;) o += await c.write(data.subarray(o));
  c.close();`,
  ]);
  if (!(await rx.status).success) {
    throw new Error(`the receiver in ${b} did not get the stream`);
  }
}
