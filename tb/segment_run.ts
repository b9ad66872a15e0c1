/**
 * The frame contract of `tsolab segment`: read a capture, segment every
 * super-packet as Linux (or the NIC model) would, pass every other frame
 * through with its checksums completed, and write the result in input
 * order, counting every input frame as segmented, passed or rejected.
 *
 * @module
 */

import { DecodeError } from "../sw/decode_error.ts";
import { GSO_MAX_SIZE } from "../sw/net_device.ts";
import { type PacketLayout, parsePacket } from "../sw/packet_layout.ts";
import { SegmentError } from "../sw/segment_error.ts";
import { skbFromFrame } from "../sw/skb_from_frame.ts";
import type { Frame, SkBuff } from "../sw/types.ts";
import { IP_SUMMED, TsolabError } from "../sw/types.ts";
import { xmitDecision, type XmitDevice } from "../sw/xmit_decision.ts";
import { CaptureReader } from "../vectors/capture_reader.ts";
import { SUPPORTED_LINKTYPES } from "../vectors/link_types.ts";
import {
  captureFormatOf,
  type CaptureWriter,
  createCaptureWriter,
} from "../vectors/capture_writer.ts";
import { UsageError } from "./cli_args.ts";
import { completePassThrough } from "./pass_through.ts";
import { ProgressBar } from "./progress.ts";
import type { EngineResult } from "./sw_engine.ts";

/**
 * A function that transmits one super-packet: an engine.
 *
 * @example
 * ```ts
 * import type { Engine } from "./segment_run.ts";
 * import { swTransmit } from "./sw_engine.ts";
 * import { kernelCaptureEgressDevice } from "../sw/net_device.ts";
 * const dev = kernelCaptureEgressDevice();
 * const engine: Engine = (skb) => swTransmit(skb, dev);
 * ```
 */
export type Engine = (skb: SkBuff, frame: Frame) => EngineResult;

/**
 * Options of one run.
 *
 * @example
 * ```ts ignore
 * const o: SegmentRunOptions = { input: "in.pcap", output: "out.pcap", gsoSize: 1448, engine };
 * ```
 */
export interface SegmentRunOptions {
  /** Input capture path. */
  input: string;
  /** Output capture path (.pcap or .pcapng). */
  output: string;
  /** Payload bytes per segment. */
  gsoSize: number;
  /** The engine that transmits super-packets. */
  engine: Engine;
  /**
   * The egress device of the software engine. When given, a passed frame
   * whose innermost checksum holds the seed keeps it if the device inserts
   * that checksum (`-K tx on`), as Linux hands it over; otherwise (and for
   * the NIC model, which inserts checksums itself) seeds are completed.
   */
  device?: XmitDevice;
  /** UDP ports that carry VXLAN (default 4789). */
  vxlanPorts?: number[];
  /** Give super-packets SKB_GSO_TCP_FIXEDID. */
  fixedId?: boolean;
  /** Give super-packets SKB_GSO_TCP_ACCECN. */
  accecn?: boolean;
  /** Treat UDP super-packets as legacy UFO. */
  ufo?: boolean;
  /** Write refused super-packets and malformed frames unchanged. */
  keepRejected?: boolean;
  /** Called with one line per notable event (stderr). */
  warn?: (line: string) => void;
  /** Called for every super-packet with its path (for `--explain`). */
  onPath?: (frame: number, path: string, reasons: string[]) => void;
  /** Draw a progress line on a terminal (off for `--json`). */
  progress?: boolean;
  /**
   * Called after the last frame, before the output replaces OUT: returns
   * whether it should (default {@linkcode runSucceeded}). When it returns
   * false or throws, the output is discarded and an existing OUT is left
   * as it was.
   */
  finish?: (s: SegmentSummary) => boolean;
}

/**
 * The counts of one run; `formatSummary()` prints them.
 *
 * @example
 * ```ts ignore
 * console.log(formatSummary(runSegment(opts)));
 * ```
 */
export interface SegmentSummary {
  /** Frames read. */
  framesIn: number;
  /** Frames whose payload exceeded gso_size. */
  superPackets: number;
  /** Frames written for super-packets. */
  segmentsOut: number;
  /** Frames written through unsegmented. */
  passed: number;
  /** Super-packets refused by the segmenter, and malformed frames. */
  rejected: number;
  /** Checksums left unchanged because they neither verify nor hold a seed. */
  badChecksums: number;
  /** Rejections by reason. */
  reasons: Map<string, number>;
  /** Super-packets by transmit path. */
  paths: Map<string, number>;
}

/**
 * Formats the summary as the last stdout line of `segment`.
 *
 * @param s The counts.
 * @returns `frames_in=N super_packets=N segments_out=N passed=N rejected=N
 *   bad_checksums=N`, plus ` (reason=count, …)` when anything was rejected.
 *
 * @example
 * ```ts
 * import { emptySummary, formatSummary } from "./segment_run.ts";
 * formatSummary({ ...emptySummary(), framesIn: 48, superPackets: 30 });
 * // "frames_in=48 super_packets=30 segments_out=0 passed=0 rejected=0 bad_checksums=0"
 * ```
 */
export function formatSummary(s: SegmentSummary): string {
  let line = `frames_in=${s.framesIn} super_packets=${s.superPackets} ` +
    `segments_out=${s.segmentsOut} passed=${s.passed} ` +
    `rejected=${s.rejected} bad_checksums=${s.badChecksums}`;
  if (s.rejected > 0) {
    line += " (" +
      [...s.reasons].map(([r, n]) => `${r}=${n}`).join(", ") + ")";
  }
  return line;
}

/**
 * Whether a run produced usable output: it did unless frames were read and
 * every one was rejected. `segment` exits 2 otherwise and keeps no output.
 *
 * @param s The counts of a finished run.
 * @returns True when the output should be kept.
 *
 * @example
 * ```ts
 * import { emptySummary, runSucceeded } from "./segment_run.ts";
 * runSucceeded({ ...emptySummary(), framesIn: 2, rejected: 2 }); // false
 * ```
 */
export function runSucceeded(s: SegmentSummary): boolean {
  return s.framesIn === 0 || s.segmentsOut + s.passed > 0;
}

/**
 * What became of one input frame.
 *
 * @example
 * ```ts ignore
 * for (const r of segmentFrames(frames, opts, summary)) console.log(r.kind);
 * ```
 */
export interface FrameOutcome {
  /** The input frame. */
  frame: Frame;
  /** What happened to it. */
  kind: "segmented" | "passed" | "rejected";
  /** The frames written for it, in order (empty when rejected). */
  out: Uint8Array[];
  /** The rejection reason, when rejected. */
  reason?: string;
}

/**
 * Returns an all-zero summary.
 *
 * @returns A new summary.
 *
 * @example
 * ```ts
 * import { emptySummary } from "./segment_run.ts";
 * emptySummary().framesIn; // 0
 * ```
 */
export function emptySummary(): SegmentSummary {
  return {
    framesIn: 0,
    superPackets: 0,
    segmentsOut: 0,
    passed: 0,
    rejected: 0,
    badChecksums: 0,
    reasons: new Map(),
    paths: new Map(),
  };
}

/**
 * The frame contract over a stream of frames: yields, per input frame, the
 * frames that go out for it, and counts into `s`.
 *
 * @param frames Input frames, in order.
 * @param o The options (input/output paths are used in messages only).
 * @param s The counts to update.
 * @returns A generator of outcomes.
 * @throws {UsageError} For an unsupported link type (unusable input).
 *
 * @example
 * ```ts ignore
 * for (const r of segmentFrames(reader.frames(), opts, emptySummary())) {
 *   for (const f of r.out) writer.write(f);
 * }
 * ```
 */
export function* segmentFrames(
  frames: Iterable<Frame>,
  o: Omit<SegmentRunOptions, "output">,
  s: SegmentSummary,
): Generator<FrameOutcome> {
  const vxlanPorts = o.vxlanPorts ?? [4789];
  let hinted = false;
  const reject = (reason: string) => {
    s.rejected++;
    s.reasons.set(reason, (s.reasons.get(reason) ?? 0) + 1);
  };
  for (const frame of frames) {
    if (!SUPPORTED_LINKTYPES.includes(frame.linkType)) {
      throw new UsageError(
        `${o.input}: frame ${frame.number} at offset ${frame.fileOffset}: link type ${frame.linkType} is not supported (Ethernet, RAW, LINUX_SLL, LINUX_SLL2, IPV4, IPV6 are)`,
      );
    }
    s.framesIn++;
    if (frame.data.length < frame.origLen) {
      // Cut by the snap length. Its headers still say what it was: a
      // super-packet cannot be segmented without its payload, so it is
      // refused; anything else passes on as captured.
      if (snappedSuperPacket(frame, o.gsoSize, vxlanPorts)) {
        s.superPackets++;
        o.warn?.(
          `${o.input}: frame ${frame.number} at offset ${frame.fileOffset}: rejected: captured ${frame.data.length} of ${frame.origLen} bytes (snap length): a super-packet cannot be segmented without its payload`,
        );
        reject("truncated");
        yield {
          frame,
          kind: "rejected",
          out: o.keepRejected ? [frame.data] : [],
          reason: "truncated",
        };
        continue;
      }
      s.passed++;
      yield { frame, kind: "passed", out: [frame.data] };
      continue;
    }
    let layout;
    try {
      layout = parsePacket(frame.data, frame.linkType, { vxlanPorts });
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      o.warn?.(
        `${o.input}: frame ${frame.number} at offset ${frame.fileOffset}: ${e.message}`,
      );
      reject("malformed");
      yield {
        frame,
        kind: "rejected",
        out: o.keepRejected ? [frame.data] : [],
        reason: "malformed",
      };
      continue;
    }
    if (!hinted && looksLikeVxlan(frame.data, layout, vxlanPorts)) {
      hinted = true;
      o.warn?.(
        `${o.input}: frame ${frame.number}: UDP to port 8472 carries what looks like VXLAN (the port Linux's vxlan driver uses without dstport); it is read as plain UDP unless you pass --vxlan-port 8472`,
      );
    }
    if (
      layout.l4 !== null && !isFragment(layout) &&
      layout.payloadLen > o.gsoSize
    ) {
      s.superPackets++;
      const skb = skbFromFrame(frame.data, layout, {
        gsoSize: o.gsoSize,
        fixedId: o.fixedId ?? false,
        accecn: o.accecn ?? false,
        ufo: o.ufo ?? false,
      })!;
      try {
        const r = o.engine(skb, frame);
        s.paths.set(r.path, (s.paths.get(r.path) ?? 0) + 1);
        o.onPath?.(frame.number, r.path, r.reasons);
        const out: Uint8Array[] = [];
        for (const f of r.frames) out.push(f);
        s.segmentsOut += out.length;
        yield { frame, kind: "segmented", out };
      } catch (e) {
        if (!(e instanceof SegmentError)) throw e;
        o.warn?.(
          `${o.input}: frame ${frame.number} at offset ${frame.fileOffset}: rejected: ${e.message}`,
        );
        reject(e.reason);
        yield {
          frame,
          kind: "rejected",
          out: o.keepRejected ? [frame.data] : [],
          reason: e.reason,
        };
      }
      continue;
    }
    const copy = frame.data.slice();
    s.badChecksums += completePassThrough(
      copy,
      layout,
      o.device !== undefined && deviceInsertsChecksum(frame, layout, o.device),
    );
    s.passed++;
    yield { frame, kind: "passed", out: [copy] };
  }
}

// UDP to 8472 (vxlan's default dstport in Linux, before IANA's 4789) whose
// payload starts with a VXLAN header: I flag, reserved bits zero, and an
// inner Ethernet header's worth of bytes behind it.
function looksLikeVxlan(
  data: Uint8Array,
  layout: PacketLayout,
  vxlanPorts: readonly number[],
): boolean {
  const l4 = layout.l4;
  if (l4 === null || l4.proto !== 17 || layout.tunnel !== null) return false;
  if (vxlanPorts.includes(8472)) return false;
  if (((data[l4.offset + 2]! << 8) | data[l4.offset + 3]!) !== 8472) {
    return false;
  }
  const v = l4.offset + 8;
  return layout.payloadLen >= 8 + 14 && data[v] === 0x08 &&
    data[v + 1] === 0 && data[v + 2] === 0 && data[v + 3] === 0 &&
    data[v + 7] === 0;
}

// validate_xmit_skb on a frame that is not a super-packet: a CHECKSUM_PARTIAL
// skb (its innermost checksum holds the seed) keeps the seed when the device
// can insert the checksum (skb_csum_hwoffload_help).
function deviceInsertsChecksum(
  frame: Frame,
  layout: PacketLayout,
  dev: XmitDevice,
): boolean {
  if (layout.l4 === null || isFragment(layout)) return false;
  const skb = skbFromFrame(frame.data, layout, { gsoSize: 1 });
  if (skb === null || skb.ipSummed !== IP_SUMMED.PARTIAL) return false;
  const plain = { ...skb, gsoSize: 0, gsoSegs: 0, gsoType: 0 };
  return xmitDecision(plain, dev).path === "hardware";
}

// The longest skb (GSO_MAX_SIZE) with room for any header chain in front.
const SNAPPED_READ_MAX = GSO_MAX_SIZE + 65536;

/**
 * Whether a frame cut by the snap length was a super-packet: its captured
 * headers parse, and the IP length fields give a TCP/UDP payload above
 * gso_size.
 */
function snappedSuperPacket(
  frame: Frame,
  gsoSize: number,
  vxlanPorts: number[],
): boolean {
  // The frame as long as it was on the wire; only the headers are read.
  // No skb is longer than GSO_MAX_SIZE plus its headers (netif_set_tso_max_size),
  // so a record claiming more (orig_len is any 32-bit value) is read over
  // that much instead of allocating gigabytes for it.
  const whole = new Uint8Array(
    Math.max(frame.data.length, Math.min(frame.origLen, SNAPPED_READ_MAX)),
  );
  whole.set(frame.data);
  let l: PacketLayout;
  try {
    l = parsePacket(whole, frame.linkType, { vxlanPorts });
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return false;
  }
  return l.l4 !== null && !isFragment(l) && l.payloadLen > gsoSize &&
    l.payloadOffset <= frame.data.length;
}

function isFragment(layout: PacketLayout): boolean {
  return (layout.outer?.fragment ?? false) ||
    (layout.inner?.fragment ?? false);
}

/**
 * Runs the frame contract over one capture file and writes the output
 * file. Frames are streamed: memory does not grow with the file. The output
 * is written under a temporary name beside OUT and renamed over it only
 * when the run succeeds; unusable input, or a run `finish` refuses, leaves
 * an existing OUT untouched and no temporary file behind.
 *
 * @param o The options.
 * @returns The counts.
 * @throws {UsageError} For an output name that is neither .pcap nor
 *   .pcapng (before the input is opened), or unusable input (bad file,
 *   unsupported link type); the message names the frame and byte offset.
 *
 * @example
 * ```ts ignore
 * const s = runSegment({ input, output, gsoSize: 1448, engine });
 * ```
 */
export function runSegment(o: SegmentRunOptions): SegmentSummary {
  try {
    captureFormatOf(o.output);
  } catch (e) {
    if (e instanceof TsolabError) throw new UsageError(e.message, { cause: e });
    throw e;
  }
  const s = emptySummary();
  const reader = openReader(o.input);
  let writer: CaptureWriter | undefined;
  const ifMap = new Map<string, number>();
  const bar = new ProgressBar({
    label: "segment",
    totalBytes: fileSize(o.input),
    disabled: !(o.progress ?? false),
  });
  try {
    for (const r of segmentFrames(guarded(reader, o.input), o, s)) {
      const frame = r.frame;
      bar.update(s.framesIn, frame.fileOffset);
      try {
        writer ??= createCaptureWriter(o.output, { atomic: true });
        const key = `${frame.section ?? 0}/${frame.interfaceId}`;
        let id = ifMap.get(key);
        if (id === undefined) {
          const info = reader.interfaces.find((i) =>
            i.id === frame.interfaceId &&
            i.section === (frame.section ?? i.section)
          );
          id = writer.addInterface({
            linkType: frame.linkType,
            tsresolNs: true,
            snapLen: info?.snapLen || 64 * 1024 * 1024,
            ...(info?.name !== undefined ? { name: info.name } : {}),
          });
          ifMap.set(key, id);
        }
        for (const data of r.out) {
          writer.write({
            data,
            // A frame passed on as captured keeps the length it had on the
            // wire; everything the tool made is whole.
            origLen: data === frame.data ? frame.origLen : data.length,
            timestampNs: frame.timestampNs,
            interfaceId: id,
          });
        }
      } catch (e) {
        if (!(e instanceof TsolabError)) throw e;
        throw new UsageError(
          `${o.input}: frame ${frame.number} at offset ${frame.fileOffset}: cannot write it to ${o.output}: ${e.message}`,
          { cause: e },
        );
      }
    }
    writer ??= createCaptureWriter(o.output, { linkType: 1, atomic: true });
    if ((o.finish ?? runSucceeded)(s)) {
      try {
        writer.close();
      } catch (e) {
        if (!(e instanceof TsolabError)) throw e;
        throw new UsageError(e.message, { cause: e });
      }
    }
  } catch (e) {
    if (e instanceof UsageError) throw new SegmentRunError(e.message, s, e);
    throw e;
  } finally {
    bar.done();
    // Not closed above: the run failed or was refused; OUT stays as it was.
    writer?.abort();
    reader.close();
  }
  return s;
}

function fileSize(path: string): number | undefined {
  try {
    return Deno.statSync(path).size;
  } catch {
    return undefined;
  }
}

function* guarded(reader: CaptureReader, path: string): Generator<Frame> {
  const it = reader.frames();
  for (;;) {
    let next: IteratorResult<Frame>;
    try {
      next = it.next();
    } catch (e) {
      if (e instanceof TsolabError) {
        throw new UsageError(`${path}: ${e.message}`, { cause: e });
      }
      throw e;
    }
    if (next.done) return;
    yield next.value;
  }
}

/**
 * Opens a capture for reading, turning a missing or invalid file into a
 * one-line `UsageError`.
 *
 * @param path The file.
 * @returns The reader.
 * @throws {UsageError} When the file is missing or not a capture.
 *
 * @example
 * ```ts ignore
 * const r = openReader("in.pcap");
 * ```
 */
export function openReader(path: string): CaptureReader {
  try {
    return CaptureReader.openFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UsageError(`${path}: no such file`);
    }
    if (e instanceof TsolabError) {
      throw new UsageError(`${path}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

/**
 * Unusable input met while streaming: the message of the error that
 * stopped the run, and the counts of the frames handled before it.
 *
 * @example
 * ```ts ignore
 * try {
 *   runSegment(o);
 * } catch (e) {
 *   if (e instanceof SegmentRunError) console.log(formatSummary(e.summary));
 * }
 * ```
 */
export class SegmentRunError extends UsageError {
  /** Counts of the frames handled before the error. */
  readonly summary: SegmentSummary;

  /**
   * Creates the error.
   *
   * @param message What stopped the run and where.
   * @param summary The counts so far.
   * @param cause The original error.
   */
  constructor(message: string, summary: SegmentSummary, cause: unknown) {
    super(message, { cause });
    this.summary = summary;
  }
}
