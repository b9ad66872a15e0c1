/**
 * A fuzz run: cases `start … start + runs - 1` of a seed, each built from
 * the seed pool by its own random stream and run through every stage.
 * Used in-process by `tests/fuzz_test.ts` and inside the worker of
 * `tests/fuzz/fuzz_main.ts`.
 *
 * @module
 */

import {
  type CaseFailure,
  type CaseStats,
  emptyCaseStats,
  runCase,
} from "./fuzz_case.ts";
import { buildCase, type FuzzInput } from "./mutate.ts";
import { caseRng } from "./rng.ts";
import type { SeedCapture } from "./seed_pool.ts";

/**
 * A case whose properties did not all hold.
 *
 * @example
 * ```ts ignore
 * for (const f of report.failed) console.log(formatFailedCase(f));
 * ```
 */
export interface FailedCase {
  /** The run's seed. */
  seed: number;
  /** The case number. */
  index: number;
  /** The input. */
  input: FuzzInput;
  /** What failed. */
  failures: CaseFailure[];
}

/**
 * The totals of a run.
 *
 * @example
 * ```ts ignore
 * const r = runFuzz({ pool, seed: 1, runs: 100 });
 * console.log(r.cases, r.failed.length);
 * ```
 */
export interface FuzzReport {
  /** Cases run. */
  cases: number;
  /** Bytes of input fed. */
  bytes: number;
  /** What the cases did. */
  stats: CaseStats;
  /** Cases that failed, in order. */
  failed: FailedCase[];
  /** Wall time of the run in milliseconds. */
  elapsedMs: number;
  /** The slowest case: its number and time in milliseconds. */
  slowest: { index: number; ms: number };
}

/**
 * Options of {@linkcode runFuzz}.
 *
 * @example
 * ```ts ignore
 * const o: FuzzOptions = { pool: loadSeedPool(), seed: 1, runs: 5000 };
 * ```
 */
export interface FuzzOptions {
  /** The seed captures. */
  pool: readonly SeedCapture[];
  /** The run's seed. */
  seed: number;
  /** How many cases. */
  runs: number;
  /** First case number (default 0). */
  start?: number;
  /** Called before each case (the worker's watchdog counter). */
  onCase?: (index: number) => void;
  /** Stop after this many failed cases (default: never). */
  maxFailures?: number;
  /** Called with each failed case as it happens. */
  onFailure?: (f: FailedCase) => void;
}

/**
 * Builds case `index` of seed `seed` without running it (for replay).
 *
 * @param pool The seed captures.
 * @param seed The run's seed.
 * @param index The case number.
 * @returns The input that case feeds.
 *
 * @example
 * ```ts ignore
 * Deno.writeFileSync("/tmp/case.pcap", fuzzInput(pool, 1, 42).bytes);
 * ```
 */
export function fuzzInput(
  pool: readonly SeedCapture[],
  seed: number,
  index: number,
): FuzzInput {
  return buildCase(pool, caseRng(seed, index));
}

/**
 * Runs cases and collects the failures.
 *
 * @param o Pool, seed, number of cases.
 * @returns The totals and the failed cases.
 *
 * @example
 * ```ts ignore
 * const r = runFuzz({ pool: loadSeedPool(), seed: 20240601, runs: 5000 });
 * if (r.failed.length > 0) console.error(formatFailedCase(r.failed[0]!));
 * ```
 */
export function runFuzz(o: FuzzOptions): FuzzReport {
  const stats = emptyCaseStats();
  const failed: FailedCase[] = [];
  const start = o.start ?? 0;
  const t0 = performance.now();
  let bytes = 0;
  let slowest = { index: start, ms: 0 };
  let cases = 0;
  for (let i = start; i < start + o.runs; i++) {
    o.onCase?.(i);
    const c0 = performance.now();
    const rng = caseRng(o.seed, i);
    const input = buildCase(o.pool, rng);
    bytes += input.bytes.length;
    const failures = runCase(input, rng, stats);
    const ms = performance.now() - c0;
    if (ms > slowest.ms) slowest = { index: i, ms };
    cases++;
    if (failures.length > 0) {
      const f = { seed: o.seed, index: i, input, failures };
      failed.push(f);
      o.onFailure?.(f);
      if (o.maxFailures !== undefined && failed.length >= o.maxFailures) break;
    }
  }
  return {
    cases,
    bytes,
    stats,
    failed,
    elapsedMs: performance.now() - t0,
    slowest,
  };
}

/**
 * Where a failed case's input is written for replay.
 *
 * @param seed The run's seed.
 * @param index The case number.
 * @param bytes The input (its magic picks .pcap or .pcapng).
 * @returns A path under /tmp.
 *
 * @example
 * ```ts
 * import { replayPath } from "./fuzz_run.ts";
 * replayPath(1, 2, new Uint8Array(0)); // "/tmp/tsolab-fuzz-1-2.pcap"
 * ```
 */
export function replayPath(
  seed: number,
  index: number,
  bytes: Uint8Array,
): string {
  const ng = bytes.length >= 4 && bytes[0] === 0x0a && bytes[1] === 0x0d &&
    bytes[2] === 0x0d && bytes[3] === 0x0a;
  return `/tmp/tsolab-fuzz-${seed}-${index}.${ng ? "pcapng" : "pcap"}`;
}

/**
 * Formats a failed case for a report: seed, case, input file, how the
 * input was made, what failed, and the replay command.
 *
 * @param f The failed case.
 * @param path Where its input was written.
 * @returns Several lines.
 *
 * @example
 * ```ts ignore
 * console.error(formatFailedCase(f, replayPath(f.seed, f.index, f.input.bytes)));
 * ```
 */
export function formatFailedCase(f: FailedCase, path: string): string {
  const lines = [
    `FAIL seed=${f.seed} case=${f.index} input=${path} (${f.input.bytes.length} bytes)`,
    `  made by: ${f.input.mutations.join("; ")}`,
  ];
  for (const x of f.failures) {
    lines.push(`  ${x.stage}: ${x.message}`);
    if (x.stack !== undefined) {
      lines.push(
        ...x.stack.split("\n").slice(1, 6).map((l) => `    ${l.trim()}`),
      );
    }
  }
  lines.push(
    `  replay: deno run --allow-read --allow-write tests/fuzz/fuzz_main.ts --seed ${f.seed} --case ${f.index}`,
  );
  return lines.join("\n");
}
