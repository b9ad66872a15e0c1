/**
 * Picks the descriptor format of a family.
 *
 * @module
 */
import { ICE_FORMAT } from "./desc_ice.ts";
import { IXGBE_FORMAT } from "./desc_ixgbe.ts";
import { mqnicFormat } from "./desc_mqnic.ts";
import type { DescriptorFormat } from "./descriptor_format.ts";
import type { DescriptorFamily } from "./nic_config.ts";

/**
 * Returns the descriptor format of a family.
 *
 * @param family `ice`, `ixgbe` or `mqnic`.
 * @param descBlock Descriptors per ring entry (mqnic only).
 * @returns The format.
 *
 * @example
 * ```ts
 * import { descriptorFormat } from "./descriptor_formats.ts";
 * descriptorFormat("mqnic", 4).entryBytes; // 64
 * ```
 */
export function descriptorFormat(
  family: DescriptorFamily,
  descBlock: number,
): DescriptorFormat {
  switch (family) {
    case "ice":
      return ICE_FORMAT;
    case "ixgbe":
      return IXGBE_FORMAT;
    case "mqnic":
      return mqnicFormat(descBlock);
  }
}
