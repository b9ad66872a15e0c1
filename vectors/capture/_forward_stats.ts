/**
 * Counts of a capture pair's forward frames (outer source = the sender):
 * how many super-packets went in, how many segments came out, the gso_size
 * the output implies, and how many segments the input should have become.
 *
 * Private to `vectors/capture/`.
 *
 * @module
 */

import { summarizeFrame } from "./_dissect.ts";
import type { FrameSummary } from "./_dissect.ts";
import type { PcapRecord } from "./_pcap_scan.ts";

/** Forward-frame counts of one capture pair. */
export interface ForwardStats {
  /** All frames of in.pcap. */
  inFrames: number;
  /** All frames of out.pcap. */
  outFrames: number;
  /** The sender's frames in in.pcap. */
  inForward: number;
  /** The sender's frames in out.pcap. */
  outForward: number;
  /** Forward frames of in.pcap longer than gso_size. */
  superPackets: number;
  /** Largest innermost payload among the forward frames of out.pcap. */
  inferredGsoSize: number;
  /** Forward frames out.pcap should hold given in.pcap and gso_size. */
  expectedOutForward: number;
  /** Forward frames of out.pcap whose payload exceeds gso_size (should be 0). */
  oversizeOut: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The sender's frames of a capture, summarised.
 *
 * @param records The capture's records.
 * @param sender The sender's outer address bytes.
 * @returns The forward frames' summaries, in order.
 *
 * @example
 * ```ts
 * import { forwardFrames } from "./_forward_stats.ts";
 * forwardFrames([], new Uint8Array([10, 77, 0, 1])).length; // 0
 * ```
 */
export function forwardFrames(
  records: readonly PcapRecord[],
  sender: Uint8Array,
): FrameSummary[] {
  const out: FrameSummary[] = [];
  for (const r of records) {
    const s = summarizeFrame(r.data);
    if (s && sameBytes(s.outerSrc, sender)) out.push(s);
  }
  return out;
}

/**
 * Counts a capture pair.
 *
 * @param inRecords Records of in.pcap.
 * @param outRecords Records of out.pcap.
 * @param sender The sender's outer address bytes.
 * @param gsoSize The scenario's gso_size, or undefined to use the inferred one.
 * @param ufo Legacy UFO: gso_size counts the 8-byte UDP header.
 * @returns The counts.
 *
 * @example
 * ```ts
 * import { forwardStats } from "./_forward_stats.ts";
 * forwardStats([], [], new Uint8Array([10, 77, 0, 1]), 1448, false).superPackets; // 0
 * ```
 */
export function forwardStats(
  inRecords: readonly PcapRecord[],
  outRecords: readonly PcapRecord[],
  sender: Uint8Array,
  gsoSize: number | undefined,
  ufo: boolean,
): ForwardStats {
  const fin = forwardFrames(inRecords, sender);
  const fout = forwardFrames(outRecords, sender);
  const inferred = fout.reduce((m, s) => Math.max(m, s.payloadLength), 0);
  const gso = gsoSize ?? inferred;
  let superPackets = 0;
  let expected = 0;
  for (const s of fin) {
    const len = s.payloadLength +
      (ufo && s.l4 === "udp" && !s.fragment ? 8 : 0);
    if (gso > 0 && len > gso) {
      superPackets++;
      expected += Math.ceil(len / gso);
    } else expected += 1;
  }
  return {
    inFrames: inRecords.length,
    outFrames: outRecords.length,
    inForward: fin.length,
    outForward: fout.length,
    superPackets,
    inferredGsoSize: inferred,
    expectedOutForward: expected,
    oversizeOut: fout.filter((s) => s.payloadLength > gso).length,
  };
}
