/**
 * Netdev feature bits (include/linux/netdev_features.h, mainline with
 * NETIF_F_GSO_ACCECN), their ethtool names (net/ethtool/common.c
 * `netdev_features_strings`), the kernel's feature masks, the legacy ethtool
 * aliases (`sg`, `tso`, `tx`, …) and the gso_type → feature mapping.
 *
 * Features are `bigint` bit sets (the kernel's `netdev_features_t` is u64).
 *
 * @module
 */

import { TsolabError } from "./types.ts";

/**
 * A name that is not a netdev feature, a bit that is not defined, or a
 * feature set where a single bit was expected.
 *
 * @example
 * ```ts
 * import { featureByName, UnknownFeatureError } from "./netdev_features.ts";
 * try {
 *   featureByName("tx-warp-drive");
 * } catch (e) {
 *   if (!(e instanceof UnknownFeatureError)) throw e;
 * }
 * ```
 */
export class UnknownFeatureError extends TsolabError {}

function bit(n: number): bigint {
  return 1n << BigInt(n);
}

/**
 * Every NETIF_F_* feature bit as a one-bit `bigint`, numbered as in mainline
 * include/linux/netdev_features.h (bits 2, 12 and 13 are unused; the GSO
 * block is bits 16–35 = gso_type bits 0–19).
 *
 * @example
 * ```ts
 * import { NETIF_F } from "./netdev_features.ts";
 * const f = NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO;
 * (f & NETIF_F.TSO) !== 0n; // true
 * ```
 */
export const NETIF_F = {
  SG: bit(0),
  IP_CSUM: bit(1),
  HW_CSUM: bit(3),
  IPV6_CSUM: bit(4),
  HIGHDMA: bit(5),
  FRAGLIST: bit(6),
  HW_VLAN_CTAG_TX: bit(7),
  HW_VLAN_CTAG_RX: bit(8),
  HW_VLAN_CTAG_FILTER: bit(9),
  VLAN_CHALLENGED: bit(10),
  GSO: bit(11),
  GRO: bit(14),
  LRO: bit(15),
  TSO: bit(16),
  GSO_ROBUST: bit(17),
  TSO_ECN: bit(18),
  TSO_MANGLEID: bit(19),
  TSO6: bit(20),
  FSO: bit(21),
  GSO_GRE: bit(22),
  GSO_GRE_CSUM: bit(23),
  GSO_IPXIP4: bit(24),
  GSO_IPXIP6: bit(25),
  GSO_UDP_TUNNEL: bit(26),
  GSO_UDP_TUNNEL_CSUM: bit(27),
  GSO_PARTIAL: bit(28),
  GSO_TUNNEL_REMCSUM: bit(29),
  GSO_SCTP: bit(30),
  GSO_ESP: bit(31),
  GSO_UDP: bit(32),
  GSO_UDP_L4: bit(33),
  GSO_FRAGLIST: bit(34),
  GSO_ACCECN: bit(35),
  FCOE_CRC: bit(36),
  SCTP_CRC: bit(37),
  NTUPLE: bit(38),
  RXHASH: bit(39),
  RXCSUM: bit(40),
  NOCACHE_COPY: bit(41),
  LOOPBACK: bit(42),
  RXFCS: bit(43),
  RXALL: bit(44),
  HW_VLAN_STAG_TX: bit(45),
  HW_VLAN_STAG_RX: bit(46),
  HW_VLAN_STAG_FILTER: bit(47),
  HW_L2FW_DOFFLOAD: bit(48),
  HW_TC: bit(49),
  HW_ESP: bit(50),
  HW_ESP_TX_CSUM: bit(51),
  RX_UDP_TUNNEL_PORT: bit(52),
  HW_TLS_TX: bit(53),
  HW_TLS_RX: bit(54),
  GRO_HW: bit(55),
  HW_TLS_RECORD: bit(56),
  GRO_FRAGLIST: bit(57),
  HW_MACSEC: bit(58),
  GRO_UDP_FWD: bit(59),
  HW_HSR_TAG_INS: bit(60),
  HW_HSR_TAG_RM: bit(61),
  HW_HSR_FWD: bit(62),
  HW_HSR_DUP: bit(63),
} as const;

/**
 * Name of a key of {@linkcode NETIF_F} (`"TSO"`, `"GSO_UDP_L4"`, …).
 *
 * @example
 * ```ts
 * import type { NetifFeatureKey } from "./netdev_features.ts";
 * const k: NetifFeatureKey = "TSO6";
 * ```
 */
export type NetifFeatureKey = keyof typeof NETIF_F;

/**
 * Number of feature bits (`NETDEV_FEATURE_COUNT`).
 *
 * @example
 * ```ts
 * import { NETDEV_FEATURE_COUNT } from "./netdev_features.ts";
 * NETDEV_FEATURE_COUNT; // 64
 * ```
 */
export const NETDEV_FEATURE_COUNT = 64;

/**
 * Shift from a gso_type bit to its feature bit (`NETIF_F_GSO_SHIFT`).
 *
 * @example
 * ```ts
 * import { NETIF_F_GSO_SHIFT } from "./netdev_features.ts";
 * NETIF_F_GSO_SHIFT; // 16
 * ```
 */
export const NETIF_F_GSO_SHIFT = 16;

const F = NETIF_F;
const ALL_TSO = F.TSO | F.TSO6 | F.TSO_ECN | F.TSO_MANGLEID;
const GSO_SOFTWARE = ALL_TSO | F.GSO_ACCECN | F.GSO_SCTP | F.GSO_UDP_L4 |
  F.GSO_FRAGLIST;

/**
 * The kernel's feature masks (include/linux/netdev_features.h).
 *
 * - `GSO_MASK`: bits 16–35, every segmentation feature.
 * - `CSUM_MASK`: IP_CSUM | IPV6_CSUM | HW_CSUM.
 * - `ALL_TSO`: TSO | TSO6 | TSO_ECN | TSO_MANGLEID.
 * - `GSO_SOFTWARE`: types the stack can always segment in software.
 * - `GSO_ENCAP_ALL`: the tunnel GSO types.
 * - `SOFT_FEATURES`: GSO | GRO, forced on at registration.
 * - `SOFT_FEATURES_OFF`: changeable, default off.
 * - `NEVER_CHANGE`: not changeable through ethtool (vlan-challenged).
 * - `ETHTOOL_BITS`: every defined bit minus NEVER_CHANGE.
 *
 * @example
 * ```ts
 * import { NETIF_F, NETIF_F_MASK } from "./netdev_features.ts";
 * (NETIF_F_MASK.ALL_TSO & NETIF_F.TSO6) !== 0n; // true
 * ```
 */
export const NETIF_F_MASK = {
  GSO_MASK: ((1n << 36n) - 1n) & ~((1n << 16n) - 1n),
  CSUM_MASK: F.IP_CSUM | F.IPV6_CSUM | F.HW_CSUM,
  ALL_TSO,
  GSO_SOFTWARE,
  ONE_FOR_ALL: GSO_SOFTWARE | F.GSO_ROBUST | F.SG | F.HIGHDMA | F.FRAGLIST |
    F.VLAN_CHALLENGED,
  ALL_FOR_ALL: F.NOCACHE_COPY | F.FSO,
  UPPER_DISABLES: F.LRO,
  SOFT_FEATURES: F.GSO | F.GRO,
  SOFT_FEATURES_OFF: F.GRO_FRAGLIST | F.GRO_UDP_FWD,
  VLAN_FEATURES: F.HW_VLAN_CTAG_FILTER | F.HW_VLAN_CTAG_RX |
    F.HW_VLAN_CTAG_TX | F.HW_VLAN_STAG_FILTER | F.HW_VLAN_STAG_RX |
    F.HW_VLAN_STAG_TX,
  GSO_ENCAP_ALL: F.GSO_GRE | F.GSO_GRE_CSUM | F.GSO_IPXIP4 | F.GSO_IPXIP6 |
    F.GSO_UDP_TUNNEL | F.GSO_UDP_TUNNEL_CSUM,
  NEVER_CHANGE: F.VLAN_CHALLENGED,
  ETHTOOL_BITS: ((1n << 64n) - 1n) & ~F.VLAN_CHALLENGED,
} as const;

const STRINGS: Partial<Record<NetifFeatureKey, string>> = {
  SG: "tx-scatter-gather",
  IP_CSUM: "tx-checksum-ipv4",
  HW_CSUM: "tx-checksum-ip-generic",
  IPV6_CSUM: "tx-checksum-ipv6",
  HIGHDMA: "highdma",
  FRAGLIST: "tx-scatter-gather-fraglist",
  HW_VLAN_CTAG_TX: "tx-vlan-hw-insert",
  HW_VLAN_CTAG_RX: "rx-vlan-hw-parse",
  HW_VLAN_CTAG_FILTER: "rx-vlan-filter",
  HW_VLAN_STAG_TX: "tx-vlan-stag-hw-insert",
  HW_VLAN_STAG_RX: "rx-vlan-stag-hw-parse",
  HW_VLAN_STAG_FILTER: "rx-vlan-stag-filter",
  VLAN_CHALLENGED: "vlan-challenged",
  GSO: "tx-generic-segmentation",
  GRO: "rx-gro",
  GRO_HW: "rx-gro-hw",
  LRO: "rx-lro",
  TSO: "tx-tcp-segmentation",
  GSO_ROBUST: "tx-gso-robust",
  TSO_ECN: "tx-tcp-ecn-segmentation",
  GSO_ACCECN: "tx-tcp-accecn-segmentation",
  TSO_MANGLEID: "tx-tcp-mangleid-segmentation",
  TSO6: "tx-tcp6-segmentation",
  FSO: "tx-fcoe-segmentation",
  GSO_GRE: "tx-gre-segmentation",
  GSO_GRE_CSUM: "tx-gre-csum-segmentation",
  GSO_IPXIP4: "tx-ipxip4-segmentation",
  GSO_IPXIP6: "tx-ipxip6-segmentation",
  GSO_UDP_TUNNEL: "tx-udp_tnl-segmentation",
  GSO_UDP_TUNNEL_CSUM: "tx-udp_tnl-csum-segmentation",
  GSO_PARTIAL: "tx-gso-partial",
  GSO_TUNNEL_REMCSUM: "tx-tunnel-remcsum-segmentation",
  GSO_SCTP: "tx-sctp-segmentation",
  GSO_ESP: "tx-esp-segmentation",
  GSO_UDP_L4: "tx-udp-segmentation",
  GSO_FRAGLIST: "tx-gso-list",
  FCOE_CRC: "tx-checksum-fcoe-crc",
  SCTP_CRC: "tx-checksum-sctp",
  NTUPLE: "rx-ntuple-filter",
  RXHASH: "rx-hashing",
  RXCSUM: "rx-checksum",
  NOCACHE_COPY: "tx-nocache-copy",
  LOOPBACK: "loopback",
  RXFCS: "rx-fcs",
  RXALL: "rx-all",
  HW_L2FW_DOFFLOAD: "l2-fwd-offload",
  HW_TC: "hw-tc-offload",
  HW_ESP: "esp-hw-offload",
  HW_ESP_TX_CSUM: "esp-tx-csum-hw-offload",
  RX_UDP_TUNNEL_PORT: "rx-udp_tunnel-port-offload",
  HW_TLS_RECORD: "tls-hw-record",
  HW_TLS_TX: "tls-hw-tx-offload",
  HW_TLS_RX: "tls-hw-rx-offload",
  GRO_FRAGLIST: "rx-gro-list",
  HW_MACSEC: "macsec-hw-offload",
  GRO_UDP_FWD: "rx-udp-gro-forwarding",
  HW_HSR_TAG_INS: "hsr-tag-ins-offload",
  HW_HSR_TAG_RM: "hsr-tag-rm-offload",
  HW_HSR_FWD: "hsr-fwd-offload",
  HW_HSR_DUP: "hsr-dup-offload",
};

const KEY_BY_BIT: (NetifFeatureKey | undefined)[] = new Array(
  NETDEV_FEATURE_COUNT,
).fill(undefined);
for (const [k, v] of Object.entries(NETIF_F) as [NetifFeatureKey, bigint][]) {
  KEY_BY_BIT[bitIndex(v)] = k;
}

/**
 * The kernel's ethtool string table, indexed by bit number: the names
 * `ethtool -k` shows, `""` for the unused bits 2, 12, 13 and for GSO_UDP
 * (bit 32), which has no string in mainline.
 *
 * @example
 * ```ts
 * import { NETDEV_FEATURE_STRINGS } from "./netdev_features.ts";
 * NETDEV_FEATURE_STRINGS[16]; // "tx-tcp-segmentation"
 * ```
 */
export const NETDEV_FEATURE_STRINGS: readonly string[] = Object.freeze(
  KEY_BY_BIT.map((k) => (k === undefined ? "" : STRINGS[k] ?? "")),
);

function bitIndex(feature: bigint): number {
  if (feature <= 0n || (feature & (feature - 1n)) !== 0n) {
    throw new UnknownFeatureError(
      `Cannot name feature 0x${
        feature.toString(16)
      }: expected exactly one bit set`,
    );
  }
  let n = 0;
  while ((feature >> BigInt(n)) !== 1n) n++;
  return n;
}

/**
 * The ethtool name of one feature bit, as net/ethtool/common.c spells it.
 * A defined bit without an ethtool string (GSO_UDP) is named by its kernel
 * macro, `NETIF_F_GSO_UDP`.
 *
 * @param feature A one-bit feature, e.g. `NETIF_F.TSO`.
 * @returns The name, e.g. `"tx-tcp-segmentation"`.
 * @throws {UnknownFeatureError} When `feature` is not exactly one defined bit.
 *
 * @example
 * ```ts
 * import { featureName, NETIF_F } from "./netdev_features.ts";
 * featureName(NETIF_F.GSO_UDP_TUNNEL); // "tx-udp_tnl-segmentation"
 * ```
 */
export function featureName(feature: bigint): string {
  const n = bitIndex(feature);
  const key = KEY_BY_BIT[n];
  if (key === undefined) {
    throw new UnknownFeatureError(
      `Cannot name feature bit ${n}: the bit is unused`,
    );
  }
  return NETDEV_FEATURE_STRINGS[n] || `NETIF_F_${key}`;
}

/**
 * The names of every bit of a feature set, in bit order.
 *
 * @param features A feature set.
 * @returns One name per bit (see {@linkcode featureName}).
 *
 * @example
 * ```ts
 * import { featureNames, NETIF_F } from "./netdev_features.ts";
 * featureNames(NETIF_F.SG | NETIF_F.GSO); // ["tx-scatter-gather", "tx-generic-segmentation"]
 * ```
 */
export function featureNames(features: bigint): string[] {
  const out: string[] = [];
  for (let n = 0; n < NETDEV_FEATURE_COUNT; n++) {
    const b = bit(n);
    if ((features & b) !== 0n && KEY_BY_BIT[n] !== undefined) {
      out.push(featureName(b));
    }
  }
  return out;
}

/**
 * The feature bit with this name: an ethtool string
 * (`"tx-tcp-segmentation"`), a {@linkcode NETIF_F} key (`"TSO"`) or a kernel
 * macro name (`"NETIF_F_TSO"`).
 *
 * @param name The name.
 * @returns The one-bit feature.
 * @throws {UnknownFeatureError} When no feature has this name.
 *
 * @example
 * ```ts
 * import { featureByName, NETIF_F } from "./netdev_features.ts";
 * featureByName("tx-tcp6-segmentation") === NETIF_F.TSO6; // true
 * featureByName("NETIF_F_GSO_UDP") === NETIF_F.GSO_UDP; // true
 * ```
 */
export function featureByName(name: string): bigint {
  const i = NETDEV_FEATURE_STRINGS.indexOf(name);
  if (name !== "" && i >= 0) return bit(i);
  const key = name.startsWith("NETIF_F_") ? name.slice(8) : name;
  if (Object.hasOwn(NETIF_F, key)) return NETIF_F[key as NetifFeatureKey];
  throw new UnknownFeatureError(`Unknown netdev feature "${name}"`);
}

/**
 * One legacy ethtool flag (ethtool's `off_flag_def`): its short and long
 * names and the pattern (at most one `*`) it matches in the kernel's
 * string table.
 *
 * @example
 * ```ts
 * import type { EthtoolLegacyFlag } from "./netdev_features.ts";
 * const f: EthtoolLegacyFlag = {
 *   shortName: "gso", longName: "generic-segmentation-offload",
 *   pattern: "tx-generic-segmentation",
 * };
 * ```
 */
export interface EthtoolLegacyFlag {
  /** Short name, e.g. `"tso"`. */
  shortName: string;
  /** Long name as `ethtool -k` prints it, e.g. `"tcp-segmentation-offload"`. */
  longName: string;
  /** Kernel-name pattern, e.g. `"tx-tcp*-segmentation"`. */
  pattern: string;
}

/**
 * The legacy ethtool flags, in the order `ethtool -k` prints them.
 *
 * @example
 * ```ts
 * import { ETHTOOL_LEGACY_FLAGS } from "./netdev_features.ts";
 * ETHTOOL_LEGACY_FLAGS[0]!.longName; // "rx-checksumming"
 * ```
 */
export const ETHTOOL_LEGACY_FLAGS: readonly EthtoolLegacyFlag[] = Object
  .freeze([
    { shortName: "rx", longName: "rx-checksumming", pattern: "rx-checksum" },
    {
      shortName: "tx",
      longName: "tx-checksumming",
      pattern: "tx-checksum-*",
    },
    {
      shortName: "sg",
      longName: "scatter-gather",
      pattern: "tx-scatter-gather*",
    },
    {
      shortName: "tso",
      longName: "tcp-segmentation-offload",
      pattern: "tx-tcp*-segmentation",
    },
    {
      shortName: "ufo",
      longName: "udp-fragmentation-offload",
      pattern: "tx-udp-fragmentation",
    },
    {
      shortName: "gso",
      longName: "generic-segmentation-offload",
      pattern: "tx-generic-segmentation",
    },
    {
      shortName: "gro",
      longName: "generic-receive-offload",
      pattern: "rx-gro",
    },
    { shortName: "lro", longName: "large-receive-offload", pattern: "rx-lro" },
    {
      shortName: "rxvlan",
      longName: "rx-vlan-offload",
      pattern: "rx-vlan-hw-parse",
    },
    {
      shortName: "txvlan",
      longName: "tx-vlan-offload",
      pattern: "tx-vlan-hw-insert",
    },
    {
      shortName: "ntuple",
      longName: "ntuple-filters",
      pattern: "rx-ntuple-filter",
    },
    { shortName: "rxhash", longName: "receive-hashing", pattern: "rx-hashing" },
  ]);

/**
 * Whether an ethtool name matches a legacy-flag pattern the way ethtool's
 * `flag_pattern_match` does (one `*` matches any run of characters).
 *
 * @param name A kernel feature string.
 * @param pattern A pattern from {@linkcode ETHTOOL_LEGACY_FLAGS}.
 * @returns True on a match.
 *
 * @example
 * ```ts
 * import { ethtoolPatternMatch } from "./netdev_features.ts";
 * ethtoolPatternMatch("tx-tcp6-segmentation", "tx-tcp*-segmentation"); // true
 * ```
 */
export function ethtoolPatternMatch(name: string, pattern: string): boolean {
  const star = pattern.indexOf("*");
  if (star < 0) return name === pattern;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return name.length >= head.length + tail.length && name.startsWith(head) &&
    name.endsWith(tail);
}

/**
 * Expands a legacy ethtool flag (`sg`, `tso`, `gso`, `tx`, `ufo`, `gro`,
 * `lro`, `rx`, `rxvlan`, `txvlan`, `ntuple`, `rxhash`, or their long names)
 * to the feature bits `ethtool -K` would request. `ufo` expands to no bits:
 * mainline has no `tx-udp-fragmentation` string, so ethtool sends nothing.
 *
 * @param name Short or long legacy name.
 * @returns The bit set, or `undefined` when `name` is not a legacy flag.
 *
 * @example
 * ```ts
 * import { ethtoolAlias, NETIF_F } from "./netdev_features.ts";
 * ethtoolAlias("sg") === (NETIF_F.SG | NETIF_F.FRAGLIST); // true
 * ```
 */
export function ethtoolAlias(name: string): bigint | undefined {
  const flag = ETHTOOL_LEGACY_FLAGS.find((f) =>
    f.shortName === name || f.longName === name
  );
  if (flag === undefined) return undefined;
  let out = 0n;
  NETDEV_FEATURE_STRINGS.forEach((s, i) => {
    if (s !== "" && ethtoolPatternMatch(s, flag.pattern)) out |= bit(i);
  });
  return out;
}

/**
 * The features a device needs to segment an skb of this gso_type itself:
 * gso_type bit k ↦ feature bit 16 + k, masked to the GSO block; the
 * late-2025 TCP_FIXEDID bits 30/31 first fold onto bit 3 (TSO_MANGLEID).
 *
 * @param gsoType SKB_GSO_* bits (unsigned 32-bit).
 * @returns The required feature bits.
 *
 * @example
 * ```ts
 * import { gsoTypeToFeatures, NETIF_F } from "./netdev_features.ts";
 * import { SKB_GSO } from "./types.ts";
 * gsoTypeToFeatures(SKB_GSO.TCPV4 | SKB_GSO.TCP_ECN) ===
 *   (NETIF_F.TSO | NETIF_F.TSO_ECN); // true
 * ```
 */
export function gsoTypeToFeatures(gsoType: number): bigint {
  let t = gsoType >>> 0;
  // net_gso_ok: both FIXEDID bits have no feature of their own; they map onto MANGLEID
  if ((t & 0xc0000000) !== 0) t = (t | (1 << 3)) >>> 0;
  return (BigInt(t) << BigInt(NETIF_F_GSO_SHIFT)) & NETIF_F_MASK.GSO_MASK;
}
