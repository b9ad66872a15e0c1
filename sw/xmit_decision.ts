/**
 * The transmit decision of `validate_xmit_skb` (net/core/dev.c) for one skb
 * on one device: which features apply to this skb (`netif_skb_features`:
 * `gso_features_check`, hw_enc_features, vlan_features, the driver's
 * features check, `harmonize_features`), and from that whether the device
 * segments it ("hardware"), the stack segments it ("software-gso"), the
 * stack completes its checksum ("checksum-help") or it goes out as it is.
 * Exceeding gso_max_size or gso_max_segs is not an error: it changes the
 * path. Every step that removed a feature or chose the path says why.
 *
 * @module
 */

import { getU16 } from "./bytes.ts";
import {
  featureName,
  featureNames,
  gsoTypeToFeatures,
  NETIF_F,
  NETIF_F_GSO_SHIFT,
  NETIF_F_MASK,
} from "./netdev_features.ts";
import { IP_SUMMED, SKB_GSO, SKB_GSO_NAMES, type SkBuff } from "./types.ts";

/**
 * The device state the transmit decision reads. A `NetDevice` from
 * `net_device.ts` satisfies it.
 *
 * @example
 * ```ts
 * import type { XmitDevice } from "./xmit_decision.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * const dev: XmitDevice = {
 *   name: "eth0", features: NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO,
 *   hwEncFeatures: 0n, vlanFeatures: 0n, gsoPartialFeatures: 0n,
 *   gsoMaxSize: 65536, gsoIpv4MaxSize: 65536, gsoMaxSegs: 65535,
 * };
 * ```
 */
export interface XmitDevice {
  /** Interface name, for reasons. */
  name: string;
  /** Active features. */
  features: bigint;
  /** Features for encapsulated skbs. */
  hwEncFeatures: bigint;
  /** Features for VLAN-tagged skbs. */
  vlanFeatures: bigint;
  /** Features for MPLS skbs; 0 when absent. */
  mplsFeatures?: bigint;
  /** Types the device segments only through GSO_PARTIAL. */
  gsoPartialFeatures: bigint;
  /** Largest IPv6 (or non-IP) GSO skb the device takes. */
  gsoMaxSize: number;
  /** Largest IPv4 GSO skb the device takes. */
  gsoIpv4MaxSize: number;
  /** Most segments a GSO skb handed to the device may stand for. */
  gsoMaxSegs: number;
  /** The driver's ndo_features_check; vlan_features_check when absent. */
  ndoFeaturesCheck?: (skb: SkBuff, features: bigint) => bigint;
}

/**
 * Where the skb's segmentation and checksum get done.
 *
 * - `hardware`: the device gets the skb as is and segments it (GSO skb) or
 *   inserts its checksum (CHECKSUM_PARTIAL);
 * - `software-gso`: `skb_gso_segment` splits it in the stack;
 * - `checksum-help`: not GSO, CHECKSUM_PARTIAL, and the device cannot
 *   checksum it: `skb_checksum_help` completes the checksum;
 * - `as-is`: not GSO and no checksum left to do.
 *
 * @example
 * ```ts
 * import type { XmitPath } from "./xmit_decision.ts";
 * const p: XmitPath = "software-gso";
 * ```
 */
export type XmitPath = "hardware" | "software-gso" | "checksum-help" | "as-is";

/**
 * Result of {@linkcode xmitDecision}.
 *
 * @example
 * ```ts
 * import type { XmitDecision } from "./xmit_decision.ts";
 * const d: XmitDecision = { path: "as-is", features: 0n, reasons: [] };
 * ```
 */
export interface XmitDecision {
  /** The path the skb takes. */
  path: XmitPath;
  /** The features that apply to this skb (netif_skb_features). */
  features: bigint;
  /** Why, one line per step that mattered, in the order the kernel takes them. */
  reasons: string[];
}

const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const ETH_P_FCOE = 0x8906;
const GSO_MASK = NETIF_F_MASK.GSO_MASK;
const CSUM_MASK = NETIF_F_MASK.CSUM_MASK;
const IP_SUMMED_NAMES = ["NONE", "UNNECESSARY", "COMPLETE", "PARTIAL"];

function isVlanType(t: number): boolean {
  return t === 0x8100 || t === 0x88a8;
}

function byteOr(skb: SkBuff, off: number, dflt: number): number {
  return off >= 0 && off + 2 <= skb.linear.length
    ? getU16(skb.linear, off)
    : dflt;
}

function skbLen(skb: SkBuff): number {
  let n = skb.linear.length;
  for (const f of skb.frags) n += f.size;
  for (const s of skb.fragList) n += skbLen(s);
  return n;
}

function skbVlanTagged(skb: SkBuff): boolean {
  // skb_vlan_tagged: in-band tag (skb->protocol or the frame's EtherType)
  return isVlanType(skb.protocol) ||
    isVlanType(byteOr(skb, skb.macHeader + 12, 0));
}

function skbVlanTaggedMulti(skb: SkBuff): boolean {
  return skbVlanTagged(skb) && isVlanType(byteOr(skb, skb.macHeader + 16, 0));
}

/**
 * The L3 protocol of an skb, looking through in-band VLAN tags
 * (`vlan_get_protocol` / `skb_network_protocol`).
 *
 * @param skb The skb.
 * @returns The EtherType, e.g. 0x0800.
 *
 * @example
 * ```ts
 * import { skbNetworkProtocol } from "./xmit_decision.ts";
 * import type { SkBuff } from "./types.ts";
 * const linear = new Uint8Array(60);
 * linear.set([0x81, 0x00, 0x00, 0x07, 0x86, 0xdd], 12);
 * const skb = { linear, protocol: 0x8100, macHeader: 0 } as SkBuff;
 * skbNetworkProtocol(skb); // 0x86dd
 * ```
 */
export function skbNetworkProtocol(skb: SkBuff): number {
  if (!isVlanType(skb.protocol)) return skb.protocol;
  let off = skb.macHeader + 12;
  let t = byteOr(skb, off, 0);
  while (isVlanType(t)) {
    off += 4;
    t = byteOr(skb, off, 0);
  }
  return t;
}

/**
 * Whether a device with these features can checksum this L3 protocol
 * (`can_checksum_protocol`): HW_CSUM any IP protocol, IP_CSUM IPv4 only,
 * IPV6_CSUM IPv6 only; FCoE needs FCOE_CRC.
 *
 * @param features The feature set.
 * @param protocol The EtherType.
 * @returns True when the device can checksum it.
 *
 * @example
 * ```ts
 * import { canChecksumProtocol } from "./xmit_decision.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * canChecksumProtocol(NETIF_F.IP_CSUM, 0x86dd); // false
 * ```
 */
export function canChecksumProtocol(
  features: bigint,
  protocol: number,
): boolean {
  if (protocol === ETH_P_FCOE) return (features & NETIF_F.FCOE_CRC) !== 0n;
  if ((features & NETIF_F.HW_CSUM) !== 0n) return true;
  if (protocol === ETH_P_IP) return (features & NETIF_F.IP_CSUM) !== 0n;
  if (protocol === ETH_P_IPV6) return (features & NETIF_F.IPV6_CSUM) !== 0n;
  return false;
}

function ipv6HasHopoptJumbo(skb: SkBuff): boolean {
  // ipv6_has_hopopt_jumbo: a BIG TCP super-packet's temporary jumbo header
  const nh = skb.networkHeader;
  if (skbLen(skb) <= 65536 || skb.protocol !== ETH_P_IPV6) return false;
  if (nh + 40 + 8 > skb.linear.length) return false;
  const b = skb.linear;
  return b[nh + 6] === 0 && b[nh + 42] === 0xc2 && b[nh + 41] === 0 &&
    b[nh + 40] === 6;
}

function protoName(p: number): string {
  if (p === ETH_P_IP) return "IPv4";
  if (p === ETH_P_IPV6) return "IPv6";
  return "EtherType 0x" + p.toString(16).padStart(4, "0");
}

function dropped(before: bigint, after: bigint): string {
  return featureNames(before & ~after).join(", ");
}

function gsoFeaturesCheck(
  skb: SkBuff,
  dev: XmitDevice,
  features: bigint,
  reasons: string[],
): bigint {
  let f = features;
  // gso_features_check: gso_segs is exclusive, the device limit inclusive
  if (skb.gsoSegs > dev.gsoMaxSegs) {
    reasons.push(
      `gso_segs ${skb.gsoSegs} > gso_max_segs ${dev.gsoMaxSegs}: software GSO`,
    );
    return f & ~GSO_MASK;
  }
  // gso_features_check via netif_get_gso_max_size: the IPv6 limit is for skb->protocol IPv6 only
  const v6 = skb.protocol === ETH_P_IPV6;
  const max = v6 ? dev.gsoMaxSize : dev.gsoIpv4MaxSize;
  const len = skbLen(skb);
  if (len >= max) {
    reasons.push(
      `skb->len ${len} >= ${
        v6 ? "gso_max_size" : "gso_ipv4_max_size"
      } ${max}: software GSO`,
    );
    return f & ~GSO_MASK;
  }
  if (skb.gsoType === 0) {
    reasons.push(
      "gso_type 0 on a GSO skb (skb_warn_bad_offload): segmentation features cleared",
    );
    return f & ~GSO_MASK;
  }
  // gso_features_check: partial types need the stack's GSO_PARTIAL pass first
  if ((skb.gsoType & SKB_GSO.PARTIAL) === 0) {
    const before = f;
    f &= ~dev.gsoPartialFeatures;
    if (before !== f) {
      reasons.push(
        `not SKB_GSO_PARTIAL: gso_partial_features cleared (${
          dropped(before, f)
        })`,
      );
    }
  }
  // gso_features_check: with DF=0 the IPv4 header may be fragmented, so its IDs must stay unique
  if (
    (skb.gsoType & SKB_GSO.TCPV4) !== 0 && (f & NETIF_F.TSO_MANGLEID) !== 0n
  ) {
    const nh = skb.encapsulation ? skb.innerNetworkHeader : skb.networkHeader;
    const fragOff = byteOr(skb, nh + 6, 0);
    if ((fragOff & 0x4000) === 0) {
      f &= ~NETIF_F.TSO_MANGLEID;
      reasons.push(
        `IPv4 DF=0${
          skb.encapsulation ? " (inner header)" : ""
        }: tx-tcp-mangleid-segmentation cleared`,
      );
    }
  }
  // gso_features_check: IPV6_CSUM devices cannot parse IPv6 extension headers
  const nhLen = gsoExtensionHeaderLen(skb);
  if (
    (f & NETIF_F.IPV6_CSUM) !== 0n && nhLen !== null &&
    !ipv6HasHopoptJumbo(skb)
  ) {
    const before = f;
    f &= ~(NETIF_F.IPV6_CSUM | NETIF_F.TSO6 | NETIF_F.GSO_UDP_L4);
    reasons.push(
      `IPv6 extension headers (${
        skb.encapsulation ? "inner " : ""
      }network header ${nhLen} bytes): ${dropped(before, f)} cleared`,
    );
  }
  return f;
}

/**
 * The length of an IPv6 network header that carries extension headers, or
 * null when there are none: the inner header of a tunnelled skb, the outer
 * one otherwise (`skb_gso_has_extension_hdr`, c4336a07eb6b, in 6.18.y).
 */
function gsoExtensionHeaderLen(skb: SkBuff): number | null {
  const t = skb.gsoType;
  if (!skb.encapsulation) {
    const len = skb.transportHeader - skb.networkHeader;
    const v6 = (t & SKB_GSO.TCPV6) !== 0 ||
      ((t & SKB_GSO.UDP_L4) !== 0 && skbNetworkProtocol(skb) === ETH_P_IPV6);
    return v6 && skb.transportHeader > skb.networkHeader && len !== 40
      ? len
      : null;
  }
  // a tunnel with no inner IP header (SCTP in UDP) is no plain IPv6 either
  if (skb.innerNetworkHeader <= 0) return 0;
  const len = skb.innerTransportHeader - skb.innerNetworkHeader;
  const innerV6 = (byteOr(skb, skb.innerNetworkHeader, 0) >> 12) === 6;
  const v6 = (t & SKB_GSO.TCPV6) !== 0 ||
    ((t & SKB_GSO.UDP_L4) !== 0 && innerV6);
  return v6 && len !== 40 ? len : null;
}

function intersectFeatures(f1: bigint, f2: bigint): bigint {
  // netdev_intersect_features: HW_CSUM on one side stands for both IP-specific bits
  if (((f1 ^ f2) & NETIF_F.HW_CSUM) !== 0n) {
    if ((f1 & NETIF_F.HW_CSUM) !== 0n) {
      f1 |= NETIF_F.IP_CSUM | NETIF_F.IPV6_CSUM;
    } else f2 |= NETIF_F.IP_CSUM | NETIF_F.IPV6_CSUM;
  }
  return f1 & f2;
}

function vlanFeaturesCheck(skb: SkBuff, features: bigint): bigint {
  // vlan_features_check: only a generic checksum can find L4 behind two tags
  if (skbVlanTaggedMulti(skb)) {
    return features &
      (NETIF_F.SG | NETIF_F.HIGHDMA | NETIF_F.HW_CSUM | NETIF_F.FRAGLIST |
        NETIF_F.HW_VLAN_CTAG_TX | NETIF_F.HW_VLAN_STAG_TX);
  }
  return features;
}

/**
 * The features that apply to this skb on this device
 * (`netif_skb_features`): the device's features; for a GSO skb
 * `gso_features_check` (size and segment limits, gso_type 0,
 * gso_partial_features, DF=0 → no TSO_MANGLEID, IPv6 extension headers →
 * no IPV6_CSUM/TSO6/GSO_UDP_L4); ∩ hw_enc_features when encapsulated;
 * ∩ vlan_features when VLAN-tagged; the driver's features check; then
 * `harmonize_features` (no checksum for this protocol → no checksum and no
 * GSO bits; MPLS ∩ mpls_features). High-memory pages are not modelled.
 *
 * @param skb The skb.
 * @param dev The device.
 * @param reasons Optional sink: one line is appended per step that removed features.
 * @returns The feature set.
 *
 * @example
 * ```ts
 * import { netifSkbFeatures } from "./xmit_decision.ts";
 * import { kernelCaptureEgressDevice } from "./net_device.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * import { IP_SUMMED, SKB_GSO, type SkBuff } from "./types.ts";
 * const linear = new Uint8Array(66);
 * linear.set([0x08, 0x00], 12);
 * const skb: SkBuff = {
 *   linear, frags: [], fragList: [], gsoSize: 0, gsoSegs: 0, gsoType: 0,
 *   ipSummed: IP_SUMMED.PARTIAL, csumStart: 34, csumOffset: 16,
 *   macHeader: 0, networkHeader: 14, transportHeader: 34, protocol: 0x0800,
 *   encapsulation: false, innerMacHeader: 0, innerNetworkHeader: 0,
 *   innerTransportHeader: 0, innerProtocol: 0,
 * };
 * const f = netifSkbFeatures(skb, kernelCaptureEgressDevice());
 * (f & NETIF_F.HW_CSUM) === 0n; // true
 * ```
 */
export function netifSkbFeatures(
  skb: SkBuff,
  dev: XmitDevice,
  reasons: string[] = [],
): bigint {
  let f = dev.features;
  if (skb.gsoSize !== 0) f = gsoFeaturesCheck(skb, dev, f, reasons);
  // netif_skb_features: tunnelled skbs need the device's tunnel offloads
  if (skb.encapsulation) {
    const before = f;
    f &= dev.hwEncFeatures;
    if (before !== f) {
      reasons.push(
        `encapsulated: not in hw_enc_features (${dropped(before, f)})`,
      );
    }
  }
  // netif_skb_features: a tagged frame needs the device's offloads behind a tag
  if (skbVlanTagged(skb)) {
    const before = f;
    f = intersectFeatures(
      f,
      dev.vlanFeatures | NETIF_F.HW_VLAN_CTAG_TX | NETIF_F.HW_VLAN_STAG_TX,
    );
    if ((before & ~f) !== 0n) {
      reasons.push(`VLAN-tagged: not in vlan_features (${dropped(before, f)})`);
    }
  }
  {
    const before = f;
    f &= dev.ndoFeaturesCheck
      ? dev.ndoFeaturesCheck(skb, f)
      : vlanFeaturesCheck(skb, f);
    if (before !== f) {
      reasons.push(
        `${dev.ndoFeaturesCheck ? "ndo_features_check" : "two VLAN tags"}: ${
          dropped(before, f)
        } cleared`,
      );
    }
  }
  // harmonize_features: MPLS skbs use the device's MPLS offloads
  const type = skbNetworkProtocol(skb);
  if (type === 0x8847 || type === 0x8848) {
    const before = f;
    f &= dev.mplsFeatures ?? 0n;
    if (before !== f) {
      reasons.push(`MPLS: not in mpls_features (${dropped(before, f)})`);
    }
  }
  // harmonize_features: segments the device cannot checksum must be built and summed in software
  if (skb.ipSummed !== IP_SUMMED.NONE && !canChecksumProtocol(f, type)) {
    const before = f;
    f &= ~(CSUM_MASK | GSO_MASK);
    if (before !== f) {
      reasons.push(
        `device cannot checksum ${protoName(type)} (can_checksum_protocol): ${
          dropped(before, f)
        } cleared`,
      );
    }
  }
  return f;
}

/**
 * Whether the device can segment this GSO skb itself (`skb_gso_ok`): every
 * gso_type bit's feature is present (see `gsoTypeToFeatures`), and a
 * frag_list needs tx-scatter-gather-fraglist.
 *
 * @param skb The skb.
 * @param features The features that apply to it.
 * @returns True when no software segmentation is needed for the type.
 *
 * @example
 * ```ts
 * import { skbGsoOk } from "./xmit_decision.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * import { SKB_GSO, type SkBuff } from "./types.ts";
 * const skb = { gsoType: SKB_GSO.TCPV4 | SKB_GSO.TCP_ECN, fragList: [] } as unknown as SkBuff;
 * skbGsoOk(skb, NETIF_F.TSO); // false: TCP_ECN needs tx-tcp-ecn-segmentation
 * ```
 */
export function skbGsoOk(skb: SkBuff, features: bigint): boolean {
  const need = gsoTypeToFeatures(skb.gsoType);
  return (features & need) === need &&
    (skb.fragList.length === 0 || (features & NETIF_F.FRAGLIST) !== 0n);
}

/**
 * Whether the stack must segment this skb (`netif_needs_gso`): it is GSO
 * and either the device cannot segment its type or its checksum state is
 * neither CHECKSUM_PARTIAL nor CHECKSUM_UNNECESSARY.
 *
 * @param skb The skb.
 * @param features The features that apply to it.
 * @returns True when `skb_gso_segment` runs.
 *
 * @example
 * ```ts
 * import { netifNeedsGso } from "./xmit_decision.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * import { IP_SUMMED, SKB_GSO, type SkBuff } from "./types.ts";
 * const skb = {
 *   gsoSize: 1448, gsoType: SKB_GSO.TCPV4, fragList: [], ipSummed: IP_SUMMED.PARTIAL,
 * } as unknown as SkBuff;
 * netifNeedsGso(skb, NETIF_F.TSO); // false
 * ```
 */
export function netifNeedsGso(skb: SkBuff, features: bigint): boolean {
  return skb.gsoSize !== 0 &&
    (!skbGsoOk(skb, features) ||
      (skb.ipSummed !== IP_SUMMED.PARTIAL &&
        skb.ipSummed !== IP_SUMMED.UNNECESSARY));
}

function gsoBitNames(gsoType: number, gsoBit: number): string {
  if (gsoBit === 3) {
    const names: string[] = [];
    if ((gsoType & SKB_GSO.TCP_FIXEDID_MAP) !== 0) names.push("TCP_FIXEDID");
    if (((gsoType >>> 0) & SKB_GSO.TCP_FIXEDID) !== 0) {
      names.push("TCP_FIXEDID");
    }
    if (((gsoType >>> 0) & SKB_GSO.TCP_FIXEDID_INNER) !== 0) {
      names.push("TCP_FIXEDID_INNER");
    }
    return [...new Set(names)].join(",");
  }
  for (const [name, v] of Object.entries(SKB_GSO_NAMES)) {
    if (v === 1 << gsoBit) return name;
  }
  return `bit ${gsoBit}`;
}

function csumHwOffloadOk(skb: SkBuff, f: bigint): boolean {
  // skb_csum_hwoffload_help: a generic checksum handles any layout
  if ((f & NETIF_F.HW_CSUM) !== 0n) return true;
  if ((f & (NETIF_F.IP_CSUM | NETIF_F.IPV6_CSUM)) === 0n) return false;
  // skb_csum_hwoffload_help: IP-specific checksum engines stop at IPv6 extension headers
  if (
    skbNetworkProtocol(skb) === ETH_P_IPV6 &&
    skb.transportHeader - skb.networkHeader !== 40 && !ipv6HasHopoptJumbo(skb)
  ) return false;
  // skb_csum_hwoffload_help: and know only the TCP and UDP checksum offsets
  return skb.csumOffset === 16 || skb.csumOffset === 6;
}

/**
 * The transmit decision of `validate_xmit_skb` for one skb on one device,
 * with the reasons: the features that apply (see
 * {@linkcode netifSkbFeatures}), then for a GSO skb whether the device or
 * the stack segments it, and for a CHECKSUM_PARTIAL skb whether the device
 * or the stack completes its checksum. A TCP (or USO with
 * CHECKSUM_PARTIAL) skb that needed GSO only because of DODGY or its
 * checksum state goes back to the device after `tcp_gso_segment` /
 * `__udp_gso_segment` re-validated it, as in the kernel.
 *
 * @param skb The skb.
 * @param dev The device.
 * @returns The path, the features and the reasons.
 *
 * @example
 * ```ts
 * import { xmitDecision } from "./xmit_decision.ts";
 * import { vethDevice } from "./net_device.ts";
 * import { IP_SUMMED, SKB_GSO, type SkBuff } from "./types.ts";
 * const linear = new Uint8Array(66);
 * linear.set([0x08, 0x00], 12);
 * linear[20] = 0x40; // DF
 * const skb: SkBuff = {
 *   linear, frags: [{ page: new Uint8Array(69934), offset: 0, size: 69934 }],
 *   fragList: [], gsoSize: 1448, gsoSegs: 49, gsoType: SKB_GSO.TCPV4,
 *   ipSummed: IP_SUMMED.PARTIAL, csumStart: 34, csumOffset: 16,
 *   macHeader: 0, networkHeader: 14, transportHeader: 34, protocol: 0x0800,
 *   encapsulation: false, innerMacHeader: 0, innerNetworkHeader: 0,
 *   innerTransportHeader: 0, innerProtocol: 0,
 * };
 * const d = xmitDecision(skb, vethDevice());
 * d.path; // "software-gso"
 * d.reasons[0]; // "skb->len 70000 >= gso_ipv4_max_size 65536: software GSO"
 * ```
 */
export function xmitDecision(skb: SkBuff, dev: XmitDevice): XmitDecision {
  const reasons: string[] = [];
  const features = netifSkbFeatures(skb, dev, reasons);
  const summed = IP_SUMMED_NAMES[skb.ipSummed] ?? String(skb.ipSummed);

  if (skb.gsoSize !== 0) {
    if (!netifNeedsGso(skb, features)) {
      // skb_gso_ok: a gso_type with no bits asks for no feature, so the driver gets it
      if (gsoTypeToFeatures(skb.gsoType) === 0n) {
        reasons.push(
          `no gso_type bit to check: the device gets the GSO skb (gso_size ${skb.gsoSize})`,
        );
        return { path: "hardware", features, reasons };
      }
      reasons.push(
        `${
          featureNames(gsoTypeToFeatures(skb.gsoType)).join(", ")
        } available: the device segments (gso_size ${skb.gsoSize})`,
      );
      return { path: "hardware", features, reasons };
    }
    const need = gsoTypeToFeatures(skb.gsoType);
    for (let k = 0; k < 20; k++) {
      const b = 1n << BigInt(NETIF_F_GSO_SHIFT + k);
      if ((need & b) === 0n || (features & b) !== 0n) continue;
      reasons.push(
        `gso_type ${gsoBitNames(skb.gsoType, k)} needs ${featureName(b)}${
          (dev.features & b) !== 0n ? " (cleared for this skb)" : ""
        }`,
      );
    }
    if (skb.fragList.length !== 0 && (features & NETIF_F.FRAGLIST) === 0n) {
      reasons.push("frag_list needs tx-scatter-gather-fraglist");
    }
    const csumOk = skb.ipSummed === IP_SUMMED.PARTIAL ||
      skb.ipSummed === IP_SUMMED.UNNECESSARY;
    if (!csumOk) {
      reasons.push(
        `ip_summed ${summed}: not CHECKSUM_PARTIAL or CHECKSUM_UNNECESSARY`,
      );
    }
    // tcp_gso_segment / __udp_gso_segment: a type the device handles is only re-validated, then handed back
    const tcp = (skb.gsoType & (SKB_GSO.TCPV4 | SKB_GSO.TCPV6)) !== 0;
    const uso = (skb.gsoType & SKB_GSO.UDP_L4) !== 0 &&
      skb.ipSummed === IP_SUMMED.PARTIAL;
    if (
      !skb.encapsulation && (tcp || uso) &&
      skbGsoOk(skb, features | NETIF_F.GSO_ROBUST)
    ) {
      reasons.push(
        tcp && skb.ipSummed !== IP_SUMMED.PARTIAL
          ? "tcp_gso_segment re-seeds the checksum (CHECKSUM_PARTIAL) and returns the skb: the device segments"
          : "headers re-validated in software, gso_segs recomputed: the device segments",
      );
      return { path: "hardware", features, reasons };
    }
    // __skb_gso_segment: GSO_PARTIAL is kept only if it lets the device finish this type
    const partialOk = (features & NETIF_F.GSO_PARTIAL) !== 0n &&
      skbGsoOk(
        skb,
        features | (dev.features & dev.gsoPartialFeatures) |
          NETIF_F.GSO_ROBUST,
      );
    reasons.push(
      partialOk
        ? "tx-gso-partial: software GSO_PARTIAL chunks, the device finishes each"
        : "skb_gso_segment: software GSO",
    );
    return { path: "software-gso", features, reasons };
  }

  // skb_needs_linearize: data the device cannot gather is copied into one buffer first
  if (
    (skb.fragList.length !== 0 && (features & NETIF_F.FRAGLIST) === 0n) ||
    (skb.frags.length !== 0 && (features & NETIF_F.SG) === 0n)
  ) {
    reasons.push(
      (features & NETIF_F.SG) === 0n
        ? "no tx-scatter-gather: skb linearized"
        : "no tx-scatter-gather-fraglist: skb linearized",
    );
  }
  if (skb.ipSummed === IP_SUMMED.PARTIAL) {
    if (csumHwOffloadOk(skb, features)) {
      reasons.push("CHECKSUM_PARTIAL: the device inserts the checksum");
      return { path: "hardware", features, reasons };
    }
    reasons.push(
      `CHECKSUM_PARTIAL (csum_offset ${skb.csumOffset}) the device cannot insert: skb_checksum_help completes it`,
    );
    return { path: "checksum-help", features, reasons };
  }
  reasons.push(`not GSO, ip_summed ${summed}: sent as it is`);
  return { path: "as-is", features, reasons };
}
