/**
 * The NIC model as an engine of the frame contract: each super-packet goes
 * to the model's driver; where the driver falls back (MSS below the
 * hardware minimum, a header too long, the `gso`/`none` modes) or the
 * stack's own limits (gso_max_size, gso_max_segs) keep it from the driver,
 * the host stack — the reference — segments it and the model checksums and
 * transmits the segments. The frames the model hands its MAC are the
 * output; dropped packets simply produce fewer frames.
 *
 * @module
 */

import { createNic, type HwEvent, type Nic } from "../hw/nic.ts";
import type { DriverMode } from "../hw/nic_config.ts";
import type { NetDevice } from "../sw/net_device.ts";
import { type SkBuff, TsolabError } from "../sw/types.ts";
import { UsageError } from "./cli_args.ts";
import { hostXmit } from "./host_xmit.ts";
import { loadModelConfig } from "./model_config.ts";
import { presetDevice } from "./preset_device.ts";
import type { Engine } from "./segment_run.ts";
import type { EngineResult } from "./sw_engine.ts";

/**
 * How to build the model.
 *
 * @example
 * ```ts
 * import type { HwEngineOptions } from "./hw_engine.ts";
 * const o: HwEngineOptions = { preset: "corundum-100g", driver: "gso" };
 * ```
 */
export interface HwEngineOptions {
  /** Preset name (default e810-100g). */
  preset?: string;
  /** Driver mode. */
  driver?: string;
  /** Path of a JSON configuration file merged over the preset. */
  config?: string;
  /** `key=value` overrides. */
  set?: string[];
  /** Record a waveform. */
  vcd?: boolean;
  /** Values the host segmentation needs to match a kernel run. */
  hints?: { ufo6FragId?: number };
}

/**
 * An engine around one NIC model instance.
 *
 * @example
 * ```ts
 * import { makeHwEngine } from "./hw_engine.ts";
 * const hw = makeHwEngine(undefined, { preset: "e810-100g" });
 * hw.finish().split("\n")[0]!.startsWith("preset e810-100g"); // true
 * ```
 */
export interface HwEngine {
  /** The engine for `segmentFrames`/`runSegment`. */
  engine: Engine;
  /** The model. */
  nic: Nic;
  /** The Linux view of the model's device as its driver mode advertises it. */
  device: NetDevice;
  /** Errors the model reported (packets it dropped). */
  errors: string[];
  /** Writes the VCD (when asked) and returns the report text. */
  finish(vcdPath?: string): string;
}

/**
 * Builds the NIC model engine.
 *
 * @param _dev Unused: the device is the model's own (kept for a uniform
 *   engine factory signature).
 * @param o Preset, driver mode, configuration, waveform.
 * @returns The engine and its model.
 * @throws {UsageError} For an unknown preset, mode or configuration key.
 *
 * @example
 * ```ts ignore
 * const hw = makeHwEngine(undefined, { driver: "hw-tso" });
 * runSegment({ input, output, gsoSize: 1448, engine: hw.engine });
 * console.log(hw.finish());
 * ```
 */
export function makeHwEngine(
  _dev: NetDevice | undefined,
  o: HwEngineOptions,
): HwEngine {
  const cfg = loadModelConfig(o);
  let nic: Nic;
  try {
    nic = createNic(cfg, {
      ...(o.driver !== undefined ? { driver: o.driver as DriverMode } : {}),
      vcd: o.vcd ?? false,
    });
  } catch (e) {
    if (e instanceof TsolabError) throw new UsageError(e.message, { cause: e });
    throw e;
  }
  const device = presetDevice(cfg, nic.driverMode);
  const errors: string[] = [];
  function* frames(events: Iterable<HwEvent>): Generator<Uint8Array> {
    for (const e of events) {
      if (e.kind === "frame") yield e.data;
      else if (e.kind === "error") errors.push(e.message);
    }
  }
  const engine: Engine = (skb: SkBuff): EngineResult => {
    const x = hostXmit(nic, device, skb, {
      csum: cfg.offload.csum,
      ufo6FragId: o.hints?.ufo6FragId ?? 0,
    });
    if (x.fallback === null) {
      return {
        frames: frames(x.events),
        path: `${nic.driverMode} (model)`,
        reasons: [],
      };
    }
    // The stack segmented (validate_xmit_skb → software GSO), completing
    // checksums itself where the device cannot offload them.
    return {
      frames: frames(x.events),
      path: `software-gso then ${nic.driverMode} (model)`,
      reasons: x.reasons.length > 0
        ? [`stack fallback: ${x.fallback}`, ...x.reasons]
        : [`driver fallback: ${x.fallback}`],
    };
  };
  return {
    engine,
    nic,
    device,
    errors,
    finish(vcdPath?: string): string {
      if (vcdPath !== undefined) Deno.writeTextFileSync(vcdPath, nic.vcd());
      return nic.reportText();
    },
  };
}
