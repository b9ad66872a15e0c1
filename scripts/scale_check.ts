/**
 * Streaming at scale (outside CI): generates a 1 GiB and a 10 MiB capture
 * of the same traffic — bulk TCP super-packets over IPv4 and IPv6, pure
 * ACKs and small UDP frames that pass through — with the project's capture
 * writer, runs `tsolab segment` on each under `/usr/bin/time -v`, and checks
 * that peak RSS stays under 256 MB and that the time per byte of the big run
 * is not more than 20% above the small run's (memory and time per byte must
 * not grow with the file). Time per byte is the marginal cost over a 1 MiB
 * run that pays process start, module load and JIT warm-up.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-run scripts/scale_check.ts [--dir /tmp] [--keep]
 * ```
 *
 * Needs 3 GiB free in `--dir` (refuses with one line otherwise) and GNU
 * time (`apt-get install time`). Exit status: 0 both limits held; 1 a limit
 * was exceeded; 2 it could not run.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { setU16, setU32 } from "../sw/bytes.ts";
import { createCaptureWriter } from "../vectors/capture_writer.ts";
import { buildFrame } from "../tests/_build.ts";

/** Free space the check needs: the capture, its segmented output, margin. */
const NEED_FREE = 3 * 1024 ** 3;
/** Peak RSS limit of one `segment` run. */
const RSS_LIMIT = 256 * 1000 * 1000;
/** Largest allowed ratio between the two runs' time per byte. */
const RATIO_LIMIT = 1.2;
const MOD = new URL("../mod.ts", import.meta.url).pathname;
const GSO_SIZE = 1448;

/** One round of traffic: the same frames in every capture, in order. */
function roundTemplates(): { data: Uint8Array; seqAt: number }[] {
  const out: { data: Uint8Array; seqAt: number }[] = [];
  const big4 = buildFrame({ payloadLen: 64_000, tcpOptionsLen: 12 });
  out.push({ data: big4.frame, seqAt: big4.l4Off + 4 });
  for (let i = 0; i < 4; i++) {
    const ack = buildFrame({ payloadLen: 0, tcpOptionsLen: 12, flags: 0x10 });
    out.push({ data: ack.frame, seqAt: ack.l4Off + 4 });
  }
  const big6 = buildFrame({
    ipv6: true,
    payloadLen: 32_000,
    tcpOptionsLen: 12,
  });
  out.push({ data: big6.frame, seqAt: big6.l4Off + 4 });
  const udp = buildFrame({ udp: true, payloadLen: 200 });
  out.push({ data: udp.frame, seqAt: -1 });
  return out;
}

/**
 * Writes a capture of at least `bytes` bytes of rounds of traffic.
 *
 * @param path Output file (.pcap).
 * @param bytes Target size.
 * @returns Frames and bytes written.
 */
function generate(
  path: string,
  bytes: number,
): { frames: number; size: number } {
  const rounds = roundTemplates();
  const w = createCaptureWriter(path, { linkType: 1, nanosecond: true });
  let size = 24;
  let frames = 0;
  let seq = 1000;
  let ts = 1_700_000_000_000_000_000n;
  try {
    while (size < bytes) {
      for (const t of rounds) {
        if (t.seqAt >= 0) setU32(t.data, t.seqAt, seq >>> 0);
        // A new IPv4 ID per frame, as a sender's would be.
        if (t.data[14] === 0x45) setU16(t.data, 18, frames & 0xffff);
        w.write({ data: t.data, timestampNs: ts, interfaceId: 0 });
        seq += t.data.length;
        ts += 1_000n;
        size += 16 + t.data.length;
        frames++;
      }
    }
  } finally {
    w.close();
  }
  return { frames, size };
}

interface Measured {
  rssBytes: number;
  wallS: number;
  userS: number;
  sysS: number;
  summary: string;
}

async function measure(input: string, output: string): Promise<Measured> {
  const t0 = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args: [
      "-v",
      Deno.execPath(),
      "run",
      "--allow-read",
      "--allow-write",
      MOD,
      "segment",
      "--gso-size",
      String(GSO_SIZE),
      input,
      "-o",
      output,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  // GNU time prints the wall time in 10 ms steps: too coarse for 10 MiB.
  const wallS = (performance.now() - t0) / 1000;
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) {
    throw new Error(`segment ${input} exited ${out.code}: ${stderr.trim()}`);
  }
  const field = (name: string): string => {
    const m = new RegExp(`^\\s*${name}: (.+)$`, "m").exec(stderr);
    if (m === null) throw new Error(`/usr/bin/time printed no "${name}"`);
    return m[1]!.trim();
  };
  return {
    rssBytes: Number(field("Maximum resident set size \\(kbytes\\)")) * 1024,
    wallS,
    userS: Number(field("User time \\(seconds\\)")),
    sysS: Number(field("System time \\(seconds\\)")),
    summary: stdout.trimEnd().split("\n").at(-1) ?? "",
  };
}

function freeBytes(dir: string): number {
  const out = new Deno.Command("df", {
    args: ["-B1", "--output=avail", dir],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  const n = Number(lines.at(-1));
  if (out.code !== 0 || !Number.isFinite(n)) {
    throw new Error(
      `df ${dir} failed: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  return n;
}

const mb = (b: number) => (b / 1e6).toFixed(1);

/**
 * Runs the check with command-line arguments.
 *
 * @param args `--dir DIR` (default /tmp), `--keep` (keep the files).
 * @returns The exit status.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await scaleCheck(["--dir", "/var/tmp"]));
 * ```
 */
export async function scaleCheck(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: "string", default: "/tmp" },
      keep: { type: "boolean" },
      "big-mib": { type: "string", default: "1024" },
    },
  });
  const dir = values.dir;
  const bigBytes = Number(values["big-mib"]) * 1024 * 1024;
  try {
    Deno.statSync("/usr/bin/time");
  } catch {
    console.error(
      "scale_check: /usr/bin/time is missing (apt-get install time)",
    );
    return 2;
  }
  const free = freeBytes(dir);
  if (free < NEED_FREE) {
    console.error(
      `scale_check: only ${
        (free / 1024 ** 3).toFixed(2)
      } GiB free in ${dir}, ` +
        `need 3 GiB (a 1 GiB capture, its segmented output and a margin); use --dir`,
    );
    return 2;
  }
  const work = Deno.makeTempDirSync({ dir, prefix: "tsolab-scale-" });
  const files = {
    tiny: `${work}/tiny.pcap`,
    small: `${work}/small.pcap`,
    big: `${work}/big.pcap`,
  };
  try {
    const runs: [string, string, number][] = [
      ["1 MiB (startup and JIT warm-up)", files.tiny, 1024 * 1024],
      ["10 MiB", files.small, 10 * 1024 * 1024],
      [`${values["big-mib"]} MiB`, files.big, bigBytes],
    ];
    const results: { name: string; size: number; m: Measured }[] = [];
    for (const [name, path, bytes] of runs) {
      const t0 = performance.now();
      const g = generate(path, bytes);
      console.log(
        `scale_check: wrote ${name} capture: ${g.size} bytes, ${g.frames} frames in ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s`,
      );
      // The machines are shared: noise only adds time, so take the best of
      // several runs (15 of the short ones, 3 of the big one).
      const n = bytes < 64 * 1024 * 1024 ? 15 : 3;
      const tries: Measured[] = [];
      for (let i = 0; i < n; i++) {
        tries.push(await measure(path, `${path}.seg.pcap`));
      }
      tries.sort((a, b) => a.wallS - b.wallS);
      const m = tries[0]!;
      const expectFrames = `frames_in=${g.frames} `;
      if (!m.summary.startsWith(expectFrames)) {
        console.error(
          `scale_check: ${name}: expected ${expectFrames}…, got ${m.summary}`,
        );
        return 1;
      }
      const outSize = Deno.statSync(`${path}.seg.pcap`).size;
      Deno.removeSync(`${path}.seg.pcap`);
      results.push({
        name,
        size: g.size,
        m: { ...m, rssBytes: Math.max(...tries.map((t) => t.rssBytes)) },
      });
      console.log(`  ${m.summary}`);
      console.log(
        `  peak RSS ${mb(Math.max(...tries.map((t) => t.rssBytes)))} MB; ` +
          `wall ${m.wallS.toFixed(3)} s${` (best of ${tries.length})`} ` +
          `(user ${m.userS.toFixed(2)} s, sys ${
            m.sysS.toFixed(2)
          } s); output ${outSize} bytes`,
      );
    }
    // Time per byte is the marginal cost over the 1 MiB run, which pays
    // the fixed costs (process start, module load, JIT warm-up) once.
    const base = results[0]!;
    let ok = true;
    const perByte: number[] = [];
    for (const r of results.slice(1)) {
      const net = Math.max(r.m.wallS - base.m.wallS, 1e-3);
      const ns = (net * 1e9) / (r.size - base.size);
      perByte.push(ns);
      console.log(
        `scale_check: ${r.name}: peak RSS ${mb(r.m.rssBytes)} MB, ` +
          `${((r.m.wallS * 1e9) / r.size).toFixed(2)} ns/byte overall, ` +
          `${ns.toFixed(2)} ns/byte beyond the 1 MiB run ` +
          `(${mb((r.size - base.size) / net)} MB/s)`,
      );
      if (r.m.rssBytes >= RSS_LIMIT) {
        console.log(
          `scale_check: FAIL ${r.name}: peak RSS ${
            mb(r.m.rssBytes)
          } MB >= 256 MB`,
        );
        ok = false;
      }
    }
    // Streaming means the cost per byte does not grow with the file. The
    // big run may well be cheaper per byte (the 10 MiB run still pays for
    // JIT tier-up and young-generation growth); only growth fails.
    const growth = perByte[1]! / perByte[0]!;
    console.log(
      `scale_check: time per byte, ${values["big-mib"]} MiB over 10 MiB: ` +
        `${growth.toFixed(3)} (limit ${RATIO_LIMIT}; within 20% both ways: ${
          growth <= RATIO_LIMIT && growth >= 1 / RATIO_LIMIT ? "yes" : "no"
        })`,
    );
    if (growth > RATIO_LIMIT) {
      console.log(
        "scale_check: FAIL time per byte grows by more than 20% with the file",
      );
      ok = false;
    }
    console.log(`scale_check: ${ok ? "ok" : "FAILED"}`);
    return ok ? 0 : 1;
  } finally {
    if (!values.keep) Deno.removeSync(work, { recursive: true });
    else console.log(`scale_check: files kept in ${work}`);
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await scaleCheck(Deno.args));
  } catch (e) {
    console.error(`scale_check: ${(e as Error).message}`);
    Deno.exit(2);
  }
}
