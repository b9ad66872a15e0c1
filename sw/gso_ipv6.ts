/**
 * IPv6 software GSO: `ipv6_gso_segment()` (net/ipv6/ip6_offload.c) with the
 * extension-header walk of `ipv6_gso_pull_exthdrs()` and the BIG TCP jumbo
 * removal of `ipv6_hopopt_jumbo_remove()`.
 *
 * @module
 */

import { getU16, setU16 } from "./bytes.ts";
import type { GsoPlan, GsoSegment, GsoState } from "./gso_segment_types.ts";
import { mayPull } from "./gso_state.ts";
import { tcpGsoSegment } from "./gso_tcp.ts";
import { udpGsoDispatch } from "./gso_udp.ts";
import { SegmentError } from "./segment_error.ts";
import { SKB_GSO } from "./types.ts";

const NEXTHDR_HOP = 0;
const NEXTHDR_ROUTING = 43;
const NEXTHDR_FRAGMENT = 44;
const NEXTHDR_DEST = 60;
const IP6_MF = 0x0001;

/** `IPV6_TLV_PAD1` and `IPV6_TLV_HAO` (the Mobile IPv6 Home Address option). */
const IPV6_TLV_PAD1 = 0;
const IPV6_TLV_HAO = 201;
/** IPV6_MAXPLEN: the largest payload_len. */
const IPV6_MAXPLEN = 65535;

/**
 * `ip6_find_1stfragopt()`: length of the unfragmentable part (fixed header
 * plus Hop-by-Hop, Routing, and Destination Options before any Routing),
 * and the offset of the next-header byte that points past it. A
 * Destination Options header that carries a Home Address option stays in
 * the unfragmentable part wherever it is (the `CONFIG_IPV6_MIP6` rule;
 * Debian and most distributions build that option).
 *
 * @param b Frame bytes.
 * @param nh Offset of the IPv6 header.
 * @param end End of the readable bytes (the kernel's linear tail).
 * @returns `{ len, prevOff }`.
 * @throws {SegmentError} When the chain runs past `end` or past
 *   IPV6_MAXPLEN (the kernel's -EINVAL).
 *
 * @example
 * ```ts
 * import { ip6FindFirstFragOpt } from "./gso_ipv6.ts";
 * const f = new Uint8Array(74);
 * f[14] = 0x60; // IPv6, next header 0: Hop-by-Hop (8 bytes at 54)
 * f[54] = 6; // then TCP
 * ip6FindFirstFragOpt(f, 14, f.length); // { len: 48, prevOff: 54 }
 * ```
 */
export function ip6FindFirstFragOpt(
  b: Uint8Array,
  nh: number,
  end: number,
): { len: number; prevOff: number } {
  let off = 40;
  let prevOff = nh + 6;
  let next = b[nh + 6]!;
  let foundRouting = false;
  while (nh + off <= end) {
    if (next === NEXTHDR_ROUTING) foundRouting = true;
    else if (next === NEXTHDR_DEST) {
      // A Destination Options header after a Routing header is
      // fragmentable, unless it carries a Home Address option.
      if (
        foundRouting && findTlv(b, nh, off, end, IPV6_TLV_HAO) < 0
      ) return { len: off, prevOff };
    } else if (next !== NEXTHDR_HOP) return { len: off, prevOff };
    if (nh + off + 2 > end) break;
    prevOff = nh + off;
    next = b[nh + off]!;
    off += (b[nh + off + 1]! + 1) * 8;
    if (off > IPV6_MAXPLEN) break;
  }
  throw new SegmentError(
    "bad-header-length",
    "EINVAL",
    `Cannot segment: the IPv6 extension headers at offset ${nh} run to ${
      nh + off
    }, past the ${end - nh} header bytes (ip6_find_1stfragopt)`,
  );
}

/**
 * `ipv6_find_tlv()`: offset (from `nh`) of the first option of `type` in
 * the options header at `nh + off`, or -1 when it is absent or the header
 * is malformed.
 */
function findTlv(
  b: Uint8Array,
  nh: number,
  off: number,
  end: number,
  type: number,
): number {
  if (nh + off + 2 > end) return -1;
  let len = (b[nh + off + 1]! + 1) << 3;
  if (nh + off + len > end) return -1;
  let p = nh + off + 2;
  len -= 2;
  while (len > 0) {
    const t = b[p]!;
    if (t === type) return p - nh;
    let optLen = 1;
    if (t !== IPV6_TLV_PAD1) {
      if (len < 2) return -1;
      optLen = b[p + 1]! + 2;
      if (optLen > len) return -1;
    }
    p += optLen;
    len -= optLen;
  }
  return -1;
}

/**
 * `ipv6_gso_segment()` for the IPv6 header at `nhoff`.
 *
 * @param st The segmentation state.
 * @param nhoff Offset of the IPv6 header in the frame.
 * @param outermost True when this is the packet's outer network header (BIG
 *   TCP jumbo removal applies only there).
 * @returns The plan, with this layer's patch added.
 * @throws {SegmentError} For a bad header, a Fragment header in the way or
 *   an unsupported protocol.
 *
 * @example
 * ```ts
 * import { ipv6GsoSegment } from "./gso_ipv6.ts";
 * import { newGsoState } from "./gso_state.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 4000, seed: 1, timestamps: true, ipv6: true });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * const plan = ipv6GsoSegment(newGsoState(skb, 0n, 0n), 14, true);
 * plan.doffset; // 86
 * plan.protocol; // 0x86dd
 * ```
 */
export function ipv6GsoSegment(
  st: GsoState,
  nhoff: number,
  outermost: boolean,
): GsoPlan {
  mayPull(st, nhoff + 48, "IPv6 header");
  if (outermost) jumboRemove(st, nhoff);
  let h = st.head;
  if ((h[nhoff]! >>> 4) !== 6) {
    throw new SegmentError(
      "bad-header-length",
      "EINVAL",
      `Cannot segment: version ${
        h[nhoff]! >>> 4
      } at offset ${nhoff} is not IPv6`,
    );
  }
  const encap = st.encapLevel > 0;
  if (encap) st.features &= st.hwEncFeatures;
  st.encapLevel += 40;
  // ipv6_gso_pull_exthdrs: walk HBH, Routing and Destination Options only.
  let proto = h[nhoff + 6]!;
  let off = nhoff + 40;
  while (
    proto === NEXTHDR_HOP || proto === NEXTHDR_ROUTING ||
    proto === NEXTHDR_DEST
  ) {
    mayPull(st, off + 8, "IPv6 extension header");
    h = st.head;
    const len = (h[off + 1]! + 1) * 8;
    mayPull(st, off + len, "IPv6 extension header");
    h = st.head;
    proto = h[off]!;
    off += len;
  }
  const udpfrag = proto === 17 && !st.encapsulation &&
    (st.skb.gsoType & SKB_GSO.UDP) !== 0;
  let plan: GsoPlan;
  if (proto === 6) plan = tcpGsoSegment(st, off, nhoff, true, 0x86dd);
  else if (proto === 17) plan = udpGsoDispatch(st, off, nhoff, true);
  else {
    throw new SegmentError(
      "unsupported-protocol",
      "EPROTONOSUPPORT",
      proto === NEXTHDR_FRAGMENT
        ? `Cannot segment: IPv6 Fragment header at offset ${off} is in the way`
        : `Cannot segment: IPv6 next header ${proto} at offset ${off} has no GSO handler`,
    );
  }
  let fragOffset = 0;
  let gsoPartial = false;
  if (plan.unsegmented !== undefined) return plan;
  plan.patches.push((seg: GsoSegment): void => {
    const d = seg.data;
    if (seg.index === 0) gsoPartial = (seg.gsoType & SKB_GSO.PARTIAL) !== 0;
    const payloadLen = gsoPartial && seg.gsoSize !== 0
      ? seg.gsoSize + seg.payloadOffset - nhoff - 40
      : d.length - nhoff - 40;
    setU16(d, nhoff + 4, payloadLen);
    if (udpfrag) {
      // ipv6_gso_segment: fill the fragment header udp6_ufo_fragment put in.
      const { len } = ip6FindFirstFragOpt(d, nhoff, d.length);
      const f = nhoff + len;
      setU16(d, f + 2, fragOffset | (seg.last ? 0 : IP6_MF));
      fragOffset += getU16(d, nhoff + 4) - 8;
    }
  });
  return plan;
}

function jumboRemove(st: GsoState, nhoff: number): void {
  // ipv6_has_hopopt_jumbo: only a > 64 KiB packet whose HBH header is
  // exactly the 8-byte jumbo option followed by TCP; skb->len counts from
  // the IPv6 header, skb_mac_gso_segment having pulled the MAC header.
  if (st.len - nhoff <= 65536) return;
  const h = st.head;
  if (h[nhoff + 6] !== NEXTHDR_HOP) return;
  const j = nhoff + 40;
  if (h[j] !== 6 || h[j + 1] !== 0 || h[j + 2] !== 0xc2) return;
  const grown = new Uint8Array(h.length - 8);
  grown.set(h.subarray(0, j), 0);
  grown.set(h.subarray(j + 8), j);
  grown[nhoff + 6] = 6;
  st.head = grown;
  st.len -= 8;
  st.shift += 8;
}
