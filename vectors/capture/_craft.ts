/**
 * Minimal byte-level frame builder for the tap driver: Ethernet with 802.1Q
 * or QinQ tags, IPv4 with options, IPv6 with extension headers, TCP with
 * options, UDP. It builds exactly what a virtio guest hands a tap: one frame
 * whose L4 checksum field holds the CHECKSUM_PARTIAL seed (the folded
 * pseudo-header sum for the whole L4 length), plus the offsets the
 * virtio_net_hdr needs.
 *
 * Private to `vectors/capture/`; the project's codecs live in `sw/`.
 *
 * @module
 */

import { TsolabError } from "../../sw/types.ts";
import {
  checksum,
  pseudoHeaderSum4,
  pseudoHeaderSum6,
} from "../../sw/checksum.ts";

/**
 * A frame specification that cannot be built (bad address, bad extension
 * header length, options not a multiple of 4).
 *
 * @example
 * ```ts
 * import { CraftError, parseAddress } from "./_craft.ts";
 * try {
 *   parseAddress("10.77.0");
 * } catch (e) {
 *   if (!(e instanceof CraftError)) throw e;
 * }
 * ```
 */
export class CraftError extends TsolabError {}

/**
 * Parses a dotted IPv4 or a textual IPv6 address (with `::`).
 *
 * @param text For example `10.77.0.1` or `fd77::1`.
 * @returns 4 or 16 bytes.
 * @throws {CraftError} When the text is not an address.
 *
 * @example
 * ```ts
 * import { parseAddress } from "./_craft.ts";
 * parseAddress("fd77::2")[15]; // 2
 * ```
 */
export function parseAddress(text: string): Uint8Array {
  if (!text.includes(":")) {
    const parts = text.split(".");
    const out = new Uint8Array(parts.map(Number));
    if (
      parts.length !== 4 ||
      parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)
    ) {
      throw new CraftError(`Cannot parse IPv4 address "${text}"`);
    }
    return out;
  }
  const halves = text.split("::");
  if (halves.length > 2) {
    throw new CraftError(`Cannot parse IPv6 address "${text}": two "::"`);
  }
  const words = (s: string) => (s === "" ? [] : s.split(":"));
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill)) {
    throw new CraftError(`Cannot parse IPv6 address "${text}": wrong length`);
  }
  const all = [
    ...head,
    ...Array(halves.length === 2 ? fill : 0).fill("0"),
    ...tail,
  ];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) {
      throw new CraftError(
        `Cannot parse IPv6 address "${text}": bad group "${w}"`,
      );
    }
    const v = parseInt(w, 16);
    out[2 * i] = v >>> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/**
 * Parses a MAC address `02:74:73:6c:00:01`.
 *
 * @param text Six colon-separated hex bytes.
 * @returns 6 bytes.
 * @throws {CraftError} When the text is not a MAC address.
 *
 * @example
 * ```ts
 * import { parseMac } from "./_craft.ts";
 * parseMac("ff:ff:ff:ff:ff:ff")[0]; // 255
 * ```
 */
export function parseMac(text: string): Uint8Array {
  const parts = text.split(":");
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new CraftError(`Cannot parse MAC address "${text}"`);
  }
  return new Uint8Array(parts.map((p) => parseInt(p, 16)));
}

/** One VLAN tag: TPID 0x8100 (802.1Q) or 0x88a8 (802.1ad outer). */
export interface VlanTag {
  /** Tag protocol identifier. */
  tpid: number;
  /** VLAN id, 0..4095. */
  vid: number;
  /** Priority code point, 0..7 (default 0). */
  pcp?: number;
}

/** The link layer of a crafted frame. */
export interface EthernetSpec {
  /** Destination MAC. */
  dst: string;
  /** Source MAC. */
  src: string;
  /** Tags, outermost first. */
  vlans?: VlanTag[];
}

/** An IPv4 header. */
export interface Ipv4Spec {
  /** Always 4. */
  version: 4;
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** Identification. */
  id: number;
  /** Don't Fragment (default true). */
  df?: boolean;
  /** TOS byte incl. ECN bits (default 0). */
  tos?: number;
  /** TTL (default 64). */
  ttl?: number;
  /** Options, a multiple of 4 bytes, at most 40. */
  options?: Uint8Array;
}

/** One IPv6 extension header: Hop-by-Hop (0), Routing (43) or Destination Options (60). */
export interface Ipv6ExtHeader {
  /** Its own protocol number (what the previous next-header names). */
  type: 0 | 43 | 60;
  /** The bytes after next-header and length; 2 + body.length a multiple of 8. */
  body: Uint8Array;
}

/** An IPv6 header with optional extension headers. */
export interface Ipv6Spec {
  /** Always 6. */
  version: 6;
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** Traffic class incl. ECN bits (default 0). */
  trafficClass?: number;
  /** Flow label (default 0). */
  flowLabel?: number;
  /** Hop limit (default 64). */
  hopLimit?: number;
  /** Extension headers in order. */
  ext?: Ipv6ExtHeader[];
}

/** TCP flag bits. */
export const TCP_FLAGS = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

/** A TCP header. */
export interface TcpSpec {
  /** Always "tcp". */
  proto: "tcp";
  /** Source port. */
  sport: number;
  /** Destination port. */
  dport: number;
  /** Sequence number. */
  seq: number;
  /** Acknowledgement number. */
  ack: number;
  /** Flag bits (TCP_FLAGS). */
  flags: number;
  /** Window (default 502). */
  window?: number;
  /** Urgent pointer (default 0). */
  urgent?: number;
  /** Options, a multiple of 4 bytes, at most 40. */
  options?: Uint8Array;
}

/** A UDP header. */
export interface UdpSpec {
  /** Always "udp". */
  proto: "udp";
  /** Source port. */
  sport: number;
  /** Destination port. */
  dport: number;
}

/** Everything needed to build one frame. */
export interface FrameSpec {
  /** Link layer. */
  eth: EthernetSpec;
  /** Network layer. */
  ip: Ipv4Spec | Ipv6Spec;
  /** Transport layer. */
  l4: TcpSpec | UdpSpec;
  /** L4 payload. */
  payload: Uint8Array;
  /**
   * What goes into the L4 checksum field: the CHECKSUM_PARTIAL seed (default,
   * for NEEDS_CSUM super-packets) or the complete checksum.
   */
  checksum?: "seed" | "full";
}

/** A built frame and the offsets a virtio_net_hdr needs. */
export interface CraftedFrame {
  /** The frame, from the destination MAC on. */
  bytes: Uint8Array;
  /** Offset of the (first) IP header. */
  l3Offset: number;
  /** Offset of the L4 header: the virtio csum_start. */
  l4Offset: number;
  /** Offset of the checksum field from the L4 header: 16 TCP, 6 UDP. */
  csumOffset: number;
  /** All headers up to the payload: the virtio hdr_len. */
  hdrLen: number;
  /** Payload length. */
  payloadLength: number;
}

function ethernetHeader(spec: EthernetSpec, etherType: number): Uint8Array {
  const tags = spec.vlans ?? [];
  const h = new Uint8Array(14 + 4 * tags.length);
  const dv = new DataView(h.buffer);
  h.set(parseMac(spec.dst), 0);
  h.set(parseMac(spec.src), 6);
  tags.forEach((t, i) => {
    dv.setUint16(12 + 4 * i, t.tpid);
    dv.setUint16(14 + 4 * i, ((t.pcp ?? 0) << 13) | (t.vid & 0xfff));
  });
  dv.setUint16(12 + 4 * tags.length, etherType);
  return h;
}

function ipv4Header(spec: Ipv4Spec, proto: number, l4Len: number): Uint8Array {
  const opts = spec.options ?? new Uint8Array(0);
  if (opts.length % 4 !== 0 || opts.length > 40) {
    throw new CraftError(
      `Cannot build IPv4 header: options are ${opts.length} bytes, need a multiple of 4 up to 40`,
    );
  }
  const h = new Uint8Array(20 + opts.length);
  const dv = new DataView(h.buffer);
  const total = h.length + l4Len;
  h[0] = 0x40 | (h.length / 4);
  h[1] = spec.tos ?? 0;
  dv.setUint16(2, total > 0xffff ? 0 : total);
  dv.setUint16(4, spec.id & 0xffff);
  dv.setUint16(6, spec.df === false ? 0 : 0x4000);
  h[8] = spec.ttl ?? 64;
  h[9] = proto;
  h.set(parseAddress(spec.src), 12);
  h.set(parseAddress(spec.dst), 16);
  h.set(opts, 20);
  dv.setUint16(10, checksum(h));
  return h;
}

function ipv6Header(spec: Ipv6Spec, proto: number, l4Len: number): Uint8Array {
  const ext = spec.ext ?? [];
  const extLen = ext.reduce((n, e) => n + 2 + e.body.length, 0);
  const h = new Uint8Array(40 + extLen);
  const dv = new DataView(h.buffer);
  const tc = spec.trafficClass ?? 0;
  dv.setUint32(
    0,
    ((6 << 28) | (tc << 20) | ((spec.flowLabel ?? 0) & 0xfffff)) >>> 0,
  );
  const plen = extLen + l4Len;
  dv.setUint16(4, plen > 0xffff ? 0 : plen);
  h[6] = ext.length > 0 ? ext[0]!.type : proto;
  h[7] = spec.hopLimit ?? 64;
  h.set(parseAddress(spec.src), 8);
  h.set(parseAddress(spec.dst), 24);
  let off = 40;
  ext.forEach((e, i) => {
    const len = 2 + e.body.length;
    if (len % 8 !== 0) {
      throw new CraftError(
        `Cannot build IPv6 extension header ${i} (type ${e.type}): length ${len} is not a multiple of 8`,
      );
    }
    h[off] = i + 1 < ext.length ? ext[i + 1]!.type : proto;
    h[off + 1] = len / 8 - 1;
    h.set(e.body, off + 2);
    off += len;
  });
  return h;
}

function tcpHeader(spec: TcpSpec): Uint8Array {
  const opts = spec.options ?? new Uint8Array(0);
  if (opts.length % 4 !== 0 || opts.length > 40) {
    throw new CraftError(
      `Cannot build TCP header: options are ${opts.length} bytes, need a multiple of 4 up to 40`,
    );
  }
  const h = new Uint8Array(20 + opts.length);
  const dv = new DataView(h.buffer);
  dv.setUint16(0, spec.sport);
  dv.setUint16(2, spec.dport);
  dv.setUint32(4, spec.seq >>> 0);
  dv.setUint32(8, spec.ack >>> 0);
  h[12] = (h.length / 4) << 4;
  h[13] = spec.flags & 0xff;
  dv.setUint16(14, spec.window ?? 502);
  dv.setUint16(18, spec.urgent ?? 0);
  h.set(opts, 20);
  return h;
}

/**
 * Builds one frame. Length fields that would exceed 16 bits (BIG TCP) are
 * written as 0, as the kernel does.
 *
 * @param spec The layers and the payload.
 * @returns The frame and its header offsets.
 * @throws {CraftError} When a header cannot be built.
 *
 * @example
 * ```ts
 * import { craftFrame, TCP_FLAGS } from "./_craft.ts";
 * const f = craftFrame({
 *   eth: { dst: "02:74:73:6c:00:02", src: "02:74:73:6c:00:01" },
 *   ip: { version: 4, src: "10.77.0.1", dst: "10.77.0.2", id: 1 },
 *   l4: { proto: "tcp", sport: 40000, dport: 5201, seq: 1, ack: 1, flags: TCP_FLAGS.ACK },
 *   payload: new Uint8Array(3000),
 * });
 * f.hdrLen; // 54
 * ```
 */
export function craftFrame(spec: FrameSpec): CraftedFrame {
  const proto = spec.l4.proto === "tcp" ? 6 : 17;
  const l4h = spec.l4.proto === "tcp" ? tcpHeader(spec.l4) : new Uint8Array(8);
  const l4Len = l4h.length + spec.payload.length;
  if (spec.l4.proto === "udp") {
    const dv = new DataView(l4h.buffer);
    dv.setUint16(0, spec.l4.sport);
    dv.setUint16(2, spec.l4.dport);
    dv.setUint16(4, l4Len > 0xffff ? 0 : l4Len);
  }
  const l3 = spec.ip.version === 4
    ? ipv4Header(spec.ip, proto, l4Len)
    : ipv6Header(spec.ip, proto, l4Len);
  const l2 = ethernetHeader(spec.eth, spec.ip.version === 4 ? 0x0800 : 0x86dd);
  const l3Offset = l2.length;
  const l4Offset = l3Offset + l3.length;
  const bytes = new Uint8Array(l4Offset + l4Len);
  bytes.set(l2, 0);
  bytes.set(l3, l3Offset);
  bytes.set(l4h, l4Offset);
  bytes.set(spec.payload, l4Offset + l4h.length);
  const csumOffset = proto === 6 ? 16 : 6;
  const ph = spec.ip.version === 4
    ? pseudoHeaderSum4(bytes, l3Offset, proto, l4Len)
    : pseudoHeaderSum6(bytes, l3Offset, proto, l4Len);
  let sum = ph;
  if (spec.checksum === "full") {
    sum = checksum(bytes, l4Offset, bytes.length, ph);
    if (sum === 0 && proto === 17) sum = 0xffff;
  }
  bytes[l4Offset + csumOffset] = sum >>> 8;
  bytes[l4Offset + csumOffset + 1] = sum & 0xff;
  return {
    bytes,
    l3Offset,
    l4Offset,
    csumOffset,
    hdrLen: l4Offset + l4h.length,
    payloadLength: spec.payload.length,
  };
}
