/**
 * Turning the raw pairs `vectors capture` writes (`NAME.in.pcap`,
 * `NAME.out.pcap` and `NAME.json` with the kernel release, commands,
 * sender, gso_size, egress features and status) into golden vectors.
 *
 * @module
 */

import { type FromPairResult, goldenFromPair } from "./from_pair.ts";
import { GoldenVectorError } from "./golden_error.ts";

/**
 * The fields of a capture record (`NAME.json`) the conversion reads.
 *
 * @example
 * ```ts
 * import type { CaptureRecordFields } from "./from_capture_record.ts";
 * const r: CaptureRecordFields = {
 *   scenario: "tcp4", description: "…", driver: "socket", status: "ok",
 *   reason: null, kernel_release: "6.18.0", sender_address: "10.77.0.1",
 *   gso_size: null, egress_features: ["tx-scatter-gather"],
 *   files: { in: "tcp4.in.pcap", out: "tcp4.out.pcap" }, commands: ["ip netns add …"],
 * };
 * ```
 */
export interface CaptureRecordFields {
  /** Scenario name. */
  scenario: string;
  /** One sentence on the traffic. */
  description?: string;
  /** "socket" or "tap". */
  driver: "socket" | "tap";
  /** "ok", "skipped" or "failed". */
  status: string;
  /** Why skipped or failed. */
  reason?: string | null;
  /** `uname -r` of the capturing kernel. */
  kernel_release: string;
  /** Outer source address of the sender's frames. */
  sender_address?: string;
  /** gso_size when the scenario set it, else null. */
  gso_size?: number | null;
  /** Enabled ethtool features of the egress device. */
  egress_features: string[];
  /** The pcap files, relative to the JSON. */
  files: { in: string; out: string } | null;
  /** Every command run, in order. */
  commands?: string[];
}

/**
 * What became of one capture record.
 *
 * @example
 * ```ts
 * import type { RecordConversion } from "./from_capture_record.ts";
 * const c: RecordConversion = { record: "udp-fraglist.json", skipped: "status skipped: no tap" };
 * ```
 */
export interface RecordConversion {
  /** The JSON file. */
  record: string;
  /** The golden vector written, when converted. */
  result?: FromPairResult;
  /** Why it was not converted (not "ok"), when skipped. */
  skipped?: string;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Longest `steps=` comment kept in the section header. */
const MAX_STEPS = 60000;

/**
 * Converts one capture record whose status is "ok" into
 * `outDir/SCENARIO.pcapng` (origin kernel, source from the driver, features
 * and kernel release from the record, the commands as `steps`).
 *
 * @param jsonPath Path of `NAME.json`.
 * @param outDir Where the golden vector goes.
 * @param opts `keepExisting`: skip a record whose vector already exists
 *   (a scenario converted from elsewhere keeps its file).
 * @returns What was done: the result, or why the record was skipped.
 * @throws {GoldenVectorError} When the JSON cannot be read or lacks a field.
 * @throws {PairingError} When the pair's frames do not pair up.
 *
 * @example
 * ```ts ignore
 * import { goldenFromCaptureRecord } from "./from_capture_record.ts";
 * goldenFromCaptureRecord("vectors/captures-raw/tcp4.json", "vectors/golden");
 * ```
 */
export function goldenFromCaptureRecord(
  jsonPath: string,
  outDir: string,
  opts: { keepExisting?: boolean } = {},
): RecordConversion {
  let rec: CaptureRecordFields;
  try {
    rec = JSON.parse(Deno.readTextFileSync(jsonPath));
  } catch (e) {
    throw new GoldenVectorError(
      `${jsonPath}: cannot read the capture record (${(e as Error).message})`,
      { path: jsonPath },
    );
  }
  if (rec?.status !== "ok") {
    return {
      record: jsonPath,
      skipped: `status ${rec?.status}${rec?.reason ? `: ${rec.reason}` : ""}`,
    };
  }
  for (const k of ["scenario", "kernel_release", "driver"] as const) {
    if (typeof rec[k] !== "string") {
      throw new GoldenVectorError(`${jsonPath}: the record lacks "${k}"`, {
        path: jsonPath,
      });
    }
  }
  if (rec.files === null || rec.files === undefined) {
    throw new GoldenVectorError(`${jsonPath}: the record names no files`, {
      path: jsonPath,
    });
  }
  if (!Array.isArray(rec.egress_features)) {
    throw new GoldenVectorError(
      `${jsonPath}: the record lacks "egress_features"`,
      { path: jsonPath },
    );
  }
  const output = `${outDir}/${rec.scenario}.pcapng`;
  if (opts.keepExisting && exists(output)) {
    return { record: jsonPath, skipped: `${output} exists` };
  }
  const dir = jsonPath.includes("/")
    ? jsonPath.slice(0, jsonPath.lastIndexOf("/"))
    : ".";
  const steps = (rec.commands ?? []).join(" ; ");
  const result = goldenFromPair(
    `${dir}/${rec.files.in}`,
    `${dir}/${rec.files.out}`,
    {
      output,
      scenario: rec.scenario,
      kernelRelease: rec.kernel_release,
      source: rec.driver,
      command: `tsolab vectors capture --scenario ${rec.scenario}`,
      features: rec.egress_features,
      ...(rec.description ? { description: rec.description } : {}),
      ...(rec.sender_address ? { sender: rec.sender_address } : {}),
      ...(typeof rec.gso_size === "number" ? { gsoSize: rec.gso_size } : {}),
      extra: steps === "" ? {} : {
        steps: steps.length > MAX_STEPS
          ? steps.slice(0, MAX_STEPS) + " …"
          : steps,
      },
    },
  );
  return { record: jsonPath, result };
}

/**
 * Converts every `*.json` capture record of a folder whose status is "ok".
 *
 * @param dir The raw-capture folder (e.g. `vectors/captures-raw`).
 * @param outDir Where the golden vectors go.
 * @param opts `keepExisting`: skip records whose vector already exists.
 * @returns One entry per record, sorted by name.
 * @throws {GoldenVectorError} When the folder or a record cannot be read.
 * @throws {PairingError} When a pair's frames do not pair up.
 *
 * @example
 * ```ts ignore
 * import { goldenFromCaptureDir } from "./from_capture_record.ts";
 * for (const c of goldenFromCaptureDir("vectors/captures-raw", "vectors/golden")) {
 *   console.log(c.record, c.skipped ?? c.result?.segments);
 * }
 * ```
 */
export function goldenFromCaptureDir(
  dir: string,
  outDir: string,
  opts: { keepExisting?: boolean } = {},
): RecordConversion[] {
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && e.name.endsWith(".json"))
      .map((e) => e.name)
      .sort();
  } catch (e) {
    throw new GoldenVectorError(
      `${dir}: cannot read the folder (${(e as Error).message})`,
      { path: dir },
    );
  }
  return names.map((n) => goldenFromCaptureRecord(`${dir}/${n}`, outDir, opts));
}
