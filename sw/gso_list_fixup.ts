/**
 * The transport layer's part of SKB_GSO_FRAGLIST segmentation:
 * `__tcpv4_gso_segment_list_csum()`, `__tcpv6_gso_segment_list_csum()`
 * (net/ipv4/tcp_offload.c, net/ipv6/tcpv6_offload.c) and
 * `__udpv4_gso_segment_list_csum()`, `__udpv6_gso_segment_list_csum()`
 * (net/ipv4/udp_offload.c). NAT on the forwarding path rewrites only the
 * GRO head's headers; the members still carry the addresses and ports they
 * arrived with, so after un-chaining the head's are copied into every member
 * with incremental checksum updates.
 *
 * @module
 */

import { getU16, setU16 } from "./bytes.ts";
import { inetProtoCsumReplace } from "./checksum.ts";
import type { GsoSegment, SegmentPatch } from "./gso_segment_types.ts";
import { IP_SUMMED } from "./types.ts";

const CSUM_MANGLED_0 = 0xffff;
const NEXTHDR_HOP = 0;
const NEXTHDR_ROUTING = 43;
const NEXTHDR_DEST = 60;

/**
 * Length of a segment's network header (IPv6 with the extension headers GRO
 * lets through), so a member whose header length differs from the head's
 * still finds its transport header (`len_diff` in skb_segment_list).
 */
function networkHeaderLen(d: Uint8Array, nhoff: number, ipv6: boolean): number {
  if (!ipv6) return (d[nhoff]! & 0x0f) * 4;
  let len = 40;
  let next = d[nhoff + 6]!;
  while (
    (next === NEXTHDR_HOP || next === NEXTHDR_ROUTING ||
      next === NEXTHDR_DEST) && nhoff + len + 2 <= d.length
  ) {
    next = d[nhoff + len]!;
    len += (d[nhoff + len + 1]! + 1) * 8;
  }
  return len;
}

/**
 * The patch that copies the head's addresses and ports into every member
 * when NAT changed the head. Whether anything changed is decided once, by
 * comparing the head with the first member only, as the kernel does.
 *
 * @param nhoff Offset of the network header in every segment.
 * @param ipv6 True over IPv6.
 * @param udp True for UDP (a zero checksum stays zero, a result of zero is
 *   sent as 0xffff), false for TCP.
 * @returns The patch; it must run on the segments in order, head first.
 *
 * @example
 * ```ts
 * import { listAddressFixup } from "./gso_list_fixup.ts";
 * const fix = listAddressFixup(14, false, false);
 * typeof fix; // "function"
 * ```
 */
export function listAddressFixup(
  nhoff: number,
  ipv6: boolean,
  udp: boolean,
): SegmentPatch {
  const alen = ipv6 ? 16 : 4;
  const saddr = nhoff + (ipv6 ? 8 : 12);
  const daddr = saddr + alen;
  let headAddrs = new Uint8Array(0);
  let headPorts = new Uint8Array(0);
  let same = true;
  // Rewrites one address/port pair of one member (__tcpv4_gso_segment_csum
  // and its siblings) and its checksum.
  const pair = (
    d: Uint8Array,
    partial: boolean,
    at: number,
    newIp: Uint8Array,
    port: number,
    newPort: Uint8Array,
    checkAt: number,
  ): void => {
    const ipEq = equal(d, at, newIp);
    const portEq = equal(d, port, newPort);
    let check = getU16(d, checkAt);
    // inet_proto_csum_replace*: the address is in the pseudo-header, the
    // port is not (a CHECKSUM_PARTIAL seed ignores it).
    const ip = (): void => {
      check = inetProtoCsumReplace(
        check,
        d.slice(at, at + alen),
        newIp,
        partial,
        true,
      );
    };
    const pt = (): void => {
      check = inetProtoCsumReplace(
        check,
        d.slice(port, port + 2),
        newPort,
        partial,
        false,
      );
    };
    if (udp) {
      if (ipEq && portEq) return;
      if (check !== 0) {
        ip();
        pt();
        setU16(d, checkAt, check === 0 ? CSUM_MANGLED_0 : check);
      }
    } else if (ipv6) {
      // __tcpv6_gso_segment_csum: address and port each only when changed.
      if (!ipEq) ip();
      if (!portEq) pt();
      setU16(d, checkAt, check);
    } else {
      // __tcpv4_gso_segment_csum: both, once either changed.
      if (ipEq && portEq) return;
      ip();
      pt();
      setU16(d, checkAt, check);
    }
    // The IPv4 header checksum is left to ip_send_check, which the IPv4
    // layer runs on every segment afterwards.
    d.set(newIp, at);
    d.set(newPort, port);
  };
  return (seg: GsoSegment): void => {
    const d = seg.data;
    const th = nhoff + networkHeaderLen(d, nhoff, ipv6);
    if (seg.index === 0) {
      headAddrs = d.slice(saddr, saddr + 2 * alen);
      headPorts = d.slice(th, th + 4);
      return;
    }
    if (seg.index === 1) {
      same = equal(d, th, headPorts) && equal(d, saddr, headAddrs);
    }
    if (same) return;
    const checkAt = th + (udp ? 6 : 16);
    // skb_segment_list: every member has the head's ip_summed.
    const partial = seg.ipSummed === IP_SUMMED.PARTIAL;
    pair(
      d,
      partial,
      saddr,
      headAddrs.subarray(0, alen),
      th,
      headPorts.subarray(0, 2),
      checkAt,
    );
    pair(
      d,
      partial,
      daddr,
      headAddrs.subarray(alen),
      th + 2,
      headPorts.subarray(2),
      checkAt,
    );
  };
}

function equal(d: Uint8Array, at: number, want: Uint8Array): boolean {
  for (let i = 0; i < want.length; i++) if (d[at + i] !== want[i]) return false;
  return true;
}
