/**
 * Collects what the HTML report shows: verify results over the golden
 * vectors, per-stage utilisation of every preset and driver mode for a bulk
 * stream, throughput against send size (the model's sweep), and the PCIe
 * effective-bandwidth curves. All numbers come from the model and the
 * engines; nothing here formats.
 *
 * @module
 */

import { bulkRun } from "../hw/bulk_run.ts";
import { hostSegments } from "./host_segments.ts";
import { configChanges, configEcho } from "../hw/config_echo.ts";
import { loadModelConfig, lockstepOverrides } from "./model_config.ts";
import { supportedDriverModes } from "../hw/drivers.ts";
import type { DriverMode, NicConfig } from "../hw/nic_config.ts";
import { pcieEffectiveBandwidth } from "../hw/pcie_bandwidth.ts";
import { DEFAULT_PRESET, PRESETS } from "../hw/presets.ts";
import type { StageName } from "../hw/stage.ts";
import { sweep, type SweepPoint } from "../hw/sweep.ts";
import {
  type GoldenVerifyRow,
  goldenVerifyRows,
} from "./golden_verify_rows.ts";

/**
 * Stage utilisation of one preset and driver mode over a bulk stream.
 *
 * @example
 * ```ts
 * import type { StageRun } from "./report_data.ts";
 * function busiest(r: StageRun): string { return r.bottleneck; }
 * ```
 */
export interface StageRun {
  /** Preset. */
  preset: string;
  /** Driver mode. */
  driver: DriverMode;
  /** Busy share of each stage [%] (tx-fifo: mean occupancy). */
  busyPercent: Record<StageName, number>;
  /** The busiest stage. */
  bottleneck: StageName;
  /** Steady goodput [Gb/s]. */
  goodputGbps: number;
  /** Core cycles per payload byte. */
  cyclesPerByte: number;
}

/**
 * One PCIe effective-bandwidth curve.
 *
 * @example
 * ```ts
 * import type { PcieCurve } from "./report_data.ts";
 * const c: PcieCurve = { gen: 3, lanes: 8, mps: 256, mrrs: 512, dir: "read", points: [[64, 44.1]] };
 * ```
 */
export interface PcieCurve {
  /** PCIe generation. */
  gen: number;
  /** Lanes. */
  lanes: number;
  /** Max Payload Size [bytes]. */
  mps: number;
  /** Max Read Request Size [bytes]. */
  mrrs: number;
  /** `read` (device reads host memory) or `write`. */
  dir: "read" | "write";
  /** [transfer size in bytes, effective bandwidth in Gb/s]. */
  points: [number, number][];
}

/**
 * What the report says about a preset.
 *
 * @example
 * ```ts
 * import type { PresetInfo } from "./report_data.ts";
 * import { resolveConfig } from "../hw/resolve_config.ts";
 * const p: PresetInfo = { name: "82599-10g", description: "82599-like 10G", lineGbps: 10,
 *   echo: ["config core …", "changed from preset: none"], changes: [],
 *   config: resolveConfig("82599-10g") };
 * ```
 */
export interface PresetInfo {
  /** Preset name. */
  name: string;
  /** One-line description. */
  description: string;
  /** MAC line rate [Gb/s]. */
  lineGbps: number;
  /** The effective configuration as `configEcho` gives it (two lines). */
  echo: string[];
  /** What `--config`/`--set` changed from the preset (`configChanges`). */
  changes: string[];
  /** The whole effective configuration. */
  config: NicConfig;
}

/**
 * Everything the report shows.
 *
 * @example
 * ```ts ignore
 * const data: ReportData = collectReport({ goldenFiles: [] });
 * buildReport(data);
 * ```
 */
export interface ReportData {
  /** When it was collected (ISO 8601). */
  generatedAt: string;
  /** Where the golden vectors came from. */
  goldenSource: string;
  /** The model's default preset. */
  defaultPreset: string;
  /** `--config`/`--set` applied to every preset, as given. */
  overrides: { config?: string; set?: string[] };
  /** The presets shown, in order. */
  presets: PresetInfo[];
  /** Send size of the utilisation runs [bytes]. */
  sendBytes: number;
  /** MSS of the utilisation runs and the sweep. */
  mss: number;
  /** Verify results, one per vector. */
  verify: GoldenVerifyRow[];
  /** Stage utilisation per preset and driver mode. */
  stages: StageRun[];
  /** Throughput sweep points of every preset and mode. */
  sweep: SweepPoint[];
  /** PCIe effective-bandwidth curves. */
  pcie: PcieCurve[];
}

/**
 * Options of `collectReport`.
 *
 * @example
 * ```ts
 * import type { CollectReportOptions } from "./report_data.ts";
 * const o: CollectReportOptions = { goldenFiles: [], presets: ["e810-100g"] };
 * ```
 */
export interface CollectReportOptions {
  /** Golden vector paths to verify. */
  goldenFiles: readonly string[];
  /** `--config` file and `--set` overrides applied to every preset. */
  overrides?: { config?: string; set?: string[] };
  /** What to call their source in the report (default: the common folder). */
  goldenSource?: string;
  /** Presets (default: all, the default one first). */
  presets?: readonly string[];
  /** Send size of the utilisation runs (default 65536). */
  sendBytes?: number;
  /** MSS (default 1448). */
  mss?: number;
  /** Sends per utilisation run (default 16). */
  sends?: number;
  /** Payload bytes per sweep point (default 256 KiB). */
  bytesPerPoint?: number;
  /** PCIe links as [gen, lanes] (default Gen3 x8, Gen3 x16, Gen4 x16). */
  pcieLinks?: readonly (readonly [number, number])[];
  /** PCIe transfer sizes (default 64..8192 every 8 bytes, plus 64·k + 1). */
  pcieSizes?: readonly number[];
  /** Clock for `generatedAt` (default now). */
  now?: Date;
}

/**
 * The default PCIe transfer sizes: every 8 bytes from 64 to 8192, plus one
 * byte past each multiple of 64, where a new TLP starts (the bottom of
 * each tooth of the saw).
 *
 * @returns Sorted sizes.
 *
 * @example
 * ```ts
 * import { defaultPcieSizes } from "./report_data.ts";
 * defaultPcieSizes().includes(257); // true
 * ```
 */
export function defaultPcieSizes(): number[] {
  const s = new Set<number>();
  for (let n = 64; n <= 8192; n += 8) s.add(n);
  for (let n = 64; n < 8192; n += 64) s.add(n + 1);
  return [...s].sort((a, b) => a - b);
}

/**
 * Runs everything the report shows. Takes about a second.
 *
 * @param o Golden vectors, presets, sizes.
 * @returns The data.
 * @throws {GoldenVectorError} When a golden file is not a valid vector.
 *
 * @example
 * ```ts
 * import { collectReport } from "./report_data.ts";
 * const d = collectReport({ goldenFiles: [], presets: ["82599-10g"], bytesPerPoint: 65536 });
 * d.stages.map((s) => s.driver); // ["hw-tso", "tso-helper", "gso", "none"]
 * ```
 */
export function collectReport(o: CollectReportOptions): ReportData {
  const presets = o.presets ??
    [
      DEFAULT_PRESET,
      ...Object.keys(PRESETS).filter((p) => p !== DEFAULT_PRESET),
    ];
  const sendBytes = o.sendBytes ?? 65536;
  const mss = o.mss ?? 1448;
  const stages: StageRun[] = [];
  const infos: PresetInfo[] = [];
  const points: SweepPoint[] = [];
  for (const preset of presets) {
    const cfg = loadModelConfig({ preset, ...o.overrides });
    infos.push({
      name: cfg.preset,
      description: cfg.description,
      lineGbps: cfg.mac.lineGbps,
      echo: configEcho(cfg),
      changes: configChanges(cfg),
      config: cfg,
    });
    for (const driver of supportedDriverModes(cfg)) {
      const r = bulkRun(cfg, driver, {
        sendBytes,
        mss,
        sends: o.sends ?? 16,
        segment: (skb, hostChecksum) => hostSegments(skb, hostChecksum),
      });
      stages.push({
        preset: cfg.preset,
        driver,
        busyPercent: r.busyPercent,
        bottleneck: r.bottleneck,
        goodputGbps: r.steadyGoodputGbps,
        cyclesPerByte: r.cyclesPerPayloadByte,
      });
    }
    points.push(
      ...sweep({
        config: cfg,
        mss,
        bytesPerPoint: o.bytesPerPoint ?? 1 << 18,
        segment: (skb, hostChecksum) => hostSegments(skb, hostChecksum),
      }),
    );
  }
  const sizes = o.pcieSizes ?? defaultPcieSizes();
  const pcie: PcieCurve[] = [];
  for (const dir of ["read", "write"] as const) {
    for (const [gen, lanes] of o.pcieLinks ?? [[3, 8], [3, 16], [4, 16]]) {
      pcie.push({
        gen,
        lanes,
        mps: 256,
        mrrs: 512,
        dir,
        points: sizes.map((size) => [
          size,
          pcieEffectiveBandwidth({ gen, lanes, mps: 256, mrrs: 512, size, dir })
            .gbps,
        ]),
      });
    }
  }
  const dirs = [
    ...new Set(o.goldenFiles.map((f) => f.slice(0, f.lastIndexOf("/") + 1))),
  ];
  return {
    generatedAt: (o.now ?? new Date()).toISOString(),
    goldenSource: o.goldenSource ??
      (dirs.length === 1 ? dirs[0]!.replace(/\/$/, "") : ""),
    defaultPreset: DEFAULT_PRESET,
    overrides: o.overrides ?? {},
    presets: infos,
    sendBytes,
    mss,
    verify: goldenVerifyRows(
      o.goldenFiles,
      lockstepOverrides(o.overrides ?? {}),
    ),
    stages,
    sweep: points,
    pcie,
  };
}
