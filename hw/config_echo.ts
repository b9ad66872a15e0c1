/**
 * The effective configuration as every report echoes it: a summary of the
 * figures that set the pace, and what the run changed from its preset as
 * `key=value` items in the `--set` syntax, so a report shows exactly what
 * `--config` and `--set` did and the items can be pasted back as `--set`.
 *
 * @module
 */

import type { NicConfig } from "./nic_config.ts";
import { PRESETS } from "./presets.ts";

/**
 * Every value of `config` that differs from its preset, as `key=value` with
 * dotted keys in the preset's order; an empty list when nothing changed.
 * Lists print as `[1,4]`.
 *
 * @param config An effective configuration (`resolveConfig`).
 * @returns The changes; `["preset=NAME"]` alone for a preset not in
 *   {@linkcode PRESETS}, which has nothing to compare with.
 *
 * @example
 * ```ts
 * import { configChanges } from "./config_echo.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * configChanges(resolveConfig("e810-100g", { set: ["pcie.gen=3", "faults.mssOffByOne=2"] }));
 * // ["pcie.gen=3", "faults.mssOffByOne=[2]"]
 * ```
 */
export function configChanges(config: NicConfig): string[] {
  const base = PRESETS[config.preset];
  if (base === undefined) return [`preset=${config.preset}`];
  const out: string[] = [];
  diff(
    base as unknown as Record<string, unknown>,
    config as unknown as Record<string, unknown>,
    "",
    out,
  );
  return out;
}

function diff(
  base: Record<string, unknown>,
  now: Record<string, unknown>,
  prefix: string,
  out: string[],
): void {
  for (const [k, b] of Object.entries(base)) {
    const v = now[k];
    const key = prefix + k;
    if (isObject(b) && isObject(v)) diff(b, v, `${key}.`, out);
    else if (JSON.stringify(b) !== JSON.stringify(v)) {
      out.push(`${key}=${Array.isArray(v) ? `[${v.join(",")}]` : String(v)}`);
    }
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * The echo's two text lines: `config …` (clock and width, PCIe link, ring,
 * checksum mode, MAC, FIFO) and `changed from preset: k=v, …` (or `none`).
 *
 * @param c An effective configuration.
 * @returns The two lines.
 *
 * @example
 * ```ts
 * import { configEcho } from "./config_echo.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * configEcho(resolveConfig("82599-10g", { set: ["pcie.lanes=4"] }))[1];
 * // "changed from preset: pcie.lanes=4"
 * ```
 */
export function configEcho(c: NicConfig): [string, string] {
  const changes = configChanges(c);
  return [
    `config core ${
      c.core.busBytes * 8
    }-bit @ ${c.core.clockMHz} MHz; PCIe Gen${c.pcie.gen} x${c.pcie.lanes} MPS ${c.pcie.mps} MRRS ${c.pcie.mrrs} RCB ${c.pcie.rcb}${
      c.pcie.splitAtRcb ? " (split at RCB)" : ""
    } tags ${c.pcie.tags}, read latency ${c.pcie.readLatencyNs} ns + ${c.pcie.readLatencyNsPerByte} ns/B; ring ${c.ring.entries} × ${
      c.ring.descBytes * c.ring.descBlock
    } B, fetch ${c.ring.fetchBatch}, cache ${c.ring.cacheEntries}, write-back ${c.ring.writeback}/${c.ring.writebackBatch}; checksum ${c.checksum.mode}; MAC ${c.mac.lineGbps} Gb/s, preamble+SFD ${c.mac.preambleSfd} B, IFG ${c.mac.ifg} B; TX FIFO ${c.txFifoBytes} B`,
    `changed from preset: ${changes.length > 0 ? changes.join(", ") : "none"}`,
  ];
}
