/**
 * Comparing what an engine sends with a golden vector: every ingress frame
 * goes through the frame contract (`segmentFrames`) with its own gso_size,
 * gso_type, checksum offsets and skb layout from the vector's comment, and
 * the frames that come out are compared byte for byte with the expected
 * frames that follow it in the file. The first difference is named by
 * field, as in `compareCaptures`.
 *
 * @module
 */

import { SKB_GSO } from "../sw/types.ts";
import { GoldenVectorError } from "../vectors/golden_error.ts";
import type { SuperPacketMeta } from "../vectors/golden_meta.ts";
import { applySuperPacketMeta } from "../vectors/golden_skb.ts";
import { GoldenVectorReader } from "../vectors/golden_vector.ts";
import type { CompareResult } from "./capture_compare.ts";
import { Scoreboard, type Tolerance } from "./scoreboard.ts";
import { emptySummary, type Engine, segmentFrames } from "./segment_run.ts";

/**
 * Builds the engine for one egress device of a golden vector (called once
 * per distinct device, and IPv6 UFO fragment id, in the file).
 *
 * @example
 * ```ts ignore
 * import { goldenDevice } from "../vectors/golden_device.ts";
 * const make: GoldenEngineFactory = (meta) => {
 *   const dev = goldenDevice(meta);
 *   return (skb) => swTransmit(skb, dev, { ufo6FragId: meta.ufo6FragId });
 * };
 * ```
 */
export type GoldenEngineFactory = (meta: SuperPacketMeta) => Engine;

/**
 * Options of {@linkcode compareGolden}.
 *
 * @example
 * ```ts
 * import type { GoldenCompareOptions } from "./golden_compare.ts";
 * const o: GoldenCompareOptions = { vxlanPorts: [4789, 8472] };
 * ```
 */
export interface GoldenCompareOptions {
  /** UDP ports that carry VXLAN (default 4789). */
  vxlanPorts?: number[];
  /** Record every divergence instead of stopping at the first. */
  keepGoing?: boolean;
  /** Documented hardware differences to accept. */
  tolerances?: readonly Tolerance[];
}

function deviceKey(m: SuperPacketMeta): string {
  return [
    m.features.join(","),
    m.encFeatures?.join(",") ?? "-",
    m.partialFeatures?.join(",") ?? "-",
    m.ufo6FragId ?? "-",
  ].join(" ");
}

/**
 * Runs an engine over a golden vector and compares, per ingress frame, the
 * frames it sends with the expected frames, byte for byte, on a
 * {@linkcode Scoreboard}. Streams: one case is in memory at a time.
 *
 * @param path The golden vector (`.pcapng`).
 * @param makeEngine Builds the engine for a super-packet's egress device.
 * @param opts VXLAN ports, keep going, tolerances.
 * @returns Counts and divergences, in the shape `verify` prints: `sender`
 *   from the provenance, `gsoSize` of the first super-packet,
 *   `superPackets` (vectors run), `segments` (frames the engine produced
 *   for them) and `frames` (all frames it produced).
 * @throws {GoldenVectorError} When the file is not a valid golden vector.
 *
 * @example
 * ```ts ignore
 * import { compareGolden } from "./golden_compare.ts";
 * import { goldenDevice } from "../vectors/golden_device.ts";
 * import { swTransmit } from "./sw_engine.ts";
 * const r = compareGolden("vectors/golden/tcp4.pcapng", (meta) => {
 *   const dev = goldenDevice(meta);
 *   return (skb) => swTransmit(skb, dev);
 * });
 * console.log(r.mismatch === null ? "pass" : formatDivergence(r.mismatch));
 * ```
 */
export function compareGolden(
  path: string,
  makeEngine: GoldenEngineFactory,
  opts: GoldenCompareOptions = {},
): CompareResult {
  using reader = GoldenVectorReader.open(path);
  const engines = new Map<string, Engine>();
  const s = emptySummary();
  const sb = new Scoreboard({
    keepGoing: opts.keepGoing ?? false,
    tolerances: opts.tolerances ?? [],
  });
  let gsoSize = 0;
  let superPackets = 0;
  let frames = 0;
  let segments = 0;
  const vxlanPorts = opts.vxlanPorts ?? [4789];
  for (const c of reader.cases()) {
    const sp = c.meta.superPacket;
    const where = `${reader.name}: frame ${c.ingress.number}`;
    let engine: Engine = () => {
      throw new GoldenVectorError(
        `${where}: a pass-through frame reached the engine`,
      );
    };
    if (sp !== null) {
      if (gsoSize === 0) gsoSize = sp.gsoSize;
      const key = deviceKey(sp);
      let e = engines.get(key);
      if (e === undefined) {
        e = makeEngine(sp);
        engines.set(key, e);
      }
      const inner = e;
      engine = (skb, frame) =>
        inner(applySuperPacketMeta(skb, sp, where), frame);
    }
    const outcomes = segmentFrames([c.ingress], {
      input: reader.name,
      gsoSize: sp?.gsoSize ?? Number.MAX_SAFE_INTEGER,
      engine,
      vxlanPorts,
      fixedId: sp !== null && (sp.gsoType & SKB_GSO.TCP_FIXEDID) !== 0,
      accecn: sp !== null && (sp.gsoType & SKB_GSO.TCP_ACCECN) !== 0,
      ufo: sp !== null && (sp.gsoType & SKB_GSO.UDP) !== 0,
    }, s);
    for (const r of outcomes) {
      if (r.kind === "segmented") {
        superPackets++;
        segments += r.out.length;
      }
      const ctx = {
        input: reader.name,
        frame: c.ingress.number,
        linkType: c.ingress.linkType,
      };
      const n = Math.max(r.out.length, c.expected.length);
      for (let i = 0; i < n && !sb.stopped; i++) {
        if (i < r.out.length) frames++;
        sb.compare(
          { ...ctx, segment: i },
          c.expected[i]?.data,
          r.out[i],
          i === c.expected.length - 1,
        );
      }
    }
    if (sb.stopped) break;
  }
  return {
    sender: reader.provenance.extra["sender"] ?? "",
    gsoSize,
    // Golden vectors carry gso_size per super-packet.
    gsoSizeInferred: false,
    fromNetworkLayer: false,
    superPackets,
    frames,
    segments,
    mismatch: sb.divergences[0] ?? null,
    divergences: sb.divergences,
    tolerated: Object.fromEntries(sb.tolerated),
  };
}
