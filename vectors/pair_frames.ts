/**
 * Pairing an ingress capture with an egress capture: for each frame the
 * sender handed to the egress device, the frames the device sent for it.
 * A super-packet owns the next frames of its flow that carry its payload,
 * in order, byte for byte; a frame that passes through owns exactly one.
 * Anything else — a segment missing, one too many, two swapped, a payload
 * byte changed — is refused with a line naming the frames.
 *
 * @module
 */

import { getU16, getU32 } from "../sw/bytes.ts";
import { DecodeError } from "../sw/decode_error.ts";
import { type PacketLayout, parsePacket } from "../sw/packet_layout.ts";
import type { Frame } from "../sw/types.ts";
import { PairingError } from "./golden_error.ts";

/**
 * Options of the pairing.
 *
 * @example
 * ```ts
 * import type { PairOptions } from "./pair_frames.ts";
 * const o: PairOptions = { sender: "10.77.0.1", gsoSize: 1448 };
 * ```
 */
export interface PairOptions {
  /** Outer source address of the sender (default: inferred). */
  sender?: string;
  /** gso_size (default: inferred from the egress frames). */
  gsoSize?: number;
  /** UDP ports that carry VXLAN (default 4789). */
  vxlanPorts?: number[];
  /** Name of the ingress capture, for messages. */
  ingressName?: string;
  /** Name of the egress capture, for messages. */
  egressName?: string;
}

/**
 * The sender and gso_size a pairing uses.
 *
 * @example
 * ```ts
 * import type { PairParameters } from "./pair_frames.ts";
 * const p: PairParameters = { sender: "10.77.0.1", gsoSize: 1448 };
 * ```
 */
export interface PairParameters {
  /** Outer source address, canonical text (`10.77.0.1`, `fd77::1`). */
  sender: string;
  /** Payload bytes per segment. */
  gsoSize: number;
}

/**
 * One sender frame of the ingress capture with the egress frames it became.
 *
 * @example
 * ```ts
 * import { inferPairParameters, pairFrames } from "./pair_frames.ts";
 * import { buildSuperPacket } from "./build_super_packet.ts";
 * import { parsePacket, segment, skbFromFrame } from "../sw/mod.ts";
 * const base = { timestampNs: 0n, interfaceId: 0, linkType: 1, fileOffset: 0 };
 * const f = (data: Uint8Array, number = 1) =>
 *   ({ ...base, number, data, origLen: data.length });
 * const { frame } = buildSuperPacket({ payloadLen: 3000, seed: 1 });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * const out = [...segment(skb, 0n)].map((s, i) => f(s.data.slice(), i + 1));
 * const [p] = pairFrames([f(frame)], out, inferPairParameters([f(frame)], out));
 * [p!.superPacket, p!.expected.length]; // [true, 3]
 * ```
 */
export interface PairedFrame {
  /** The ingress frame. */
  ingress: Frame;
  /** Its layout. */
  layout: PacketLayout;
  /** True when its payload exceeds gso_size (a super-packet). */
  superPacket: boolean;
  /** True when the egress frames are IP fragments of it (legacy UFO). */
  ufo: boolean;
  /** The egress frames, in order. */
  expected: Frame[];
}

interface Parsed {
  frame: Frame;
  layout: PacketLayout;
  sender: string;
}

/**
 * Canonical text of an IPv4 or IPv6 address given as text (so `fd77::1`
 * and `fd77:0:0:0:0:0:0:1` compare equal). IPv6 may end in a dotted IPv4
 * address (RFC 4291 §2.2); an IPv4-mapped address (`::ffff:a.b.c.d`) is the
 * IPv4 sender it stands for, whose packets go out as IPv4.
 *
 * @param text The address.
 * @returns Dotted IPv4 or compressed lowercase IPv6.
 * @throws {PairingError} When it is neither.
 *
 * @example
 * ```ts
 * import { canonicalAddress } from "./pair_frames.ts";
 * canonicalAddress("FD77:0:0::1"); // "fd77::1"
 * canonicalAddress("::ffff:10.77.0.1"); // "10.77.0.1"
 * ```
 */
export function canonicalAddress(text: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4 !== null) {
    const b = v4.slice(1).map(Number);
    if (b.every((x) => x <= 255)) return b.join(".");
  } else if (text.includes(":")) {
    let v6 = text.toLowerCase();
    const dotted = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v6);
    if (dotted !== null) {
      const b = dotted.slice(2).map(Number);
      if (b.some((x) => x > 255)) {
        throw new PairingError(`"${text}" is not an IPv4 or IPv6 address`);
      }
      v6 = `${dotted[1]}${((b[0]! << 8) | b[1]!).toString(16)}:${
        ((b[2]! << 8) | b[3]!).toString(16)
      }`;
    }
    const [head, tail, more] = v6.split("::");
    const groups = (s: string | undefined) =>
      s === undefined || s === "" ? [] : s.split(":");
    const h = groups(head);
    const t = groups(tail);
    const fill = tail === undefined ? 0 : 8 - h.length - t.length;
    const all = [...h, ...Array(Math.max(fill, 0)).fill("0"), ...t];
    if (
      more === undefined && all.length === 8 &&
      (tail === undefined || fill >= 1) &&
      all.every((g) => /^[0-9a-f]{1,4}$/.test(g))
    ) {
      const bytes = new Uint8Array(16);
      all.forEach((g, i) => {
        const v = parseInt(g, 16);
        bytes[2 * i] = v >> 8;
        bytes[2 * i + 1] = v & 0xff;
      });
      // ::ffff:0:0/96 (RFC 4291 §2.5.5.2): an IPv4 socket's address.
      const mapped = bytes.subarray(0, 10).every((x) => x === 0) &&
        bytes[10] === 0xff && bytes[11] === 0xff;
      return mapped ? formatAddress(bytes, 12, 4) : formatAddress(bytes, 0, 16);
    }
  }
  throw new PairingError(`"${text}" is not an IPv4 or IPv6 address`);
}

function formatAddress(b: Uint8Array, off: number, len: 4 | 16): string {
  if (len === 4) return [...b.subarray(off, off + 4)].join(".");
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(getU16(b, off + i));
  // RFC 5952: compress the longest run of two or more zero groups.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${
    hex.slice(best + bestLen).join(":")
  }`;
}

/**
 * The outer source address of a parsed frame as text, in the form
 * {@linkcode canonicalAddress} gives (RFC 5952 for IPv6), or "" when it has
 * no IP header.
 *
 * @param data Frame bytes.
 * @param l Its layout.
 * @returns Dotted IPv4, compressed lower-case IPv6, or "".
 *
 * @example
 * ```ts
 * import { outerSource } from "./pair_frames.ts";
 * import { parsePacket } from "../sw/packet_layout.ts";
 * const f = new Uint8Array(54);
 * f.set([0x08, 0x00, 0x45], 12);
 * f[14 + 9] = 6;
 * f.set([10, 77, 0, 1], 14 + 12);
 * f[14 + 20 + 12] = 0x50;
 * outerSource(f, parsePacket(f, 1)); // "10.77.0.1"
 * ```
 */
export function outerSource(data: Uint8Array, l: PacketLayout): string {
  const o = l.outer;
  if (o === null) return "";
  return o.version === 4
    ? formatAddress(data, o.offset + 12, 4)
    : formatAddress(data, o.offset + 8, 16);
}

function parse(f: Frame, vxlanPorts: number[]): Parsed | null {
  try {
    const layout = parsePacket(f.data, f.linkType, { vxlanPorts });
    return { frame: f, layout, sender: outerSource(f.data, layout) };
  } catch (e) {
    if (e instanceof DecodeError) return null;
    throw e;
  }
}

function innerIp(l: PacketLayout) {
  return l.inner ?? l.outer;
}

/** Addresses and protocol of the innermost IP header, and the outer ones of a tunnel. */
function hostKey(d: Uint8Array, l: PacketLayout): string {
  const parts: string[] = [];
  for (const ip of [l.outer, l.inner]) {
    if (ip === null) continue;
    const a = ip.version === 4
      ? `${formatAddress(d, ip.offset + 12, 4)}>${
        formatAddress(d, ip.offset + 16, 4)
      }`
      : `${formatAddress(d, ip.offset + 8, 16)}>${
        formatAddress(d, ip.offset + 24, 16)
      }`;
    parts.push(`${a}/${ip.proto}`);
  }
  if (l.tunnel !== null) parts.splice(1, 0, `vni ${l.tunnel.vni}`);
  return parts.join(" | ");
}

/** The flow: hosts, protocol and, when there is an L4 header, the ports. */
function flowKey(d: Uint8Array, l: PacketLayout): string {
  const h = hostKey(d, l);
  if (l.l4 === null) return h;
  return `${h} ${getU16(d, l.l4.offset)}>${getU16(d, l.l4.offset + 2)}`;
}

function isFragment(l: PacketLayout): boolean {
  return (l.outer?.fragment ?? false) || (l.inner?.fragment ?? false);
}

/** Byte position of a fragment's data in the original IP payload. */
function fragmentPosition(d: Uint8Array, l: PacketLayout): number {
  const ip = innerIp(l)!;
  if (ip.version === 4) return (getU16(d, ip.offset + 6) & 0x1fff) * 8;
  const fh = ip.extHeaders.find((e) => e.type === 44);
  return fh === undefined ? 0 : getU16(d, fh.offset + 2) & 0xfff8;
}

/**
 * Finds the sender and gso_size of a capture pair, for the values not
 * given: the sender is the outer source of the ingress frame with the
 * largest innermost payload; gso_size is the largest innermost L4 payload
 * among the sender's egress frames.
 *
 * @param ingress The ingress frames (read once).
 * @param egress The egress frames (read once).
 * @param opts Given values, VXLAN ports and capture names.
 * @returns The sender and gso_size.
 * @throws {PairingError} When the ingress capture has no TCP/UDP frame, or
 *   the sender sent no TCP/UDP frame on egress.
 *
 * @example
 * ```ts
 * import { inferPairParameters } from "./pair_frames.ts";
 * import { buildSuperPacket } from "./build_super_packet.ts";
 * import { parsePacket, segment, skbFromFrame } from "../sw/mod.ts";
 * const base = { number: 1, timestampNs: 0n, interfaceId: 0, linkType: 1 };
 * const f = (data: Uint8Array) =>
 *   ({ ...base, data, origLen: data.length, fileOffset: 0 });
 * const { frame } = buildSuperPacket({ payloadLen: 3000, seed: 1 });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * const out = [...segment(skb, 0n)].map((s) => f(s.data.slice()));
 * inferPairParameters([f(frame)], out); // { sender: "10.79.0.1", gsoSize: 1448 }
 * ```
 */
export function inferPairParameters(
  ingress: Iterable<Frame>,
  egress: Iterable<Frame>,
  opts: PairOptions = {},
): PairParameters {
  const ports = opts.vxlanPorts ?? [4789];
  let sender = opts.sender === undefined
    ? undefined
    : canonicalAddress(opts.sender);
  if (sender === undefined) {
    let best = -1;
    for (const f of ingress) {
      const p = parse(f, ports);
      if (p !== null && p.layout.l4 !== null && p.layout.payloadLen > best) {
        best = p.layout.payloadLen;
        sender = p.sender;
      }
    }
    if (sender === undefined) {
      throw new PairingError(
        `${
          opts.ingressName ?? "ingress"
        }: no TCP or UDP frame to take the sender from (give --sender)`,
      );
    }
  }
  let gsoSize = opts.gsoSize;
  if (gsoSize === undefined) {
    let best = 0;
    for (const f of egress) {
      const p = parse(f, ports);
      if (
        p !== null && p.sender === sender && p.layout.l4 !== null &&
        p.layout.payloadLen > best
      ) best = p.layout.payloadLen;
    }
    if (best === 0) {
      throw new PairingError(
        `${
          opts.egressName ?? "egress"
        }: the sender ${sender} sent no TCP or UDP payload to take gso_size from (give --gso-size)`,
      );
    }
    gsoSize = best;
  }
  return { sender, gsoSize };
}

/**
 * Pairs the sender's ingress frames with the sender's egress frames, in
 * order, streaming: a frame whose innermost TCP/UDP payload exceeds
 * gso_size (a super-packet) owns the next egress frames of its flow whose
 * payloads, in order, make up its payload exactly (TCP: with consecutive
 * sequence numbers; legacy UFO: IP fragments of its UDP datagram); every
 * other frame owns exactly the next egress frame, which must belong to the
 * same flow and carry the same payload. Frames from other sources (the
 * receiver's ACKs, ARP, end markers) are skipped on both sides.
 *
 * @param ingress The ingress frames, in capture order.
 * @param egress The egress frames, in capture order.
 * @param params The sender and gso_size.
 * @param opts VXLAN ports and capture names for messages.
 * @returns A generator of paired frames.
 * @throws {PairingError} On the first frame that does not pair up: a
 *   segment missing or extra, segments out of order, a changed payload, an
 *   egress frame of another flow, egress frames left over or missing.
 *
 * @example
 * ```ts
 * import { inferPairParameters, pairFrames } from "./pair_frames.ts";
 * import { buildSuperPacket } from "./build_super_packet.ts";
 * import { parsePacket, segment, skbFromFrame } from "../sw/mod.ts";
 * const base = { number: 1, timestampNs: 0n, interfaceId: 0, linkType: 1 };
 * const f = (data: Uint8Array) =>
 *   ({ ...base, data, origLen: data.length, fileOffset: 0 });
 * const { frame } = buildSuperPacket({ payloadLen: 3000, seed: 1 });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * const inFrames = [f(frame)];
 * const outFrames = [...segment(skb, 0n)].map((s) => f(s.data.slice()));
 * const params = inferPairParameters(inFrames, outFrames);
 * [...pairFrames(inFrames, outFrames, params)].length; // 1
 * ```
 */
export function* pairFrames(
  ingress: Iterable<Frame>,
  egress: Iterable<Frame>,
  params: PairParameters,
  opts: PairOptions = {},
): Generator<PairedFrame> {
  const ports = opts.vxlanPorts ?? [4789];
  const inName = opts.ingressName ?? "ingress";
  const outName = opts.egressName ?? "egress";
  const sender = canonicalAddress(params.sender);
  const out = senderFrames(egress, sender, ports);
  let pending = out.next();
  const take = (): Parsed | null => {
    if (pending.done) return null;
    const v = pending.value;
    pending = out.next();
    return v;
  };
  const peek = (): Parsed | null => pending.done ? null : pending.value;
  for (const i of senderFrames(ingress, sender, ports)) {
    const f = i.frame;
    const l = i.layout;
    const at = `${inName} frame ${f.number}`;
    const fail = (msg: string, e?: Parsed): never => {
      throw new PairingError(`${at}: ${msg}`, {
        ingressFrame: f.number,
        egressFrame: e?.frame.number,
      });
    };
    const superPacket = l.l4 !== null && !isFragment(l) &&
      l.payloadLen > params.gsoSize;
    const key = flowKey(f.data, l);
    if (!superPacket) {
      const e = take();
      if (e === null) {
        fail(
          `${outName} has no frame left for this pass-through frame (missing frame)`,
        );
      }
      const ek = flowKey(e!.frame.data, e!.layout);
      if (ek !== key) {
        fail(
          `${outName} frame ${
            e!.frame.number
          } belongs to flow ${ek}, not to this pass-through frame's flow ${key} (a frame is missing, extra or out of order)`,
          e!,
        );
      }
      const d = payloadDifference(f.data, l, e!.frame.data, e!.layout);
      if (d !== null) {
        fail(
          `${outName} frame ${
            e!.frame.number
          } should pass through unchanged but ${d}`,
          e!,
        );
      }
      yield {
        ingress: f,
        layout: l,
        superPacket,
        ufo: false,
        expected: [e!.frame],
      };
      continue;
    }
    // A super-packet: its payload, to be found again in order.
    const l4 = l.l4!;
    const tcp = l4.proto === 6;
    const base = tcp ? getU32(f.data, l4.offset + 4) : 0;
    const payload = f.data.subarray(
      l.payloadOffset,
      l.payloadOffset + l.payloadLen,
    );
    const first = peek();
    const ufo = !tcp && first !== null && first.layout.l4 === null &&
      isFragment(first.layout) &&
      hostKey(first.frame.data, first.layout) === hostKey(f.data, l);
    // For UFO the fragments carry the UDP header and payload.
    const whole = ufo
      ? f.data.subarray(l4.offset, l.payloadOffset + l.payloadLen)
      : payload;
    const skip = ufo ? 8 : 0; // the UDP header of the first fragment changes
    const key2 = ufo ? hostKey(f.data, l) : key;
    const expected: Frame[] = [];
    let off = 0;
    while (off < whole.length) {
      const e = take();
      if (e === null) {
        fail(
          `${outName} ends after ${expected.length} segment${
            expected.length === 1 ? "" : "s"
          }: payload bytes ${off}..${whole.length} are missing`,
        );
      }
      const ed = e!.frame.data;
      const el = e!.layout;
      const ek = ufo ? hostKey(ed, el) : flowKey(ed, el);
      const en = `${outName} frame ${e!.frame.number}`;
      if (ek !== key2 || (ufo ? !isFragment(el) : el.l4 === null)) {
        fail(
          `${en} belongs to flow ${ek}${
            ufo && !isFragment(el) ? " (not a fragment)" : ""
          }, not to this super-packet's flow ${key2}, after ${expected.length} segment${
            expected.length === 1 ? "" : "s"
          } and payload byte ${off} of ${whole.length} (a segment is missing, extra or out of order)`,
          e!,
        );
      }
      let pos = off;
      if (ufo) {
        pos = fragmentPosition(ed, el);
      } else if (tcp) {
        pos = (getU32(ed, el.l4!.offset + 4) - base) >>> 0;
      }
      if (pos !== off) {
        fail(
          `${en} carries payload bytes from ${pos}, expected ${off} (${
            pos > off ? "a segment is missing" : "a segment is repeated"
          } or out of order)`,
          e!,
        );
      }
      const seg = ed.subarray(
        el.payloadOffset,
        el.payloadOffset + el.payloadLen,
      );
      if (seg.length === 0) {
        fail(`${en} carries no payload (an extra segment)`, e!);
      }
      if (off + seg.length > whole.length) {
        fail(
          `${en} carries payload bytes ${off}..${
            off + seg.length
          }, past the super-packet's ${whole.length} (an extra or changed segment)`,
          e!,
        );
      }
      for (let k = Math.max(0, skip - off); k < seg.length; k++) {
        if (seg[k] !== whole[off + k]) {
          fail(
            `${en} payload byte ${off + k} is 0x${
              seg[k]!.toString(16).padStart(2, "0")
            }, the super-packet has 0x${
              whole[off + k]!.toString(16).padStart(2, "0")
            } (a changed or out-of-order segment)`,
            e!,
          );
        }
      }
      expected.push(e!.frame);
      off += seg.length;
    }
    yield { ingress: f, layout: l, superPacket, ufo, expected };
  }
  const left = peek();
  if (left !== null) {
    throw new PairingError(
      `${outName} frame ${left.frame.number}: the sender's frame has no ingress frame (extra frame after the last ingress frame)`,
      { egressFrame: left.frame.number },
    );
  }
}

function* senderFrames(
  frames: Iterable<Frame>,
  sender: string,
  ports: number[],
): Generator<Parsed> {
  for (const f of frames) {
    const p = parse(f, ports);
    if (p !== null && p.sender === sender) yield p;
  }
}

/** Why a pass-through frame's egress copy differs, or null when it does not. */
function payloadDifference(
  a: Uint8Array,
  la: PacketLayout,
  b: Uint8Array,
  lb: PacketLayout,
): string | null {
  if (la.payloadLen !== lb.payloadLen) {
    return `its payload has ${lb.payloadLen} bytes, not ${la.payloadLen}`;
  }
  if (la.l4 !== null && la.l4.proto === 6 && lb.l4 !== null) {
    const sa = getU32(a, la.l4.offset + 4);
    const sb = getU32(b, lb.l4.offset + 4);
    if (sa !== sb) return `its sequence number is ${sb}, not ${sa}`;
  }
  for (let k = 0; k < la.payloadLen; k++) {
    if (a[la.payloadOffset + k] !== b[lb.payloadOffset + k]) {
      return `its payload byte ${k} differs`;
    }
  }
  return null;
}
