/**
 * `deno task fuzz`: mutates real captures and the hostile corpus and feeds
 * them to the capture readers, `parsePacket`, the `segment` frame contract
 * (software engine) and the scoreboard, checking that only `TsolabError`s
 * are thrown, that every frame read is accounted for, and that every case
 * ends. Cases run in a worker; one that does not end within `--timeout-ms`
 * is stopped and reported as a hang. Every failing case prints its seed and
 * case number and has its input written to /tmp for replay.
 *
 * ```sh
 * deno run --allow-read --allow-write tests/fuzz/fuzz_main.ts --runs 100000 --seed 7
 * deno run --allow-read --allow-write tests/fuzz/fuzz_main.ts --seed 7 --case 4711
 * ```
 *
 * Exit status: 0 every property held; 1 a case failed; 2 usage.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { emptyCaseStats, runCase } from "./fuzz_case.ts";
import {
  type FailedCase,
  formatFailedCase,
  fuzzInput,
  type FuzzReport,
  replayPath,
} from "./fuzz_run.ts";
import { caseRng } from "./rng.ts";
import { loadSeedPool } from "./seed_pool.ts";
import type { WorkerStart } from "./fuzz_worker.ts";
import { buildCase } from "./mutate.ts";

const HELP =
  `fuzz_main — fuzz the readers, parsePacket, segment and the scoreboard

Usage:
  fuzz_main.ts [--runs N] [--seed S] [--start I] [--timeout-ms T]
               [--max-failures F] [--seeds DIR …]
  fuzz_main.ts --seed S --case I        replay one case (input to /tmp)
  fuzz_main.ts --property [--runs N] [--seed S]
                                        the property sweep: random super-packets
                                        through reference and model in lockstep

Options:
  --runs N          cases to run (default 100000)
  --seed S          run seed, 0..4294967295 (default: random, printed)
  --start I         first case number (default 0)
  --timeout-ms T    a case running longer is a hang (default 10000)
  --max-failures F  stop after F failed cases (default 20)
  --seeds DIR       seed captures folder, repeatable (default: the kernel
                    captures and tests/hostile)
`;

/** `segment` arguments for each device of `fuzz_case.ts`. */
const DEVICE_ARGS = [
  "",
  "-K tx on ",
  "-K tx on tso on ",
  "-K sg off ",
  "-K gso off ",
];

function int(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) {
    throw new RangeError(
      `${name} must be an integer 0..4294967295, got "${v}"`,
    );
  }
  return Number(v);
}

function writeInput(f: FailedCase): string {
  const path = replayPath(f.seed, f.index, f.input.bytes);
  Deno.writeFileSync(path, f.input.bytes);
  return path;
}

/** Replays one case in-process and prints everything about it. */
function replay(seed: number, index: number, dirs: string[]): number {
  const pool = loadSeedPool(dirs.length > 0 ? dirs : undefined);
  const rng = caseRng(seed, index);
  const input = buildCase(pool, rng);
  const stats = emptyCaseStats();
  const failures = runCase(input, rng, stats);
  const f: FailedCase = { seed, index, input, failures };
  const path = writeInput(f);
  console.log(`case ${index} of seed ${seed}: ${input.mutations.join("; ")}`);
  console.log(`input: ${path} (${input.bytes.length} bytes)`);
  console.log(`stats: ${JSON.stringify(stats)}`);
  console.log(
    `segment it: deno task tsolab segment --gso-size ${input.gsoSize} ${
      DEVICE_ARGS[input.device] ?? ""
    }${input.fixedId ? "--fixed-id " : ""}${input.accecn ? "--accecn " : ""}${
      input.ufo ? "--ufo " : ""
    }${
      input.vxlanPorts.map((p) => `--vxlan-port ${p} `).join("")
    }${path} -o /tmp/tsolab-fuzz-out.pcapng`,
  );
  if (failures.length === 0) {
    console.log("every property holds");
    return 0;
  }
  console.log(formatFailedCase(f, path));
  return 1;
}

interface RunState {
  failed: FailedCase[];
  totals: FuzzReport[];
  hangs: number;
}

/** Runs cases start..end-1 in workers, restarting after a hang. */
async function runInWorkers(
  seed: number,
  start: number,
  runs: number,
  timeoutMs: number,
  maxFailures: number,
  dirs: string[],
): Promise<RunState> {
  const state: RunState = { failed: [], totals: [], hangs: 0 };
  const end = start + runs;
  let next = start;
  let pool: ReturnType<typeof loadSeedPool> | undefined;
  const t0 = performance.now();
  let lastProgress = t0;
  while (next < end && state.failed.length < maxFailures) {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(counter, 0, next);
    const worker = new Worker(new URL("./fuzz_worker.ts", import.meta.url), {
      type: "module",
    });
    const outcome = await new Promise<"done" | number>((resolve, reject) => {
      let seen = next;
      let since = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        const at = Atomics.load(counter, 0);
        if (at !== seen) {
          seen = at;
          since = now;
        } else if (now - since > timeoutMs) {
          clearInterval(timer);
          worker.terminate();
          resolve(at);
        }
        if (now - lastProgress > 5000) {
          lastProgress = now;
          const done = at - start;
          console.error(
            `fuzz: ${done} cases, ${
              (done / ((now - t0) / 1000)).toFixed(0)
            } cases/s, ${state.failed.length} failed`,
          );
        }
      }, 100);
      worker.onmessage = (e) => {
        const m = e.data;
        if (m.type === "failed") {
          const f = m.failed as FailedCase;
          state.failed.push(f);
          console.error(formatFailedCase(f, writeInput(f)));
        } else if (m.type === "done") {
          clearInterval(timer);
          state.totals.push(m.report as FuzzReport);
          worker.terminate();
          resolve("done");
        }
      };
      worker.onerror = (e) => {
        clearInterval(timer);
        worker.terminate();
        e.preventDefault();
        reject(new Error(`fuzz worker failed: ${e.message}`));
      };
      const msg: WorkerStart = {
        seed,
        start: next,
        runs: end - next,
        dirs,
        counter,
        maxFailures: maxFailures - state.failed.length,
      };
      worker.postMessage(msg);
    });
    if (outcome === "done") break;
    // A hang: report the case, then go on after it.
    pool ??= loadSeedPool(dirs.length > 0 ? dirs : undefined);
    const f: FailedCase = {
      seed,
      index: outcome,
      input: fuzzInput(pool, seed, outcome),
      failures: [{
        stage: "bound",
        message: `the case did not end within ${timeoutMs} ms`,
      }],
    };
    state.failed.push(f);
    state.hangs++;
    console.error(formatFailedCase(f, writeInput(f)));
    state.totals.push({
      cases: outcome - next,
      bytes: 0,
      stats: emptyCaseStats(),
      failed: [],
      elapsedMs: 0,
      slowest: { index: outcome, ms: timeoutMs },
    });
    next = outcome + 1;
  }
  return state;
}

/**
 * Runs the fuzzer with command-line arguments.
 *
 * @param args The arguments.
 * @returns The exit status.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await fuzzMain(["--runs", "1000", "--seed", "7"]));
 * ```
 */
export async function fuzzMain(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        runs: { type: "string" },
        seed: { type: "string" },
        start: { type: "string" },
        case: { type: "string" },
        "timeout-ms": { type: "string" },
        "max-failures": { type: "string" },
        seeds: { type: "string", multiple: true },
        property: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let seed, runs, start, timeoutMs, maxFailures;
  try {
    seed = int("--seed", values.seed, (Math.random() * 0x1_0000_0000) >>> 0);
    runs = int("--runs", values.runs, 100_000);
    start = int("--start", values.start, 0);
    timeoutMs = int("--timeout-ms", values["timeout-ms"], 10_000);
    maxFailures = int("--max-failures", values["max-failures"], 20);
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message}`);
    return 2;
  }
  if (values.property) {
    // fast-check shrinks a failure, prints its seed and writes it as a
    // golden vector that `deno task verify FILE` replays.
    const { sweep } = await import("../_sweep.ts");
    console.log(`property sweep: ${runs} cases, seed ${seed}`);
    const t = performance.now();
    try {
      sweep({ runs, seed });
    } catch (e) {
      console.error((e as Error).message);
      return 1;
    }
    console.log(
      `property sweep: ${runs} cases passed in ${
        ((performance.now() - t) / 1000).toFixed(1)
      } s`,
    );
    return 0;
  }
  const dirs = values.seeds ?? [];
  if (values.case !== undefined) {
    return replay(seed, int("--case", values.case, 0), dirs);
  }
  const t0 = performance.now();
  const st = await runInWorkers(
    seed,
    start,
    runs,
    timeoutMs,
    maxFailures,
    dirs,
  );
  const secs = (performance.now() - t0) / 1000;
  const cases = st.totals.reduce((n, r) => n + r.cases, 0);
  const bytes = st.totals.reduce((n, r) => n + r.bytes, 0);
  const s = emptyCaseStats();
  for (const r of st.totals) {
    for (const k of Object.keys(s) as (keyof typeof s)[]) s[k] += r.stats[k];
  }
  const slowest = st.totals.reduce(
    (a, r) => r.slowest.ms > a.ms ? r.slowest : a,
    { index: 0, ms: 0 },
  );
  console.log(
    `fuzz: seed=${seed} cases=${cases} failed=${st.failed.length} hangs=${st.hangs} ` +
      `time=${secs.toFixed(1)}s rate=${(cases / secs).toFixed(0)} cases/s ` +
      `input=${(bytes / 1e6).toFixed(1)}MB slowest=case ${slowest.index} (${
        slowest.ms.toFixed(0)
      } ms)`,
  );
  console.log(
    `fuzz: frames=${s.framesRead} open_errors=${s.openErrors} read_errors=${s.readErrors} ` +
      `decode_errors=${s.decodeErrors} segmented=${s.segmented} passed=${s.passed} ` +
      `rejected=${s.rejected} segments_out=${s.segmentsOut} link_type_stops=${s.linkTypeStops} ` +
      `compared=${s.compared} divergences=${s.divergences}`,
  );
  return st.failed.length > 0 ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await fuzzMain(Deno.args));
}
