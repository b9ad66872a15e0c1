/**
 * Runs a bulk TCP stream through the model: `sends` back-to-back sends of
 * one size, each handed over as the driver mode wants it (a super-packet,
 * or the host's segments when the driver falls back), and returns the
 * model's report.
 *
 * @module
 */
import type { SkBuff } from "../sw/types.ts";
import { createNic } from "./nic.ts";
import type { HwReport } from "./hw_report.ts";
import type { DriverMode, NicConfig } from "./nic_config.ts";
import { bulkTcpSkb, syntheticHostSegments } from "./workload.ts";

/**
 * Turns a super-packet into the host's segments (the testbench passes the
 * reference's segmenter; the default is `syntheticHostSegments`).
 *
 * @example
 * ```ts
 * import type { HostSegmenter } from "./bulk_run.ts";
 * import { syntheticHostSegments } from "./workload.ts";
 * const seg: HostSegmenter = (skb) => syntheticHostSegments(skb);
 * ```
 */
export type HostSegmenter = (
  skb: SkBuff,
  hostChecksum: boolean,
) => Iterable<SkBuff>;

/**
 * Options of `bulkRun`.
 *
 * @example
 * ```ts
 * import type { BulkRunOptions } from "./bulk_run.ts";
 * const o: BulkRunOptions = { sendBytes: 65536, sends: 16 };
 * ```
 */
export interface BulkRunOptions {
  /** TCP payload per send. */
  sendBytes: number;
  /** Sends (default 16). */
  sends?: number;
  /** MSS (default 1448). */
  mss?: number;
  /** IPv6 (default IPv4). */
  ipv6?: boolean;
  /** Host segmenter for fallbacks and the gso/none modes. */
  segment?: HostSegmenter;
}

/**
 * Runs a bulk stream and reports.
 *
 * @param cfg The configuration.
 * @param mode The driver mode.
 * @param o Send size, count, MSS.
 * @returns The model's report for the run.
 *
 * @example
 * ```ts
 * import { bulkRun } from "./bulk_run.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * const r = bulkRun(resolveConfig(), "hw-tso", { sendBytes: 65536, sends: 4 });
 * r.frames; // 184
 * ```
 */
export function bulkRun(
  cfg: NicConfig,
  mode: DriverMode,
  o: BulkRunOptions,
): HwReport {
  const nic = createNic(cfg, { driver: mode });
  const seg = o.segment ?? ((skb: SkBuff) => syntheticHostSegments(skb));
  const sends = o.sends ?? 16;
  for (let i = 0; i < sends; i++) {
    const skb = bulkTcpSkb({
      sendBytes: o.sendBytes,
      mss: o.mss ?? 1448,
      ipv6: o.ipv6,
      seq: (i * o.sendBytes) >>> 0,
      id: i & 0xffff,
    });
    const check = nic.driverCheck(skb);
    const events = check.fallback !== null
      ? nic.transmitSegments(seg(skb, check.hostChecksum), {
        hostChecksum: check.hostChecksum,
      })
      : nic.transmit(skb);
    for (const _ of events) { /* consume */ }
  }
  return nic.report();
}
