/**
 * The `none` driver model: no offloads at all. The host segments and
 * completes every checksum in software, and each packet is copied into one
 * linear buffer (no scatter-gather) and posted with a single descriptor.
 *
 * @module
 */
import type { SkBuff } from "../sw/types.ts";
import { mapPlain } from "./driver_common.ts";
import type { NicConfig } from "./nic_config.ts";
import type {
  DriverCheck,
  DriverContext,
  DriverResult,
  TxDriver,
} from "./tx_driver.ts";

/**
 * Builds the `none` driver.
 *
 * @param _cfg The configuration (unused: nothing is offloaded).
 * @returns The driver.
 *
 * @example
 * ```ts
 * import { noneDriver } from "./driver_none.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * noneDriver(resolveConfig()).mode; // "none"
 * ```
 */
export function noneDriver(_cfg: NicConfig): TxDriver {
  function check(skb: SkBuff): DriverCheck {
    return {
      fallback: skb.gsoSize > 0 ? "host-gso" : null,
      hostChecksum: true,
      linearize: true,
    };
  }
  function map(skb: SkBuff, ctx: DriverContext): DriverResult {
    return mapPlain(skb, ctx, true, false);
  }
  return { mode: "none", check, map };
}
