/**
 * `tsolab segment` on the hostile corpus of `tests/hostile/`: each file is
 * run as a user would run it, in a subprocess, and must give the outcome
 * written beside it in `EXPECTED.json` — the exit status, the exact stderr
 * (one line and no stack trace for unusable input), the exact summary line
 * — and the summary must account for every frame the reader sees.
 *
 * Needs --allow-read --allow-write --allow-run.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CaptureReader } from "../vectors/capture_reader.ts";
import { SUPPORTED_LINKTYPES } from "../vectors/link_types.ts";
import { emptySummary, segmentFrames } from "../tb/segment_run.ts";
import { swTransmit } from "../tb/sw_engine.ts";
import { kernelCaptureEgressDevice } from "../sw/net_device.ts";
import type { Frame } from "../sw/types.ts";
import { hostileCorpus } from "./hostile/make_corpus.ts";

const DIR = new URL("./hostile/", import.meta.url).pathname;
const MOD = new URL("../mod.ts", import.meta.url).pathname;

interface Expected {
  file: string;
  why: string;
  args?: string[];
  out?: "pcap" | "pcapng";
  exit: number;
  stderr?: string[];
  stderr_re?: string;
  /** The last stdout line; null: stdout stays empty (input never opened). */
  summary: string | null;
  /** The output cannot hold a frame: stdout is not checked. */
  output_error?: boolean;
}

const EXPECTED: Expected[] = JSON.parse(
  Deno.readTextFileSync(`${DIR}EXPECTED.json`),
);

interface Counts {
  framesIn: number;
  superPackets: number;
  segmentsOut: number;
  passed: number;
  rejected: number;
  reasons: Map<string, number>;
}

const SUMMARY_RE =
  /^frames_in=(\d+) super_packets=(\d+) segments_out=(\d+) passed=(\d+) rejected=(\d+) bad_checksums=(\d+)(?: \((.+)\))?$/;

function parseSummary(line: string): Counts {
  const m = SUMMARY_RE.exec(line);
  assert.ok(m, `not a summary line: ${line}`);
  const reasons = new Map<string, number>();
  for (const kv of m[7]?.split(", ") ?? []) {
    const [k, v] = kv.split("=");
    reasons.set(k!, Number(v));
  }
  return {
    framesIn: Number(m[1]),
    superPackets: Number(m[2]),
    segmentsOut: Number(m[3]),
    passed: Number(m[4]),
    rejected: Number(m[5]),
    reasons,
  };
}

/**
 * Frames a reader yields before it throws, or before the first frame of a
 * link type `segment` cannot decode: what `frames_in` must count.
 */
function framesBeforeError(path: string): number {
  let n = 0;
  let r: CaptureReader;
  try {
    r = CaptureReader.openFile(path);
  } catch {
    return 0;
  }
  try {
    for (const f of r.frames()) {
      if (!SUPPORTED_LINKTYPES.includes(f.linkType)) break;
      n++;
    }
  } catch {
    // the error ends the count
  } finally {
    r.close();
  }
  return n;
}

function countFrames(path: string): number {
  const r = CaptureReader.openFile(path);
  try {
    let n = 0;
    for (const _ of r.frames()) n++;
    return n;
  } finally {
    r.close();
  }
}

async function segmentCli(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", MOD, "segment", ...args],
    cwd: DIR,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const lines = (b: Uint8Array) =>
    new TextDecoder().decode(b).split("\n").filter((l) => l !== "");
  return {
    code: out.code,
    stdout: lines(out.stdout),
    stderr: lines(out.stderr),
  };
}

function label(e: Expected): string {
  return `${e.file}${e.args ? ` ${e.args.join(" ")}` : ""}${
    e.out ? ` -o *.${e.out}` : ""
  }`;
}

/** Runs one hostile case, writing the segmenter's output to `output`. */
async function hostileCase(e: Expected, output: string): Promise<void> {
  const args = [...(e.args ?? ["--gso-size", "1448"]), e.file, "-o", output];
  const r = await segmentCli(args);
  const ctx = `\nstdout: ${r.stdout.join("\n")}\nstderr: ${
    r.stderr.join("\n")
  }`;
  for (const l of r.stderr) {
    assert.ok(!l.includes("Uncaught"), `uncaught error${ctx}`);
    assert.ok(!/^\s+at /.test(l), `stack trace${ctx}`);
  }
  assert.equal(r.code, e.exit, `exit status${ctx}`);
  if (e.stderr_re !== undefined) {
    assert.equal(r.stderr.length, 1, `one stderr line${ctx}`);
    assert.match(r.stderr[0]!, new RegExp(e.stderr_re), ctx);
  } else {
    assert.deepEqual(r.stderr, e.stderr, `stderr${ctx}`);
  }
  // An output that cannot take a frame stops the run; its counts are moot.
  if (e.output_error) return;
  if (e.summary === null) {
    assert.deepEqual(
      r.stdout,
      [],
      `no summary before the input opened${ctx}`,
    );
    return;
  }
  assert.equal(r.stdout.at(-1), e.summary, `summary line${ctx}`);
  const s = parseSummary(e.summary);
  // segmented + passed + rejected = frames_in, where
  // segmented + refused super-packets = super_packets and
  // rejected = refused super-packets + malformed frames.
  const malformed = s.reasons.get("malformed") ?? 0;
  assert.equal(s.superPackets + s.passed + malformed, s.framesIn);
  assert.equal(
    [...s.reasons.values()].reduce((a, b) => a + b, 0),
    s.rejected,
  );
  assert.equal(s.framesIn, framesBeforeError(`${DIR}${e.file}`));
  if (e.exit === 0) {
    assert.equal(countFrames(output), s.segmentsOut + s.passed);
  }
}

for (const e of EXPECTED) {
  Deno.test(`segment ${label(e)}: ${e.why}`, async () => {
    // A directory per case, removed after it: a file-wide one outlived
    // every run, since nothing runs after a file's last test.
    const tmp = await Deno.makeTempDir({ prefix: "tsolab_hostile_" });
    try {
      await hostileCase(e, `${tmp}/out.${e.out ?? e.file.split(".").at(-1)!}`);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  });
}

Deno.test("every hostile corpus file has an expected outcome, and every outcome a file", () => {
  const files = [...Deno.readDirSync(DIR)]
    .map((d) => d.name)
    .filter((n) => /\.pcap(ng)?$/.test(n))
    .sort();
  const named = [...new Set(EXPECTED.map((e) => e.file))].sort();
  assert.deepEqual(named, files);
  assert.ok(files.length >= 30, `${files.length} files`);
});

Deno.test("make_corpus.ts rebuilds every committed corpus file byte for byte", () => {
  for (const [name, bytes] of hostileCorpus()) {
    const onDisk = Deno.readFileSync(`${DIR}${name}`);
    assert.ok(
      onDisk.length === bytes.length && onDisk.every((b, i) => b === bytes[i]),
      `${name} differs from what make_corpus.ts builds; rerun it`,
    );
  }
});

Deno.test("the in-process frame contract yields one outcome per frame read, for every corpus file", () => {
  const dev = kernelCaptureEgressDevice();
  for (const name of new Set(EXPECTED.map((e) => e.file))) {
    let r: CaptureReader;
    try {
      r = CaptureReader.openFile(`${DIR}${name}`);
    } catch {
      continue;
    }
    const read: Frame[] = [];
    const frames = (function* () {
      for (const f of r.frames()) {
        if (!SUPPORTED_LINKTYPES.includes(f.linkType)) return;
        read.push(f);
        yield f;
      }
    })();
    const s = emptySummary();
    const kinds = { segmented: 0, passed: 0, rejected: 0 };
    try {
      for (
        const o of segmentFrames(frames, {
          input: name,
          gsoSize: 1448,
          engine: (skb) => swTransmit(skb, dev),
        }, s)
      ) {
        kinds[o.kind]++;
      }
    } catch {
      // a reader error ends the stream; what was read must be accounted for
    } finally {
      r.close();
    }
    assert.equal(s.framesIn, read.length, name);
    assert.equal(
      kinds.segmented + kinds.passed + kinds.rejected,
      s.framesIn,
      name,
    );
    assert.equal(kinds.passed, s.passed, name);
    assert.equal(kinds.rejected, s.rejected, name);
  }
});
