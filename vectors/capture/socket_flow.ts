/**
 * Runs one real-socket flow across a topology: starts `receiver.ts` in the
 * receiver namespace, waits until it is bound, runs `sender.ts` in the
 * sender namespace, then collects both reports and checks that TCP delivered
 * every byte of the pattern.
 *
 * @module
 */

import { helperScript } from "./_command.ts";
import { CaptureRunError } from "./errors.ts";
import type { ReceiverReport, ReceiverSpec } from "./receiver.ts";
import type { SenderReport, SenderSpec } from "./sender.ts";
import { ADDRESSES } from "./topology.ts";
import type { Topology } from "./topology.ts";

/** One flow from the sender's socket to the receiver's. */
export interface SocketFlow {
  /** Transport. */
  proto: "tcp" | "udp";
  /** IP version of the sockets (the overlay's inside VXLAN). */
  family: 4 | 6;
  /** Writes (TCP) or datagrams (UDP) as `[size, count]` runs. */
  writes: Array<[number, number]>;
  /** Pattern seed of the payload. */
  seed: number;
  /** TCP_MAXSEG set on the sender before connect. */
  tcpMaxseg?: number;
  /** TCP_NODELAY on the sender. */
  noDelay?: boolean;
  /** IP(V6)_MTU_DISCOVER on the sender. */
  pmtuDisc?: "dont" | "do";
  /** UDP_SEGMENT on the sender. */
  udpSegment?: number;
  /** IPv6 Destination Options header bytes on the sender (IPV6_DSTOPTS). */
  ipv6DstOpts?: number[];
  /** TCP: MSG_MORE group sizes (see SenderSpec.moreGroups). */
  moreGroups?: number[];
}

/** What both ends reported. */
export interface SocketFlowResult {
  /** The sender's counts. */
  sent: SenderReport;
  /** The receiver's counts. */
  received: ReceiverReport;
  /** Remarks worth recording (UDP datagrams missing at the receiver, …). */
  notes: string[];
}

/** Port the receiver listens on. */
export const RECEIVER_PORT = 5201;
/** Port the sender binds. */
export const SENDER_PORT = 40000;

const TIMEOUT_MS = 60000;

async function finish(
  child: Deno.ChildProcess,
  stdout: Promise<string>,
  what: string,
): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((r) => {
    timer = setTimeout(() => r("timeout"), TIMEOUT_MS);
  });
  const stderr = new Response(child.stderr).text();
  const status = await Promise.race([child.status, timeout]);
  clearTimeout(timer);
  if (status === "timeout") {
    child.kill("SIGKILL");
    await child.status;
    throw new CaptureRunError(
      `The ${what} did not finish within ${TIMEOUT_MS / 1000} s: ${
        (await stderr).trim()
      }`,
    );
  }
  const [out, err] = await Promise.all([stdout, stderr]);
  if (!status.success) {
    throw new CaptureRunError(
      `The ${what} failed (exit ${status.code}): ${err.trim() || out.trim()}`,
    );
  }
  return out;
}

function lastJson<T>(text: string, what: string): T {
  const line = text.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new CaptureRunError(
      `The ${what} printed no report: "${text.trim().slice(0, 200)}"`,
    );
  }
}

/**
 * Runs the flow and waits for both ends.
 *
 * @param topo A socket-driver topology.
 * @param flow What to send.
 * @returns Both reports and remarks.
 * @throws {CaptureRunError} When an end fails or times out, or TCP lost or
 *   corrupted bytes.
 *
 * @example
 * ```ts ignore
 * import { buildTopology } from "./topology.ts";
 * import { runSocketFlow } from "./socket_flow.ts";
 * const topo = await buildTopology({ driver: "socket" });
 * await runSocketFlow(topo, { proto: "tcp", family: 4, writes: [[150000, 1]], seed: 1 });
 * await topo.destroy();
 * ```
 */
export async function runSocketFlow(
  topo: Topology,
  flow: SocketFlow,
): Promise<SocketFlowResult> {
  const src = flow.family === 4 ? ADDRESSES.sender4 : ADDRESSES.sender6;
  const dst = flow.family === 4 ? ADDRESSES.receiver4 : ADDRESSES.receiver6;
  const g = flow.udpSegment;
  const expectDatagrams = flow.proto === "udp"
    ? flow.writes.reduce(
      (n, [size, count]) =>
        n + count * (g && size > g ? Math.ceil(size / g) : 1),
      0,
    )
    : undefined;
  const rspec: ReceiverSpec = {
    proto: flow.proto,
    bind: dst,
    port: RECEIVER_PORT,
    seed: flow.seed,
    expectDatagrams,
    timeoutSeconds: flow.proto === "udp" ? 5 : 30,
  };
  const receiver = topo.spawnIn(
    "receiver",
    helperScript("receiver.ts", [JSON.stringify(rspec)]),
  );
  const reader = receiver.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let text = "";
  while (!text.includes("ready\n")) {
    const { value, done } = await reader.read();
    if (done) {
      await finish(receiver, Promise.resolve(text), "receiver");
      throw new CaptureRunError(
        `The receiver exited before it was ready: ${text.trim()}`,
      );
    }
    text += value;
  }
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += value;
    }
  })();
  const sspec: SenderSpec = {
    proto: flow.proto,
    src,
    srcPort: SENDER_PORT,
    dst,
    dstPort: RECEIVER_PORT,
    seed: flow.seed,
    writes: flow.writes,
    tcpMaxseg: flow.tcpMaxseg,
    noDelay: flow.noDelay,
    pmtuDisc: flow.pmtuDisc,
    udpSegment: flow.udpSegment,
    moreGroups: flow.moreGroups,
    ipv6DstOpts: flow.ipv6DstOpts,
  };
  const sender = topo.spawnIn(
    "sender",
    helperScript("sender.ts", [JSON.stringify(sspec)]),
  );
  let sent: SenderReport;
  try {
    sent = lastJson<SenderReport>(
      await finish(sender, new Response(sender.stdout).text(), "sender"),
      "sender",
    );
  } catch (e) {
    receiver.kill("SIGKILL");
    await Promise.allSettled([receiver.status, rest, receiver.stderr.cancel()]);
    throw e;
  }
  const received = lastJson<ReceiverReport>(
    await finish(receiver, rest, "receiver"),
    "receiver",
  );
  const notes: string[] = [];
  if (
    flow.proto === "tcp" &&
    (received.bytes !== sent.bytes || !received.patternOk)
  ) {
    throw new CaptureRunError(
      `TCP flow lost or corrupted data: sent ${sent.bytes} bytes, received ${received.bytes}, pattern ${
        received.patternOk ? "matches" : "differs"
      }`,
    );
  }
  if (flow.proto === "udp" && received.datagrams !== expectDatagrams) {
    notes.push(
      `The receiver got ${received.datagrams} of ${expectDatagrams} UDP datagrams (${received.bytes} of ${sent.bytes} bytes)`,
    );
  }
  return { sent, received, notes };
}
