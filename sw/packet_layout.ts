/**
 * The frame layout parser: where each header of a captured frame starts,
 * how long it is, and where the innermost TCP/UDP payload lies. The
 * segmenter and the CLI run it on every frame, so it reads fields in place
 * and allocates only the few small objects it returns.
 *
 * @module
 */

import { getU16 } from "./bytes.ts";
import { DecodeError } from "./decode_error.ts";
import { isVlanTpid } from "./ethernet.ts";
import { ipv4HeaderLen } from "./ipv4.ts";
import {
  ipv6ExtHeaderLen,
  ipv6JumboPayloadLen,
  isIpv6ExtHeader,
} from "./ipv6.ts";
import { linkHeaderLen, linkProtocol, LINKTYPE } from "./link_header.ts";
import { tcpHeaderLen } from "./tcp.ts";

/**
 * One IPv6 extension header in a layout.
 *
 * @example
 * ```ts
 * import type { IpExtHeader } from "./packet_layout.ts";
 * const hbh: IpExtHeader = { type: 0, offset: 54, len: 8 };
 * ```
 */
export interface IpExtHeader {
  /** Extension header type: 0 Hop-by-Hop, 43 Routing, 44 Fragment, 60 Destination Options. */
  type: number;
  /** Offset in the frame. */
  offset: number;
  /** Length in bytes. */
  len: number;
}

/**
 * One IP layer of a layout.
 *
 * @example
 * ```ts
 * import type { IpLayer } from "./packet_layout.ts";
 * const ip: IpLayer = {
 *   version: 4, offset: 14, headerLen: 20, totalLen: 1500, proto: 6,
 *   extHeaders: [], jumbo: 0, fragment: false,
 * };
 * ```
 */
export interface IpLayer {
  /** 4 or 6. */
  version: 4 | 6;
  /** Offset of the IP header in the frame. */
  offset: number;
  /** IPv4: IHL × 4. IPv6: 40 plus every extension header up to the upper layer. */
  headerLen: number;
  /**
   * Length of the IP packet: IPv4 tot_len, IPv6 40 + payload_len; when that
   * field is 0 (BIG TCP, jumbograms), the bytes from the header to the end
   * of the frame (of the UDP datagram for an inner layer).
   */
  totalLen: number;
  /** Upper-layer protocol (after the IPv6 extension headers). */
  proto: number;
  /** IPv6 extension headers in order; empty for IPv4. */
  extHeaders: readonly IpExtHeader[];
  /** Value of a Hop-by-Hop jumbo payload option, or 0. */
  jumbo: number;
  /** IPv4: MF set or a non-zero fragment offset. IPv6: a Fragment header is present. */
  fragment: boolean;
}

/**
 * The innermost TCP or UDP header of a layout.
 *
 * @example
 * ```ts
 * import type { L4Layer } from "./packet_layout.ts";
 * const l4: L4Layer = { proto: 6, offset: 34, headerLen: 32 };
 * ```
 */
export interface L4Layer {
  /** 6 TCP or 17 UDP. */
  proto: 6 | 17;
  /** Offset of the header in the frame. */
  offset: number;
  /** TCP: data offset × 4. UDP: 8. */
  headerLen: number;
}

/**
 * The VXLAN encapsulation of a tunnelled frame.
 *
 * @example
 * ```ts
 * import type { TunnelLayer } from "./packet_layout.ts";
 * const t: TunnelLayer = {
 *   udpOffset: 34, vxlanOffset: 42, vni: 7, innerMacOffset: 50,
 *   innerL2Len: 14, udpChecksum: 0,
 * };
 * ```
 */
export interface TunnelLayer {
  /** Offset of the outer UDP header. */
  udpOffset: number;
  /** Offset of the VXLAN header. */
  vxlanOffset: number;
  /** The VXLAN network identifier. */
  vni: number;
  /** Offset of the inner Ethernet header. */
  innerMacOffset: number;
  /** Length of the inner Ethernet header with its VLAN tags. */
  innerL2Len: number;
  /** The outer UDP checksum field (0 when the tunnel sends none). */
  udpChecksum: number;
}

/**
 * Where the headers and the payload of a frame are. All offsets are from
 * the start of the frame.
 *
 * For a frame that is not TCP/UDP over IP, or not all of it is parsed,
 * `l4` is null and the fields describe what was found:
 * - not IP (ARP, LLDP, …): `outer` is null, `payloadOffset` = `l2Len`,
 *   `payloadLen` = the rest of the frame, `trailerLen` = 0;
 * - IP but another protocol (ICMP, IGMP, ICMPv6, …) or a fragment: `outer`
 *   is set, the payload is what follows the IP header(s) up to the end of
 *   the IP packet, and `trailerLen` is counted;
 * - VXLAN carrying something other than IP (ARP): `tunnel` is set,
 *   `inner` is null, the payload is what follows the inner Ethernet header
 *   up to the end of the UDP datagram.
 *
 * @example
 * ```ts
 * import type { PacketLayout } from "./packet_layout.ts";
 * function l4Len(l: PacketLayout): number {
 *   return l.l4 === null ? 0 : l.l4.headerLen + l.payloadLen;
 * }
 * ```
 */
export interface PacketLayout {
  /** Bytes before the Ethernet header, or before L3 when there is none (SLL: 16, SLL2: 20). */
  linkHeaderLen: number;
  /** Offset of the outer Ethernet header, or -1 when the link type has none. */
  macOffset: number;
  /** Bytes from the frame start to the outer L3 header: link header and all VLAN tags included. */
  l2Len: number;
  /** Number of outer VLAN tags. */
  vlanCount: number;
  /** The outer IP layer; null when the frame is not IPv4/IPv6. */
  outer: IpLayer | null;
  /** The VXLAN encapsulation, or null. */
  tunnel: TunnelLayer | null;
  /** The encapsulated IP layer of a tunnelled frame, or null. */
  inner: IpLayer | null;
  /** The innermost TCP/UDP header, or null (the outer UDP of a tunnel is in `tunnel`). */
  l4: L4Layer | null;
  /** Offset of the innermost payload. */
  payloadOffset: number;
  /**
   * Length of the innermost payload as the length fields give it (TCP: to
   * the end of the IP packet; UDP: udp len − 8); from the frame length only
   * where an IP length field is 0. Ethernet padding is never payload.
   */
  payloadLen: number;
  /** True when an IP length field on the path is 0 (BIG TCP, jumbograms). */
  ipLenZero: boolean;
  /** Bytes after the outer IP packet (Ethernet padding, FCS). */
  trailerLen: number;
}

/**
 * Options of {@linkcode parsePacket}.
 *
 * @example
 * ```ts
 * import type { ParsePacketOptions } from "./packet_layout.ts";
 * const o: ParsePacketOptions = { vxlanPorts: [4789, 8472] };
 * ```
 */
export interface ParsePacketOptions {
  /** UDP destination ports parsed as VXLAN (default `[4789]`). */
  vxlanPorts?: readonly number[];
}

const NO_EXT_HEADERS: readonly IpExtHeader[] = Object.freeze([]);
const DEFAULT_VXLAN_PORTS: readonly number[] = Object.freeze([4789]);

/** Set by parseEthernet: the number of VLAN tags it walked. */
let tagsSeen = 0;

/**
 * Walks an Ethernet header and its VLAN tags at `off`; returns the offset of
 * L3 and leaves the tag count in `tagsSeen`.
 */
function parseEthernet(
  data: Uint8Array,
  off: number,
  end: number,
  endName: string,
): number {
  if (off + 14 > end) {
    throw new DecodeError(
      "Ethernet header",
      off,
      "header",
      `needs 14 bytes, ${Math.max(0, end - off)} remain in the ${endName}`,
    );
  }
  let p = off + 12;
  let n = 0;
  while (isVlanTpid(getU16(data, p))) {
    if (p + 6 > end) {
      throw new DecodeError(
        "Ethernet header",
        off,
        "vlan",
        `VLAN tag ${
          n + 1
        } at offset ${p} and the EtherType after it need 6 bytes, ` +
          `${end - p} remain in the ${endName}`,
      );
    }
    p += 4;
    n++;
  }
  tagsSeen = n;
  return p + 2;
}

/** Parses an IPv4 or IPv6 header (with extension headers) at `off`. */
function parseIp(
  data: Uint8Array,
  off: number,
  end: number,
  etherType: number,
  endName: string,
): IpLayer {
  if (etherType === 0x0800) {
    const what = "IPv4 header";
    if (off + 20 <= end && data[off]! >>> 4 !== 4) {
      throw new DecodeError(
        what,
        off,
        "version",
        `version ${data[off]! >>> 4} does not match EtherType 0x0800`,
      );
    }
    const hl = ipv4HeaderLen(data, off, end, endName);
    const tot = getU16(data, off + 2);
    let total = tot;
    if (tot === 0) {
      total = end - off; // BIG TCP: the length comes from the frame
    } else if (tot < hl) {
      throw new DecodeError(
        what,
        off,
        "tot_len",
        `tot_len ${tot} is smaller than the header length ${hl}`,
      );
    } else if (off + tot > end) {
      throw new DecodeError(
        what,
        off,
        "tot_len",
        `tot_len ${tot} ends at offset ${
          off + tot
        }, past the end of the ${endName} at ${end}`,
      );
    }
    return {
      version: 4,
      offset: off,
      headerLen: hl,
      totalLen: total,
      proto: data[off + 9]!,
      extHeaders: NO_EXT_HEADERS,
      jumbo: 0,
      fragment: (getU16(data, off + 6) & 0x3fff) !== 0,
    };
  }
  const what = "IPv6 header";
  if (off + 40 > end) {
    throw new DecodeError(
      what,
      off,
      "header",
      `needs 40 bytes, ${Math.max(0, end - off)} remain in the ${endName}`,
    );
  }
  if (data[off]! >>> 4 !== 6) {
    throw new DecodeError(
      what,
      off,
      "version",
      `version ${data[off]! >>> 4} does not match EtherType 0x86dd`,
    );
  }
  const pl = getU16(data, off + 4);
  let ipEnd = end; // payload_len 0: BIG TCP or a jumbogram, length from the frame
  if (pl !== 0) {
    ipEnd = off + 40 + pl;
    if (ipEnd > end) {
      throw new DecodeError(
        what,
        off,
        "payload_len",
        `payload_len ${pl} ends at offset ${ipEnd}, past the end of the ${endName} at ${end}`,
      );
    }
  }
  let nh = data[off + 6]!;
  let p = off + 40;
  let ext = NO_EXT_HEADERS as IpExtHeader[];
  let jumbo = 0;
  let fragment = false;
  while (isIpv6ExtHeader(nh)) {
    const len = ipv6ExtHeaderLen(data, p, nh, ipEnd);
    if (ext === NO_EXT_HEADERS) ext = [];
    ext.push({ type: nh, offset: p, len });
    if (nh === 0 && jumbo === 0) jumbo = ipv6JumboPayloadLen(data, p, len);
    const type = nh;
    nh = data[p]!;
    p += len;
    if (type === 44) { // what follows a Fragment header is fragmentable payload
      fragment = true;
      break;
    }
  }
  return {
    version: 6,
    offset: off,
    headerLen: p - off,
    totalLen: ipEnd - off,
    proto: nh,
    extHeaders: ext,
    jumbo,
    fragment,
  };
}

/** Whether the length field of a parsed IP layer is 0. */
function lenFieldZero(data: Uint8Array, ip: IpLayer): boolean {
  return getU16(data, ip.offset + (ip.version === 4 ? 2 : 4)) === 0;
}

/**
 * Parses the TCP or UDP header at `off` inside an IP packet ending at
 * `ipEnd` and sets `l4`, `payloadOffset` and `payloadLen`.
 */
function parseL4(
  layout: PacketLayout,
  data: Uint8Array,
  off: number,
  ipEnd: number,
  proto: number,
  lenZero: boolean,
): void {
  if (proto === 6) {
    const hl = tcpHeaderLen(data, off, ipEnd);
    layout.l4 = { proto: 6, offset: off, headerLen: hl };
    layout.payloadOffset = off + hl;
    layout.payloadLen = ipEnd - off - hl;
    return;
  }
  const what = "UDP header";
  if (off + 8 > ipEnd) {
    throw new DecodeError(
      what,
      off,
      "header",
      `needs 8 bytes, ${
        Math.max(0, ipEnd - off)
      } remain before the end of the IP packet at offset ${ipEnd}`,
    );
  }
  const len = getU16(data, off + 4);
  let udpEnd = off + len;
  if (len === 0 && lenZero) {
    udpEnd = ipEnd; // RFC 2675: a jumbogram's UDP length is 0
  } else if (len < 8) {
    throw new DecodeError(what, off, "len", `len ${len} is below 8`);
  } else if (udpEnd > ipEnd) {
    throw new DecodeError(
      what,
      off,
      "len",
      `len ${len} ends at offset ${udpEnd}, past the end of the IP packet at ${ipEnd}`,
    );
  }
  layout.l4 = { proto: 17, offset: off, headerLen: 8 };
  layout.payloadOffset = off + 8;
  layout.payloadLen = udpEnd - off - 8;
}

/**
 * Parses the layout of one captured frame: link header, Ethernet and VLAN
 * tags, IPv4/IPv6 (with extension headers), TCP/UDP, and VXLAN (UDP to one
 * of `vxlanPorts`) with its inner Ethernet, IP and TCP/UDP. Nested tunnels
 * are not followed. Frames that are not TCP/UDP over IP are not errors:
 * see {@linkcode PacketLayout} for what is filled then.
 *
 * @param data The frame's bytes, from the link-layer header on.
 * @param linkType LINKTYPE_* of the capture (1, 101, 113, 228, 229, 276).
 * @param opts VXLAN ports.
 * @returns The layout.
 * @throws {DecodeError} For a malformed header only: an unsupported link
 * type, a truncated Ethernet/VLAN/IP/TCP/UDP/VXLAN header, an IPv4 IHL below
 * 5 or tot_len outside the header..frame range, an IPv6 payload_len past the
 * frame or an extension header past the packet, a TCP data offset below 5
 * or past the packet, a UDP length below 8 or past the IP packet, or an IP
 * version nibble that does not match the EtherType.
 *
 * @example
 * ```ts
 * import { parsePacket } from "./packet_layout.ts";
 * const f = new Uint8Array(54);
 * f.set([0x08, 0x00, 0x45, 0, 0, 40], 12); // IPv4, tot_len 40
 * f[23] = 6; // TCP
 * f[46] = 0x50; // data offset 5
 * const l = parsePacket(f, 1);
 * l.l4?.offset; // 34
 * l.payloadLen; // 0
 * ```
 */
export function parsePacket(
  data: Uint8Array,
  linkType: number,
  opts?: ParsePacketOptions,
): PacketLayout {
  const end = data.length;
  const linkLen = linkHeaderLen(linkType);
  let macOffset = -1;
  let l3: number;
  let etherType: number;
  let vlanCount = 0;
  if (linkType === LINKTYPE.ETHERNET) {
    macOffset = linkLen;
    l3 = parseEthernet(data, macOffset, end, "frame");
    vlanCount = tagsSeen;
    etherType = getU16(data, l3 - 2);
  } else {
    etherType = linkProtocol(data, 0, linkType);
    l3 = linkLen;
    while (isVlanTpid(etherType)) { // libpcap re-inserts tags after SLL headers
      if (l3 + 4 > end) {
        throw new DecodeError(
          "VLAN tag",
          l3 - 2,
          "header",
          `needs 4 bytes after the link header, ${
            end - l3
          } remain in the frame`,
        );
      }
      etherType = getU16(data, l3 + 2);
      l3 += 4;
      vlanCount++;
    }
  }
  const layout: PacketLayout = {
    linkHeaderLen: linkLen,
    macOffset,
    l2Len: l3,
    vlanCount,
    outer: null,
    tunnel: null,
    inner: null,
    l4: null,
    payloadOffset: l3,
    payloadLen: end - l3,
    ipLenZero: false,
    trailerLen: 0,
  };
  if (etherType !== 0x0800 && etherType !== 0x86dd) return layout;

  const outer = parseIp(data, l3, end, etherType, "frame");
  layout.outer = outer;
  const outerEnd = l3 + outer.totalLen;
  const outerLenZero = lenFieldZero(data, outer);
  layout.ipLenZero = outerLenZero;
  layout.trailerLen = end - outerEnd;
  layout.payloadOffset = l3 + outer.headerLen;
  layout.payloadLen = outerEnd - layout.payloadOffset;
  if (outer.fragment || (outer.proto !== 6 && outer.proto !== 17)) {
    return layout;
  }
  const l4Off = layout.payloadOffset;
  parseL4(layout, data, l4Off, outerEnd, outer.proto, outerLenZero);
  if (outer.proto !== 17) return layout;
  const ports = opts?.vxlanPorts ?? DEFAULT_VXLAN_PORTS;
  if (!ports.includes(getU16(data, l4Off + 2))) return layout;

  // VXLAN: the UDP payload is a VXLAN header and an inner Ethernet frame.
  const udpEnd = layout.payloadOffset + layout.payloadLen;
  const vx = l4Off + 8;
  if (vx + 8 > udpEnd) {
    throw new DecodeError(
      "VXLAN header",
      vx,
      "header",
      `needs 8 bytes, ${udpEnd - vx} remain in the UDP datagram`,
    );
  }
  const innerMac = vx + 8;
  const innerL3 = parseEthernet(data, innerMac, udpEnd, "UDP datagram");
  layout.tunnel = {
    udpOffset: l4Off,
    vxlanOffset: vx,
    vni: (data[vx + 4]! << 16) | (data[vx + 5]! << 8) | data[vx + 6]!,
    innerMacOffset: innerMac,
    innerL2Len: innerL3 - innerMac,
    udpChecksum: getU16(data, l4Off + 6),
  };
  layout.l4 = null;
  layout.payloadOffset = innerL3;
  layout.payloadLen = udpEnd - innerL3;
  const innerType = getU16(data, innerL3 - 2);
  if (innerType !== 0x0800 && innerType !== 0x86dd) return layout;

  const inner = parseIp(data, innerL3, udpEnd, innerType, "UDP datagram");
  layout.inner = inner;
  const innerEnd = innerL3 + inner.totalLen;
  const innerLenZero = lenFieldZero(data, inner);
  if (innerLenZero) layout.ipLenZero = true;
  layout.payloadOffset = innerL3 + inner.headerLen;
  layout.payloadLen = innerEnd - layout.payloadOffset;
  if (inner.fragment || (inner.proto !== 6 && inner.proto !== 17)) {
    return layout;
  }
  parseL4(
    layout,
    data,
    layout.payloadOffset,
    innerEnd,
    inner.proto,
    innerLenZero,
  );
  return layout;
}
