/**
 * The bench targets, measured as the issues state them: runs the project's
 * bench command (`deno bench --allow-read --allow-write bench/`) several
 * times and, for each run, takes the ratios within that run — software GSO
 * against the checksum (target ≥ 0.5×) and the NIC model against the
 * checksum (≥ 0.3×, and ≥ 1 GB/s of simulated payload). One run proves
 * little on a noisy 2-core machine; the summary counts the runs that met
 * each target, by average and by p75.
 *
 * ```sh
 * deno task bench:ratios [--runs 5] [--json] [--help]
 * ```
 *
 * `--json` prints `{ runs, summary }` as one JSON document instead of lines.
 * Exit status: 0 after measuring (whatever the figures); 2 for bad
 * arguments, or when the bench could not run or its report lacks a bench.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { BenchReportError } from "./bench_report_error.ts";

const USAGE = `deno task bench:ratios [--runs N] [--json] [--help]

Runs \`deno bench --allow-read --allow-write bench/\` N times (default 5) and
prints, per run, checksum/65536, gso/tcp4-65536-1448 and hw/tso-65536-1448
with the ratios taken within that run (average and p75), then how many runs
met each target: gso >= 0.5x checksum, hw >= 0.3x checksum and >= 1 GB/s.
--json prints { runs, summary } as one JSON document.
Exit status: 0 after measuring; 2 for bad arguments or an unreadable report.`;

/** Bytes each of the three benches handles per iteration. */
const BYTES = 65536;
/** The benches the targets are stated over. */
const CHECKSUM = "checksum/65536";
const GSO = "gso/tcp4-65536-1448";
const HW = "hw/tso-65536-1448";

/**
 * Average and p75 of one bench in one run, in nanoseconds.
 *
 * @example
 * ```ts
 * import type { BenchTiming } from "./bench_ratios.ts";
 * const t: BenchTiming = { avgNs: 10300, p75Ns: 10000 };
 * ```
 */
export interface BenchTiming {
  /** Mean time per iteration, as `deno bench` reports it. */
  avgNs: number;
  /** 75th percentile. */
  p75Ns: number;
}

/**
 * The figures of one bench run and whether each target was met.
 *
 * @example
 * ```ts
 * import type { RunRatios } from "./bench_ratios.ts";
 * function ok(r: RunRatios): boolean { return r.gsoMet && r.hwMet; }
 * ```
 */
export interface RunRatios {
  /** The checksum bench. */
  checksum: BenchTiming;
  /** Software GSO. */
  gso: BenchTiming;
  /** The NIC model. */
  hw: BenchTiming;
  /** Checksum throughput [GB/s] (average). */
  checksumGBps: number;
  /** Model throughput [GB/s of simulated payload] (average). */
  hwGBps: number;
  /** GSO throughput over the checksum's, by average. */
  gsoRatio: number;
  /** The same by p75. */
  gsoRatioP75: number;
  /** Model throughput over the checksum's, by average. */
  hwRatio: number;
  /** The same by p75. */
  hwRatioP75: number;
  /** gso ≥ 0.5× checksum, by average. */
  gsoMet: boolean;
  /** hw ≥ 0.3× checksum and ≥ 1 GB/s, by average. */
  hwMet: boolean;
}

/**
 * Takes one bench's timing out of a `deno bench --json` report.
 *
 * @param report The parsed report.
 * @param name The bench's name.
 * @returns Its timing.
 * @throws {BenchReportError} When the report lacks the bench or it failed.
 *
 * @example
 * ```ts
 * import { benchTiming } from "./bench_ratios.ts";
 * const report = { benches: [{ name: "a", results: [{ ok: { avg: 2, p75: 1 } }] }] };
 * benchTiming(report, "a").avgNs; // 2
 * ```
 */
export function benchTiming(report: unknown, name: string): BenchTiming {
  const benches = typeof report === "object" && report !== null
    ? (report as { benches?: unknown }).benches
    : undefined;
  if (!Array.isArray(benches)) {
    throw new BenchReportError(
      "Cannot read the bench report: no benches array",
    );
  }
  for (const b of benches) {
    if ((b as { name?: unknown }).name !== name) continue;
    const r = (b as { results?: { ok?: { avg?: unknown; p75?: unknown } }[] })
      .results?.[0]?.ok;
    if (typeof r?.avg !== "number" || typeof r.p75 !== "number") {
      throw new BenchReportError(
        `Cannot read the bench report: ${name} has no successful result`,
      );
    }
    return { avgNs: r.avg, p75Ns: r.p75 };
  }
  throw new BenchReportError(
    `Cannot read the bench report: no bench named ${name}`,
  );
}

/**
 * The ratios of one run: every figure is taken within the same report.
 *
 * @param report A parsed `deno bench --json` report of `bench/`.
 * @returns The figures and the targets met.
 *
 * @example
 * ```ts
 * import { runRatios } from "./bench_ratios.ts";
 * const ok = (avg: number) => ({ results: [{ ok: { avg, p75: avg } }] });
 * const r = runRatios({ benches: [
 *   { name: "checksum/65536", ...ok(10000) },
 *   { name: "gso/tcp4-65536-1448", ...ok(20000) },
 *   { name: "hw/tso-65536-1448", ...ok(30000) },
 * ] });
 * r.gsoRatio; // 0.5
 * ```
 */
export function runRatios(report: unknown): RunRatios {
  const checksum = benchTiming(report, CHECKSUM);
  const gso = benchTiming(report, GSO);
  const hw = benchTiming(report, HW);
  const gsoRatio = checksum.avgNs / gso.avgNs;
  const hwRatio = checksum.avgNs / hw.avgNs;
  const hwGBps = BYTES / hw.avgNs;
  return {
    checksum,
    gso,
    hw,
    checksumGBps: BYTES / checksum.avgNs,
    hwGBps,
    gsoRatio,
    gsoRatioP75: checksum.p75Ns / gso.p75Ns,
    hwRatio,
    hwRatioP75: checksum.p75Ns / hw.p75Ns,
    gsoMet: gsoRatio >= 0.5,
    hwMet: hwRatio >= 0.3 && hwGBps >= 1,
  };
}

/**
 * One line per run.
 *
 * @param r The run's figures.
 * @returns The line.
 *
 * @example
 * ```ts ignore
 * console.log(formatRun(runRatios(report)));
 * ```
 */
export function formatRun(r: RunRatios): string {
  const us = (t: BenchTiming) =>
    `${(t.avgNs / 1000).toFixed(1)} µs (p75 ${(t.p75Ns / 1000).toFixed(1)})`;
  return `checksum ${us(r.checksum)} ${r.checksumGBps.toFixed(2)} GB/s | ` +
    `gso ${us(r.gso)} ${r.gsoRatio.toFixed(3)}× (p75 ${
      r.gsoRatioP75.toFixed(3)
    }×) ${r.gsoMet ? "met" : "missed"} | ` +
    `hw ${us(r.hw)} ${r.hwGBps.toFixed(2)} GB/s ${r.hwRatio.toFixed(3)}× ` +
    `(p75 ${r.hwRatioP75.toFixed(3)}×) ${r.hwMet ? "met" : "missed"}`;
}

/**
 * The summary over runs: how many met each target, by average and by p75.
 *
 * @param runs The runs.
 * @returns One line.
 *
 * @example
 * ```ts ignore
 * console.log(summarize(runs));
 * ```
 */
export function summarize(runs: readonly RunRatios[]): string {
  const n = runs.length;
  const count = (f: (r: RunRatios) => boolean) => runs.filter(f).length;
  return `runs=${n} gso_0.5x=${count((r) => r.gsoMet)}/${n} ` +
    `gso_0.5x_p75=${count((r) => r.gsoRatioP75 >= 0.5)}/${n} ` +
    `hw_0.3x=${count((r) => r.hwRatio >= 0.3)}/${n} ` +
    `hw_0.3x_p75=${count((r) => r.hwRatioP75 >= 0.3)}/${n} ` +
    `hw_1GBps=${count((r) => r.hwGBps >= 1)}/${n}`;
}

async function benchOnce(): Promise<unknown> {
  const bench = new URL("../bench/", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bench", "--allow-read", "--allow-write", "--json", bench],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    // Deno ends a failure with a stack backtrace; its "error:" line says why.
    const lines = new TextDecoder().decode(out.stderr).split("\n");
    const why = lines.find((l) => l.includes("error:")) ?? lines[0] ?? "";
    throw new BenchReportError(`deno bench failed: ${why.trim()}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new BenchReportError("deno bench printed no JSON report");
  }
}

async function main(): Promise<number> {
  let values: { runs: string; json: boolean; help: boolean };
  try {
    values = parseArgs({
      args: Deno.args,
      options: {
        runs: { type: "string", default: "5" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const n = Number(values.runs);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--runs must be a positive integer, not ${values.runs}`);
    return 2;
  }
  const runs: RunRatios[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const r = runRatios(await benchOnce());
      runs.push(r);
      if (!values.json) console.log(`run ${i + 1}: ${formatRun(r)}`);
    }
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  if (values.json) {
    console.log(JSON.stringify({ runs, summary: summarize(runs) }, null, 2));
  } else console.log(summarize(runs));
  return 0;
}

if (import.meta.main) Deno.exit(await main());
