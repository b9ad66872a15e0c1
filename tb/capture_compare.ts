/**
 * Comparing what an engine sends for an ingress capture with what the
 * kernel sent (the egress capture), frame by frame in order, for the frames
 * the sender sent. The first difference is named by field.
 *
 * @module
 */

import { type PacketLayout, parsePacket } from "../sw/packet_layout.ts";
import { firstDifference } from "../sw/bytes.ts";
import type { Frame } from "../sw/types.ts";
import { fieldAt, fieldValue } from "./field_names.ts";
import {
  emptySummary,
  type Engine,
  openReader,
  segmentFrames,
} from "./segment_run.ts";

/**
 * The first difference between the engine's and the expected frames.
 *
 * @example
 * ```ts
 * import type { Mismatch } from "./capture_compare.ts";
 * const m: Mismatch = {
 *   frame: 40, segment: 3, field: "tcp.seq", expected: "0x00001000",
 *   actual: "0x00000fb4", offset: 38,
 * };
 * ```
 */
export interface Mismatch {
  /** Ingress frame number (1-based). */
  frame: number;
  /** Index of the output among that frame's outputs (0-based). */
  segment: number;
  /** Wireshark name of the differing field. */
  field: string;
  /** The expected field value. */
  expected: string;
  /** The engine's field value. */
  actual: string;
  /** Byte offset of the first difference. */
  offset: number;
}

/**
 * The result of comparing one capture pair.
 *
 * @example
 * ```ts ignore
 * const r = compareCaptures(inPath, outPath, engine);
 * if (r.mismatch) console.log(r.mismatch.field);
 * ```
 */
export interface CompareResult {
  /** Sender address the comparison was limited to. */
  sender: string;
  /** gso_size used (given or inferred). */
  gsoSize: number;
  /** Super-packets from the sender. */
  superPackets: number;
  /** Frames compared. */
  frames: number;
  /** Segments produced for super-packets. */
  segments: number;
  /** First difference, or null when every frame matched. */
  mismatch: Mismatch | null;
}

/**
 * The outer source address of a frame as text, or "" when it has no IP
 * header.
 *
 * @param data Frame bytes.
 * @param layout Its layout.
 * @returns Dotted IPv4 or full-form IPv6.
 *
 * @example
 * ```ts ignore
 * sourceAddress(frame, layout); // "10.77.0.1"
 * ```
 */
export function sourceAddress(data: Uint8Array, layout: PacketLayout): string {
  const o = layout.outer;
  if (o === null) return "";
  if (o.version === 4) {
    return [...data.subarray(o.offset + 12, o.offset + 16)].join(".");
  }
  const w: string[] = [];
  for (let i = 0; i < 16; i += 2) {
    w.push(
      ((data[o.offset + 8 + i]! << 8) | data[o.offset + 9 + i]!).toString(16),
    );
  }
  return w.join(":");
}

function layoutOf(f: Frame, vxlanPorts: number[]): PacketLayout | null {
  try {
    return parsePacket(f.data, f.linkType, { vxlanPorts });
  } catch {
    return null;
  }
}

function readAll(path: string): Frame[] {
  const r = openReader(path);
  try {
    return [...r.frames()];
  } finally {
    r.close();
  }
}

/**
 * Runs `engine` over the ingress capture and compares, in order, every
 * frame it sends for the sender's frames with the sender's frames of the
 * egress capture. The sender defaults to the source of the ingress frame
 * with the largest payload; gso_size to the largest payload the sender's
 * egress frames carry.
 *
 * @param ingress Path of the ingress capture.
 * @param egress Path of the egress capture.
 * @param makeEngine Builds the engine once gso_size is known.
 * @param opts Sender, gso_size, VXLAN ports.
 * @returns Counts and the first mismatch.
 *
 * @example
 * ```ts ignore
 * compareCaptures("tcp4.in.pcap", "tcp4.out.pcap", () => engine);
 * ```
 */
export function compareCaptures(
  ingress: string,
  egress: string,
  makeEngine: () => Engine,
  opts: { sender?: string; gsoSize?: number; vxlanPorts?: number[] } = {},
): CompareResult {
  const vxlanPorts = opts.vxlanPorts ?? [4789];
  const inFrames = readAll(ingress);
  let sender = opts.sender;
  if (sender === undefined) {
    let best = -1;
    for (const f of inFrames) {
      const l = layoutOf(f, vxlanPorts);
      if (l !== null && l.l4 !== null && l.payloadLen > best) {
        best = l.payloadLen;
        sender = sourceAddress(f.data, l);
      }
    }
  }
  sender ??= "";
  const expected: { data: Uint8Array; layout: PacketLayout }[] = [];
  let gso = 0;
  for (const f of readAll(egress)) {
    const l = layoutOf(f, vxlanPorts);
    if (l === null || sourceAddress(f.data, l) !== sender) continue;
    expected.push({ data: f.data, layout: l });
    if (l.l4 !== null && l.payloadLen > gso) gso = l.payloadLen;
  }
  const gsoSize = opts.gsoSize ?? gso;
  const s = emptySummary();
  const fromSender = inFrames.filter((f) => {
    const l = layoutOf(f, vxlanPorts);
    return l !== null && sourceAddress(f.data, l) === sender;
  });
  let k = 0;
  let frames = 0;
  let segments = 0;
  let superPackets = 0;
  let mismatch: Mismatch | null = null;
  for (
    const r of segmentFrames(fromSender, {
      input: ingress,
      gsoSize,
      engine: makeEngine(),
      vxlanPorts,
    }, s)
  ) {
    if (r.kind === "segmented") {
      superPackets++;
      segments += r.out.length;
    }
    for (let i = 0; i < r.out.length; i++) {
      const got = r.out[i]!;
      const exp = expected[k++];
      frames++;
      if (mismatch !== null) continue;
      if (exp === undefined) {
        mismatch = {
          frame: r.frame.number,
          segment: i,
          field: "frame",
          expected: "no more frames",
          actual: `${got.length} bytes`,
          offset: 0,
        };
        continue;
      }
      const d = firstDifference(exp.data, got);
      if (d >= 0) {
        const f = fieldAt(exp.data, exp.layout, d, got);
        mismatch = {
          frame: r.frame.number,
          segment: i,
          field: f.name,
          expected: f.len === 0
            ? `${exp.data.length} bytes`
            : fieldValue(exp.data, f),
          actual: f.len === 0 ? `${got.length} bytes` : fieldValue(got, f),
          offset: d,
        };
      }
    }
    if (r.kind === "rejected" && mismatch === null) {
      mismatch = {
        frame: r.frame.number,
        segment: 0,
        field: "frame",
        expected: "segments",
        actual: `rejected (${r.reason})`,
        offset: 0,
      };
    }
  }
  if (mismatch === null && k < expected.length) {
    mismatch = {
      frame: fromSender.at(-1)?.number ?? 0,
      segment: 0,
      field: "frame",
      expected: `${expected.length} frames`,
      actual: `${k} frames`,
      offset: 0,
    };
  }
  return { sender, gsoSize, superPackets, frames, segments, mismatch };
}
