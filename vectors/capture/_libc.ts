/**
 * The few libc calls the capture tool needs and Deno does not offer: BSD
 * sockets with options Deno's sockets lack (TCP_MAXSEG, UDP_SEGMENT,
 * IP_MTU_DISCOVER, SO_RCVBUFFORCE), AF_PACKET sends, and the tun/tap
 * ioctls. Loaded lazily with `Deno.dlopen("libc.so.6")` (needs
 * `--allow-ffi`); every call that fails throws a {@link LibcError} naming the
 * call, the errno and what it was doing.
 *
 * Private to `vectors/capture/`.
 *
 * @module
 */

import { TsolabError } from "../../sw/types.ts";

/** Address families, socket types, levels and options used by the tool. */
export const SOCK = {
  AF_INET: 2,
  AF_INET6: 10,
  AF_PACKET: 17,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_RCVTIMEO: 20,
  SO_SNDTIMEO: 21,
  SO_RCVBUFFORCE: 33,
  IPPROTO_IP: 0,
  IPPROTO_TCP: 6,
  IPPROTO_IPV6: 41,
  SOL_UDP: 17,
  TCP_NODELAY: 1,
  TCP_MAXSEG: 2,
  UDP_SEGMENT: 103,
  IP_MTU_DISCOVER: 10,
  IPV6_MTU_DISCOVER: 23,
  /** Sticky IPv6 Destination Options header (after any Routing header). */
  IPV6_DSTOPTS: 59,
  /** IP_PMTUDISC_DONT: never set DF. */
  PMTUDISC_DONT: 0,
  /** IP_PMTUDISC_DO: always set DF. */
  PMTUDISC_DO: 2,
  SHUT_WR: 1,
  /** send() flag: more data follows, do not push yet. */
  MSG_MORE: 0x8000,
} as const;

/** Well-known errno values by name. */
export const ERRNO: Readonly<Record<number, string>> = {
  1: "EPERM",
  2: "ENOENT",
  5: "EIO",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  16: "EBUSY",
  19: "ENODEV",
  22: "EINVAL",
  90: "EMSGSIZE",
  92: "ENOPROTOOPT",
  95: "EOPNOTSUPP",
  97: "EAFNOSUPPORT",
  98: "EADDRINUSE",
  99: "EADDRNOTAVAIL",
  101: "ENETUNREACH",
  104: "ECONNRESET",
  105: "ENOBUFS",
  110: "ETIMEDOUT",
  111: "ECONNREFUSED",
  113: "EHOSTUNREACH",
};

/**
 * A libc call failed. `errno` is the C errno, `errnoName` its symbolic name.
 *
 * @example
 * ```ts
 * import { LibcError } from "./_libc.ts";
 * const e = new LibcError("write", 22, "writing 70 bytes to tap tsl0");
 * e.message; // "write failed with EINVAL (22) while writing 70 bytes to tap tsl0"
 * ```
 */
export class LibcError extends TsolabError {
  /** The C errno. */
  readonly errno: number;
  /** Symbolic errno name such as `EINVAL`, or `errno N`. */
  readonly errnoName: string;
  /** The libc function that failed. */
  readonly call: string;

  /**
   * Builds the message from the call, the errno and the purpose.
   *
   * @param call The libc function, e.g. `connect`.
   * @param errno The errno it left.
   * @param what What the call was for, e.g. `connecting to 10.77.0.2:5201`.
   */
  constructor(call: string, errno: number, what: string) {
    const name = ERRNO[errno] ?? `errno ${errno}`;
    super(`${call} failed with ${name} (${errno}) while ${what}`);
    this.errno = errno;
    this.errnoName = name;
    this.call = call;
  }
}

/** The libc functions bound through FFI. */
export const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "u32"],
    result: "i32",
  },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  accept: { parameters: ["i32", "pointer", "pointer"], result: "i32" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  sendto: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"],
    result: "isize",
  },
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  open: { parameters: ["buffer", "i32"], result: "i32" },
  access: { parameters: ["buffer", "i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  ioctl_value: {
    name: "ioctl",
    parameters: ["i32", "u64", "u64"],
    result: "i32",
  },
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** The typed libc symbol table. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let lib: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

/**
 * The libc symbols, loaded on first use.
 *
 * @returns The FFI symbol table.
 *
 * @example
 * ```ts ignore
 * import { libc } from "./_libc.ts";
 * libc().close(3);
 * ```
 */
export function libc(): Libc {
  lib ??= Deno.dlopen("libc.so.6", SYMBOLS);
  return lib.symbols;
}

/**
 * The calling thread's errno (read right after the failed call).
 *
 * @returns The errno value.
 *
 * @example
 * ```ts ignore
 * import { errno } from "./_libc.ts";
 * errno();
 * ```
 */
export function errno(): number {
  const p = libc().__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}

/**
 * Throws a {@link LibcError} when a libc call returned a negative value.
 *
 * @param call The libc function name.
 * @param rc Its return value.
 * @param what What it was doing, for the message.
 * @returns `rc` as a number when it is not negative.
 *
 * @example
 * ```ts ignore
 * import { check, libc } from "./_libc.ts";
 * const fd = check("socket", libc().socket(2, 2, 0), "opening a UDP socket");
 * ```
 */
export function check(call: string, rc: number | bigint, what: string): number {
  const n = Number(rc);
  if (n < 0) throw new LibcError(call, errno(), what);
  return n;
}

/**
 * Encodes a NUL-terminated C string.
 *
 * @param s The string.
 * @returns Its UTF-8 bytes followed by a zero byte.
 *
 * @example
 * ```ts
 * import { cString } from "./_libc.ts";
 * cString("p2").length; // 3
 * ```
 */
export function cString(s: string): Uint8Array {
  const b = new TextEncoder().encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/**
 * Sets a socket option whose value is raw bytes (an IPv6 extension header).
 *
 * @param fd The socket.
 * @param level For example `SOCK.IPPROTO_IPV6`.
 * @param option For example `SOCK.IPV6_DSTOPTS`.
 * @param value The bytes.
 * @param name The option's name, for the error message.
 *
 * @example
 * ```ts ignore
 * import { setBytesOption, SOCK } from "./_libc.ts";
 * setBytesOption(3, SOCK.IPPROTO_IPV6, SOCK.IPV6_DSTOPTS, new Uint8Array(8), "IPV6_DSTOPTS");
 * ```
 */
export function setBytesOption(
  fd: number,
  level: number,
  option: number,
  value: Uint8Array,
  name: string,
): void {
  const v = new Uint8Array(value);
  check(
    "setsockopt",
    libc().setsockopt(fd, level, option, v, v.length),
    `setting ${name} (${v.length} bytes) on socket ${fd}`,
  );
}

/**
 * Sets an integer socket option.
 *
 * @param fd The socket.
 * @param level For example `SOCK.IPPROTO_TCP`.
 * @param option For example `SOCK.TCP_MAXSEG`.
 * @param value The integer value.
 * @param name The option's name, for the error message.
 *
 * @example
 * ```ts ignore
 * import { setIntOption, SOCK } from "./_libc.ts";
 * setIntOption(3, SOCK.SOL_UDP, SOCK.UDP_SEGMENT, 1200, "UDP_SEGMENT");
 * ```
 */
export function setIntOption(
  fd: number,
  level: number,
  option: number,
  value: number,
  name: string,
): void {
  const v = new Uint8Array(4);
  new DataView(v.buffer).setInt32(0, value, true);
  check(
    "setsockopt",
    libc().setsockopt(fd, level, option, v, 4),
    `setting ${name} to ${value} on socket ${fd}`,
  );
}

/**
 * Sets a `struct timeval` socket option (SO_RCVTIMEO, SO_SNDTIMEO).
 *
 * @param fd The socket.
 * @param option `SOCK.SO_RCVTIMEO` or `SOCK.SO_SNDTIMEO`.
 * @param seconds The timeout in whole seconds.
 *
 * @example
 * ```ts ignore
 * import { setTimeoutOption, SOCK } from "./_libc.ts";
 * setTimeoutOption(3, SOCK.SO_RCVTIMEO, 20);
 * ```
 */
export function setTimeoutOption(
  fd: number,
  option: number,
  seconds: number,
): void {
  const tv = new Uint8Array(16);
  new DataView(tv.buffer).setBigInt64(0, BigInt(seconds), true);
  check(
    "setsockopt",
    libc().setsockopt(fd, SOCK.SOL_SOCKET, option, tv, 16),
    `setting a ${seconds} s timeout on socket ${fd}`,
  );
}

/**
 * Builds a `struct sockaddr_in` or `struct sockaddr_in6`.
 *
 * @param address The 4- or 16-byte address.
 * @param port The port, host order.
 * @returns The socket address bytes (16 or 28).
 *
 * @example
 * ```ts
 * import { sockaddr } from "./_libc.ts";
 * sockaddr(new Uint8Array([10, 77, 0, 2]), 5201).length; // 16
 * ```
 */
export function sockaddr(address: Uint8Array, port: number): Uint8Array {
  const v6 = address.length === 16;
  const sa = new Uint8Array(v6 ? 28 : 16);
  const dv = new DataView(sa.buffer);
  dv.setUint16(0, v6 ? SOCK.AF_INET6 : SOCK.AF_INET, true);
  dv.setUint16(2, port, false);
  sa.set(address, v6 ? 8 : 4);
  return sa;
}

/**
 * Sends all of `data` on a stream socket, looping over partial sends.
 *
 * @param fd The socket.
 * @param data The bytes.
 * @param what What is being sent, for the error message.
 * @param flags send() flags, e.g. `SOCK.MSG_MORE`.
 *
 * @example
 * ```ts ignore
 * import { sendAll } from "./_libc.ts";
 * sendAll(3, new Uint8Array(100), "the payload");
 * ```
 */
export function sendAll(
  fd: number,
  data: Uint8Array,
  what: string,
  flags = 0,
): void {
  let off = 0;
  while (off < data.length) {
    const part = data.subarray(off);
    off += check(
      "send",
      libc().send(fd, part, BigInt(part.length), flags),
      `sending ${what}`,
    );
  }
}
