/**
 * What the reference says the wire should carry for one super-packet, per
 * driver mode: software GSO with final checksums (hardware TSO, host GSO,
 * driver fallbacks), or the driver-side TSO helper of net/core/tso.c with
 * the checksums the NIC inserts per packet.
 *
 * @module
 */

import { setU16 } from "../sw/bytes.ts";
import { checksum } from "../sw/checksum.ts";
import { l4ChecksumComplete } from "../sw/l4_checksum.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { skbCopyBits, skbLen } from "../sw/skbuff.ts";
import { tsoSegments } from "../sw/tso_helper.ts";
import { SKB_GSO, type SkbFrag, type SkBuff } from "../sw/types.ts";

/** Features of a host that completes every checksum in software. */
const SOFTWARE = NETIF_F.SG | NETIF_F.GSO;

/**
 * The skb with its headers in the linear area: the core pulls a GSO skb's
 * headers there before a driver sees it (`pskb_may_pull`; linux-gso.md §10),
 * because `tso_start` reads them from `skb->data`.
 */
function withLinearHeaders(skb: SkBuff, udp: boolean): SkBuff {
  const th = skb.transportHeader;
  const have = skb.linear.length;
  let end = th + (udp ? 8 : 20);
  if (!udp && end <= skbLen(skb)) {
    const doff = new Uint8Array(1);
    skbCopyBits(skb, th + 12, 1, doff, 0);
    end = th + (doff[0]! >> 4) * 4;
  }
  if (end <= have || skb.fragList.length > 0) return skb;
  const linear = new Uint8Array(end);
  skbCopyBits(skb, 0, end, linear, 0);
  let pull = end - have;
  const frags: SkbFrag[] = [];
  for (const f of skb.frags) {
    const take = Math.min(pull, f.size);
    pull -= take;
    if (take < f.size) {
      frags.push({
        page: f.page,
        offset: f.offset + take,
        size: f.size - take,
      });
    }
  }
  return { ...skb, linear, frags };
}

/**
 * The tso.c helper's segments with the checksums a NIC inserts into each
 * (mvneta: "IPv4 csum" and "L4 csum FULL" in every header descriptor): the
 * IPv4 header checksum, and the full TCP/UDP checksum over the packet with
 * a pseudo-header of its real length (a UDP 0 goes out as 0xFFFF).
 *
 * @param skb The super-packet.
 * @returns The frames, lazily.
 *
 * @example
 * ```ts
 * import { tsoHelperReference } from "./reference_frames.ts";
 * import { bulkTcpSkb } from "../hw/workload.ts";
 * const skb = bulkTcpSkb({ sendBytes: 4000, mss: 1448 });
 * [...tsoHelperReference(skb)].map((f) => f.length); // [1514, 1514, 1170]
 * ```
 */
export function* tsoHelperReference(skb: SkBuff): Generator<Uint8Array> {
  const nh = skb.networkHeader;
  const th = skb.transportHeader;
  const udp = (skb.gsoType & (SKB_GSO.UDP_L4 | SKB_GSO.UDP)) !== 0;
  for (const s of tsoSegments(withLinearHeaders(skb, udp))) {
    const n = s.header.length + s.payloadLen;
    const f = new Uint8Array(n);
    f.set(s.header, 0);
    let o = s.header.length;
    for (const c of s.chunks) {
      f.set(c, o);
      o += c.length;
    }
    const v6 = (f[nh]! >>> 4) === 6;
    if (!v6) {
      const ihl = (f[nh]! & 0x0f) * 4;
      setU16(f, nh + 10, 0);
      setU16(f, nh + 10, checksum(f, nh, nh + ihl));
    }
    l4ChecksumComplete(f, {
      ipv6: v6,
      ipOffset: nh,
      l4Offset: th,
      l4Len: n - th,
      proto: udp ? 17 : 6,
    });
    yield f;
  }
}

/**
 * The reference frames for a super-packet on a given driver path.
 *
 * @param skb The super-packet.
 * @param mode The model's driver mode.
 * @param fallback True when the driver refused the skb (the host segments).
 * @param ufo6FragId Identification for an IPv6 UFO fragment header.
 * @returns The frames, lazily.
 *
 * @example
 * ```ts
 * import { referenceFrames } from "./reference_frames.ts";
 * import { bulkTcpSkb } from "../hw/workload.ts";
 * const skb = bulkTcpSkb({ sendBytes: 4000, mss: 1448 });
 * const ref = referenceFrames(skb, "hw-tso", false);
 * [...ref].map((f) => f.length); // [1514, 1514, 1170]
 * ```
 */
export function* referenceFrames(
  skb: SkBuff,
  mode: string,
  fallback: boolean,
  ufo6FragId = 0,
): Generator<Uint8Array> {
  if (mode === "tso-helper" && !fallback) {
    yield* tsoHelperReference(skb);
    return;
  }
  for (const s of segment(skb, SOFTWARE, { ufo6FragId })) yield s.data;
}
