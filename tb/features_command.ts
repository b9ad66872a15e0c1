/**
 * `tsolab features`: the model device's features as `ethtool -k` prints
 * them, changed with `-K` through the kernel's fix-up rules (showing what
 * else changed and why), and its GSO/TSO size limits, settable.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { resolveConfig } from "../hw/resolve_config.ts";
import { ethtoolShow, type NetDevice } from "../sw/net_device.ts";
import { TsolabError } from "../sw/types.ts";
import { extractFeatureArgs, intOption, UsageError } from "./cli_args.ts";
import { applyFeatureChanges } from "./device_setup.ts";
import { presetDevice } from "./preset_device.ts";

/**
 * Help text of `features`.
 *
 * @example
 * ```ts
 * import { FEATURES_HELP } from "./features_command.ts";
 * console.log(FEATURES_HELP);
 * ```
 */
export const FEATURES_HELP =
  `tsolab features — the model device's offload features, as ethtool shows them

Usage:
  tsolab features [--preset e810-100g|82599-10g|corundum-100g] [-K name on|off …]
                  [--gso-max-size N] [--gso-ipv4-max-size N] [--gso-max-segs N]
                  [--tso-max-size N] [--tso-max-segs N] [--json]

Prints the features of the preset's device (default: the model's default
preset, e810-100g) as "ethtool -k" does: Linux names, on/off, [fixed] for
features the driver does not let you change. -K changes features by their
ethtool names or the legacy aliases (sg, tso, gso, tx, …) through the
kernel's netdev_fix_features rules, and prints every feature that changed
with the reason (e.g. "tx-tcp-segmentation: off (requires
tx-scatter-gather)"). The size limits are shown and can be set; a value
the device cannot take is refused as the kernel refuses it (EINVAL; ERANGE
for a gso_max_size or gso_ipv4_max_size below 193, MAX_TCP_HEADER + 1 on
the capture kernel's build; other builds differ).

Example:
  deno task tsolab features --preset corundum-100g -K sg off
`;

function setLimits(
  dev: NetDevice,
  v: Record<string, string | boolean | undefined>,
): void {
  const take = (name: string, set: (n: number) => void) => {
    const s = v[name];
    if (typeof s === "string") set(intOption(`--${name}`, s, 0, 0xffffffff));
  };
  // tso limits first: they bound the gso ones (netif_set_tso_max_size)
  take("tso-max-size", (n) => dev.setTsoMaxSize(n));
  take("tso-max-segs", (n) => dev.setTsoMaxSegs(n));
  take("gso-max-size", (n) => dev.setGsoMaxSize(n));
  take("gso-ipv4-max-size", (n) => dev.setGsoIpv4MaxSize(n));
  take("gso-max-segs", (n) => dev.setGsoMaxSegs(n));
}

/**
 * Runs `features` with command-line arguments.
 *
 * @param args Arguments after `features`.
 * @returns The exit status.
 * @throws {UsageError} For bad usage or a refused change.
 *
 * @example
 * ```ts
 * import { featuresMain } from "./features_command.ts";
 * // Prints corundum-100g's features as `ethtool -k` shows them.
 * await featuresMain(["--preset", "corundum-100g"]); // 0
 * ```
 */
export function featuresMain(args: string[]): Promise<number> {
  const { rest, changes } = extractFeatureArgs(args);
  const { values } = parseArgs({
    args: rest,
    options: {
      preset: { type: "string" },
      "gso-max-size": { type: "string" },
      "gso-ipv4-max-size": { type: "string" },
      "gso-max-segs": { type: "string" },
      "tso-max-size": { type: "string" },
      "tso-max-segs": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(FEATURES_HELP);
    return Promise.resolve(0);
  }
  let dev: NetDevice;
  try {
    dev = presetDevice(resolveConfig(values.preset));
    setLimits(dev, values);
  } catch (e) {
    if (e instanceof TsolabError && !(e instanceof UsageError)) {
      throw new UsageError(e.message, { cause: e });
    }
    throw e;
  }
  const changed = applyFeatureChanges(dev, changes);
  const limits = {
    gso_max_size: dev.gsoMaxSize,
    gso_ipv4_max_size: dev.gsoIpv4MaxSize,
    gso_max_segs: dev.gsoMaxSegs,
    tso_max_size: dev.tsoMaxSize,
    tso_max_segs: dev.tsoMaxSegs,
  };
  if (values.json) {
    console.log(JSON.stringify({
      device: dev.name,
      features: ethtoolShow(dev, { flat: true }).slice(1).map((l) => {
        const m = l.trim().match(/^(\S+): (on|off)( \[fixed\])?/);
        return m
          ? { name: m[1], on: m[2] === "on", fixed: m[3] !== undefined }
          : l;
      }),
      changed,
      limits,
    }));
    return Promise.resolve(0);
  }
  for (const c of changed) console.log(c);
  if (changed.length > 0) console.log("");
  for (const l of ethtoolShow(dev)) console.log(l);
  console.log("");
  for (const [k, n] of Object.entries(limits)) console.log(`${k}: ${n}`);
  return Promise.resolve(0);
}
