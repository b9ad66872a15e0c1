/**
 * The model's run report: what it cost in cycles, bytes and time, where
 * the time went, and what the driver had to fall back on. A plain object
 * (JSON-able) plus a text rendering that echoes the effective
 * configuration.
 *
 * @module
 */
import type { DriverMode, NicConfig } from "./nic_config.ts";
import type { DirectionBytes, PcieTrafficKind } from "./pcie_link_model.ts";
import type { StageName } from "./stage.ts";
import { configEcho } from "./config_echo.ts";

/**
 * Distribution of a per-packet quantity.
 *
 * @example
 * ```ts
 * import { latencyStats } from "./hw_report.ts";
 * latencyStats([4, 1, 3, 2]); // { min: 1, median: 2, p99: 4, max: 4 }
 * ```
 */
export interface LatencyStats {
  /** Smallest. */
  min: number;
  /** Median (nearest rank). */
  median: number;
  /** 99th percentile (nearest rank). */
  p99: number;
  /** Largest. */
  max: number;
}

/**
 * Min, median, p99 and max by nearest rank.
 *
 * @param values The values (any order).
 * @returns The statistics, all 0 for no values.
 *
 * @example
 * ```ts
 * import { latencyStats } from "./hw_report.ts";
 * latencyStats([]).max; // 0
 * ```
 */
export function latencyStats(values: readonly number[]): LatencyStats {
  if (values.length === 0) return { min: 0, median: 0, p99: 0, max: 0 };
  const s = Float64Array.from(values).sort();
  const rank = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)]!;
  return {
    min: s[0]!,
    median: rank(0.5),
    p99: rank(0.99),
    max: s[s.length - 1]!,
  };
}

/**
 * PCIe traffic of a run.
 *
 * @example
 * ```ts
 * import type { PcieReport } from "./hw_report.ts";
 * function total(p: PcieReport): number { return p.toDeviceBytes + p.toHostBytes; }
 * ```
 */
export interface PcieReport {
  /** Wire bytes host → device. */
  toDeviceBytes: number;
  /** Wire bytes device → host. */
  toHostBytes: number;
  /** TLPs host → device. */
  tlpsToDevice: number;
  /** TLPs device → host. */
  tlpsToHost: number;
  /** Bytes by purpose. */
  byKind: Record<PcieTrafficKind, DirectionBytes>;
  /** TLP-layer bandwidth per direction [Gb/s]. */
  tlpGbps: number;
  /** Busy share host → device [%]. */
  utilizationToDevice: number;
  /** Busy share device → host [%]. */
  utilizationToHost: number;
}

/**
 * Host-side work of the driver models.
 *
 * @example
 * ```ts
 * import type { HostReport } from "./hw_report.ts";
 * const h: HostReport = { copyBytes: 0, checksumBytes: 0, linearized: 0 };
 * ```
 */
export interface HostReport {
  /** Bytes copied (headers, linearization, bounce buffers). */
  copyBytes: number;
  /** Bytes checksummed in software. */
  checksumBytes: number;
  /** Packets linearized. */
  linearized: number;
}

/**
 * The report of a run.
 *
 * @example
 * ```ts
 * import { createNic } from "./nic.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * const r = createNic(resolveConfig(), { driver: "hw-tso" }).report();
 * r.frames; // 0
 * ```
 */
export interface HwReport {
  /** Preset name. */
  preset: string;
  /** Descriptor family. */
  family: string;
  /** Driver mode. */
  driver: DriverMode;
  /** What the mode means, e.g. "checksum/MAC only" for `gso`. */
  driverLabel: string;
  /** The effective configuration. */
  config: NicConfig;
  /** What it changed from the preset, as `key=value` (`configChanges`). */
  configChanges: string[];
  /** skbs handed to the model (super-packets or host segment batches). */
  packets: number;
  /** Packets posted to the ring. */
  ringPackets: number;
  /** Frames handed to the MAC. */
  frames: number;
  /** Packets dropped on an error event. */
  droppedPackets: number;
  /** Core cycles from the first doorbell to the last bit. */
  cycles: number;
  /** The same span in ns. */
  ns: number;
  /** Innermost L4 payload bytes sent. */
  payloadBytes: number;
  /** Frame bytes handed to the MAC. */
  frameBytes: number;
  /** Bytes on the wire (preamble, padding, FCS, IFG included). */
  wireBytes: number;
  /** Core cycles per payload byte. */
  cyclesPerPayloadByte: number;
  /** Payload rate over the whole span [Gb/s]. */
  goodputGbps: number;
  /** Wire rate over the whole span [Gb/s]. */
  wireGbps: number;
  /** Payload rate between the first and the last packet's last bit [Gb/s]. */
  steadyGoodputGbps: number;
  /** Wire rate over the same window as `steadyGoodputGbps` [Gb/s]. */
  steadyWireGbps: number;
  /** PCIe traffic. */
  pcie: PcieReport;
  /** Descriptors read by the NIC. */
  descriptors: number;
  /** Descriptor read transactions. */
  descriptorFetches: number;
  /** DMA mappings the drivers made. */
  dmaMappings: number;
  /** Payload read requests. */
  dmaReadRequests: number;
  /** Host-side work. */
  host: HostReport;
  /** Software-GSO fallbacks (and linearizations) by reason. */
  fallbacks: Record<string, number>;
  /** Error events by rule. */
  errors: Record<string, number>;
  /** Doorbell to last bit per packet [ns]. */
  latencyNs: LatencyStats;
  /** The same in core cycles. */
  latencyCycles: LatencyStats;
  /** Busy share of each stage over the span [%] (TX FIFO: mean occupancy). */
  busyPercent: Record<StageName, number>;
  /** The busiest stage: the bottleneck when `saturated`. */
  bottleneck: StageName;
  /**
   * A stage limits the run: the busiest was busy for at least
   * {@linkcode SATURATED_PERCENT} of the span, or the steady wire rate
   * reached {@linkcode MAC_AT_LINE} of the line rate (the MAC). Otherwise
   * the run is bound by latency (doorbells, descriptor and payload round
   * trips), not by a stage.
   */
  saturated: boolean;
  /** Highest TX FIFO occupancy [bytes]. */
  txFifoMaxBytes: number;
}

/**
 * Busy share [%] above which a stage counts as the bottleneck. A limiting
 * stage runs at 95–100% over a bulk run (ramp-up and drain included);
 * stages of a latency-bound run stay well below.
 *
 * @example
 * ```ts
 * import { SATURATED_PERCENT } from "./hw_report.ts";
 * SATURATED_PERCENT; // 90
 * ```
 */
export const SATURATED_PERCENT = 90;

/**
 * Share of the line rate at which the steady wire rate counts as the MAC
 * saturated.
 *
 * @example
 * ```ts
 * import { MAC_AT_LINE } from "./hw_report.ts";
 * MAC_AT_LINE; // 0.97
 * ```
 */
export const MAC_AT_LINE = 0.97;

/**
 * The bottleneck as a report states it: the stage, or that none is
 * saturated and which was busiest.
 *
 * @param r The report.
 * @returns E.g. "mac (98.1% busy)" or "none saturated (busiest mac 64.0%):
 *   latency-bound".
 *
 * @example
 * ```ts
 * import { bottleneckText } from "./hw_report.ts";
 * import { createNic } from "./nic.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * bottleneckText(createNic(resolveConfig()).report()); // "none saturated (busiest desc-fetch 0.0%): latency-bound"
 * ```
 */
export function bottleneckText(r: HwReport): string {
  const busy = r.busyPercent[r.bottleneck];
  const pct = busy.toFixed(1);
  if (!r.saturated) {
    return `none saturated (busiest ${r.bottleneck} ${pct}%): latency-bound`;
  }
  return busy >= SATURATED_PERCENT
    ? `${r.bottleneck} (${pct}% busy)`
    : `${r.bottleneck} (line rate in steady state, ${pct}% busy over the run)`;
}

function activeFaults(c: HwReport["config"]): string[] {
  return Object.entries(c.faults)
    .filter(([, v]) => v === true || (Array.isArray(v) && v.length > 0))
    .map(([k, v]) => Array.isArray(v) ? `${k} [${v.join(",")}]` : k);
}

function n(x: number, d = 2): string {
  return x.toFixed(d);
}

/**
 * Renders a report as text: the configuration first, then the figures.
 *
 * @param r The report.
 * @returns Text, one item per line.
 *
 * @example
 * ```ts
 * import { createNic } from "./nic.ts";
 * import { formatHwReport } from "./hw_report.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * formatHwReport(createNic(resolveConfig(), { driver: "hw-tso" }).report()).includes("e810-100g"); // true
 * ```
 */
export function formatHwReport(r: HwReport): string {
  const c = r.config;
  const lines = [
    `preset ${r.preset} (${c.family}): ${c.description}`,
    `driver ${r.driver}: ${r.driverLabel}`,
    ...configEcho(c),
    `packets ${r.packets} (ring ${r.ringPackets}), frames ${r.frames}, dropped ${r.droppedPackets}`,
    `time ${r.cycles} cycles = ${n(r.ns, 1)} ns`,
    `bytes payload ${r.payloadBytes}, frames ${r.frameBytes}, wire ${r.wireBytes}`,
    `rate ${n(r.goodputGbps)} Gb/s goodput (steady ${
      n(r.steadyGoodputGbps)
    }), ${n(r.wireGbps)} Gb/s wire (steady ${n(r.steadyWireGbps)}), ${
      n(r.cyclesPerPayloadByte, 4)
    } cycles/payload byte`,
    `pcie to device ${r.pcie.toDeviceBytes} B (${
      n(r.pcie.utilizationToDevice, 1)
    }%), to host ${r.pcie.toHostBytes} B (${
      n(r.pcie.utilizationToHost, 1)
    }%), TLP ${n(r.pcie.tlpGbps)} Gb/s per direction`,
    `descriptors ${r.descriptors} (${r.descriptorFetches} fetches), DMA mappings ${r.dmaMappings}, read requests ${r.dmaReadRequests}`,
    `host copies ${r.host.copyBytes} B, software checksums ${r.host.checksumBytes} B, linearized ${r.host.linearized}`,
    `fallbacks ${
      Object.entries(r.fallbacks).map(([k, v]) => `${k} ${v}`).join(", ") ||
      "none"
    }`,
    `errors ${
      Object.entries(r.errors).map(([k, v]) => `${k} ${v}`).join(", ") ||
      "none"
    }`,
    `latency doorbell→last bit ns: min ${n(r.latencyNs.min, 1)}, median ${
      n(r.latencyNs.median, 1)
    }, p99 ${n(r.latencyNs.p99, 1)}, max ${n(r.latencyNs.max, 1)}`,
    `busy ${
      Object.entries(r.busyPercent).map(([k, v]) => `${k} ${n(v, 1)}%`).join(
        ", ",
      )
    }; bottleneck ${bottleneckText(r)}; TX FIFO max ${r.txFifoMaxBytes} B`,
  ];
  const faults = activeFaults(c);
  if (faults.length > 0) {
    // Deliberate bugs: a run with them on must never pass for a clean one.
    lines.splice(
      2,
      0,
      `FAULTS ON (test-only hooks, deliberate bugs): ${faults.join(", ")}`,
    );
  }
  return lines.join("\n");
}
