/**
 * What every pipeline stage shares: a name, the time it was busy, and a
 * trace sink for the waveform. Stages are servers in a max-plus schedule:
 * each transaction starts when its inputs are ready and the stage is free,
 * and occupies the stage for a computed number of cycles. Nothing is
 * simulated per cycle.
 *
 * @module
 */

/**
 * Names of the pipeline stages, in pipeline order.
 *
 * @example
 * ```ts
 * import type { StageName } from "./stage.ts";
 * const s: StageName = "checksum";
 * ```
 */
export type StageName =
  | "desc-fetch"
  | "payload-dma"
  | "header-replicate"
  | "checksum"
  | "tx-fifo"
  | "mac";

/**
 * The stage names in pipeline order.
 *
 * @example
 * ```ts
 * import { STAGE_NAMES } from "./stage.ts";
 * STAGE_NAMES[0]; // "desc-fetch"
 * ```
 */
export const STAGE_NAMES: readonly StageName[] = [
  "desc-fetch",
  "payload-dma",
  "header-replicate",
  "checksum",
  "tx-fifo",
  "mac",
];

/**
 * Receives waveform events. Times are in ns; values are unsigned integers.
 *
 * @example
 * ```ts
 * import type { TraceSink } from "./stage.ts";
 * const sink: TraceSink = { span() {}, set() {}, step() {} };
 * ```
 */
export interface TraceSink {
  /**
   * A signal holds `value` during `[startNs, endNs)` and 0 otherwise.
   *
   * @param signal Signal name.
   * @param startNs Start time.
   * @param endNs End time.
   * @param value Value while active.
   */
  span(signal: string, startNs: number, endNs: number, value: number): void;
  /**
   * A signal takes `value` at `ns` and holds it.
   *
   * @param signal Signal name.
   * @param ns Time.
   * @param value New value.
   */
  set(signal: string, ns: number, value: number): void;
  /**
   * A counter signal changes by `delta` at `ns`.
   *
   * @param signal Signal name.
   * @param ns Time.
   * @param delta Change.
   */
  step(signal: string, ns: number, delta: number): void;
}

/**
 * A trace sink that drops everything.
 *
 * @example
 * ```ts
 * import { NULL_TRACE } from "./stage.ts";
 * NULL_TRACE.span("mac.busy", 0, 4, 1);
 * ```
 */
export const NULL_TRACE: TraceSink = {
  span(): void {},
  set(): void {},
  step(): void {},
};

/**
 * The interface every pipeline stage implements.
 *
 * @example
 * ```ts
 * import type { Stage } from "./stage.ts";
 * function busyPercent(s: Stage, spanNs: number): number { return 100 * s.busyNs / spanNs; }
 * ```
 */
export interface Stage {
  /** The stage. */
  readonly name: StageName;
  /** Time the stage spent working [ns]. */
  readonly busyNs: number;
}

/**
 * Rounds a time up to the next edge of a clock.
 *
 * @param ns Time.
 * @param periodNs Clock period.
 * @returns The first clock edge at or after `ns`.
 *
 * @example
 * ```ts
 * import { ceilToCycle } from "./stage.ts";
 * ceilToCycle(5, 4); // 8
 * ```
 */
export function ceilToCycle(ns: number, periodNs: number): number {
  return Math.ceil(ns / periodNs - 1e-9) * periodNs;
}

/**
 * The reciprocal of a clock period when the period is a power of two, so
 * that `ns * r` is exactly `ns / periodNs` (a multiplication instead of a
 * division on the schedule's critical path); 0 otherwise.
 *
 * @param periodNs Clock period.
 * @returns `1 / periodNs`, or 0.
 *
 * @example
 * ```ts
 * import { exactReciprocal } from "./stage.ts";
 * exactReciprocal(4); // 0.25
 * exactReciprocal(6.4); // 0
 * ```
 */
export function exactReciprocal(periodNs: number): number {
  if (!(periodNs > 0) || !Number.isFinite(periodNs)) return 0;
  const e = Math.log2(periodNs);
  return Number.isInteger(e) && 2 ** e === periodNs ? 2 ** -e : 0;
}

/**
 * `ceilToCycle` given the period's `exactReciprocal`: the same result.
 *
 * @param ns Time.
 * @param periodNs Clock period.
 * @param recip `exactReciprocal(periodNs)`.
 * @returns The first clock edge at or after `ns`.
 *
 * @example
 * ```ts
 * import { ceilToCycleBy } from "./stage.ts";
 * ceilToCycleBy(5, 4, 0.25); // 8
 * ```
 */
export function ceilToCycleBy(
  ns: number,
  periodNs: number,
  recip: number,
): number {
  return Math.ceil((recip !== 0 ? ns * recip : ns / periodNs) - 1e-9) *
    periodNs;
}
