/**
 * The kernel's feature-dependency rules (`netdev_fix_features`,
 * net/core/dev.c), applied on every feature change: the 11 rules of
 * linux-gso.md §4.1 in kernel order, each dropped feature reported with the
 * rule that dropped it.
 *
 * @module
 */

import { featureName, NETIF_F, NETIF_F_MASK } from "./netdev_features.ts";

/**
 * One feature whose state a rule changed.
 *
 * @example
 * ```ts
 * import type { FeatureChange } from "./fix_features.ts";
 * const c: FeatureChange = {
 *   name: "tx-tcp-segmentation", on: false,
 *   reason: "tx-tcp-segmentation: off (requires tx-scatter-gather)",
 * };
 * ```
 */
export interface FeatureChange {
  /** Ethtool name of the feature. */
  name: string;
  /** The state it ends in. */
  on: boolean;
  /** Why, as one line: `"<name>: on|off (<cause>)"`. */
  reason: string;
}

/**
 * What {@linkcode netdevFixFeatures} needs to know about the device.
 *
 * @example
 * ```ts
 * import type { FixFeaturesDevice } from "./fix_features.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * const d: FixFeaturesDevice = { gsoPartialFeatures: NETIF_F.GSO_GRE_CSUM };
 * ```
 */
export interface FixFeaturesDevice {
  /** `dev->gso_partial_features`: usable only with tx-gso-partial. */
  gsoPartialFeatures?: bigint;
}

/**
 * Result of {@linkcode netdevFixFeatures}.
 *
 * @example
 * ```ts
 * import type { FixFeaturesResult } from "./fix_features.ts";
 * const r: FixFeaturesResult = { features: 0n, changes: [] };
 * ```
 */
export interface FixFeaturesResult {
  /** The feature set after every rule. */
  features: bigint;
  /** Every bit a rule turned off, in rule order then bit order. */
  changes: FeatureChange[];
}

const CSUM_V4_OR_HW = "tx-checksum-ip-generic or tx-checksum-ipv4";
const CSUM_BOTH_OR_HW =
  "tx-checksum-ip-generic or both tx-checksum-ipv4 and tx-checksum-ipv6";

// netdev_has_ip_or_hw_csum: both IP-specific bits, or the generic one
function hasIpOrHwCsum(f: bigint): boolean {
  const ip = NETIF_F.IP_CSUM | NETIF_F.IPV6_CSUM;
  return (f & ip) === ip || (f & NETIF_F.HW_CSUM) !== 0n;
}

/**
 * Applies netdev_fix_features to a wanted feature set, in kernel order:
 *
 * 1. HW_CSUM with IP_CSUM/IPV6_CSUM drops the IP-specific bits;
 * 2. any TSO bit without SG drops all of ALL_TSO;
 * 3. TSO without HW_CSUM or IP_CSUM drops TSO and TSO_ECN;
 * 4. TSO6 without HW_CSUM or IPV6_CSUM drops TSO6;
 * 5. TSO_MANGLEID without TSO is dropped;
 * 6. TSO_ECN as the only TSO bit left is dropped;
 * 7. GSO without SG is dropped;
 * 8. gso_partial_features without GSO_PARTIAL are dropped;
 * 9. GRO_HW needs RXCSUM; RXFCS drops LRO and GRO_HW; GRO_HW drops LRO;
 * 10. HW_TLS_TX needs both IP checksums or HW_CSUM; HW_TLS_RX needs RXCSUM;
 * 11. GSO_UDP_L4 needs both IP checksums or HW_CSUM.
 *
 * @param features The wanted features.
 * @param dev The device's gso_partial_features, if any.
 * @returns The fixed features and every bit dropped, with its reason.
 *
 * @example
 * ```ts
 * import { netdevFixFeatures } from "./fix_features.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * const r = netdevFixFeatures(NETIF_F.TSO | NETIF_F.HW_CSUM | NETIF_F.GSO);
 * r.changes[0]!.reason; // "tx-tcp-segmentation: off (requires tx-scatter-gather)"
 * ```
 */
export function netdevFixFeatures(
  features: bigint,
  dev: FixFeaturesDevice = {},
): FixFeaturesResult {
  const F = NETIF_F;
  const changes: FeatureChange[] = [];
  let f = features;
  function drop(mask: bigint, cause: string): void {
    const gone = f & mask;
    for (let b = 1n; b <= gone; b <<= 1n) {
      if ((gone & b) === 0n) continue;
      const name = featureName(b);
      changes.push({ name, on: false, reason: `${name}: off (${cause})` });
    }
    f &= ~mask;
  }

  // netdev_fix_features: HW_CSUM already covers IPv4 and IPv6, so the specific bits contradict it
  if ((f & F.HW_CSUM) !== 0n && (f & (F.IP_CSUM | F.IPV6_CSUM)) !== 0n) {
    drop(F.IP_CSUM | F.IPV6_CSUM, "conflicts with tx-checksum-ip-generic");
  }
  // netdev_fix_features: TSO builds segments from page fragments, so it needs SG
  if ((f & NETIF_F_MASK.ALL_TSO) !== 0n && (f & F.SG) === 0n) {
    drop(NETIF_F_MASK.ALL_TSO, "requires tx-scatter-gather");
  }
  // netdev_fix_features: TSO segments must be checksummed by the device
  if ((f & F.TSO) !== 0n && (f & (F.HW_CSUM | F.IP_CSUM)) === 0n) {
    drop(F.TSO | F.TSO_ECN, `requires ${CSUM_V4_OR_HW}`);
  }
  // netdev_fix_features: same for IPv6 TSO
  if ((f & F.TSO6) !== 0n && (f & (F.HW_CSUM | F.IPV6_CSUM)) === 0n) {
    drop(F.TSO6, "requires tx-checksum-ip-generic or tx-checksum-ipv6");
  }
  // netdev_fix_features: ID mangling only qualifies IPv4 TSO
  if ((f & F.TSO_MANGLEID) !== 0n && (f & F.TSO) === 0n) {
    drop(F.TSO_MANGLEID, "requires tx-tcp-segmentation");
  }
  // netdev_fix_features: ECN handling only qualifies a TSO that exists
  if ((f & NETIF_F_MASK.ALL_TSO) === F.TSO_ECN) {
    drop(F.TSO_ECN, "requires tx-tcp-segmentation or tx-tcp6-segmentation");
  }
  // netdev_fix_features: software GSO hands the device page-fragment segments, so it needs SG
  if ((f & F.GSO) !== 0n && (f & F.SG) === 0n) {
    drop(F.GSO, "requires tx-scatter-gather");
  }
  // netdev_fix_features: partially supported types work only through GSO_PARTIAL
  const partial = dev.gsoPartialFeatures ?? 0n;
  if ((f & partial) !== 0n && (f & F.GSO_PARTIAL) === 0n) {
    drop(partial, "requires tx-gso-partial");
  }
  // netdev_fix_features: hardware GRO verifies checksums of what it merges
  if ((f & F.RXCSUM) === 0n && (f & F.GRO_HW) !== 0n) {
    drop(F.GRO_HW, "requires rx-checksum");
  }
  // netdev_fix_features: merged frames cannot carry each frame's FCS
  if ((f & F.RXFCS) !== 0n) {
    if ((f & F.LRO) !== 0n) drop(F.LRO, "conflicts with rx-fcs");
    if ((f & F.GRO_HW) !== 0n) drop(F.GRO_HW, "conflicts with rx-fcs");
  }
  // netdev_fix_features: hardware GRO supersedes LRO
  if ((f & F.GRO_HW) !== 0n && (f & F.LRO) !== 0n) {
    drop(F.LRO, "conflicts with rx-gro-hw");
  }
  // netdev_fix_features: TLS TX offload must checksum the records it encrypts
  if ((f & F.HW_TLS_TX) !== 0n && !hasIpOrHwCsum(f)) {
    drop(F.HW_TLS_TX, `requires ${CSUM_BOTH_OR_HW}`);
  }
  // netdev_fix_features: TLS RX offload relies on verified checksums
  if ((f & F.HW_TLS_RX) !== 0n && (f & F.RXCSUM) === 0n) {
    drop(F.HW_TLS_RX, "requires rx-checksum");
  }
  // netdev_fix_features: USO segments are checksummed by the device for both families
  if ((f & F.GSO_UDP_L4) !== 0n && !hasIpOrHwCsum(f)) {
    drop(F.GSO_UDP_L4, `requires ${CSUM_BOTH_OR_HW}`);
  }
  return { features: f, changes };
}
