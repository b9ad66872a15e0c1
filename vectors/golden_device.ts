/**
 * The egress device a golden vector's super-packet was segmented by, as a
 * `NetDevice` an engine can transmit on: rebuilt from the ethtool names in
 * the vector's comment.
 *
 * @module
 */

import { kernelCaptureEgressDevice, NetDevice } from "../sw/net_device.ts";
import {
  ethtoolAlias,
  featureByName,
  featureNames,
  UnknownFeatureError,
} from "../sw/netdev_features.ts";
import { GoldenVectorError } from "./golden_error.ts";
import type { SuperPacketMeta } from "./golden_meta.ts";

/**
 * The feature set named by a list of ethtool names.
 *
 * @param names Ethtool feature names (`tx-scatter-gather`, …).
 * @param where Where the list came from, for messages.
 * @returns The bit set.
 * @throws {GoldenVectorError} When a name is not a known feature.
 *
 * @example
 * ```ts
 * import { featuresFromNames } from "./golden_device.ts";
 * import { NETIF_F } from "../sw/netdev_features.ts";
 * featuresFromNames(["tx-scatter-gather"], "x") === NETIF_F.SG; // true
 * ```
 */
export function featuresFromNames(
  names: readonly string[],
  where: string,
): bigint {
  let f = 0n;
  for (const n of names) {
    try {
      f |= featureByName(n);
    } catch (e) {
      if (!(e instanceof UnknownFeatureError)) throw e;
      throw new GoldenVectorError(`${where}: unknown feature "${n}"`);
    }
  }
  return f;
}

/**
 * Canonical feature names from a list as `ethtool -k` prints the enabled
 * ones: kernel feature strings are kept; a legacy heading that stands for
 * one feature (`rx-checksumming`, `generic-segmentation-offload`,
 * `tx-vlan-offload`) becomes that feature's string; a heading over several
 * (`scatter-gather`, `tcp-segmentation-offload`) is dropped, since ethtool
 * lists its features under it. The result is in bit order, each name once.
 *
 * @param names Enabled names, as printed.
 * @param where Where the list came from, for messages.
 * @returns Kernel feature strings in bit order.
 * @throws {GoldenVectorError} When a name is neither a feature nor a
 *   legacy heading.
 *
 * @example
 * ```ts
 * import { canonicalFeatureNames } from "./golden_device.ts";
 * canonicalFeatureNames(["scatter-gather", "tx-scatter-gather", "rx-checksumming"], "x");
 * // ["tx-scatter-gather", "rx-checksum"]
 * ```
 */
export function canonicalFeatureNames(
  names: readonly string[],
  where: string,
): string[] {
  let f = 0n;
  for (const n of names) {
    try {
      f |= featureByName(n);
      continue;
    } catch (e) {
      if (!(e instanceof UnknownFeatureError)) throw e;
    }
    const alias = ethtoolAlias(n);
    if (alias === undefined) {
      throw new GoldenVectorError(`${where}: unknown feature "${n}"`);
    }
    // A heading over one feature is printed instead of it.
    if (alias !== 0n && (alias & (alias - 1n)) === 0n) f |= alias;
  }
  return featureNames(f);
}

/**
 * The enabled ethtool features of the kernel captures' egress port p2
 * (`kernelCaptureEgressDevice()`), in bit order: what kernel-made vectors
 * record as `features`.
 *
 * @returns The names.
 *
 * @example
 * ```ts
 * import { kernelCaptureFeatureNames } from "./golden_device.ts";
 * kernelCaptureFeatureNames().includes("tx-generic-segmentation"); // true
 * ```
 */
export function kernelCaptureFeatureNames(): string[] {
  return featureNames(kernelCaptureEgressDevice().features);
}

/**
 * The egress device of a super-packet: the kernel captures' p2 when the
 * features are exactly p2's (and no other device fields are given);
 * otherwise a device whose active, changeable, VLAN and tunnel features
 * are exactly the named ones (`enc_features` for the tunnel ones when
 * given) and whose GSO_PARTIAL types are `partial_features`.
 *
 * @param meta The super-packet's metadata.
 * @param where Where it came from, for messages.
 * @returns A device to transmit on.
 * @throws {GoldenVectorError} When a feature name is unknown.
 *
 * @example
 * ```ts
 * import { goldenDevice, kernelCaptureFeatureNames } from "./golden_device.ts";
 * import { SKB_GSO } from "../sw/types.ts";
 * const dev = goldenDevice({
 *   gsoSize: 1448, gsoType: SKB_GSO.TCPV4, csumStart: 34, csumOffset: 16,
 *   features: kernelCaptureFeatureNames(), origin: "kernel", source: "socket",
 * }, "tcp4.pcapng");
 * dev.name; // "p2"
 * ```
 */
export function goldenDevice(
  meta: SuperPacketMeta,
  where = "vector",
): NetDevice {
  const features = featuresFromNames(meta.features, `${where}: features`);
  const p2 = kernelCaptureEgressDevice();
  if (
    features === p2.features && meta.encFeatures === undefined &&
    meta.partialFeatures === undefined
  ) return p2;
  const enc = meta.encFeatures === undefined
    ? features
    : featuresFromNames(meta.encFeatures, `${where}: enc_features`);
  const partial = meta.partialFeatures === undefined
    ? 0n
    : featuresFromNames(meta.partialFeatures, `${where}: partial_features`);
  const dev = new NetDevice({
    name: "golden0",
    features,
    hwFeatures: features,
    hwEncFeatures: enc,
    vlanFeatures: features,
    mplsFeatures: features,
    gsoPartialFeatures: partial,
  });
  // The features are the recorded state: no registration steps on top.
  dev.wantedFeatures = features;
  dev.registered = true;
  return dev;
}
