/**
 * Comparing what an engine sends for an ingress capture with what the
 * kernel sent (the egress capture), frame by frame in order, for the frames
 * the sender sent. The first difference is named by field.
 *
 * @module
 */

import { getU32 } from "../sw/bytes.ts";
import { LINKTYPE } from "../sw/link_header.ts";
import { canonicalAddress, outerSource } from "../vectors/pair_frames.ts";
import { UsageError } from "./cli_args.ts";
import { CaptureTruncatedError } from "./capture_truncated_error.ts";
import { GsoSizeNotInferredError } from "./gso_size_not_inferred_error.ts";
import { NothingToCompareError } from "./nothing_to_compare_error.ts";
import {
  type IpLayer,
  type PacketLayout,
  parsePacket,
} from "../sw/packet_layout.ts";
import { type Frame, TsolabError } from "../sw/types.ts";
import type { XmitDevice } from "../sw/xmit_decision.ts";
import {
  type CompareContext,
  type Divergence,
  Scoreboard,
  type Tolerance,
} from "./scoreboard.ts";
import {
  emptySummary,
  type Engine,
  openReader,
  segmentFrames,
} from "./segment_run.ts";

/**
 * The result of comparing one capture pair.
 *
 * @example
 * ```ts ignore
 * const r = compareCaptures(inPath, outPath, engine);
 * if (r.mismatch) console.log(formatDivergence(r.mismatch));
 * ```
 */
export interface CompareResult {
  /** Sender address the comparison was limited to. */
  sender: string;
  /** gso_size used (given or inferred). */
  gsoSize: number;
  /** gso_size was inferred from the egress capture, not given. */
  gsoSizeInferred: boolean;
  /**
   * Frames were compared from the network header on: a side is a cooked
   * capture (LINUX_SLL/SLL2) or the two sides' link types differ.
   */
  fromNetworkLayer: boolean;
  /** Super-packets from the sender. */
  superPackets: number;
  /** Frames compared. */
  frames: number;
  /** Segments produced for super-packets. */
  segments: number;
  /** First difference, or null when every frame matched. */
  mismatch: Divergence | null;
  /** Every difference found (just the first unless keepGoing). */
  divergences: Divergence[];
  /** Frames that matched only thanks to a tolerance, by name. */
  tolerated: Record<string, number>;
}

/**
 * The outer source address of a frame as text, or "" when it has no IP
 * header: dotted IPv4, or IPv6 compressed as RFC 5952 writes it.
 *
 * @param data Frame bytes.
 * @param layout Its layout.
 * @returns The address.
 *
 * @example
 * ```ts
 * import { sourceAddress } from "./capture_compare.ts";
 * import { parsePacket } from "../sw/packet_layout.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 100, seed: 1 });
 * sourceAddress(frame, parsePacket(frame, 1)); // "10.79.0.1"
 * ```
 */
export function sourceAddress(data: Uint8Array, layout: PacketLayout): string {
  return outerSource(data, layout);
}

/**
 * A line to print after a divergence in a length field or the segment count
 * when gso_size was inferred: a sender that used several gso sizes has its
 * smaller ones segmented at the largest, and the first divergence then names
 * a length, not the cause.
 *
 * @param r The comparison.
 * @returns The note, or null when it does not apply.
 *
 * @example
 * ```ts ignore
 * const note = inferredGsoSizeNote(result);
 * if (note !== null) console.log(note);
 * ```
 */
export function inferredGsoSizeNote(r: CompareResult): string | null {
  if (r.mismatch === null || !r.gsoSizeInferred) return null;
  // Only a length or a segment count betrays a wrong gso_size.
  if (!/^(frame|ip\.len|ipv6\.plen|udp\.length)$/.test(r.mismatch.field)) {
    return null;
  }
  return `note: gso_size ${r.gsoSize} was inferred as the largest payload ` +
    `among the sender's egress frames; if the sender used several gso sizes, ` +
    `give --gso-size or compare one capture pair per size`;
}

function isUdpFragment(b: Uint8Array, ip: IpLayer): boolean {
  if (ip.version === 4) return b[ip.offset + 9] === 17;
  const fh = ip.extHeaders.find((e) => e.type === 44);
  return fh !== undefined && b[fh.offset] === 17;
}

/**
 * What an engine factory may need to reproduce the kernel exactly.
 *
 * @example
 * ```ts
 * import type { EngineHints } from "./capture_compare.ts";
 * const h: EngineHints = { ufo6FragId: 0x12345678 };
 * ```
 */
export interface EngineHints {
  /** Identification of the Fragment header IPv6 UFO inserts. */
  ufo6FragId?: number;
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
  } catch (e) {
    // Two captures are read: say which one is broken.
    if (e instanceof TsolabError && !(e instanceof UsageError)) {
      throw new UsageError(`${path}: ${e.message}`, { cause: e });
    }
    throw e;
  } finally {
    r.close();
  }
}

/**
 * Runs `engine` over the ingress capture and compares, in order, every
 * frame it sends for the sender's frames with the sender's frames of the
 * egress capture. The sender defaults to the source of the ingress frame
 * with the largest payload; gso_size to the largest payload the sender's
 * egress frames carry. A sender may be written in any IPv4 or IPv6 form.
 *
 * @param ingress Path of the ingress capture.
 * @param egress Path of the egress capture.
 * @param makeEngine Builds the engine once gso_size is known.
 * @param opts Sender, gso_size, VXLAN ports.
 * @returns Counts and the first mismatch.
 * @throws {UsageError} When the sender is not an address.
 * @throws {NothingToCompareError} When the ingress capture holds no frame
 *   from the sender, or no TCP/UDP frame to infer one from.
 * @throws {CaptureTruncatedError} When either capture holds a frame cut by
 *   the snap length.
 * @throws {GsoSizeNotInferredError} When no gso_size is given and the
 *   egress capture holds no TCP/UDP payload from the sender to infer it.
 *
 * @example
 * ```ts ignore
 * compareCaptures("tcp4.in.pcap", "tcp4.out.pcap", () => engine);
 * ```
 */
export function compareCaptures(
  ingress: string,
  egress: string,
  makeEngine: (hints: EngineHints) => Engine,
  opts: {
    sender?: string;
    gsoSize?: number;
    vxlanPorts?: number[];
    keepGoing?: boolean;
    tolerances?: readonly Tolerance[];
    /**
     * The egress capture is the device under test and the engine is the
     * reference (`check`); by default the egress capture is the truth and
     * the engine is checked (`verify`).
     */
    egressIsDut?: boolean;
    /** Take UDP super-packets as legacy UFO (default: inferred). */
    ufo?: boolean;
    /**
     * The Linux egress device the engine models, for frames that pass
     * through: where it inserts a checksum, a seed stays a seed.
     */
    device?: XmitDevice;
  } = {},
): CompareResult {
  const vxlanPorts = opts.vxlanPorts ?? [4789];
  const inFrames = readAll(ingress);
  const cut = inFrames.find((f) => f.data.length < f.origLen);
  if (cut !== undefined) throw new CaptureTruncatedError(ingress, cut);
  let sender = opts.sender;
  if (sender !== undefined) {
    try {
      sender = canonicalAddress(sender);
    } catch (e) {
      throw new UsageError(`--sender: ${(e as Error).message}`, { cause: e });
    }
  }
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
  const expected: { data: Uint8Array; layout: PacketLayout; lt: number }[] = [];
  let gso = 0;
  // IP fragments of a UDP datagram on the wire mean the kernel did legacy
  // UFO: gso_size is then the fragment payload, and an IPv6 fragment
  // header's identification (a keyed hash in the kernel) is taken as seen.
  let ufoGso = 0;
  let ufo6FragId: number | undefined;
  for (const f of readAll(egress)) {
    if (f.data.length < f.origLen) throw new CaptureTruncatedError(egress, f);
    const l = layoutOf(f, vxlanPorts);
    if (l === null || sourceAddress(f.data, l) !== sender) continue;
    expected.push({ data: f.data, layout: l, lt: f.linkType });
    if (l.l4 !== null && l.payloadLen > gso) gso = l.payloadLen;
    const ip = l.outer;
    if (
      l.tunnel === null && ip !== null && ip.fragment &&
      isUdpFragment(f.data, ip)
    ) {
      ufoGso = Math.max(ufoGso, l.payloadLen);
      const fh = ip.extHeaders.find((e) => e.type === 44);
      if (fh !== undefined && ufo6FragId === undefined) {
        ufo6FragId = getU32(f.data, fh.offset + 4);
      }
    }
  }
  const ufo = opts.ufo ?? ufoGso > 0;
  const gsoSize = opts.gsoSize ?? (ufo && ufoGso > 0 ? ufoGso : gso);
  const s = emptySummary();
  const sources = new Set<string>();
  const fromSender = inFrames.filter((f) => {
    const l = layoutOf(f, vxlanPorts);
    const src = l === null ? "" : sourceAddress(f.data, l);
    if (src !== "") sources.add(src);
    return l !== null && src === sender;
  });
  // A pair with nothing from the sender would "match" vacuously.
  if (fromSender.length === 0 || sender === "") {
    throw new NothingToCompareError(ingress, sender, [...sources]);
  }
  // Nothing on egress to take gso_size from: comparing at 0 would report
  // divergences of a segmentation nobody asked for.
  if (opts.gsoSize === undefined && gsoSize === 0) {
    throw new GsoSizeNotInferredError(egress, sender);
  }
  const sb = new Scoreboard({
    keepGoing: opts.keepGoing ?? false,
    tolerances: opts.tolerances ?? [],
  });
  // A cooked header (SLL/SLL2: packet type, interface index) describes the
  // capture, not the wire, and two link types cannot be compared byte for
  // byte: then both sides are compared from the network header on.
  const linkTypes = new Set([
    ...fromSender.map((f) => f.linkType),
    ...expected.map((e) => e.lt),
  ]);
  const fromNetwork = linkTypes.size > 1 ||
    [...linkTypes].some((t) =>
      t === LINKTYPE.LINUX_SLL || t === LINKTYPE.LINUX_SLL2
    );
  const network = (b: Uint8Array | undefined, lt: number) => {
    if (b === undefined || !fromNetwork) return b;
    try {
      return b.subarray(parsePacket(b, lt, { vxlanPorts }).l2Len);
    } catch {
      return b;
    }
  };
  const expectedAt = (i: number) => {
    const e = expected[i];
    return e === undefined ? undefined : network(e.data, e.lt);
  };
  const dut = opts.egressIsDut ?? false;
  const cmp = (
    ctx: CompareContext,
    fromEgress: Uint8Array | undefined,
    fromEngine: Uint8Array | undefined,
    last = false,
  ) => {
    const c = fromNetwork ? { ...ctx, linkType: LINKTYPE.RAW } : ctx;
    return dut
      ? sb.compare(c, fromEngine, fromEgress, last)
      : sb.compare(c, fromEgress, fromEngine, last);
  };
  let k = 0;
  let frames = 0;
  let segments = 0;
  let superPackets = 0;
  for (
    const r of segmentFrames(fromSender, {
      input: ingress,
      gsoSize,
      engine: makeEngine({
        ...(ufo6FragId !== undefined ? { ufo6FragId } : {}),
      }),
      vxlanPorts,
      ufo,
      ...(opts.device !== undefined ? { device: opts.device } : {}),
    }, s)
  ) {
    if (r.kind === "segmented") {
      superPackets++;
      segments += r.out.length;
    }
    const ctx = {
      input: ingress,
      frame: r.frame.number,
      linkType: r.frame.linkType,
    };
    if (r.kind === "rejected") {
      cmp({ ...ctx, segment: 0 }, expectedAt(k), undefined);
      k++;
    }
    for (let i = 0; i < r.out.length; i++) {
      frames++;
      cmp(
        { ...ctx, segment: i },
        expectedAt(k++),
        network(r.out[i], r.frame.linkType),
        i === r.out.length - 1,
      );
    }
    if (sb.stopped) break;
  }
  while (!sb.stopped && k < expected.length) {
    cmp(
      { input: egress, frame: fromSender.at(-1)?.number ?? 0, segment: k },
      expectedAt(k++),
      undefined,
    );
  }
  return {
    sender,
    fromNetworkLayer: fromNetwork,
    gsoSize,
    gsoSizeInferred: opts.gsoSize === undefined,
    superPackets,
    frames,
    segments,
    mismatch: sb.divergences[0] ?? null,
    divergences: sb.divergences,
    tolerated: Object.fromEntries(sb.tolerated),
  };
}
