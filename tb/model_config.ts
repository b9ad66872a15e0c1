/**
 * The NIC model's effective configuration as every command that runs the
 * model builds it: a preset, a JSON file merged over it (`--config`), then
 * `key=value` overrides (`--set`), any error as one usage line.
 *
 * @module
 */

import type { NicConfig } from "../hw/nic_config.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { TsolabError } from "../sw/types.ts";
import { UsageError } from "./cli_args.ts";

/**
 * Where the configuration comes from.
 *
 * @example
 * ```ts
 * import type { ModelConfigOptions } from "./model_config.ts";
 * const o: ModelConfigOptions = { preset: "82599-10g", set: ["pcie.lanes=4"] };
 * ```
 */
export interface ModelConfigOptions {
  /** Preset name (default e810-100g). */
  preset?: string;
  /** Path of a JSON configuration file merged over the preset. */
  config?: string;
  /** `key=value` overrides, applied last. */
  set?: string[];
}

/**
 * Builds the effective configuration.
 *
 * @param o Preset, configuration file, overrides.
 * @returns The configuration.
 * @throws {UsageError} For an unreadable or invalid file, an unknown preset
 *   or key, or a value out of range.
 *
 * @example
 * ```ts
 * import { loadModelConfig } from "./model_config.ts";
 * loadModelConfig({ preset: "82599-10g", set: ["pcie.lanes=4"] }).pcie.lanes; // 4
 * ```
 */
export function loadModelConfig(o: ModelConfigOptions): NicConfig {
  let json: Record<string, unknown> | undefined;
  if (o.config !== undefined) {
    try {
      json = JSON.parse(Deno.readTextFileSync(o.config)) as Record<
        string,
        unknown
      >;
    } catch (e) {
      throw new UsageError(
        `--config ${o.config}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  try {
    return resolveConfig(o.preset, {
      ...(json !== undefined ? { config: json } : {}),
      set: o.set ?? [],
    });
  } catch (e) {
    if (e instanceof TsolabError) {
      // resolveConfig does not know the file's name; the user does.
      const msg = o.config === undefined
        ? e.message
        : e.message.replaceAll("the config file", `--config ${o.config}`);
      throw new UsageError(msg, { cause: e });
    }
    throw e;
  }
}

/**
 * The overrides as the lockstep harness takes them (`LockstepOptions`
 * `config` and `set`), after checking them over the preset exactly as
 * {@linkcode loadModelConfig} does, so a bad file or key is one usage line
 * before anything runs.
 *
 * @param o Preset, configuration file, overrides.
 * @returns The parsed file and the overrides, each only when given.
 * @throws {UsageError} As {@linkcode loadModelConfig}.
 *
 * @example
 * ```ts
 * import { lockstepOverrides } from "./model_config.ts";
 * lockstepOverrides({ set: ["pcie.gen=3"] }); // { set: ["pcie.gen=3"] }
 * ```
 */
export function lockstepOverrides(
  o: ModelConfigOptions,
): { config?: Record<string, unknown>; set?: string[] } {
  if (o.config === undefined && o.set === undefined) return {};
  loadModelConfig(o);
  return {
    ...(o.config !== undefined
      ? {
        config: JSON.parse(Deno.readTextFileSync(o.config)) as Record<
          string,
          unknown
        >,
      }
      : {}),
    ...(o.set !== undefined ? { set: o.set } : {}),
  };
}
