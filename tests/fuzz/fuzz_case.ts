/**
 * Runs one fuzz input through every consumer of untrusted bytes — the
 * capture reader, `parsePacket`, the `segment` frame contract with the
 * software engine, the scoreboard `check` uses, and a write/read round trip
 * of the output — and checks the properties: only `TsolabError`s are
 * thrown, every frame read is accounted for as segmented, passed or
 * rejected, and the work is bounded.
 *
 * @module
 */

import { parsePacket } from "../../sw/packet_layout.ts";
import { kernelCaptureEgressDevice } from "../../sw/net_device.ts";
import { type Frame, TsolabError } from "../../sw/types.ts";
import { bytesSink } from "../../vectors/byte_sink.ts";
import { CaptureReader } from "../../vectors/capture_reader.ts";
import { PcapngWriter } from "../../vectors/pcapng_writer.ts";
import { SUPPORTED_LINKTYPES } from "../../vectors/link_types.ts";
import { formatDivergence, Scoreboard } from "../../tb/scoreboard.ts";
import { emptySummary, segmentFrames } from "../../tb/segment_run.ts";
import { swTransmit } from "../../tb/sw_engine.ts";
import { applyFeatureChanges } from "../../tb/device_setup.ts";
import { PROFILES } from "../../tb/tolerances.ts";
import type { FuzzInput } from "./mutate.ts";
import type { Rng } from "./rng.ts";

/** Most frames read per case. */
export const MAX_FRAMES_PER_CASE = 64;
/** Most output frames made per case before the segment stage stops. */
export const MAX_SEGMENTS_PER_CASE = 200_000;
/** Segments compared on the scoreboard per case. */
export const SCOREBOARD_SAMPLES = 6;

/**
 * A property that did not hold.
 *
 * @example
 * ```ts
 * import type { CaseFailure } from "./fuzz_case.ts";
 * const f: CaseFailure = { stage: "reader", message: "TypeError: x" };
 * ```
 */
export interface CaseFailure {
  /** Where: reader, parse, segment, accounting, scoreboard or writer. */
  stage: string;
  /** What went wrong. */
  message: string;
  /** The stack of an unexpected error. */
  stack?: string;
}

/**
 * What one case did, for the run's totals.
 *
 * @example
 * ```ts
 * import { emptyCaseStats } from "./fuzz_case.ts";
 * emptyCaseStats().framesRead; // 0
 * ```
 */
export interface CaseStats {
  /** Inputs the reader refused before the first frame. */
  openErrors: number;
  /** Inputs whose reader stopped on an error after opening. */
  readErrors: number;
  /** Frames read. */
  framesRead: number;
  /** Frames `parsePacket` refused. */
  decodeErrors: number;
  /** Frames segmented, passed and rejected by the frame contract. */
  segmented: number;
  passed: number;
  rejected: number;
  /** Frames written for super-packets. */
  segmentsOut: number;
  /** Runs stopped by an unsupported link type. */
  linkTypeStops: number;
  /** Scoreboard comparisons made, and divergences they found. */
  compared: number;
  divergences: number;
}

/**
 * Returns all-zero stats.
 *
 * @returns New stats.
 *
 * @example
 * ```ts
 * import { emptyCaseStats } from "./fuzz_case.ts";
 * const s = emptyCaseStats();
 * ```
 */
export function emptyCaseStats(): CaseStats {
  return {
    openErrors: 0,
    readErrors: 0,
    framesRead: 0,
    decodeErrors: 0,
    segmented: 0,
    passed: 0,
    rejected: 0,
    segmentsOut: 0,
    linkTypeStops: 0,
    compared: 0,
    divergences: 0,
  };
}

function unexpected(stage: string, e: unknown): CaseFailure {
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    stage,
    message: `${err.name}: ${err.message}`,
    ...(err.stack !== undefined ? { stack: err.stack } : {}),
  };
}

/**
 * The egress devices a case may transmit on: the kernel captures' own
 * (every checksum final, software GSO), and the same with checksum offload,
 * with TSO (the super-packet goes to the "hardware" whole), without
 * scatter-gather, and without GSO.
 */
const DEVICE_CHANGES: readonly (readonly [string, boolean][])[] = [
  [],
  [["tx", true]],
  [["tx", true], ["tso", true]],
  [["sg", false]],
  [["gso", false]],
];
const devices = DEVICE_CHANGES.map((c) => {
  const d = kernelCaptureEgressDevice();
  applyFeatureChanges(d, c);
  return d;
});
const profiles = Object.values(PROFILES);

/** Devices of `DEVICE_CHANGES` on which the kernel segments in software. */
const SOFTWARE_GSO_DEVICES = [0, 1, 3, 4];

/**
 * What the reference sends must itself be a well-formed frame, and after
 * software GSO carry at most gso_size bytes of payload — except legacy UFO
 * (its outputs are IP fragments) and gso_size 65535, which is the kernel's
 * GSO_BY_FRAGS (one segment per frag_list member; a captured frame has none,
 * so it goes out whole).
 */
function checkSegments(
  frame: Frame,
  out: readonly Uint8Array[],
  input: FuzzInput,
  failures: CaseFailure[],
): void {
  const sw = SOFTWARE_GSO_DEVICES.includes(input.device) && !input.ufo &&
    input.gsoSize !== 0xffff;
  for (let i = 0; i < out.length && failures.length < 4; i++) {
    try {
      const l = parsePacket(out[i]!, frame.linkType, {
        vxlanPorts: input.vxlanPorts,
      });
      if (sw && l.l4 !== null && l.payloadLen > input.gsoSize) {
        failures.push({
          stage: "segment",
          message:
            `frame ${frame.number} segment ${i}: payload ${l.payloadLen} exceeds gso_size ${input.gsoSize}`,
        });
      }
    } catch (e) {
      failures.push(
        e instanceof TsolabError
          ? {
            stage: "segment",
            message:
              `frame ${frame.number} segment ${i} does not parse: ${e.message}`,
          }
          : unexpected("segment", e),
      );
    }
  }
}

/**
 * Runs one input through every stage and checks the properties.
 *
 * @param input The fuzz input.
 * @param rng The case's random stream (for the scoreboard's edits).
 * @param stats Totals to add to.
 * @returns The properties that failed (empty when all held).
 *
 * @example
 * ```ts ignore
 * const failures = runCase(buildCase(pool, rng), rng, emptyCaseStats());
 * ```
 */
export function runCase(
  input: FuzzInput,
  rng: Rng,
  stats: CaseStats,
): CaseFailure[] {
  const failures: CaseFailure[] = [];
  // 1. The reader: frames until the end, an error, or the cap.
  let reader: CaptureReader;
  try {
    reader = CaptureReader.fromBytes(input.bytes);
  } catch (e) {
    if (e instanceof TsolabError) {
      stats.openErrors++;
      return failures;
    }
    return [unexpected("reader", e)];
  }
  const frames: Frame[] = [];
  try {
    for (const f of reader.frames()) {
      frames.push(f);
      if (frames.length >= MAX_FRAMES_PER_CASE) break;
    }
  } catch (e) {
    if (e instanceof TsolabError) stats.readErrors++;
    else failures.push(unexpected("reader", e));
  }
  stats.framesRead += frames.length;

  // 2. parsePacket on every frame, whatever its link type.
  for (const f of frames) {
    try {
      parsePacket(f.data, f.linkType, { vxlanPorts: input.vxlanPorts });
    } catch (e) {
      if (e instanceof TsolabError) stats.decodeErrors++;
      else failures.push(unexpected("parse", e));
    }
  }

  // 3. The frame contract, counting what it says about each frame.
  const s = emptySummary();
  const kinds = { segmented: 0, passed: 0, rejected: 0 };
  let yielded = 0;
  let outFrames = 0;
  let stoppedOnLinkType = false;
  const samples: { frame: Frame; out: Uint8Array; last: boolean }[] = [];
  const written: { frame: Frame; out: Uint8Array[] }[] = [];
  try {
    const source = (function* () {
      for (const f of frames) {
        yielded++;
        yield f;
      }
    })();
    const dev = devices[input.device % devices.length]!;
    for (
      const o of segmentFrames(source, {
        input: "fuzz",
        gsoSize: input.gsoSize,
        engine: (skb) => swTransmit(skb, dev),
        vxlanPorts: input.vxlanPorts,
        fixedId: input.fixedId,
        accecn: input.accecn,
        ufo: input.ufo,
      }, s)
    ) {
      kinds[o.kind]++;
      outFrames += o.out.length;
      if (o.kind === "segmented") {
        stats.segmentsOut += o.out.length;
        checkSegments(o.frame, o.out, input, failures);
        if (samples.length < SCOREBOARD_SAMPLES && o.out.length > 0) {
          const i = rng.int(o.out.length);
          samples.push({
            frame: o.frame,
            out: o.out[i]!,
            last: i === o.out.length - 1,
          });
        }
      }
      if (written.length < 16) written.push({ frame: o.frame, out: o.out });
      if (outFrames > MAX_SEGMENTS_PER_CASE) break;
    }
  } catch (e) {
    if (
      e instanceof TsolabError &&
      !SUPPORTED_LINKTYPES.includes(frames[yielded - 1]?.linkType ?? 1)
    ) {
      stoppedOnLinkType = true;
      stats.linkTypeStops++;
    } else failures.push(unexpected("segment", e));
  }
  stats.segmented += kinds.segmented;
  stats.passed += kinds.passed;
  stats.rejected += kinds.rejected;
  const accounted = kinds.segmented + kinds.passed + kinds.rejected;
  // A frame the contract refuses to look at (unsupported link type) stops
  // the run and is not counted: frames_in is what was accounted for.
  const taken = stoppedOnLinkType ? yielded - 1 : yielded;
  if (accounted !== s.framesIn || s.framesIn !== taken) {
    failures.push({
      stage: "accounting",
      message:
        `frames taken ${taken}, frames_in ${s.framesIn}, segmented ${kinds.segmented} + passed ${kinds.passed} + rejected ${kinds.rejected} = ${accounted}`,
    });
  }
  if (s.passed !== kinds.passed || s.rejected !== kinds.rejected) {
    failures.push({
      stage: "accounting",
      message:
        `summary passed=${s.passed} rejected=${s.rejected}, outcomes passed=${kinds.passed} rejected=${kinds.rejected}`,
    });
  }

  // 4. The scoreboard, on reference segments and edited copies of them.
  for (const smp of samples) {
    const exp = smp.out;
    let act = exp.slice();
    const edit = rng.int(5);
    if (edit === 1) act[rng.int(act.length)]! ^= 1 << rng.int(8);
    else if (edit === 2) act = act.slice(0, rng.int(act.length));
    else if (edit === 3) {
      const a = new Uint8Array(act.length + 4);
      a.set(act);
      act = a;
    } else if (edit === 4) {
      act[rng.int(Math.min(act.length, 80))] = rng.int(256);
    }
    const tolerances = rng.pick(profiles);
    const sb = new Scoreboard({ keepGoing: true, tolerances });
    const ctx = {
      input: "fuzz",
      frame: smp.frame.number,
      segment: 0,
      linkType: smp.frame.linkType,
    };
    try {
      stats.compared++;
      const same = exp.length === act.length &&
        exp.every((b, i) => b === act[i]);
      const d = sb.compare(ctx, exp, act, smp.last);
      if (same && d !== null) {
        failures.push({
          stage: "scoreboard",
          message: `identical segments diverge: ${formatDivergence(d)}`,
        });
      }
      if (!same && tolerances.length === 0 && d === null) {
        failures.push({
          stage: "scoreboard",
          message: "different segments match with no tolerance",
        });
      }
      if (d !== null) {
        stats.divergences++;
        formatDivergence(d);
      }
      const missing = sb.compare(ctx, exp, undefined, true);
      if (missing === null) {
        failures.push({
          stage: "scoreboard",
          message: "a missing segment is not a divergence",
        });
      } else formatDivergence(missing);
    } catch (e) {
      if (!(e instanceof TsolabError)) {
        failures.push(unexpected("scoreboard", e));
      }
    }
  }

  // 5. The output written as pcapng and read back.
  try {
    const sink = bytesSink();
    const w = new PcapngWriter(sink);
    const ids = new Map<number, number>();
    let n = 0;
    try {
      for (const { frame, out } of written) {
        let id = ids.get(frame.linkType);
        if (id === undefined) {
          id = w.addInterface({
            linkType: frame.linkType,
            tsresolNs: true,
            snapLen: 0,
          });
          ids.set(frame.linkType, id);
        }
        for (const data of out) {
          w.write({ data, timestampNs: frame.timestampNs, interfaceId: id });
          n++;
        }
      }
    } catch (e) {
      if (!(e instanceof TsolabError)) throw e;
    }
    const back = [...CaptureReader.fromBytes(sink.bytes()).frames()].length;
    if (back !== n) {
      failures.push({
        stage: "writer",
        message: `wrote ${n} frames, read back ${back}`,
      });
    }
  } catch (e) {
    failures.push(unexpected("writer", e));
  }
  return failures;
}
