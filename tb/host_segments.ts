/**
 * The host stack's side of a driver fallback: the reference segments the
 * super-packet (software GSO) and each segment becomes the non-GSO skb the
 * stack hands the driver, with CHECKSUM_PARTIAL seeds left where the device
 * checksums.
 *
 * @module
 */

import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { newSkb } from "../sw/skbuff.ts";
import type { SkBuff } from "../sw/types.ts";

/**
 * Segments a super-packet as the host stack does before handing the
 * segments to a driver that refused it.
 *
 * @param skb The super-packet.
 * @param hostChecksum True when the device cannot checksum these packets
 *   (the stack completes every checksum); otherwise seeds are left.
 * @param ufo6FragId Identification for an IPv6 UFO fragment header.
 * @returns The segments as skbs, lazily.
 *
 * @example
 * ```ts ignore
 * nic.transmitSegments(hostSegments(skb, false));
 * ```
 */
export function* hostSegments(
  skb: SkBuff,
  hostChecksum: boolean,
  ufo6FragId = 0,
): Generator<SkBuff> {
  const features = NETIF_F.SG | NETIF_F.GSO |
    (hostChecksum ? 0n : NETIF_F.HW_CSUM);
  for (const s of segment(skb, features, { ufo6FragId })) {
    yield newSkb({
      linear: s.data,
      ipSummed: s.ipSummed,
      csumStart: s.csumStart,
      csumOffset: s.csumOffset,
      macHeader: skb.macHeader,
      networkHeader: skb.networkHeader,
      transportHeader: skb.transportHeader,
      protocol: skb.protocol,
      encapsulation: skb.encapsulation,
      innerMacHeader: skb.innerMacHeader,
      innerNetworkHeader: skb.innerNetworkHeader,
      innerTransportHeader: skb.innerTransportHeader,
      innerProtocol: skb.innerProtocol,
    });
  }
}
