/**
 * Picks the driver model for a mode, checking the preset can run it.
 *
 * @module
 */
import { gsoDriver } from "./driver_gso.ts";
import { hwTsoDriver } from "./driver_hw_tso.ts";
import { noneDriver } from "./driver_none.ts";
import { tsoHelperDriver } from "./driver_tso_helper.ts";
import { HwUsageError } from "./errors.ts";
import type { DriverMode, NicConfig } from "./nic_config.ts";
import { DRIVER_MODES } from "./nic_config.ts";
import type { TxDriver } from "./tx_driver.ts";

/**
 * The driver modes a configuration supports: `hw-tso` needs TSO or USO,
 * `tso-helper` and `gso` need checksum offload, `none` always works.
 *
 * @param cfg The configuration.
 * @returns The modes, in report order.
 *
 * @example
 * ```ts
 * import { supportedDriverModes } from "./drivers.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * supportedDriverModes(resolveConfig("corundum-100g")); // ["tso-helper", "gso", "none"]
 * ```
 */
export function supportedDriverModes(cfg: NicConfig): DriverMode[] {
  const o = cfg.offload;
  return DRIVER_MODES.filter((m) => {
    if (m === "hw-tso") {
      return cfg.family !== "mqnic" && (o.tso || o.tso6 || o.uso);
    }
    if (m === "tso-helper" || m === "gso") return o.csum;
    return true;
  });
}

/**
 * The driver mode a run takes when none is asked for: the first the preset
 * supports, so hardware TSO wherever the device has it.
 *
 * @param cfg The configuration.
 * @returns The mode.
 *
 * @example
 * ```ts
 * import { defaultDriverMode } from "./drivers.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * defaultDriverMode(resolveConfig("corundum-100g")); // "tso-helper"
 * ```
 */
export function defaultDriverMode(cfg: NicConfig): DriverMode {
  // "none" needs no offload, so the list is never empty.
  return supportedDriverModes(cfg)[0];
}

/**
 * Builds the driver model for a mode.
 *
 * @param mode The driver mode.
 * @param cfg The configuration.
 * @returns The driver.
 * @throws {HwUsageError} When the preset cannot run the mode.
 *
 * @example
 * ```ts
 * import { createDriver } from "./drivers.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * createDriver("gso", resolveConfig()).mode; // "gso"
 * ```
 */
export function createDriver(mode: DriverMode, cfg: NicConfig): TxDriver {
  if (!DRIVER_MODES.includes(mode)) {
    throw new HwUsageError(
      `Unknown driver mode "${mode}": expected one of ${
        DRIVER_MODES.join(", ")
      }`,
    );
  }
  if (!supportedDriverModes(cfg).includes(mode)) {
    throw new HwUsageError(
      `Cannot run driver "${mode}" on preset "${cfg.preset}": the device lacks the offload it needs`,
    );
  }
  switch (mode) {
    case "hw-tso":
      return hwTsoDriver(cfg);
    case "tso-helper":
      return tsoHelperDriver(cfg);
    case "gso":
      return gsoDriver(cfg);
    case "none":
      return noneDriver(cfg);
  }
}
