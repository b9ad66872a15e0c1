/**
 * The `gso` driver model: the host stack segments (the testbench hands the
 * reference's segments to `Nic.transmitSegments`), the driver posts each
 * segment with checksum offload when the hardware can do it, and the NIC
 * checksums and transmits. Reports label it "checksum/MAC only".
 *
 * @module
 */
import { IP_SUMMED, type SkBuff } from "../sw/types.ts";
import { csumRefusal, mapPlain, needsLinearize } from "./driver_common.ts";
import type { NicConfig } from "./nic_config.ts";
import { skbLayout } from "./skb_layout.ts";
import type {
  DriverCheck,
  DriverContext,
  DriverResult,
  TxDriver,
} from "./tx_driver.ts";

/**
 * Builds the `gso` driver for a configuration.
 *
 * @param cfg The configuration.
 * @returns The driver.
 *
 * @example
 * ```ts
 * import { gsoDriver } from "./driver_gso.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * gsoDriver(resolveConfig("corundum-100g")).mode; // "gso"
 * ```
 */
export function gsoDriver(cfg: NicConfig): TxDriver {
  function check(skb: SkBuff): DriverCheck {
    const partial = skb.ipSummed === IP_SUMMED.PARTIAL;
    const hostChecksum = !cfg.offload.csum ||
      (partial && csumRefusal(cfg, skb, skbLayout(skb)) !== null);
    if (skb.gsoSize > 0) {
      return { fallback: "host-gso", hostChecksum, linearize: false };
    }
    return {
      fallback: null,
      hostChecksum,
      linearize: needsLinearize(cfg, skb),
    };
  }
  function map(skb: SkBuff, ctx: DriverContext): DriverResult {
    return mapPlain(skb, ctx, false, true);
  }
  return { mode: "gso", check, map };
}
