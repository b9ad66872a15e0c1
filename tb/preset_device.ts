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
import type { NicConfig } from "../hw/nic_config.ts";

/**
 * Builds the registered NetDevice of a NIC preset: SG and the checksum kind
 * it offloads, TSO/TSO6/TSO_ECN, USO and VXLAN segmentation as the preset
 * says, the same inside tunnels when it segments them, and tso_max_size from
 * its TSO length field.
 *
 * @param cfg The NIC configuration.
 * @returns The device, registered (fix-up rules applied).
 *
 * @example
 * ```ts ignore
 * const dev = presetDevice(resolveConfig("corundum-100g"));
 * (dev.features & NETIF_F.TSO) === 0n; // true: no TSO
 * ```
 */
export function presetDevice(cfg: NicConfig): NetDevice {
  const o = cfg.offload;
  let f = NETIF_F.SG | NETIF_F.HIGHDMA | NETIF_F.RXCSUM | NETIF_F.RXHASH;
  if (o.csum) {
    f |= o.csumFeature === "hw"
      ? NETIF_F.HW_CSUM
      : NETIF_F.IP_CSUM | NETIF_F.IPV6_CSUM;
  }
  let tso = 0n;
  if (o.tso) tso |= NETIF_F.TSO;
  if (o.tso6) tso |= NETIF_F.TSO6;
  if (o.tso && o.tsoEcn) tso |= NETIF_F.TSO_ECN;
  if (o.uso) tso |= NETIF_F.GSO_UDP_L4;
  let tnl = 0n;
  if (o.vxlan) tnl |= NETIF_F.GSO_UDP_TUNNEL;
  if (o.vxlanCsum) tnl |= NETIF_F.GSO_UDP_TUNNEL_CSUM;
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
    // netif_set_tso_max_size: only a segmenting device states a limit
    ...(tso !== 0n && o.maxTsoPayload > 0
      ? { tsoMaxSize: Math.min(o.maxTsoPayload, GSO_MAX_SIZE) }
      : {}),
  });
}
