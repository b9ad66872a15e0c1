/**
 * The 2008 question in numbers: what one 64 KiB send at MSS 1448 costs in
 * each driver mode — descriptors, DMA mappings, PCIe bytes, cycles per
 * byte, Gb/s — hardware TSO on the e810-like NIC and the other three modes
 * on both the e810-like and the Corundum-like ("non-TSO capable") NIC.
 * Steady state over a bulk stream; per-send figures are averages.
 *
 * @module
 */
import { bulkRun, type HostSegmenter } from "./bulk_run.ts";
import type { DriverMode } from "./nic_config.ts";
import { resolveConfig } from "./resolve_config.ts";
import type { StageName } from "./stage.ts";

/**
 * One row of the table.
 *
 * @example
 * ```ts
 * import type { DriverModeRow } from "./driver_mode_table.ts";
 * function pcie(r: DriverModeRow): number { return r.pcieToDevice + r.pcieToHost; }
 * ```
 */
export interface DriverModeRow {
  /** Preset. */
  preset: string;
  /** Driver mode. */
  driver: DriverMode;
  /** Descriptors the NIC read per send. */
  descriptors: number;
  /** DMA mappings per send. */
  dmaMappings: number;
  /** PCIe wire bytes host → device per send. */
  pcieToDevice: number;
  /** PCIe wire bytes device → host per send. */
  pcieToHost: number;
  /** Bytes the host copied per send. */
  hostCopyBytes: number;
  /** Bytes the host checksummed per send. */
  hostChecksumBytes: number;
  /** NIC core cycles per payload byte. */
  cyclesPerByte: number;
  /** Steady goodput [Gb/s]. */
  gbps: number;
  /** Busiest stage. */
  bottleneck: StageName;
}

/**
 * Options of `driverModeTable`.
 *
 * @example
 * ```ts
 * import type { DriverModeTableOptions } from "./driver_mode_table.ts";
 * const o: DriverModeTableOptions = { sends: 8 };
 * ```
 */
export interface DriverModeTableOptions {
  /** Send size (default 65536). */
  sendBytes?: number;
  /** MSS (default 1448). */
  mss?: number;
  /** Sends per row (default 16). */
  sends?: number;
  /** Host segmenter (the reference's, from the testbench). */
  segment?: HostSegmenter;
}

/**
 * Builds the table.
 *
 * @param o Size, MSS, sends, segmenter.
 * @returns Seven rows: e810-100g × four modes, corundum-100g × three.
 *
 * @example
 * ```ts
 * import { driverModeTable } from "./driver_mode_table.ts";
 * const rows = driverModeTable({ sends: 4 });
 * rows.find((r) => r.driver === "hw-tso")!.descriptors; // 18
 * ```
 */
export function driverModeTable(
  o: DriverModeTableOptions = {},
): DriverModeRow[] {
  const plan: [string, DriverMode][] = [
    ["e810-100g", "hw-tso"],
    ["e810-100g", "tso-helper"],
    ["e810-100g", "gso"],
    ["e810-100g", "none"],
    ["corundum-100g", "tso-helper"],
    ["corundum-100g", "gso"],
    ["corundum-100g", "none"],
  ];
  const sends = o.sends ?? 16;
  return plan.map(([preset, driver]) => {
    const r = bulkRun(resolveConfig(preset), driver, {
      sendBytes: o.sendBytes ?? 65536,
      mss: o.mss ?? 1448,
      sends,
      segment: o.segment,
    });
    return {
      preset,
      driver,
      descriptors: r.descriptors / sends,
      dmaMappings: r.dmaMappings / sends,
      pcieToDevice: r.pcie.toDeviceBytes / sends,
      pcieToHost: r.pcie.toHostBytes / sends,
      hostCopyBytes: r.host.copyBytes / sends,
      hostChecksumBytes: r.host.checksumBytes / sends,
      cyclesPerByte: r.cyclesPerPayloadByte,
      gbps: r.steadyGoodputGbps,
      bottleneck: r.bottleneck,
    };
  });
}

/**
 * Renders the table as Markdown.
 *
 * @param rows Rows from `driverModeTable`.
 * @returns A Markdown table.
 *
 * @example
 * ```ts
 * import { driverModeTable, driverModeTableMarkdown } from "./driver_mode_table.ts";
 * driverModeTableMarkdown(driverModeTable({ sends: 4 })).startsWith("| preset"); // true
 * ```
 */
export function driverModeTableMarkdown(
  rows: readonly DriverModeRow[],
): string {
  const out = [
    "| preset | driver | descriptors | DMA mappings | PCIe bytes to device | PCIe bytes to host | host copies (B) | host checksums (B) | cycles/byte | Gb/s | bottleneck |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const r of rows) {
    out.push(
      `| ${r.preset} | ${r.driver} | ${r.descriptors.toFixed(0)} | ${
        r.dmaMappings.toFixed(0)
      } | ${r.pcieToDevice.toFixed(0)} | ${r.pcieToHost.toFixed(0)} | ${
        r.hostCopyBytes.toFixed(0)
      } | ${r.hostChecksumBytes.toFixed(0)} | ${r.cyclesPerByte.toFixed(3)} | ${
        r.gbps.toFixed(2)
      } | ${r.bottleneck} |`,
    );
  }
  return out.join("\n") + "\n";
}
