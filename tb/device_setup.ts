/**
 * Applying `-K name on|off` changes to a device the way `ethtool -K` does:
 * through the wanted features and the kernel's fix-up rules.
 *
 * @module
 */

import type { NetDevice } from "../sw/net_device.ts";
import { TsolabError } from "../sw/types.ts";
import { UsageError } from "./cli_args.ts";

/**
 * Applies feature changes to a device, returning one line per feature that
 * changed (the requested ones and those the fix-up rules changed with
 * them, with the reason).
 *
 * @param dev The device (modified).
 * @param changes `[ethtool name or alias, on]` pairs, in order.
 * @returns Lines describing what changed, then each request the fix-up
 *   rules overrode, with why.
 * @throws {UsageError} For an unknown or fixed feature name.
 *
 * @example
 * ```ts
 * import { applyFeatureChanges } from "./device_setup.ts";
 * import { vethDevice } from "../sw/net_device.ts";
 * const dev = vethDevice("p2");
 * applyFeatureChanges(dev, [["tso", false]])[0]; // "tx-tcp-segmentation: off (requested)"
 * ```
 */
export function applyFeatureChanges(
  dev: NetDevice,
  changes: readonly [string, boolean][],
): string[] {
  if (changes.length === 0) return [];
  try {
    // In order and with repeats, as ethtool sends them in one request.
    const r = dev.setFeatures(changes);
    if (r.exitCode !== 0) {
      throw new UsageError(
        r.stderr ?? `-K: no requested feature could be changed on ${dev.name}`,
      );
    }
    // A request the fix-up rules overrode is reported with why, so that
    // `-K tso on` on a device without checksum offload does not pass quietly.
    return [
      ...r.changes.map((c) => c.reason),
      ...r.refused.map((c) => `${c.reason} [requested ${c.on ? "off" : "on"}]`),
    ];
  } catch (e) {
    if (e instanceof TsolabError) throw new UsageError(e.message, { cause: e });
    throw e;
  }
}
