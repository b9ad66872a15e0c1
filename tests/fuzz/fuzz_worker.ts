/**
 * The worker `fuzz_main.ts` runs cases in, so that a case that never ends
 * can be stopped: before each case it stores the case number in a shared
 * counter the main thread watches; failures and the final report are posted
 * back as messages.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { runFuzz } from "./fuzz_run.ts";
import { loadSeedPool } from "./seed_pool.ts";

/**
 * What the main thread sends to start a run.
 *
 * @example
 * ```ts ignore
 * worker.postMessage({ seed: 1, start: 0, runs: 1000, dirs: [], counter });
 * ```
 */
export interface WorkerStart {
  /** The run's seed. */
  seed: number;
  /** First case. */
  start: number;
  /** Cases to run. */
  runs: number;
  /** Seed folders (empty: the defaults). */
  dirs: string[];
  /** Int32Array over a SharedArrayBuffer: [0] the case being run. */
  counter: Int32Array;
  /** Stop after this many failed cases. */
  maxFailures: number;
}

self.onmessage = (e: MessageEvent<WorkerStart>) => {
  const m = e.data;
  const pool = loadSeedPool(m.dirs.length > 0 ? m.dirs : undefined);
  const report = runFuzz({
    pool,
    seed: m.seed,
    runs: m.runs,
    start: m.start,
    maxFailures: m.maxFailures,
    onCase: (i) => Atomics.store(m.counter, 0, i),
    onFailure: (f) => self.postMessage({ type: "failed", failed: f }),
  });
  self.postMessage({ type: "done", report: { ...report, failed: [] } });
};
