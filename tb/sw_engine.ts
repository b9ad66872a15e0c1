/**
 * The software engine: what the Linux transmit path does with one
 * super-packet on a given device — the decision of `validate_xmit_skb()`
 * and, when it says so, software GSO.
 *
 * @module
 */

import type { NetDevice } from "../sw/net_device.ts";
import { segment } from "../sw/segment.ts";
import { skbFlatten } from "../sw/skbuff.ts";
import { xmitDecision } from "../sw/xmit_decision.ts";
import type { SkBuff } from "../sw/types.ts";

/**
 * One engine's answer for a super-packet: the frames it hands to the wire
 * and how it got them.
 *
 * @example
 * ```ts
 * import type { EngineResult } from "./sw_engine.ts";
 * const r: EngineResult = { frames: [], path: "software-gso", reasons: [] };
 * ```
 */
export interface EngineResult {
  /** Output frames, in order (a generator for lockstep use). */
  frames: Iterable<Uint8Array>;
  /** The transmit path taken. */
  path: string;
  /** Why that path. */
  reasons: string[];
}

/**
 * Runs the Linux transmit decision and, where it calls for it, software
 * GSO. On the hardware path the super-packet goes out unchanged (the device
 * would segment it).
 *
 * @param skb The super-packet.
 * @param dev The egress device.
 * @param opts UFO6 fragment id.
 * @returns The frames and the path.
 * @throws {SegmentError} When the kernel would drop the packet; thrown on
 *   the first pull of `frames`.
 *
 * @example
 * ```ts
 * import { swTransmit } from "./sw_engine.ts";
 * import { kernelCaptureEgressDevice } from "../sw/net_device.ts";
 * import { bulkTcpSkb } from "../hw/workload.ts";
 * const skb = bulkTcpSkb({ sendBytes: 4000, mss: 1448 });
 * const r = swTransmit(skb, kernelCaptureEgressDevice());
 * r.path; // "software-gso"
 * [...r.frames].map((f) => f.length); // [1514, 1514, 1170]
 * ```
 */
export function swTransmit(
  skb: SkBuff,
  dev: NetDevice,
  opts: { ufo6FragId?: number } = {},
): EngineResult {
  const d = xmitDecision(skb, dev);
  if (d.path === "software-gso") {
    return {
      frames: mapData(
        segment(skb, d.features, {
          hwEncFeatures: dev.hwEncFeatures,
          gsoPartialFeatures: dev.features & dev.gsoPartialFeatures,
          ufo6FragId: opts.ufo6FragId ?? 0,
        }),
      ),
      path: d.path,
      reasons: d.reasons,
    };
  }
  return { frames: [skbFlatten(skb)], path: d.path, reasons: d.reasons };
}

function* mapData(
  segs: Iterable<{ data: Uint8Array }>,
): Generator<Uint8Array> {
  for (const s of segs) yield s.data;
}
