/**
 * The verify results of golden vectors as data, for reports: per vector,
 * the software reference on the vector's egress device and the NIC model in
 * lockstep with it, each compared byte for byte with the kernel's frames —
 * the same calls `tsolab verify` makes, returned instead of printed.
 *
 * @module
 */

import type { DriverMode } from "../hw/nic_config.ts";
import type { CompareResult } from "./capture_compare.ts";
import { verifyGoldenHw, verifyGoldenSw } from "./golden_engines.ts";
import { formatDivergence } from "./scoreboard.ts";

/**
 * How one engine did on one vector.
 *
 * @example
 * ```ts
 * import type { EngineVerdict } from "./golden_verify_rows.ts";
 * const v: EngineVerdict = { status: "pass", detail: "" };
 * ```
 */
export interface EngineVerdict {
  /** `pass`, `fail`, or `n/a` when the engine does not apply. */
  status: "pass" | "fail" | "n/a";
  /** The first divergence as `verify` prints it, or why it does not apply. */
  detail: string;
}

/**
 * One golden vector's results.
 *
 * @example
 * ```ts
 * import type { GoldenVerifyRow } from "./golden_verify_rows.ts";
 * function ok(r: GoldenVerifyRow): boolean { return r.sw.status === "pass" && r.hw.status !== "fail"; }
 * ```
 */
export interface GoldenVerifyRow {
  /** Vector name (file name without `.pcapng`). */
  name: string;
  /** gso_size of its first super-packet. */
  gsoSize: number;
  /** Super-packets the reference segmented. */
  superPackets: number;
  /** Segments the reference produced for them. */
  segments: number;
  /** Frames the reference sent in all. */
  frames: number;
  /** The software reference against the kernel. */
  sw: EngineVerdict;
  /** The NIC model against the kernel (lockstep divergences included). */
  hw: EngineVerdict;
  /** The model against the reference, segment by segment. */
  lockstep: "pass" | "fail" | "n/a";
  /** Model core cycles per payload byte, or null when it did not run. */
  cyclesPerByte: number | null;
}

/**
 * Options of `goldenVerifyRows`.
 *
 * @example
 * ```ts
 * import type { GoldenVerifyOptions } from "./golden_verify_rows.ts";
 * const o: GoldenVerifyOptions = { preset: "82599-10g" };
 * ```
 */
export interface GoldenVerifyOptions {
  /** NIC preset of the model (default: the model's default). */
  preset?: string;
  /** Driver mode (default: the preset's first). */
  driver?: DriverMode;
  /** A configuration merged over the preset (`--config`). */
  config?: Record<string, unknown>;
  /** `key=value` overrides (`--set`). */
  set?: string[];
}

/**
 * Runs both engines over each vector.
 *
 * @param files Golden vector paths.
 * @param o Preset and driver mode of the model.
 * @returns One row per file, in the order given.
 * @throws {GoldenVectorError} When a file is not a valid golden vector.
 *
 * @example
 * ```ts ignore
 * import { defaultGoldenDir, goldenFiles } from "./verify_command.ts";
 * const rows = goldenVerifyRows(goldenFiles(defaultGoldenDir()));
 * rows.filter((r) => r.sw.status === "fail").length; // 0
 * ```
 */
export function goldenVerifyRows(
  files: readonly string[],
  o: GoldenVerifyOptions = {},
): GoldenVerifyRow[] {
  return files.map((path) => verifyOne(path, o));
}

function verdict(r: CompareResult): EngineVerdict {
  return r.mismatch === null
    ? { status: "pass", detail: "" }
    : { status: "fail", detail: formatDivergence(r.mismatch) };
}

function verifyOne(path: string, o: GoldenVerifyOptions): GoldenVerifyRow {
  const name = path.slice(path.lastIndexOf("/") + 1).replace(/\.pcapng$/, "");
  const sw = verifyGoldenSw(path);
  const row: GoldenVerifyRow = {
    name,
    gsoSize: sw.gsoSize,
    superPackets: sw.superPackets,
    segments: sw.segments,
    frames: sw.frames,
    sw: verdict(sw),
    hw: {
      status: "n/a",
      detail:
        "the expected frames are the stack's GSO_PARTIAL hand-off to a device that finishes them, not wire frames",
    },
    lockstep: "n/a",
    cyclesPerByte: null,
  };
  const hw = verifyGoldenHw(path, o);
  if (hw === null) return row;
  return {
    ...row,
    hw: verdict(hw.result),
    lockstep: hw.lockstep.length === 0 ? "pass" : "fail",
    cyclesPerByte: hw.cyclesPerByte,
  };
}
