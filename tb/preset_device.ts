/**
 * The Linux view of a modelled NIC: a NetDevice whose features are what the
 * preset's driver would advertise (ice, ixgbe or mqnic), so `features`,
 * `segment -K` and the transmit decision see the model's capabilities.
 *
 * @module
 */

import {
  GSO_MAX_SIZE,
  NetDevice,
  registerNetDevice,
} from "../sw/net_device.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import type { SkBuff } from "../sw/types.ts";
import type { DriverMode, NicConfig } from "../hw/nic_config.ts";

/**
 * Builds the registered NetDevice of a NIC preset: SG and the checksum kind
 * it offloads, TSO/TSO6/TSO_ECN, USO and VXLAN segmentation as the preset
 * says, the same inside tunnels when it segments them, and tso_max_size from
 * its TSO length field. Given a driver mode, the features are what that
 * driver advertises instead: the software TSO helper claims TCP and UDP
 * segmentation (no ECN, no tunnels) on top of the device's checksum offload,
 * host GSO only the checksum, and no offload nothing beyond SG.
 *
 * @param cfg The NIC configuration.
 * @param mode The driver mode, when the device is seen through one.
 * @returns The device, registered (fix-up rules applied).
 *
 * @example
 * ```ts
 * import { presetDevice } from "./preset_device.ts";
 * import { resolveConfig } from "../hw/resolve_config.ts";
 * import { NETIF_F } from "../sw/netdev_features.ts";
 * const dev = presetDevice(resolveConfig("corundum-100g"));
 * (dev.features & NETIF_F.TSO) === 0n; // true: no TSO
 * const helper = presetDevice(resolveConfig("corundum-100g"), "tso-helper");
 * (helper.features & NETIF_F.TSO) !== 0n; // true: tso.c segments in the driver
 * ```
 */
export function presetDevice(cfg: NicConfig, mode?: DriverMode): NetDevice {
  const o = cfg.offload;
  let f = NETIF_F.SG | NETIF_F.HIGHDMA | NETIF_F.RXCSUM | NETIF_F.RXHASH;
  if (o.csum && mode !== "none") {
    f |= o.csumFeature === "hw"
      ? NETIF_F.HW_CSUM
      : NETIF_F.IP_CSUM | NETIF_F.IPV6_CSUM;
  }
  const hw = mode === undefined || mode === "hw-tso";
  let tso = 0n;
  if (mode === "tso-helper") {
    tso = NETIF_F.TSO | NETIF_F.TSO6 | NETIF_F.GSO_UDP_L4;
  }
  if (hw && o.tso) tso |= NETIF_F.TSO;
  if (hw && o.tso6) tso |= NETIF_F.TSO6;
  if (hw && o.tso && o.tsoEcn) tso |= NETIF_F.TSO_ECN;
  if (hw && o.uso) tso |= NETIF_F.GSO_UDP_L4;
  let tnl = 0n;
  if (hw && o.vxlan) tnl |= NETIF_F.GSO_UDP_TUNNEL;
  if (hw && o.vxlanCsum) tnl |= NETIF_F.GSO_UDP_TUNNEL_CSUM;
  f |= tso | tnl;
  const enc = tnl !== 0n
    ? NETIF_F.SG |
      (f & (NETIF_F.HW_CSUM | NETIF_F.IP_CSUM | NETIF_F.IPV6_CSUM)) |
      tso | tnl
    : 0n;
  return registerNetDevice({
    name: cfg.preset,
    features: f,
    hwFeatures: f,
    vlanFeatures: f & ~NETIF_F.HIGHDMA,
    hwEncFeatures: enc,
    // ice_features_check and ixgbe_features_check replace the default
    // vlan_features_check (so QinQ keeps TSO); their header limits are the
    // model driver's own checks. mqnic has none and gets the default.
    ...(cfg.family === "mqnic" ? {} : { ndoFeaturesCheck: driverLimitsOnly }),
    // netif_set_tso_max_size: only a segmenting device states a limit
    ...(hw && tso !== 0n && o.maxTsoPayload > 0
      ? { tsoMaxSize: Math.min(o.maxTsoPayload, GSO_MAX_SIZE) }
      : {}),
  });
}

/** The driver's ndo_features_check, whose limits the model driver applies. */
function driverLimitsOnly(_skb: SkBuff, features: bigint): bigint {
  return features;
}
