/**
 * Names the header field at a byte offset of a frame, with Wireshark's
 * field names (`ip.id`, `tcp.seq`, `tcp.flags.push`, `udp.checksum`;
 * `inner ` before the names of encapsulated layers), so a mismatch report
 * says what differs rather than where.
 *
 * @module
 */

import type { IpLayer, PacketLayout } from "../sw/packet_layout.ts";

/**
 * A named field: its Wireshark name and the bytes it covers.
 *
 * @example
 * ```ts
 * import type { FieldRef } from "./field_names.ts";
 * const f: FieldRef = { name: "tcp.seq", start: 38, len: 4 };
 * ```
 */
export interface FieldRef {
  /** Wireshark field name, `inner ` first for encapsulated layers. */
  name: string;
  /** Offset of its first byte in the frame. */
  start: number;
  /** Its length in bytes (1..4 for numeric fields). */
  len: number;
}

type Table = readonly (readonly [number, number, string])[];

const IPV4: Table = [
  [0, 1, "ip.hdr_len"],
  [1, 1, "ip.dsfield"],
  [2, 2, "ip.len"],
  [4, 2, "ip.id"],
  [6, 2, "ip.flags"],
  [8, 1, "ip.ttl"],
  [9, 1, "ip.proto"],
  [10, 2, "ip.checksum"],
  [12, 4, "ip.src"],
  [16, 4, "ip.dst"],
];
const IPV6: Table = [
  [0, 4, "ipv6.flow"],
  [4, 2, "ipv6.plen"],
  [6, 1, "ipv6.nxt"],
  [7, 1, "ipv6.hlim"],
  [8, 16, "ipv6.src"],
  [24, 16, "ipv6.dst"],
];
const TCP: Table = [
  [0, 2, "tcp.srcport"],
  [2, 2, "tcp.dstport"],
  [4, 4, "tcp.seq"],
  [8, 4, "tcp.ack"],
  [12, 1, "tcp.hdr_len"],
  [13, 1, "tcp.flags"],
  [14, 2, "tcp.window_size_value"],
  [16, 2, "tcp.checksum"],
  [18, 2, "tcp.urgent_pointer"],
];
const UDP: Table = [
  [0, 2, "udp.srcport"],
  [2, 2, "udp.dstport"],
  [4, 2, "udp.length"],
  [6, 2, "udp.checksum"],
];
const TCP_FLAGS = [
  "fin",
  "syn",
  "reset",
  "push",
  "ack",
  "urg",
  "ece",
  "cwr",
] as const;

function lookup(
  t: Table,
  base: number,
  off: number,
  rest: string,
): FieldRef {
  for (const [s, l, n] of t) {
    if (off < base + s + l) return { name: n, start: base + s, len: l };
  }
  return { name: rest, start: off, len: 1 };
}

function ipField(ip: IpLayer, off: number): FieldRef {
  return ip.version === 4
    ? lookup(IPV4, ip.offset, off, "ip.options")
    : lookup(IPV6, ip.offset, off, "ipv6.opt");
}

/**
 * The field that holds byte `off` of a frame.
 *
 * @param expected The expected frame (its layout decides the names).
 * @param layout Layout of `expected`.
 * @param off The byte offset.
 * @param actual The other frame (to say which TCP flag differs).
 * @returns The field, e.g. `{ name: "tcp.seq", start: 38, len: 4 }`.
 *
 * @example
 * ```ts
 * import { fieldAt } from "./field_names.ts";
 * import { parsePacket } from "../sw/packet_layout.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const exp = buildSuperPacket({ payloadLen: 100, seed: 1 }).frame;
 * const got = exp.slice();
 * got[41] ^= 1;
 * fieldAt(exp, parsePacket(exp, 1), 41, got); // { name: "tcp.seq", start: 38, len: 4 }
 * ```
 */
export function fieldAt(
  expected: Uint8Array,
  layout: PacketLayout,
  off: number,
  actual: Uint8Array,
): FieldRef {
  if (off >= expected.length || off >= actual.length) {
    return { name: "frame.len", start: off, len: 0 };
  }
  const t = layout.tunnel;
  const inner = t !== null && off >= t.innerMacOffset;
  const pre = inner ? "inner " : "";
  const l4 = layout.l4;
  let f: FieldRef;
  if (l4 !== null && off >= layout.payloadOffset) {
    f = off >= layout.payloadOffset + layout.payloadLen
      ? { name: "eth.trailer", start: off, len: 1 }
      : { name: l4.proto === 6 ? "tcp.payload" : "data", start: off, len: 1 };
    return { ...f, name: pre + f.name };
  }
  if (l4 !== null && off >= l4.offset) {
    f = l4.proto === 6
      ? lookup(TCP, l4.offset, off, "tcp.options")
      : lookup(UDP, l4.offset, off, "udp");
    if (f.name === "tcp.flags") {
      const diff = (expected[off]! ^ actual[off]!) & 0xff;
      for (let i = 7; i >= 0; i--) {
        if ((diff & (1 << i)) !== 0) {
          f = { ...f, name: `tcp.flags.${TCP_FLAGS[i]}` };
          break;
        }
      }
    }
    return { ...f, name: pre + f.name };
  }
  if (inner && t !== null) {
    const ip = layout.inner;
    if (ip !== null && off >= ip.offset) {
      f = ipField(ip, off);
      return { ...f, name: pre + f.name };
    }
    const rel = off - t.innerMacOffset;
    return rel < 6
      ? { name: "inner eth.dst", start: t.innerMacOffset, len: 6 }
      : rel < 12
      ? { name: "inner eth.src", start: t.innerMacOffset + 6, len: 6 }
      : { name: "inner eth.type", start: off, len: 1 };
  }
  if (t !== null && off >= t.udpOffset) {
    return off >= t.vxlanOffset
      ? { name: "vxlan", start: off, len: 1 }
      : lookup(UDP, t.udpOffset, off, "udp");
  }
  const o = layout.outer;
  if (o !== null && off >= o.offset) return ipField(o, off);
  if (off < layout.linkHeaderLen) return { name: "sll", start: off, len: 1 };
  const rel = off - layout.linkHeaderLen;
  if (rel < 6) return { name: "eth.dst", start: layout.linkHeaderLen, len: 6 };
  if (rel < 12) {
    return { name: "eth.src", start: layout.linkHeaderLen + 6, len: 6 };
  }
  return off < layout.l2Len - 2
    ? { name: "vlan", start: off, len: 1 }
    : { name: "eth.type", start: layout.l2Len - 2, len: 2 };
}

/**
 * Formats a field's bytes as a hex number (`0x00001000`), or as hex bytes
 * when it is longer than 4 bytes.
 *
 * @param b The frame.
 * @param f The field.
 * @returns The formatted value.
 *
 * @example
 * ```ts
 * import { fieldValue } from "./field_names.ts";
 * fieldValue(new Uint8Array([0, 0, 0x10, 0]), { name: "tcp.seq", start: 0, len: 4 });
 * // "0x00001000"
 * ```
 */
export function fieldValue(b: Uint8Array, f: FieldRef): string {
  const bytes = [...b.subarray(f.start, f.start + Math.max(1, f.len))];
  const h = bytes.map((x) => x.toString(16).padStart(2, "0")).join("");
  return f.len <= 4 ? "0x" + h : h;
}
