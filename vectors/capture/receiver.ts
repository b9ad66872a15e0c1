/**
 * The receiving end of a socket scenario, run inside the receiver namespace:
 * `ip netns exec NS deno run --allow-ffi receiver.ts '<ReceiverSpec JSON>'`.
 * Binds, prints `ready` once it can receive, then for TCP accepts one
 * connection and reads to EOF checking the bytes against the seeded pattern,
 * for UDP counts datagrams until the expected number arrived or the socket
 * times out. Prints one JSON line (a {@link ReceiverReport}) and exits 0, or
 * one error line and exits 1.
 *
 * @module
 */

import { parseAddress } from "./_craft.ts";
import {
  check,
  errno,
  libc,
  LibcError,
  setIntOption,
  setTimeoutOption,
  SOCK,
  sockaddr,
} from "./_libc.ts";
import { patternBytes } from "./_pattern.ts";

/** What the receiver does. */
export interface ReceiverSpec {
  /** Transport. */
  proto: "tcp" | "udp";
  /** Address to bind (also selects the family). */
  bind: string;
  /** Port to bind. */
  port: number;
  /** Pattern seed to check TCP bytes against. */
  seed: number;
  /** UDP: stop after this many datagrams. */
  expectDatagrams?: number;
  /** Receive timeout in seconds (default 20; UDP ends quietly on it). */
  timeoutSeconds?: number;
}

/** What the receiver reports. */
export interface ReceiverReport {
  /** Payload bytes received. */
  bytes: number;
  /** Datagrams (UDP) or receive calls (TCP). */
  datagrams: number;
  /** TCP: whether every byte matched the pattern; UDP: true. */
  patternOk: boolean;
  /** UDP: true when it stopped on the timeout rather than the count. */
  timedOut: boolean;
}

/**
 * Runs the receiver. Blocking (FFI), meant for its own process.
 *
 * @param spec What to receive.
 * @param ready Called once the socket is bound (and listening).
 * @returns The counts.
 * @throws {LibcError} When a socket call fails (TCP timeouts included).
 *
 * @example
 * ```ts ignore
 * import { runReceiver } from "./receiver.ts";
 * runReceiver({ proto: "tcp", bind: "10.77.0.2", port: 5201, seed: 1 }, () => {});
 * ```
 */
export function runReceiver(
  spec: ReceiverSpec,
  ready: () => void,
): ReceiverReport {
  const c = libc();
  const addr = parseAddress(spec.bind);
  const family = addr.length === 16 ? SOCK.AF_INET6 : SOCK.AF_INET;
  const type = spec.proto === "tcp" ? SOCK.SOCK_STREAM : SOCK.SOCK_DGRAM;
  const timeout = spec.timeoutSeconds ?? 20;
  const fd = check(
    "socket",
    c.socket(family, type, 0),
    `opening a ${spec.proto} socket`,
  );
  const fds = [fd];
  try {
    setIntOption(fd, SOCK.SOL_SOCKET, SOCK.SO_REUSEADDR, 1, "SO_REUSEADDR");
    setIntOption(
      fd,
      SOCK.SOL_SOCKET,
      SOCK.SO_RCVBUFFORCE,
      16 << 20,
      "SO_RCVBUFFORCE",
    );
    setTimeoutOption(fd, SOCK.SO_RCVTIMEO, timeout);
    const sa = sockaddr(addr, spec.port);
    check(
      "bind",
      c.bind(fd, sa, sa.length),
      `binding ${spec.bind}:${spec.port}`,
    );
    const buf = new Uint8Array(1 << 17);
    if (spec.proto === "udp") {
      ready();
      let bytes = 0;
      let datagrams = 0;
      while (datagrams < (spec.expectDatagrams ?? Infinity)) {
        const n = Number(c.recv(fd, buf, BigInt(buf.length), 0));
        if (n < 0) {
          const e = errno();
          if (e === 11) {
            return { bytes, datagrams, patternOk: true, timedOut: true };
          }
          throw new LibcError("recv", e, `receiving datagram ${datagrams + 1}`);
        }
        bytes += n;
        datagrams++;
      }
      return { bytes, datagrams, patternOk: true, timedOut: false };
    }
    check("listen", c.listen(fd, 1), `listening on ${spec.bind}:${spec.port}`);
    ready();
    const conn = check(
      "accept",
      c.accept(fd, null, null),
      `accepting on ${spec.bind}:${spec.port}`,
    );
    fds.push(conn);
    let bytes = 0;
    let reads = 0;
    let patternOk = true;
    for (;;) {
      const n = check(
        "recv",
        c.recv(conn, buf, BigInt(buf.length), 0),
        `reading after ${bytes} bytes`,
      );
      if (n === 0) break;
      const want = patternBytes(spec.seed, bytes, n);
      for (let i = 0; i < n && patternOk; i++) patternOk = buf[i] === want[i];
      bytes += n;
      reads++;
    }
    return { bytes, datagrams: reads, patternOk, timedOut: false };
  } finally {
    for (const f of fds.reverse()) c.close(f);
  }
}

if (import.meta.main) {
  try {
    const spec = JSON.parse(Deno.args[0] ?? "") as ReceiverSpec;
    const report = runReceiver(spec, () => console.log("ready"));
    console.log(JSON.stringify(report));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    Deno.exit(1);
  }
}
