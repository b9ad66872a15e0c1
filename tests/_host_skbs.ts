// Test helper: the reference's segments as the skbs a driver receives,
// headers in the linear area and the payload in one frag (a non-linear
// layout on purpose, unlike tb/host_segments.ts).
import { segment } from "../sw/segment.ts";
import type { SkBuff } from "../sw/types.ts";

export function hostSegments(skb: SkBuff, features: bigint): SkBuff[] {
  return [...segment(skb, features, { hwEncFeatures: features })].map((s) => {
    const data = s.data.slice();
    return {
      ...skb,
      linear: data.subarray(0, s.payloadOffset),
      frags: [{
        page: data,
        offset: s.payloadOffset,
        size: data.length - s.payloadOffset,
      }],
      gsoSize: 0,
      gsoSegs: 0,
      gsoType: 0,
      ipSummed: s.ipSummed,
      csumStart: s.csumStart,
      csumOffset: s.csumOffset,
    };
  });
}
