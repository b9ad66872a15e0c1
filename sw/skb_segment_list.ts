/**
 * `skb_segment_list()`: SKB_GSO_FRAGLIST segmentation. A GRO skb built with
 * rx-gro-list keeps every received packet whole in its frag_list, so
 * segmenting it means un-chaining: the head goes out cut back to its own
 * packet, and each member goes out as the packet it arrived as, its own
 * network and transport headers intact, behind a copy of the head's
 * link-layer header. The protocol layers then patch what they patch (the
 * IPv4 ID, lengths and header checksum, the NAT fix-ups).
 *
 * @module
 */

import type { GsoSegment, GsoState } from "./gso_segment_types.ts";
import { blankSegment, segmentBytes } from "./segment_buffer.ts";
import { SegmentError } from "./segment_error.ts";
import { skbCopyBits, skbLen, skbPageLen } from "./skbuff.ts";

/**
 * Yields the head and then every frag_list member as a segment of its own.
 * Each segment is a plain packet (gso_size 0) and inherits the head's
 * checksum state (`__copy_skb_header`); its data starts with the first
 * `macLen` bytes of the head.
 *
 * @param st Segmentation state (`st.head` holds the head's headers).
 * @param macLen Bytes of the head copied in front of each member: all
 *   before its network header.
 * @param headDoffset Where the head's payload starts (its headers' length).
 * @returns The segments, head first.
 * @throws {SegmentError} When there is no frag_list, a member lacks
 *   `ownHeaders` or has a frag_list of its own, or a header was moved (BIG
 *   TCP, UFO).
 * @throws {RangeError} When the `into` buffer is too small.
 *
 * @example
 * ```ts
 * import { newGsoState } from "./gso_state.ts";
 * import { skbSegmentList } from "./skb_segment_list.ts";
 * import { newSkb } from "./skbuff.ts";
 * const member = newSkb({ linear: new Uint8Array(100), ownHeaders: new Uint8Array(40) });
 * const head = newSkb({ linear: new Uint8Array(154), fragList: [member] });
 * const st = newGsoState(head, 0n, 0n);
 * [...skbSegmentList(st, 14, 54)].map((s) => s.data.length); // [154, 154]
 * ```
 */
export function* skbSegmentList(
  st: GsoState,
  macLen: number,
  headDoffset: number,
): Generator<GsoSegment> {
  const skb = st.skb;
  if (st.shift !== 0) {
    throw new SegmentError(
      "unsupported-protocol",
      "EPROTONOSUPPORT",
      "Cannot segment: SKB_GSO_FRAGLIST after a header was inserted or " +
        "removed (BIG TCP jumbo option, UFO fragment header) is not modelled",
    );
  }
  const headLen = skbPageLen(skb);
  const members = skb.fragList;
  if (members.length === 0) {
    // __tcpv4_gso_segment_list_csum and its siblings read seg->next: GRO
    // never marks a lone packet GSO, and nothing here would follow the head.
    throw new SegmentError(
      "payload-not-above-gso-size",
      "EINVAL",
      `Cannot segment: SKB_GSO_FRAGLIST skb without a frag_list holds only its head's ${
        skbPageLen(skb)
      } bytes`,
    );
  }
  for (let m = 0; m < members.length; m++) {
    const mb = members[m]!;
    if (mb.ownHeaders === undefined) {
      throw new SegmentError(
        "unsupported-protocol",
        "EPROTONOSUPPORT",
        `Cannot segment: frag_list member ${m} has no ownHeaders; ` +
          "skb_segment_list sends each member with the headers it arrived with",
      );
    }
    if (mb.fragList.length > 0) {
      throw new SegmentError(
        "unsupported-protocol",
        "EPROTONOSUPPORT",
        `Cannot segment: frag_list member ${m} has a frag_list of its own`,
      );
    }
  }
  const count = members.length + 1;
  let reuse: GsoSegment | undefined;
  for (let i = 0; i < count; i++) {
    const mb = i === 0 ? undefined : members[i - 1]!;
    const own = mb?.ownHeaders;
    const body = mb === undefined ? 0 : skbLen(mb);
    const hdr = own === undefined ? 0 : macLen + own.length;
    const total = mb === undefined ? headLen : hdr + body;
    const data = segmentBytes(st.into, total, i);
    if (mb === undefined) {
      // The head: its headers as the layers above left them in st.head.
      const fromHead = Math.min(st.head.length, headLen);
      data.set(st.head.subarray(0, fromHead), 0);
      if (headLen > fromHead) {
        skbCopyBits(skb, fromHead, headLen - fromHead, data, fromHead);
      }
    } else {
      // skb_segment_list: the head's link-layer header in front of the
      // member's own headers (skb_copy_from_linear_data_offset).
      data.set(st.head.subarray(0, macLen), 0);
      data.set(own!, macLen);
      if (body > 0) skbCopyBits(mb, 0, body, data, hdr);
    }
    const seg = reuse ?? blankSegment(data, 0);
    if (st.into !== undefined) reuse = seg;
    seg.data = data;
    seg.index = i;
    seg.last = i === count - 1;
    seg.payloadOffset = mb === undefined ? headDoffset : hdr;
    // __copy_skb_header: every member takes the head's checksum state; the
    // head's own GSO state is reset (skb_gso_reset), the members never had
    // any.
    seg.ipSummed = st.ipSummed;
    seg.csumStart = skb.csumStart;
    seg.csumOffset = skb.csumOffset;
    yield seg;
  }
}
