/**
 * The skb a golden vector's super-packet stands for: the frame's bytes
 * with the comment's gso_size, gso_type, checksum offsets and, when given,
 * its linear/frag layout.
 *
 * @module
 */

import { layoutFrags, skbLen } from "../sw/skbuff.ts";
import type { SkBuff } from "../sw/types.ts";
import { GoldenVectorError } from "./golden_error.ts";
import type { SuperPacketMeta } from "./golden_meta.ts";

/**
 * Applies a super-packet's metadata to the skb built from its frame
 * (`skbFromFrame`): gso_size, gso_type, csum_start and csum_offset are
 * taken from the metadata, and with a `layout` the bytes are spread over a
 * linear part and page fragments of the recorded sizes. The input skb is
 * not changed.
 *
 * @param skb The skb built from the frame.
 * @param meta The super-packet's metadata.
 * @param where Where the metadata came from, for messages.
 * @returns The skb the vector describes.
 * @throws {GoldenVectorError} When the layout does not add up to the
 *   packet's length.
 *
 * @example
 * ```ts
 * import { applySuperPacketMeta } from "./golden_skb.ts";
 * import { newSkb } from "../sw/skbuff.ts";
 * import { SKB_GSO } from "../sw/types.ts";
 * const skb = applySuperPacketMeta(newSkb({ linear: new Uint8Array(3054) }), {
 *   gsoSize: 1000, gsoType: SKB_GSO.TCPV4, csumStart: 34, csumOffset: 16,
 *   features: [], origin: "reference", source: "tap",
 *   layout: { headLen: 40, frags: [14, 3000] },
 * }, "demo");
 * skb.frags.length; // 2
 * ```
 */
export function applySuperPacketMeta(
  skb: SkBuff,
  meta: SuperPacketMeta,
  where: string,
): SkBuff {
  const out: SkBuff = {
    ...skb,
    gsoSize: meta.gsoSize,
    gsoType: meta.gsoType,
    csumStart: meta.csumStart,
    csumOffset: meta.csumOffset,
  };
  if (meta.layout === undefined) return out;
  const len = skbLen(skb);
  const sum = meta.layout.frags.reduce((a, b) => a + b, meta.layout.headLen);
  if (sum !== len) {
    throw new GoldenVectorError(
      `${where}: layout adds up to ${sum} bytes but the super-packet has ${len}`,
    );
  }
  const data = new Uint8Array(len);
  data.set(skb.linear, 0);
  let p = skb.linear.length;
  for (const f of skb.frags) {
    data.set(f.page.subarray(f.offset, f.offset + f.size), p);
    p += f.size;
  }
  const { linear, frags } = layoutFrags(
    data,
    meta.layout.headLen,
    meta.layout.frags,
  );
  out.linear = linear;
  out.frags = frags;
  return out;
}
