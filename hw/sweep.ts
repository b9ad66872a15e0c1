/**
 * Throughput against send size: bulk streams of each size through the
 * model, for each driver mode the preset supports.
 *
 * @module
 */
import { bulkRun, type HostSegmenter } from "./bulk_run.ts";
import { supportedDriverModes } from "./drivers.ts";
import type { StageName } from "./stage.ts";
import type { DriverMode, NicConfig } from "./nic_config.ts";
import { resolveConfig } from "./resolve_config.ts";

/**
 * Options of `sweep`.
 *
 * @example
 * ```ts
 * import type { SweepOptions } from "./sweep.ts";
 * const o: SweepOptions = { preset: "corundum-100g", sizes: [1024, 65536] };
 * ```
 */
export interface SweepOptions {
  /** Preset (default e810-100g); ignored when `config` is given. */
  preset?: string;
  /** An effective configuration (from `resolveConfig`). */
  config?: NicConfig;
  /** Driver modes (default: all the preset supports). */
  drivers?: DriverMode[];
  /** Send sizes in bytes (default powers of two 64..65536). */
  sizes?: number[];
  /** MSS (default 1448). */
  mss?: number;
  /** Payload bytes to send per point (default 1 MiB, at least 8 sends). */
  bytesPerPoint?: number;
  /** Host segmenter for the gso/none modes and fallbacks. */
  segment?: HostSegmenter;
}

/**
 * One point of a sweep.
 *
 * @example
 * ```ts
 * import type { SweepPoint } from "./sweep.ts";
 * function label(p: SweepPoint): string { return `${p.driver} ${p.size}`; }
 * ```
 */
export interface SweepPoint {
  /** Preset. */
  preset: string;
  /** Driver mode. */
  driver: DriverMode;
  /** Send size [bytes]. */
  size: number;
  /** Sends run. */
  sends: number;
  /** Steady payload rate [Gb/s]. */
  goodputGbps: number;
  /** Wire rate over the same steady window [Gb/s]. */
  wireGbps: number;
  /** Core cycles per payload byte. */
  cyclesPerByte: number;
  /** Descriptors per send. */
  descriptorsPerSend: number;
  /** DMA mappings per send. */
  mappingsPerSend: number;
  /** PCIe wire bytes host → device per send. */
  pcieToDevicePerSend: number;
  /** PCIe wire bytes device → host per send. */
  pcieToHostPerSend: number;
  /** Busiest stage. */
  bottleneck: StageName;
  /** The busiest stage is saturated (otherwise the run is latency-bound). */
  saturated: boolean;
}

/**
 * The default sizes: powers of two from 64 to 65536.
 *
 * @returns The sizes.
 *
 * @example
 * ```ts
 * import { defaultSweepSizes } from "./sweep.ts";
 * defaultSweepSizes().length; // 11
 * ```
 */
export function defaultSweepSizes(): number[] {
  const out: number[] = [];
  for (let s = 64; s <= 65536; s *= 2) out.push(s);
  return out;
}

/**
 * Runs the sweep.
 *
 * @param o Preset or configuration, modes, sizes.
 * @returns One point per mode and size.
 *
 * @example
 * ```ts
 * import { sweep } from "./sweep.ts";
 * const pts = sweep({ preset: "82599-10g", drivers: ["hw-tso"], sizes: [65536], bytesPerPoint: 262144 });
 * pts[0]!.goodputGbps > 9; // true
 * ```
 */
export function sweep(o: SweepOptions = {}): SweepPoint[] {
  const cfg = o.config ?? resolveConfig(o.preset);
  const drivers = o.drivers ?? supportedDriverModes(cfg);
  const sizes = o.sizes ?? defaultSweepSizes();
  const bytes = o.bytesPerPoint ?? 1 << 20;
  const out: SweepPoint[] = [];
  for (const driver of drivers) {
    for (const size of sizes) {
      const sends = Math.max(8, Math.min(4096, Math.ceil(bytes / size)));
      const r = bulkRun(cfg, driver, {
        sendBytes: size,
        sends,
        mss: o.mss,
        segment: o.segment,
      });
      out.push({
        preset: cfg.preset,
        driver,
        size,
        sends,
        goodputGbps: r.steadyGoodputGbps,
        wireGbps: r.steadyWireGbps,
        cyclesPerByte: r.cyclesPerPayloadByte,
        descriptorsPerSend: r.descriptors / sends,
        mappingsPerSend: r.dmaMappings / sends,
        pcieToDevicePerSend: r.pcie.toDeviceBytes / sends,
        pcieToHostPerSend: r.pcie.toHostBytes / sends,
        bottleneck: r.bottleneck,
        saturated: r.saturated,
      });
    }
  }
  return out;
}
