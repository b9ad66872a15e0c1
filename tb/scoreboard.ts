/**
 * The scoreboard: compares what a device under test sent with what the
 * reference expects, one segment at a time, and explains the first
 * divergence — the field (Wireshark names), both values, a hex diff around
 * the first differing byte, the DUT's cycle stamp, the input's name, and
 * what every checksum of both frames holds.
 *
 * @module
 */

import { firstDifference } from "../sw/bytes.ts";
import { DecodeError } from "../sw/decode_error.ts";
import { type PacketLayout, parsePacket } from "../sw/packet_layout.ts";
import {
  type ChecksumReport,
  checksumReports,
  describeChecksums,
} from "./checksum_report.ts";
import { fieldAt, fieldValue } from "./field_names.ts";

/**
 * Where a comparison happens.
 *
 * @example
 * ```ts
 * import type { CompareContext } from "./scoreboard.ts";
 * const c: CompareContext = { input: "tcp4.pcapng", frame: 40, segment: 3 };
 * ```
 */
export interface CompareContext {
  /** Name of the input (file or vector). */
  input: string;
  /** Ingress frame number (1-based). */
  frame: number;
  /** Segment index among that frame's outputs (0-based). */
  segment: number;
  /** The DUT's cycle stamp for this segment, if it has one. */
  cycle?: number;
  /** Link type of the frames (default Ethernet). */
  linkType?: number;
}

/**
 * One divergence between expected and actual.
 *
 * @example
 * ```ts
 * import { type Divergence, Scoreboard } from "./scoreboard.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const exp = buildSuperPacket({ payloadLen: 100, seed: 1 }).frame;
 * const got = exp.slice();
 * got[41] ^= 1; // last byte of the TCP sequence number
 * const d: Divergence = new Scoreboard().compare({ input: "v", frame: 1, segment: 0 }, exp, got)!;
 * [d.field, d.offset]; // ["tcp.seq", 41]
 * ```
 */
export interface Divergence extends CompareContext {
  /** Wireshark name of the first differing field, or `frame` for a missing or extra segment. */
  field: string;
  /** Expected value as text. */
  expected: string;
  /** Actual value as text. */
  actual: string;
  /** Offset of the first differing byte (-1 for missing/extra). */
  offset: number;
  /** Hex dump of both frames around the first differing byte. */
  hexDiff: string;
  /** Checksums of the expected frame. */
  expectedChecksums: ChecksumReport[];
  /** Checksums of the actual frame. */
  actualChecksums: ChecksumReport[];
  /**
   * Tolerances undone before the comparison that still failed: the actual
   * values and hex dump are of the frame with them undone.
   */
  afterTolerances?: string[];
}

/**
 * A tolerance: a documented hardware difference the comparison accepts.
 * Given copies of the expected and actual frames that differ, it may rewrite
 * `actual` toward `expected` (fixing checksums it touches) and return a
 * label when it did.
 *
 * @example
 * ```ts
 * import { Scoreboard, type Tolerance } from "./scoreboard.ts";
 * // Accepts an actual frame that only adds bytes after the expected ones.
 * const trailer: Tolerance = {
 *   name: "trailer",
 *   apply: (exp, act) => act.length > exp.length ? act.subarray(0, exp.length) : null,
 * };
 * const sb = new Scoreboard({ tolerances: [trailer] });
 * sb.compare({ input: "v", frame: 1, segment: 0 }, new Uint8Array(60), new Uint8Array(64));
 * sb.tolerated.get("trailer"); // 1
 * ```
 */
export interface Tolerance {
  /** Name shown in reports. */
  name: string;
  /**
   * Rewrites the actual frame to undo the difference, or returns null when
   * it does not apply.
   */
  apply(
    expected: Uint8Array,
    actual: Uint8Array,
    ctx: CompareContext & { last: boolean; layout: PacketLayout },
  ): Uint8Array | null;
}

function safeLayout(b: Uint8Array, linkType: number): PacketLayout | null {
  try {
    return parsePacket(b, linkType);
  } catch (e) {
    if (e instanceof DecodeError) return null;
    throw e;
  }
}

function hexRow(b: Uint8Array, from: number, mark: Uint8Array): string {
  const cells: string[] = [];
  for (let i = from; i < from + 16; i++) {
    if (i >= b.length) cells.push("  ");
    else {
      const h = b[i]!.toString(16).padStart(2, "0");
      cells.push(i < mark.length && mark[i] === b[i] ? h : h.toUpperCase());
    }
  }
  return cells.join(" ");
}

/**
 * A hex diff of two frames around an offset: rows of 16 bytes, expected
 * then actual, bytes that differ in upper case and rows marked with `!`.
 *
 * @param expected Expected frame.
 * @param actual Actual frame.
 * @param offset The first differing byte.
 * @returns The diff, several lines.
 *
 * @example
 * ```ts
 * import { hexDiff } from "./scoreboard.ts";
 * hexDiff(new Uint8Array([1, 2]), new Uint8Array([1, 3]), 1);
 * ```
 */
export function hexDiff(
  expected: Uint8Array,
  actual: Uint8Array,
  offset: number,
): string {
  const start = Math.max(0, (offset & ~15) - 16);
  const end = Math.min(Math.max(expected.length, actual.length), start + 48);
  const lines: string[] = [];
  for (let o = start; o < end; o += 16) {
    const e = hexRow(expected, o, actual);
    const a = hexRow(actual, o, expected);
    const flag = e === a ? " " : "!";
    lines.push(`${flag} ${o.toString(16).padStart(4, "0")}  exp ${e}`);
    lines.push(`${flag} ${"".padStart(4)}  got ${a}`);
  }
  return lines.join("\n");
}

/**
 * Formats a divergence for people:
 * `frame 40 segment 3: tcp.seq expected 0x00001000 got 0x00000fb4`, then
 * the input, cycle, checksum notes and the hex diff.
 *
 * @param d The divergence.
 * @returns Several lines.
 *
 * @example
 * ```ts
 * import { formatDivergence, Scoreboard } from "./scoreboard.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const exp = buildSuperPacket({ payloadLen: 100, seed: 1 }).frame;
 * const got = exp.slice();
 * got[41] ^= 1; // last byte of the TCP sequence number
 * const d = new Scoreboard().compare({ input: "v", frame: 1, segment: 0 }, exp, got)!;
 * formatDivergence(d).split("\n")[0]; // "frame 1 segment 0: tcp.seq expected 0x8706c4eb got 0x8706c4ea"
 * ```
 */
export function formatDivergence(d: Divergence): string {
  const lines = [
    `frame ${d.frame} segment ${d.segment}: ${d.field} expected ${d.expected} got ${d.actual}`,
    `  input ${d.input}${
      d.cycle !== undefined ? `, DUT cycle ${d.cycle}` : ""
    }${d.offset >= 0 ? `, first differing byte at offset ${d.offset}` : ""}`,
  ];
  if (d.afterTolerances !== undefined) {
    lines.push(
      `  compared after undoing the tolerated ${d.afterTolerances.join(", ")}`,
    );
  }
  const exp = describeChecksums(d.expectedChecksums);
  const act = describeChecksums(d.actualChecksums);
  for (let i = 0; i < Math.max(exp.length, act.length); i++) {
    if (exp[i] !== act[i]) {
      lines.push(
        `  checksum: expected ${exp[i] ?? "none"}; got ${act[i] ?? "none"}`,
      );
    }
  }
  if (d.hexDiff) lines.push(...d.hexDiff.split("\n").map((l) => "  " + l));
  return lines.join("\n");
}

/**
 * Options of a scoreboard.
 *
 * @example
 * ```ts
 * import type { ScoreboardOptions } from "./scoreboard.ts";
 * const o: ScoreboardOptions = { keepGoing: true };
 * ```
 */
export interface ScoreboardOptions {
  /** Record every divergence instead of stopping at the first. */
  keepGoing?: boolean;
  /** Hardware differences to accept. */
  tolerances?: readonly Tolerance[];
}

/**
 * Compares segments as they arrive. `stopped` turns true at the first
 * divergence unless `keepGoing`.
 *
 * @example
 * ```ts
 * import { Scoreboard } from "./scoreboard.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const expected = buildSuperPacket({ payloadLen: 100, seed: 1 }).frame;
 * const actual = expected.slice();
 * actual[41] ^= 1; // last byte of the TCP sequence number
 * const sb = new Scoreboard();
 * sb.compare({ input: "v", frame: 1, segment: 0 }, expected, actual, true);
 * [sb.stopped, sb.divergences[0]!.field]; // [true, "tcp.seq"]
 * ```
 */
export class Scoreboard {
  /** Divergences found, in order. */
  readonly divergences: Divergence[] = [];
  /** Segments compared. */
  compared = 0;
  /** Segments that matched only thanks to a tolerance, by tolerance name. */
  readonly tolerated: Map<string, number> = new Map();
  #keepGoing: boolean;
  #tolerances: readonly Tolerance[];

  /**
   * Creates a scoreboard.
   *
   * @param opts Keep going, tolerances.
   */
  constructor(opts: ScoreboardOptions = {}) {
    this.#keepGoing = opts.keepGoing ?? false;
    this.#tolerances = opts.tolerances ?? [];
  }

  /** True once a divergence was found and the board does not keep going. */
  get stopped(): boolean {
    return !this.#keepGoing && this.divergences.length > 0;
  }

  /**
   * Compares one segment. `actual` undefined means the DUT sent nothing
   * where the reference expects a segment; `expected` undefined means the
   * DUT sent one more than expected.
   *
   * @param ctx Where.
   * @param expected The reference's segment.
   * @param actual The DUT's segment.
   * @param last True when `expected` is the last segment of its frame.
   * @returns The divergence, or null when they match.
   */
  compare(
    ctx: CompareContext,
    expected: Uint8Array | undefined,
    actual: Uint8Array | undefined,
    last = false,
  ): Divergence | null {
    this.compared++;
    const lt = ctx.linkType ?? 1;
    if (expected === undefined || actual === undefined) {
      return this.#record({
        ...ctx,
        field: "frame",
        expected: expected === undefined
          ? "no segment"
          : `${expected.length}-byte segment`,
        actual: actual === undefined
          ? "no segment (missing)"
          : `${actual.length}-byte segment (extra)`,
        offset: -1,
        hexDiff: "",
        expectedChecksums: expected ? this.#sums(expected, lt) : [],
        actualChecksums: actual ? this.#sums(actual, lt) : [],
      });
    }
    let d = firstDifference(expected, actual);
    if (d < 0) return null;
    const layout = safeLayout(expected, lt);
    // The frame as compared: the device's, with each tolerance that
    // applied undone; a divergence is read from it, never from a mix.
    let seen = actual;
    const applied: string[] = [];
    if (layout !== null) {
      for (const t of this.#tolerances) {
        const r = t.apply(expected, seen, { ...ctx, last, layout });
        if (r === null) continue;
        seen = r;
        applied.push(t.name);
        if (firstDifference(expected, seen) < 0) {
          // Every tolerance it took counts, not just the last one.
          for (const n of applied) {
            this.tolerated.set(n, (this.tolerated.get(n) ?? 0) + 1);
          }
          return null;
        }
      }
      d = firstDifference(expected, seen);
    }
    let field = "frame.data";
    let ev = "";
    let av = "";
    if (layout !== null) {
      const f = fieldAt(expected, layout, d, seen);
      field = f.name;
      ev = f.len === 0 ? `${expected.length} bytes` : fieldValue(expected, f);
      av = f.len === 0 ? `${seen.length} bytes` : fieldValue(seen, f);
    } else {
      ev = `0x${(expected[d] ?? 0).toString(16).padStart(2, "0")}`;
      av = `0x${(seen[d] ?? 0).toString(16).padStart(2, "0")}`;
    }
    // Four bytes more and nothing else different: a trailing FCS (with
    // padding before it for a short frame), named as such.
    const trailer = seen.length - expected.length;
    if (
      d >= expected.length && (trailer === 4 ||
        (expected.length < 60 && seen.length === 64))
    ) {
      field = "eth.fcs";
      ev = "none";
      av = `0x${
        [...seen.subarray(seen.length - 4)].map((x) =>
          x.toString(16).padStart(2, "0")
        ).join("")
      } (${trailer} bytes after the frame)`;
    }
    return this.#record({
      ...ctx,
      field,
      expected: ev,
      actual: av,
      offset: d,
      hexDiff: hexDiff(expected, seen, d),
      expectedChecksums: this.#sums(expected, lt),
      actualChecksums: this.#sums(seen, lt),
      ...(applied.length > 0 ? { afterTolerances: applied } : {}),
    });
  }

  #sums(b: Uint8Array, linkType: number): ChecksumReport[] {
    const l = safeLayout(b, linkType);
    return l === null ? [] : checksumReports(b, l);
  }

  #record(d: Divergence): Divergence {
    if (!this.stopped) this.divergences.push(d);
    return d;
  }
}
