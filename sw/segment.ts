/**
 * `segment()`: the software GSO reference. Given a super-packet and the
 * features in force (as `netif_skb_features()` leaves them), yields the
 * segments Linux's `skb_gso_segment()` would produce, one at a time.
 *
 * @module
 */

import type { GsoOptions, GsoSegment, GsoState } from "./gso_segment_types.ts";
import { macGsoSegment } from "./gso_mac.ts";
import { mayPull, newGsoState, releaseGsoState } from "./gso_state.ts";
import { NETIF_F } from "./netdev_features.ts";
import { resolveCbCsum, skbGsoFeaturesOk, SkbSplitter } from "./skb_segment.ts";
import { SegmentError } from "./segment_error.ts";
import { skbSegmentList } from "./skb_segment_list.ts";
import type { SkBuff } from "./types.ts";

/**
 * Segments a GSO super-packet as Linux's software GSO does
 * (`__skb_gso_segment` → `skb_mac_gso_segment` → IPv4/IPv6 → TCP/UDP/UDP
 * tunnel → `skb_segment`). A generator: each segment is produced when asked
 * for, so a lockstep harness can compare segment i before i+1 exists.
 *
 * Checksums follow the features: where the device cannot checksum the
 * protocol, every checksum is final; where it can, the L4 field holds the
 * per-segment seed and `ipSummed` is PARTIAL. Where the device can segment
 * the packet itself, the super-packet is yielded unchanged as one output.
 *
 * @param skb The super-packet (gsoSize > 0, gsoType set).
 * @param features The features in force (bigint of NETIF_F bits).
 * @param opts Output memory, hw_enc_features, UFO6 fragment id.
 * @returns A generator of segments.
 * @throws {SegmentError} When the kernel would refuse the packet (checked
 *   before the first segment is yielded).
 *
 * @example Segment a TCP/IPv4 super-packet in software
 * ```ts
 * import { segment } from "./segment.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 4000, seed: 1, timestamps: true });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * [...segment(skb, 0n)].map((seg) => seg.data.length); // [1514, 1514, 1170]
 * ```
 */
export function* segment(
  skb: SkBuff,
  features: bigint,
  opts: GsoOptions = {},
): Generator<GsoSegment> {
  if (skb.gsoSize <= 0 || skb.gsoSize > 0xffff) {
    throw new SegmentError(
      "bad-gso-size",
      "EINVAL",
      `Cannot segment: gso_size ${skb.gsoSize} is outside 1..65535`,
    );
  }
  const st = newGsoState(
    skb,
    features,
    opts.hwEncFeatures ?? features,
    opts.into,
  );
  try {
    st.ufo6FragId = opts.ufo6FragId ?? 0;
    // __skb_gso_segment: keep GSO_PARTIAL only when it lets the device do
    // the rest without more work.
    const partialFeatures = NETIF_F.GSO_ROBUST |
      (opts.gsoPartialFeatures ?? 0n);
    if (
      (features & NETIF_F.GSO_PARTIAL) !== 0n &&
      !skbGsoFeaturesOk(features | partialFeatures, skb)
    ) {
      st.features &= ~NETIF_F.GSO_PARTIAL;
    }
    const plan = macGsoSegment(st, skb.macHeader, true);
    if (plan.unsegmented !== undefined) {
      yield passThrough(st, plan.unsegmented);
      return;
    }
    const patches = plan.patches;
    if (plan.segmentList !== undefined) {
      for (const seg of skbSegmentList(st, plan.segmentList, plan.doffset)) {
        for (let i = 0; i < patches.length; i++) patches[i]!(seg);
        yield seg;
      }
      return;
    }
    const sp = new SkbSplitter(st, plan.doffset, plan.mss, plan.protocol);
    for (let n = 0; n < sp.count; n++) {
      const seg = sp.nextSegment();
      for (let i = 0; i < patches.length; i++) patches[i]!(seg);
      yield resolveCbCsum(seg);
    }
  } finally {
    releaseGsoState(st);
  }
}

// The super-packet itself as the only output: the device segments it (the
// kernel's NULL return from a gso_segment callback, gso_segs recomputed).
function passThrough(
  st: GsoState,
  gsoSegs: number,
): GsoSegment {
  mayPull(st, st.len, "packet");
  const data = st.head.slice(0, st.len);
  return {
    data,
    index: 0,
    last: true,
    payloadOffset: 0,
    ipSummed: st.ipSummed,
    csumStart: st.skb.csumStart,
    csumOffset: st.skb.csumOffset,
    gsoSize: st.skb.gsoSize,
    gsoSegs,
    gsoType: st.skb.gsoType,
    cbCsumStart: 0,
    cbCsum: 0,
    unsegmented: true,
  };
}
