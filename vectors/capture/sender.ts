/**
 * The sending end of a socket scenario, run inside the sender namespace:
 * `ip netns exec NS deno run --allow-ffi sender.ts '<SenderSpec JSON>'`.
 * Uses libc sockets through FFI so that it can set what Deno's sockets cannot
 * (TCP_MAXSEG, UDP_SEGMENT, IP_MTU_DISCOVER). Payload bytes come from the
 * seeded pattern. Prints one JSON line `{"bytes":N,"sends":M}` and exits 0, or
 * one error line and exits 1.
 *
 * @module
 */

import { parseAddress } from "./_craft.ts";
import {
  check,
  libc,
  sendAll,
  setBytesOption,
  setIntOption,
  setTimeoutOption,
  SOCK,
  sockaddr,
} from "./_libc.ts";
import { patternBytes } from "./_pattern.ts";

/** What the sender does. */
export interface SenderSpec {
  /** Transport. */
  proto: "tcp" | "udp";
  /** Source address (also selects the family). */
  src: string;
  /** Source port. */
  srcPort: number;
  /** Destination address. */
  dst: string;
  /** Destination port. */
  dstPort: number;
  /** Pattern seed of the payload. */
  seed: number;
  /** Writes (TCP) or datagrams (UDP): `[size, count]` runs, in order. */
  writes: Array<[number, number]>;
  /** TCP_MAXSEG, set before connect. */
  tcpMaxseg?: number;
  /** TCP_NODELAY. */
  noDelay?: boolean;
  /** IP(V6)_MTU_DISCOVER: "dont" clears DF, "do" sets it. */
  pmtuDisc?: "dont" | "do";
  /** UDP_SEGMENT (gso_size) for UDP. */
  udpSegment?: number;
  /** IPv6: a Destination Options header on every packet (IPV6_DSTOPTS). */
  ipv6DstOpts?: number[];
  /**
   * TCP: group the writes, cycling through these group sizes; every write of
   * a group but its last carries MSG_MORE, so each group leaves as one push.
   */
  moreGroups?: number[];
}

/** What the sender reports. */
export interface SenderReport {
  /** Payload bytes sent. */
  bytes: number;
  /** Number of send calls. */
  sends: number;
}

/**
 * Runs the sender. Blocking (FFI), meant for its own process.
 *
 * @param spec What to send.
 * @returns The counts.
 * @throws {LibcError} When a socket call fails.
 *
 * @example
 * ```ts ignore
 * import { runSender } from "./sender.ts";
 * runSender({
 *   proto: "tcp", src: "10.77.0.1", srcPort: 40000, dst: "10.77.0.2",
 *   dstPort: 5201, seed: 1, writes: [[150000, 1]],
 * });
 * ```
 */
export function runSender(spec: SenderSpec): SenderReport {
  const c = libc();
  const src = parseAddress(spec.src);
  const v6 = src.length === 16;
  const family = v6 ? SOCK.AF_INET6 : SOCK.AF_INET;
  const type = spec.proto === "tcp" ? SOCK.SOCK_STREAM : SOCK.SOCK_DGRAM;
  const fd = check(
    "socket",
    c.socket(family, type, 0),
    `opening a ${spec.proto} socket`,
  );
  try {
    setIntOption(fd, SOCK.SOL_SOCKET, SOCK.SO_REUSEADDR, 1, "SO_REUSEADDR");
    setTimeoutOption(fd, SOCK.SO_RCVTIMEO, 30);
    setTimeoutOption(fd, SOCK.SO_SNDTIMEO, 30);
    if (spec.tcpMaxseg !== undefined) {
      setIntOption(
        fd,
        SOCK.IPPROTO_TCP,
        SOCK.TCP_MAXSEG,
        spec.tcpMaxseg,
        "TCP_MAXSEG",
      );
    }
    if (spec.noDelay) {
      setIntOption(fd, SOCK.IPPROTO_TCP, SOCK.TCP_NODELAY, 1, "TCP_NODELAY");
    }
    if (spec.pmtuDisc !== undefined) {
      const v = spec.pmtuDisc === "dont"
        ? SOCK.PMTUDISC_DONT
        : SOCK.PMTUDISC_DO;
      if (v6) {
        setIntOption(
          fd,
          SOCK.IPPROTO_IPV6,
          SOCK.IPV6_MTU_DISCOVER,
          v,
          "IPV6_MTU_DISCOVER",
        );
      } else {
        setIntOption(
          fd,
          SOCK.IPPROTO_IP,
          SOCK.IP_MTU_DISCOVER,
          v,
          "IP_MTU_DISCOVER",
        );
      }
    }
    if (spec.ipv6DstOpts !== undefined) {
      setBytesOption(
        fd,
        SOCK.IPPROTO_IPV6,
        SOCK.IPV6_DSTOPTS,
        new Uint8Array(spec.ipv6DstOpts),
        "IPV6_DSTOPTS",
      );
    }
    if (spec.udpSegment !== undefined) {
      setIntOption(
        fd,
        SOCK.SOL_UDP,
        SOCK.UDP_SEGMENT,
        spec.udpSegment,
        "UDP_SEGMENT",
      );
    }
    const local = sockaddr(src, spec.srcPort);
    check(
      "bind",
      c.bind(fd, local, local.length),
      `binding ${spec.src}:${spec.srcPort}`,
    );
    const remote = sockaddr(parseAddress(spec.dst), spec.dstPort);
    check(
      "connect",
      c.connect(fd, remote, remote.length),
      `connecting to ${spec.dst}:${spec.dstPort}`,
    );
    let offset = 0;
    let sends = 0;
    const groups = spec.moreGroups ?? [];
    let group = 0;
    let inGroup = 0;
    for (const [size, count] of spec.writes) {
      for (let i = 0; i < count; i++) {
        const data = patternBytes(spec.seed, offset, size);
        if (spec.proto === "tcp") {
          let flags = 0;
          if (groups.length > 0) {
            inGroup++;
            if (inGroup < groups[group % groups.length]!) flags = SOCK.MSG_MORE;
            else {
              inGroup = 0;
              group++;
            }
          }
          sendAll(fd, data, `write ${sends + 1} (${size} bytes)`, flags);
        } else {
          const n = check(
            "send",
            c.send(fd, data, BigInt(size), 0),
            `sending datagram ${sends + 1} (${size} bytes)`,
          );
          if (n !== size) {
            check(
              "send",
              -1,
              `sending datagram ${sends + 1}: only ${n} of ${size} bytes`,
            );
          }
        }
        offset += size;
        sends++;
      }
    }
    if (spec.proto === "tcp") {
      // Half-close, then wait for the receiver's FIN so that the whole
      // exchange, including the last ACK, is on the wire before we return.
      check(
        "shutdown",
        c.shutdown(fd, SOCK.SHUT_WR),
        "shutting down the write side",
      );
      const buf = new Uint8Array(4096);
      while (
        check(
          "recv",
          c.recv(fd, buf, BigInt(buf.length), 0),
          "waiting for the receiver's FIN",
        ) > 0
      ) {
        // The receiver sends nothing; drain until EOF.
      }
    }
    return { bytes: offset, sends };
  } finally {
    c.close(fd);
  }
}

if (import.meta.main) {
  try {
    const spec = JSON.parse(Deno.args[0] ?? "") as SenderSpec;
    console.log(JSON.stringify(runSender(spec)));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    Deno.exit(1);
  }
}
