/**
 * Turning a kernel capture pair (`NAME.in.pcap` before the egress device,
 * `NAME.out.pcap` after it) into a golden vector: only the sender's frames,
 * each ingress frame followed by the egress frames it became, with the
 * super-packet metadata in its comment.
 *
 * @module
 */

import { getU32 } from "../sw/bytes.ts";
import { DecodeError } from "../sw/decode_error.ts";
import { parsePacket } from "../sw/packet_layout.ts";
import { skbFromFrame } from "../sw/skb_from_frame.ts";
import { type Frame, SKB_GSO, TsolabError } from "../sw/types.ts";
import { CaptureReader } from "./capture_reader.ts";
import { canonicalFeatureNames } from "./golden_device.ts";
import { GoldenVectorError, PairingError } from "./golden_error.ts";
import type { GoldenSource, SuperPacketMeta } from "./golden_meta.ts";
import { TSOLAB_VERSION } from "./golden_meta.ts";
import { createGoldenVector, type GoldenCounts } from "./golden_vector.ts";
import {
  inferPairParameters,
  pairFrames,
  type PairParameters,
} from "./pair_frames.ts";

/**
 * What the capture pair does not say by itself.
 *
 * @example
 * ```ts
 * import type { PairMeta } from "./from_pair.ts";
 * const m: PairMeta = {
 *   output: "vectors/golden/tcp4.pcapng", scenario: "tcp4",
 *   kernelRelease: "6.18", source: "socket",
 *   command: "tcpdump -i p1 / -i p2 (kernel-captures/README.md)",
 *   features: ["tx-scatter-gather", "tx-generic-segmentation"],
 * };
 * ```
 */
export interface PairMeta {
  /** The golden vector to write (`.pcapng`). */
  output: string;
  /** Scenario name. */
  scenario: string;
  /** `uname -r` of the kernel that made the pair. */
  kernelRelease: string;
  /** How the super-packets reached the egress device. */
  source: GoldenSource;
  /** The command (or steps) that made the captures. */
  command: string;
  /**
   * Enabled ethtool features of the egress device (as `ethtool -k` prints
   * them; legacy headings are resolved, see `canonicalFeatureNames`).
   */
  features: string[];
  /** One sentence on the traffic. */
  description?: string;
  /** Outer source address of the sender (default: inferred). */
  sender?: string;
  /** gso_size (default: the largest payload of the sender's egress frames). */
  gsoSize?: number;
  /** SKB_GSO bits the headers cannot show (a tap's ECN/FIXEDID), OR-ed in. */
  gsoTypeExtra?: number;
  /** UDP ports that carry VXLAN (default 4789). */
  vxlanPorts?: number[];
  /** Further section-header comments (`key` → `value`). */
  extra?: Record<string, string>;
}

/**
 * What `goldenFromPair` wrote.
 *
 * @example
 * ```ts
 * import type { FromPairResult } from "./from_pair.ts";
 * const r: FromPairResult = {
 *   path: "tcp4.pcapng", sender: "10.77.0.1", gsoSize: 1448,
 *   superPackets: 7, segments: 104, passThrough: 4,
 * };
 * ```
 */
export interface FromPairResult extends GoldenCounts, PairParameters {
  /** The file written. */
  path: string;
}

function* framesOf(path: string): Generator<Frame> {
  let r: CaptureReader;
  try {
    r = CaptureReader.openFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new PairingError(`${path}: no such file`);
    }
    if (e instanceof TsolabError) {
      throw new PairingError(`${path}: ${e.message}`);
    }
    throw e;
  }
  try {
    yield* r.frames();
  } catch (e) {
    if (e instanceof TsolabError && !(e instanceof PairingError)) {
      throw new PairingError(`${path}: ${e.message}`);
    }
    throw e;
  } finally {
    r.close();
  }
}

/** The Fragment header identification of an IPv6 fragment, if it is one. */
function ufo6FragId(f: Frame): number | undefined {
  try {
    const l = parsePacket(f.data, f.linkType);
    const fh = l.outer?.extHeaders.find((e) => e.type === 44);
    return fh === undefined ? undefined : getU32(f.data, fh.offset + 4);
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

function baseName(path: string): string {
  return path.split("/").pop() ?? path;
}

/**
 * Writes a golden vector from an ingress and an egress capture. The
 * sender's frames are paired in order (see `pairFrames`); each super-packet
 * gets gso_size, gso_type (from its headers: TCPV4/TCPV6/UDP_L4, TCP_ECN on
 * CWR, UDP_TUNNEL[_CSUM] for VXLAN, UDP for legacy UFO, plus
 * `gsoTypeExtra`), csum_start, csum_offset, the egress features,
 * `origin=kernel` and the source. Both captures are read twice, streaming,
 * when sender or gso_size must be inferred; nothing is written unless every
 * frame pairs up.
 *
 * @param ingressPath The capture before the egress device (pcap/pcapng).
 * @param egressPath The capture after it.
 * @param meta Output path and what the pair does not say.
 * @returns The file, the sender, gso_size and the counts.
 * @throws {PairingError} When a capture cannot be read or the frames do
 *   not pair up (the message names the frames).
 * @throws {GoldenVectorError} When a frame exceeds the format's 262144
 *   bytes.
 *
 * @example
 * ```ts ignore
 * import { goldenFromPair } from "./from_pair.ts";
 * const r = goldenFromPair("tcp4.in.pcap", "tcp4.out.pcap", {
 *   output: "vectors/golden/tcp4.pcapng", scenario: "tcp4",
 *   kernelRelease: "6.18", source: "socket", command: "…", features,
 * });
 * console.log(r.superPackets, r.segments);
 * ```
 */
export function goldenFromPair(
  ingressPath: string,
  egressPath: string,
  meta: PairMeta,
): FromPairResult {
  const names = {
    ingressName: baseName(ingressPath),
    egressName: baseName(egressPath),
    vxlanPorts: meta.vxlanPorts,
  };
  const features = canonicalFeatureNames(
    meta.features,
    `${meta.scenario}: features`,
  );
  const params = meta.sender !== undefined && meta.gsoSize !== undefined
    ? inferPairParameters([], [], { ...names, ...meta })
    : inferPairParameters(framesOf(ingressPath), framesOf(egressPath), {
      ...names,
      sender: meta.sender,
      gsoSize: meta.gsoSize,
    });
  // Pair everything first (streaming, nothing kept) so that a refusal
  // leaves no file behind; then write in a second pass.
  for (
    const _ of pairFrames(
      framesOf(ingressPath),
      framesOf(egressPath),
      params,
      names,
    )
  ) { /* checking only */ }
  const out = createGoldenVector(meta.output, {
    scenario: meta.scenario,
    origin: "kernel",
    source: meta.source,
    kernelRelease: meta.kernelRelease,
    command: meta.command,
    toolVersion: TSOLAB_VERSION,
    ...(meta.description !== undefined
      ? { description: meta.description }
      : {}),
    extra: {
      sender: params.sender,
      gso_size: String(params.gsoSize),
      ingress: names.ingressName,
      egress: names.egressName,
      ...meta.extra,
    },
  }, {
    ingress: meta.source === "tap" ? "tap" : "p1",
    egress: "p2",
  });
  try {
    for (
      const p of pairFrames(
        framesOf(ingressPath),
        framesOf(egressPath),
        params,
        names,
      )
    ) {
      let sp: SuperPacketMeta | null = null;
      if (p.superPacket) {
        const skb = skbFromFrame(p.ingress.data, p.layout, {
          gsoSize: params.gsoSize,
          ufo: p.ufo,
        });
        if (skb === null) {
          throw new GoldenVectorError(
            `${names.ingressName} frame ${p.ingress.number}: a super-packet without a TCP/UDP payload`,
            { path: ingressPath, frame: p.ingress.number },
          );
        }
        // virtio_net_hdr_to_skb: a tap's GSO skbs are marked untrusted
        const dodgy = meta.source === "tap" ? SKB_GSO.DODGY : 0;
        sp = {
          gsoSize: params.gsoSize,
          gsoType: (skb.gsoType | dodgy | (meta.gsoTypeExtra ?? 0)) >>> 0,
          csumStart: skb.csumStart,
          csumOffset: skb.csumOffset,
          features,
          origin: "kernel",
          source: meta.source,
        };
        const fragId = p.ufo ? ufo6FragId(p.expected[0]!) : undefined;
        if (fragId !== undefined) sp.ufo6FragId = fragId;
      }
      out.writeCase(
        p.ingress,
        sp,
        p.expected.map((f) => ({ data: f.data, timestampNs: f.timestampNs })),
      );
    }
    const counts = out.close();
    return { path: meta.output, ...params, ...counts };
  } catch (e) {
    out.abort();
    throw e;
  }
}
