/**
 * The fuzzer in the test run: a fixed seed, 20,000 cases of mutated kernel
 * captures and hostile-corpus files through the capture readers,
 * `parsePacket`, the `segment` frame contract and the scoreboard. Larger
 * runs: `deno task fuzz` (tests/fuzz/fuzz_main.ts).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  formatFailedCase,
  fuzzInput,
  replayPath,
  runFuzz,
} from "./fuzz/fuzz_run.ts";
import { loadSeedPool } from "./fuzz/seed_pool.ts";

const SEED = 20261122;
const RUNS = 20_000;
const pool = loadSeedPool();

Deno.test(`${RUNS} mutated captures throw only TsolabErrors, end, and have every frame read accounted for as segmented, passed or rejected`, () => {
  const r = runFuzz({ pool, seed: SEED, runs: RUNS, maxFailures: 5 });
  const reports = r.failed.map((f) => {
    const path = replayPath(f.seed, f.index, f.input.bytes);
    Deno.writeFileSync(path, f.input.bytes);
    return formatFailedCase(f, path);
  });
  assert.equal(r.failed.length, 0, `\n${reports.join("\n")}`);
  assert.equal(r.cases, RUNS);
  // Every stage was reached, with good and bad inputs alike.
  const s = r.stats;
  for (
    const k of [
      "openErrors",
      "readErrors",
      "decodeErrors",
      "segmented",
      "passed",
      "rejected",
      "linkTypeStops",
      "divergences",
    ] as const
  ) {
    assert.ok(s[k] > 0, `no case reached ${k}: ${JSON.stringify(s)}`);
  }
  assert.ok(s.framesRead > RUNS, `only ${s.framesRead} frames read`);
});

Deno.test("a fuzz case is rebuilt byte for byte from its seed and case number", () => {
  for (const i of [0, 1, 4711]) {
    const a = fuzzInput(pool, SEED, i);
    const b = fuzzInput(pool, SEED, i);
    assert.deepEqual(a.bytes, b.bytes);
    assert.deepEqual(a.mutations, b.mutations);
  }
  assert.notDeepEqual(
    fuzzInput(pool, SEED, 0).bytes,
    fuzzInput(pool, SEED + 1, 0).bytes,
  );
});
