/**
 * Builds the super-packets of reference-made golden vectors with the
 * project's header codecs: Ethernet, IPv4 or IPv6, TCP (with timestamps)
 * or UDP, optionally inside VXLAN over IPv4, with a seeded pseudo-random
 * payload and the L4 checksum holding the CHECKSUM_PARTIAL seed as a
 * sending stack leaves it.
 *
 * @module
 */

import { setU16 } from "../sw/bytes.ts";
import { pseudoHeaderSum4, pseudoHeaderSum6 } from "../sw/checksum.ts";
import { encodeEthernet, ETHERTYPE } from "../sw/ethernet.ts";
import { encodeIpv4, ipv4HeaderChecksum } from "../sw/ipv4.ts";
import { encodeIpv6 } from "../sw/ipv6.ts";
import { encodeTcp, TCP_FLAGS } from "../sw/tcp.ts";
import { encodeUdp, UDP_HEADER_LEN } from "../sw/udp.ts";
import { encodeVxlan, VXLAN_FLAG_I, VXLAN_PORT } from "../sw/vxlan.ts";

/**
 * What to build.
 *
 * @example
 * ```ts
 * import type { SuperPacketSpec } from "./build_super_packet.ts";
 * const s: SuperPacketSpec = { payloadLen: 6000, seed: 1, timestamps: true };
 * ```
 */
export interface SuperPacketSpec {
  /** IPv6 instead of IPv4 (the inner header of a tunnelled packet). */
  ipv6?: boolean;
  /** UDP instead of TCP. */
  udp?: boolean;
  /** Bytes of innermost payload. */
  payloadLen: number;
  /** Seed of the payload bytes. */
  seed: number;
  /** TCP flags (default ACK|PSH). */
  tcpFlags?: number;
  /** TCP sequence number (default derived from the seed). */
  seq?: number;
  /** IPv4 identification of the innermost header (default derived from the seed). */
  ipId?: number;
  /** IPv4 don't-fragment (default true). */
  df?: boolean;
  /** Add the 12-byte TCP timestamp option (NOP NOP TS). */
  timestamps?: boolean;
  /** Wrap in VXLAN over IPv4; `udpChecksum` fills the outer UDP seed. */
  vxlan?: { vni: number; udpChecksum: boolean };
}

/**
 * A built super-packet.
 *
 * @example
 * ```ts
 * import type { BuiltSuperPacket } from "./build_super_packet.ts";
 * const b: BuiltSuperPacket = {
 *   frame: new Uint8Array(100), l4Offset: 34, payloadOffset: 54,
 * };
 * ```
 */
export interface BuiltSuperPacket {
  /** The whole frame. */
  frame: Uint8Array;
  /** Offset of the innermost L4 header. */
  l4Offset: number;
  /** Offset of the innermost payload. */
  payloadOffset: number;
}

const MAC_A = new Uint8Array([0x02, 0x74, 0x73, 0x6f, 0x00, 0x01]);
const MAC_B = new Uint8Array([0x02, 0x74, 0x73, 0x6f, 0x00, 0x02]);
const INNER_MAC_A = new Uint8Array([0x02, 0x74, 0x73, 0x6f, 0x01, 0x01]);
const INNER_MAC_B = new Uint8Array([0x02, 0x74, 0x73, 0x6f, 0x01, 0x02]);
const V4_A = new Uint8Array([10, 79, 0, 1]);
const V4_B = new Uint8Array([10, 79, 0, 2]);
const V4_OUTER_A = new Uint8Array([10, 80, 0, 1]);
const V4_OUTER_B = new Uint8Array([10, 80, 0, 2]);
const V6_A = new Uint8Array([
  0xfd,
  0x79,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
]);
const V6_B = new Uint8Array([
  0xfd,
  0x79,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  2,
]);

/**
 * A small deterministic generator (mulberry32) for payloads and header
 * values, so a vector is rebuilt byte for byte from its seed.
 *
 * @param seed Any 32-bit value.
 * @returns A function yielding 32-bit unsigned values.
 *
 * @example
 * ```ts
 * import { seededRandom } from "./build_super_packet.ts";
 * const r = seededRandom(1);
 * r() === seededRandom(1)(); // true
 * ```
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Builds a super-packet as a sending stack hands it down: every header
 * complete, IP length fields covering the whole packet, IPv4 header
 * checksums final, the innermost L4 checksum field (and, with
 * `vxlan.udpChecksum`, the outer UDP one) holding the pseudo-header seed.
 *
 * @param spec What to build.
 * @returns The frame and its offsets.
 *
 * @example
 * ```ts
 * import { buildSuperPacket } from "./build_super_packet.ts";
 * const b = buildSuperPacket({ payloadLen: 3000, seed: 7 });
 * b.frame.length; // 14 + 20 + 20 + 3000
 * ```
 */
export function buildSuperPacket(spec: SuperPacketSpec): BuiltSuperPacket {
  const rnd = seededRandom(spec.seed);
  const l4Hdr = spec.udp ? UDP_HEADER_LEN : spec.timestamps ? 32 : 20;
  const ipHdr = spec.ipv6 ? 40 : 20;
  const tunnel = spec.vxlan !== undefined ? 14 + 20 + 8 + 8 : 0;
  const l4Len = l4Hdr + spec.payloadLen;
  const total = 14 + tunnel + ipHdr + l4Len;
  const f = new Uint8Array(total);
  let p = encodeEthernet(
    {
      dst: MAC_B,
      src: MAC_A,
      tags: [],
      etherType: ETHERTYPE.IPV4,
      headerLen: 14,
    },
    f,
    0,
  );
  if (spec.vxlan !== undefined) {
    const outerIp = p;
    p += encodeIpv4(ipv4(total - 14, rnd() & 0xffff, true, 17, true), f, p);
    setU16(f, outerIp + 10, ipv4HeaderChecksum(f, outerIp));
    const udpOff = p;
    const udpLen = total - udpOff;
    p += encodeUdp(
      {
        srcPort: 49152 + (rnd() & 0x3fff),
        dstPort: VXLAN_PORT,
        length: udpLen,
        checksum: 0,
      },
      f,
      p,
    );
    p += encodeVxlan(
      {
        flags: VXLAN_FLAG_I,
        reserved1: 0,
        vni: spec.vxlan.vni,
        reserved2: 0,
      },
      f,
      p,
    );
    if (spec.vxlan.udpChecksum) {
      setU16(f, udpOff + 6, pseudoHeaderSum4(f, outerIp, 17, udpLen));
    }
    p += encodeEthernet(
      {
        dst: INNER_MAC_B,
        src: INNER_MAC_A,
        tags: [],
        etherType: spec.ipv6 ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4,
        headerLen: 14,
      },
      f,
      p,
    );
  } else if (spec.ipv6) {
    setU16(f, 12, ETHERTYPE.IPV6);
  }
  const ipOff = p;
  const proto = spec.udp ? 17 : 6;
  if (spec.ipv6) {
    p += encodeIpv6(
      {
        trafficClass: 0,
        flowLabel: rnd() & 0xfffff,
        payloadLen: l4Len,
        hopLimit: 64,
        src: V6_A,
        dst: V6_B,
        extHeaders: [],
        upperProtocol: proto,
        upperOffset: 40,
        headerLen: 40,
        jumbo: 0,
        fragment: null,
      },
      f,
      p,
    );
  } else {
    const id = spec.ipId ?? (rnd() & 0xffff);
    p += encodeIpv4(ipv4(ipHdr + l4Len, id, spec.df ?? true, proto), f, p);
    setU16(f, ipOff + 10, ipv4HeaderChecksum(f, ipOff));
  }
  const l4Off = p;
  if (spec.udp) {
    p += encodeUdp(
      {
        srcPort: 40000 + (rnd() & 0xfff),
        dstPort: 5201,
        length: l4Len,
        checksum: 0,
      },
      f,
      p,
    );
  } else {
    const options = new Uint8Array(spec.timestamps ? 12 : 0);
    if (spec.timestamps) {
      options.set([1, 1, 8, 10]);
      new DataView(options.buffer).setUint32(4, rnd());
      new DataView(options.buffer).setUint32(8, rnd());
    }
    p += encodeTcp(
      {
        srcPort: 40000 + (rnd() & 0xfff),
        dstPort: 5201,
        seq: spec.seq ?? rnd(),
        ack: rnd(),
        dataOffset: 0,
        reserved: 0,
        flags: spec.tcpFlags ?? (TCP_FLAGS.ACK | TCP_FLAGS.PSH),
        window: 502,
        checksum: 0,
        urgent: 0,
        options,
        optionList: [],
      },
      f,
      p,
    );
  }
  const payloadOffset = p;
  for (let i = payloadOffset; i < total; i += 4) {
    const v = rnd();
    f[i] = v >>> 24;
    if (i + 1 < total) f[i + 1] = v >>> 16;
    if (i + 2 < total) f[i + 2] = v >>> 8;
    if (i + 3 < total) f[i + 3] = v;
  }
  const seed = spec.ipv6
    ? pseudoHeaderSum6(f, ipOff, proto, l4Len)
    : pseudoHeaderSum4(f, ipOff, proto, l4Len);
  setU16(f, l4Off + (spec.udp ? 6 : 16), seed);
  return { frame: f, l4Offset: l4Off, payloadOffset };
}

function ipv4(
  totalLen: number,
  id: number,
  df: boolean,
  protocol: number,
  outer = false,
) {
  return {
    ihl: 5,
    dscp: 0,
    ecn: 0,
    totalLen,
    id,
    reservedFlag: false,
    df,
    mf: false,
    fragOffset: 0,
    ttl: 64,
    protocol,
    checksum: 0,
    src: outer ? V4_OUTER_A : V4_A,
    dst: outer ? V4_OUTER_B : V4_B,
    options: new Uint8Array(0),
  };
}
