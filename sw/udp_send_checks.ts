/**
 * The socket-side rules that decide whether a UDP send with UDP_SEGMENT
 * (gso_size) becomes a GSO super-packet, a single datagram, or an error:
 * the IP size limits of `__ip_append_data` / `__ip6_append_data` that
 * `udp_sendmsg` / `udpv6_sendmsg` run into, then the checks of
 * `udp_send_skb` / `udp_v6_send_skb` (net/ipv4/udp.c, net/ipv6/udp.c).
 *
 * @module
 */

/**
 * Most segments one UDP_SEGMENT send may produce (`UDP_MAX_SEGMENTS`).
 *
 * @example
 * ```ts
 * import { UDP_MAX_SEGMENTS } from "./udp_send_checks.ts";
 * UDP_MAX_SEGMENTS; // 128
 * ```
 */
export const UDP_MAX_SEGMENTS = 128;

/** IP_MAX_MTU: the largest IPv4 packet. */
const IP_MAX_MTU = 0xffff;
/** IP6_MAX_MTU: the largest IPv6 packet without a jumbogram (40 + 65535). */
const IP6_MAX_MTU = 0xffff + 40;
const UDP_HLEN = 8;

/**
 * One UDP send to check.
 *
 * @example
 * ```ts
 * import type { UdpSendParams } from "./udp_send_checks.ts";
 * const p: UdpSendParams = {
 *   datalen: 2944, gsoSize: 1472, fragsize: 1500, ipHeaderLen: 20, isIpv6: false,
 * };
 * ```
 */
export interface UdpSendParams {
  /** UDP payload bytes of the send. */
  datalen: number;
  /** UDP_SEGMENT size (setsockopt or cmsg), 0 when not set. */
  gsoSize: number;
  /** Path MTU the datagrams must fit (`cork->fragsize`). */
  fragsize: number;
  /** IP header bytes: 20 (+ options) for IPv4, 40 (+ extension headers) for IPv6. */
  ipHeaderLen: number;
  /** True for an IPv6 socket. */
  isIpv6: boolean;
  /** SO_NO_CHECK / UDP_NO_CHECK6_TX: the socket sends without UDP checksums. */
  noCheck?: boolean;
  /**
   * The socket may not fragment (IP_PMTUDISC_DO / IPV6_DONTFRAG, as in the
   * udpgso selftest); true by default.
   */
  dontFragment?: boolean;
  /** The socket is UDP-Lite. */
  udplite?: boolean;
  /** The route applies an IPsec transform. */
  ipsec?: boolean;
}

/**
 * Outcome of {@linkcode udpSendSkbCheck}: the datagrams that go out, or the
 * errno `sendmsg` returns.
 *
 * @example
 * ```ts
 * import type { UdpSendResult } from "./udp_send_checks.ts";
 * const ok: UdpSendResult = {
 *   ok: true, gso: true, segments: 2, segmentSize: 1472, fullSegments: 2, lastLen: 0,
 * };
 * ```
 */
export type UdpSendResult =
  | {
    /** The send is accepted. */
    ok: true;
    /** True when a GSO super-packet (SKB_GSO_UDP_L4) is built. */
    gso: boolean;
    /** Number of datagrams on the wire. */
    segments: number;
    /** Size of a full datagram: gso_size, or the path MSS without UDP_SEGMENT. */
    segmentSize: number;
    /** Datagrams of exactly segmentSize payload bytes. */
    fullSegments: number;
    /** Payload of a trailing shorter datagram, 0 when none. */
    lastLen: number;
  }
  | {
    /** The send fails. */
    ok: false;
    /** What sendmsg returns. */
    errno: "EMSGSIZE" | "EINVAL" | "EIO";
    /** Which rule rejected it, with the numbers. */
    reason: string;
  };

function fail(
  errno: "EMSGSIZE" | "EINVAL" | "EIO",
  reason: string,
): UdpSendResult {
  return { ok: false, errno, reason };
}

/**
 * Checks one UDP send as the kernel does, in order:
 *
 * 1. gso_size must fit 16 bits (UDP_SEGMENT) — EINVAL;
 * 2. the IP size limit: UDP header + data may not exceed the largest
 *    non-fragmented packet minus the IP header — with UDP_SEGMENT that is
 *    IP_MAX_MTU (IPv4: data ≤ 65507 with a 20-byte header) or IP6_MAX_MTU
 *    (IPv6: data ≤ 65527 with a 40-byte header), without it the path MTU
 *    when the socket may not fragment — EMSGSIZE;
 * 3. with UDP_SEGMENT (`udp_send_skb`): IP + UDP header + min(datalen,
 *    gso_size) must fit the path MTU — EMSGSIZE; datalen ≤ gso_size ×
 *    UDP_MAX_SEGMENTS — EINVAL; no SO_NO_CHECK — EINVAL; no UDP-Lite or
 *    IPsec — EIO; and datalen ≤ gso_size sends one plain datagram.
 *
 * @param params The send.
 * @returns The datagrams, or the errno with the reason.
 *
 * @example
 * ```ts
 * import { udpSendSkbCheck } from "./udp_send_checks.ts";
 * udpSendSkbCheck({ datalen: 1473, gsoSize: 1472, fragsize: 1500, ipHeaderLen: 20, isIpv6: false });
 * // { ok: true, gso: true, segments: 2, segmentSize: 1472, fullSegments: 1, lastLen: 1 }
 * udpSendSkbCheck({ datalen: 129, gsoSize: 1, fragsize: 1500, ipHeaderLen: 20, isIpv6: false }).ok;
 * // false (EINVAL: more than 128 segments)
 * ```
 */
export function udpSendSkbCheck(params: UdpSendParams): UdpSendResult {
  const { datalen, gsoSize, fragsize, ipHeaderLen, isIpv6 } = params;
  const dontFrag = params.dontFragment ?? true;
  // udp_setsockopt / udp_cmsg_send: the segment size is a u16
  if (!Number.isInteger(gsoSize) || gsoSize < 0 || gsoSize > 0xffff) {
    return fail("EINVAL", `gso_size ${gsoSize} is not 0..65535`);
  }
  // udp_sendmsg: a UDP length field cannot describe more
  if (!isIpv6 && datalen > 0xffff) {
    return fail("EMSGSIZE", `udp_sendmsg: length ${datalen} > 65535`);
  }
  // __ip_append_data / __ip6_append_data: with UDP_SEGMENT the datagram is later split, so only the IP maximum applies
  const mtu = gsoSize !== 0 ? (isIpv6 ? IP6_MAX_MTU : IP_MAX_MTU) : fragsize;
  const maxNonFrag = dontFrag ? mtu : (isIpv6 ? 40 + 0xffff : IP_MAX_MTU);
  if (isIpv6 && ipHeaderLen + UDP_HLEN > mtu) {
    return fail(
      "EMSGSIZE",
      `__ip6_append_data: headers ${ipHeaderLen + UDP_HLEN} > mtu ${mtu}`,
    );
  }
  if (UDP_HLEN + datalen > maxNonFrag - ipHeaderLen) {
    return fail(
      "EMSGSIZE",
      `${isIpv6 ? "__ip6_append_data" : "__ip_append_data"}: UDP length ${
        UDP_HLEN + datalen
      } > ${
        maxNonFrag - ipHeaderLen
      } (${maxNonFrag} - ${ipHeaderLen} IP header bytes)`,
    );
  }
  const fn = isIpv6 ? "udp_v6_send_skb" : "udp_send_skb";
  if (gsoSize !== 0) {
    const hlen = ipHeaderLen + UDP_HLEN;
    // udp_send_skb: every datagram of the send (or the single one) must fit the path MTU
    if (hlen + Math.min(datalen, gsoSize) > fragsize) {
      return fail(
        "EMSGSIZE",
        `${fn}: ${hlen} header bytes + ${
          Math.min(datalen, gsoSize)
        } > path MTU ${fragsize}`,
      );
    }
    // udp_send_skb: bounds the work one send can ask of the segmenter
    if (datalen > gsoSize * UDP_MAX_SEGMENTS) {
      return fail(
        "EINVAL",
        `${fn}: datalen ${datalen} > gso_size ${gsoSize} x UDP_MAX_SEGMENTS ${UDP_MAX_SEGMENTS}`,
      );
    }
    // udp_send_skb: segments always carry a checksum (GRO refuses checksum-0 UDP)
    if (params.noCheck) {
      return fail("EINVAL", `${fn}: UDP_SEGMENT with checksums disabled`);
    }
    // udp_send_skb: neither UDP-Lite coverage nor IPsec can be segmented here
    if (params.udplite || params.ipsec) {
      return fail(
        "EIO",
        `${fn}: UDP_SEGMENT over ${params.udplite ? "UDP-Lite" : "IPsec"}`,
      );
    }
    // udp_send_skb: one segment's worth is sent as a plain datagram
    if (datalen > gsoSize) {
      return {
        ok: true,
        gso: true,
        segments: Math.ceil(datalen / gsoSize),
        segmentSize: gsoSize,
        fullSegments: Math.floor(datalen / gsoSize),
        lastLen: datalen % gsoSize,
      };
    }
    return single(datalen, gsoSize);
  }
  return single(datalen, fragsize - ipHeaderLen - UDP_HLEN);
}

function single(datalen: number, full: number): UdpSendResult {
  return {
    ok: true,
    gso: false,
    segments: 1,
    segmentSize: full,
    fullSegments: datalen === full ? 1 : 0,
    lastLen: datalen === full ? 0 : datalen,
  };
}
