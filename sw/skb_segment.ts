/**
 * `skb_segment()`, the generic splitter: every output is a copy of the
 * headers followed by the next slice of payload; it also handles
 * GSO_PARTIAL chunks, uniform frag_list chunks, GSO_BY_FRAGS and the
 * per-segment frag limit, and records the payload sum when the device cannot
 * checksum.
 *
 * @module
 */

import { onesSum } from "./checksum.ts";
import { CB_CSUM_PENDING } from "./gso_segment_types.ts";
import type { GsoSegment, GsoState } from "./gso_segment_types.ts";
import { canChecksumProtocol } from "./xmit_decision.ts";
import { gsoTypeToFeatures, NETIF_F } from "./netdev_features.ts";
import { blankSegment, segmentBytes } from "./segment_buffer.ts";
import { SegmentError } from "./segment_error.ts";
import {
  GSO_BY_FRAGS,
  MAX_SKB_FRAGS,
  skbLen,
  type SkbPiece,
  skbPieceList,
} from "./skbuff.ts";
import { IP_SUMMED, SKB_GSO, type SkBuff } from "./types.ts";

/** The most segments one super-packet may become (gso_segs is 16 bits). */
export const MAX_GSO_SEGS = 65535;

/**
 * `net_gso_ok()`: every gso_type bit has its feature.
 *
 * @param features Device features.
 * @param gsoType SKB_GSO_* bits.
 * @returns True when the device can segment this type.
 *
 * @example
 * ```ts
 * import { netGsoOk } from "./skb_segment.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * import { SKB_GSO } from "./types.ts";
 * netGsoOk(NETIF_F.TSO, SKB_GSO.TCPV4); // true
 * ```
 */
export function netGsoOk(features: bigint, gsoType: number): boolean {
  const need = gsoTypeToFeatures(gsoType);
  return (features & need) === need;
}

/**
 * Whether the device takes this GSO skb as it is (`skb_gso_ok`): every
 * gso_type bit's feature is present, and a frag_list needs
 * tx-scatter-gather-fraglist.
 *
 * @param features The features that apply.
 * @param skb The skb.
 * @returns True when no software segmentation is needed.
 *
 * @example
 * ```ts
 * import { skbGsoFeaturesOk } from "./skb_segment.ts";
 * import { newSkb } from "./skbuff.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * import { SKB_GSO } from "./types.ts";
 * const skb = newSkb({ linear: new Uint8Array(60), gsoSize: 10, gsoType: SKB_GSO.TCPV4 });
 * skbGsoFeaturesOk(NETIF_F.TSO, skb); // true
 * ```
 */
export function skbGsoFeaturesOk(features: bigint, skb: SkBuff): boolean {
  return netGsoOk(features, skb.gsoType) &&
    (skb.fragList.length === 0 || (features & NETIF_F.FRAGLIST) !== 0n);
}

interface Geometry {
  slices: number[];
  stride: number;
  partialSegs: number;
}

/** `skb_headlen(m) && !m->head_frag`: a linear part no page can share. */
function linearNotPageFrag(m: SkBuff): boolean {
  return m.linear.length > 0 && m.headFrag === false;
}

function geometry(
  st: GsoState,
  payloadLen: number,
  mss: number,
  sg: boolean,
  csum: boolean,
): Geometry {
  const skb = st.skb;
  if (mss === GSO_BY_FRAGS) {
    // skb_segment: with GSO_BY_FRAGS each frag_list member is one segment.
    const slices: number[] = [];
    const own = payloadLen - skb.fragList.reduce((n, m) => n + skbLen(m), 0);
    if (own > 0) slices.push(own);
    for (const m of skb.fragList) slices.push(skbLen(m));
    return { slices, stride: 0, partialSegs: 0 };
  }
  let partialSegs = 0;
  let stride = mss;
  // The length partial_segs is cut from: the whole payload, or for a GRO
  // frag_list the head's own (skb_segment's walk subtracts every member).
  let chunkLen = payloadLen;
  if (sg && csum) {
    let eligible = true;
    if ((st.features & NETIF_F.GSO_PARTIAL) === 0n) {
      // skb_segment: split a GRO frag_list into GSO chunks only when every
      // member but the last has the head's own payload length.
      if (skb.fragList.length === 0 || !netGsoOk(st.features, skb.gsoType)) {
        eligible = false;
      } else {
        const fragLen = skbLen(skb.fragList[0]!);
        let own = payloadLen;
        skb.fragList.forEach((m, i) => {
          const l = skbLen(m);
          if (l !== fragLen && i < skb.fragList.length - 1) eligible = false;
          if (linearNotPageFrag(m)) eligible = false;
          own -= l;
        });
        if (own !== fragLen) eligible = false;
        chunkLen = own;
      }
    }
    if (eligible) {
      partialSegs = Math.floor(Math.min(chunkLen, GSO_BY_FRAGS - 1) / mss);
      if (partialSegs > 1) stride = mss * partialSegs;
      else partialSegs = 0;
    }
  }
  const slices: number[] = [];
  const n = Math.ceil(payloadLen / stride);
  if (partialSegs === 0 && n > MAX_GSO_SEGS) {
    throw new SegmentError(
      "too-many-segments",
      "EINVAL",
      `Cannot segment: payload ${payloadLen} at gso_size ${mss} makes ${n} segments, more than ${MAX_GSO_SEGS}`,
    );
  }
  for (let o = 0; o < payloadLen; o += stride) {
    slices.push(Math.min(stride, payloadLen - o));
  }
  return { slices, stride, partialSegs };
}

function checkFrags(
  pieces: readonly SkbPiece[],
  payloadStart: number,
  slices: readonly number[],
): void {
  // skb_segment: a segment may reference at most MAX_SKB_FRAGS frags.
  let pos = 0;
  let pi = 0;
  let off = payloadStart;
  for (let s = 0; s < slices.length; s++) {
    const end = off + slices[s]!;
    let count = 0;
    while (pi < pieces.length) {
      const p = pieces[pi]!;
      const n = p.end - p.start;
      if (pos + n <= off) {
        pos += n;
        pi++;
        continue;
      }
      if (pos >= end) break;
      if (p.kind !== "linear") count++;
      if (pos + n <= end) {
        pos += n;
        pi++;
      } else break;
    }
    if (count > MAX_SKB_FRAGS) {
      throw new SegmentError(
        "too-many-frags",
        "EINVAL",
        `Cannot segment: segment ${s} references ${count} frags, more than MAX_SKB_FRAGS ${MAX_SKB_FRAGS}`,
      );
    }
    off = end;
  }
}

/**
 * Copies `len` bytes of the skb stream starting at `from` into `out`, using
 * a cursor so consecutive segments do not rescan from the start.
 */
class StreamCursor {
  #pieces: SkbPiece[];
  #pi = 0;
  #pos = 0;
  constructor(pieces: SkbPiece[]) {
    this.#pieces = pieces;
  }
  copy(from: number, len: number, out: Uint8Array, at: number): void {
    if (from < this.#pos) {
      this.#pi = 0;
      this.#pos = 0;
    }
    while (len > 0) {
      const p = this.#pieces[this.#pi];
      if (p === undefined) {
        throw new SegmentError(
          "bad-header-length",
          "EINVAL",
          `Cannot segment: payload runs past the end of the skb at offset ${from}`,
        );
      }
      const n = p.end - p.start;
      if (from >= this.#pos + n) {
        this.#pos += n;
        this.#pi++;
        continue;
      }
      const s = p.start + (from - this.#pos);
      const take = Math.min(p.end - s, len);
      out.set(p.bytes.subarray(s, s + take), at);
      at += take;
      from += take;
      len -= take;
    }
  }
}

/**
 * `skb_segment()` as an object: the constructor does the checks and the
 * geometry (errors before any segment exists, as in the kernel), then
 * `nextSegment()` builds the segments in order. Used by `segment()`
 * without a generator per layer; `skbSegment()` wraps it as a generator.
 *
 * @example
 * ```ts
 * import { SkbSplitter } from "./skb_segment.ts";
 * import { newGsoState } from "./gso_state.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 3000, seed: 1, timestamps: true });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * const st = newGsoState(skb, 0n, 0n);
 * const sp = new SkbSplitter(st, 66, 1448, 0x0800);
 * sp.count; // 3
 * sp.nextSegment().data.length; // 1514
 * ```
 */
export class SkbSplitter {
  /** Number of outputs. */
  readonly count: number;
  #st: GsoState;
  #doffset: number;
  #mss: number;
  #csum: boolean;
  #slices: number[];
  #partialSegs: number;
  #type: number;
  #cursor: StreamCursor;
  #hdr: Uint8Array;
  #headEnd: number;
  #off: number;
  #next = 0;
  #reuse: GsoSegment | undefined;
  #view: Uint8Array | undefined;

  /**
   * Checks the packet and plans the split.
   *
   * @param st The segmentation state.
   * @param doffset Length of all headers (offset of the payload in `st.head`).
   * @param mss gso_size, or GSO_BY_FRAGS.
   * @param protocol EtherType of the network header being segmented.
   * @throws {SegmentError} For too many frags or segments.
   */
  constructor(st: GsoState, doffset: number, mss: number, protocol: number) {
    let sg = (st.features & NETIF_F.SG) !== 0n;
    const skb = st.skb;
    // skb_segment: an untrusted gso_size the head's own payload does not
    // end on, with a frag_list member whose linear part is not a page
    // fragment, means the members do not end on gso_size boundaries and
    // their pages cannot be shared: SG is dropped and they are copied.
    if (
      sg && (skb.gsoType & SKB_GSO.DODGY) !== 0 && mss !== GSO_BY_FRAGS &&
      mss !== Math.max(0, skb.linear.length - doffset - st.shift) &&
      skb.fragList.some(linearNotPageFrag)
    ) sg = false;
    this.#csum = canChecksumProtocol(st.features, protocol);
    const geo = geometry(st, st.len - doffset, mss, sg, this.#csum);
    const pieces = skbPieceList(skb);
    if (sg) checkFrags(pieces, doffset + st.shift, geo.slices);
    this.#st = st;
    this.#doffset = doffset;
    this.#mss = mss;
    this.#slices = geo.slices;
    this.#partialSegs = geo.partialSegs;
    this.count = geo.slices.length;
    this.#cursor = new StreamCursor(pieces);
    this.#hdr = st.head.subarray(0, doffset);
    let type = skb.gsoType;
    if (geo.partialSegs > 0) {
      if ((st.features & NETIF_F.GSO_PARTIAL) !== 0n) type |= SKB_GSO.PARTIAL;
      type = (type & ~SKB_GSO.DODGY) >>> 0;
    }
    this.#type = type;
    // Payload bytes the layers above already rewrote (the UFO datagram
    // checksum) live in st.head; the rest come from the skb.
    this.#headEnd = Math.min(st.head.length, st.len);
    this.#off = doffset;
  }

  /**
   * Builds the next segment: headers copied unchanged, then its payload.
   * With an `into` buffer the returned object and its bytes are reused by
   * the following call.
   *
   * @returns The segment.
   * @throws {RangeError} When the `into` buffer is too small.
   */
  nextSegment(): GsoSegment {
    const i = this.#next++;
    const st = this.#st;
    const doffset = this.#doffset;
    const sl = this.#slices[i]!;
    const total = doffset + sl;
    const data = segmentBytes(st.into, total, i, this.#view);
    if (st.into !== undefined) this.#view = data;
    data.set(this.#hdr, 0);
    const off = this.#off;
    const fromHead = Math.max(0, Math.min(sl, this.#headEnd - off));
    if (fromHead > 0) data.set(st.head.subarray(off, off + fromHead), doffset);
    if (sl > fromHead) {
      this.#cursor.copy(
        off + fromHead + st.shift,
        sl - fromHead,
        data,
        doffset + fromHead,
      );
    }
    this.#off = off + sl;
    const seg = this.#reuse ?? blankSegment(data, doffset);
    if (st.into !== undefined) this.#reuse = seg;
    seg.data = data;
    seg.index = i;
    seg.last = i === this.count - 1;
    seg.ipSummed = this.#csum ? st.ipSummed : IP_SUMMED.NONE;
    seg.csumStart = st.skb.csumStart;
    seg.csumOffset = st.skb.csumOffset;
    seg.cbCsumStart = doffset;
    // skb_segment sums the payload as it copies; the sum is taken when first
    // needed (gsoMakeChecksum, or resolveCbCsum before the segment leaves).
    seg.cbCsum = this.#csum ? 0 : CB_CSUM_PENDING;
    if (this.#partialSegs > 0) {
      const mss = this.#mss;
      seg.gsoSize = mss;
      seg.gsoSegs = this.#partialSegs;
      seg.gsoType = this.#type;
      if (seg.last) {
        if (sl <= mss) seg.gsoSize = 0;
        else if (i > 0) seg.gsoSegs = Math.ceil(sl / mss);
      }
    }
    return seg;
  }
}

/**
 * `skb_segment()`: splits the payload after the first `doffset` bytes (of
 * `st.head`) into slices of `mss` and yields one segment per slice, headers
 * copied unchanged. The protocol layers patch their fields afterwards.
 *
 * @param st The segmentation state.
 * @param doffset Length of all headers (offset of the payload in `st.head`).
 * @param mss gso_size, or GSO_BY_FRAGS.
 * @param protocol EtherType of the network header being segmented.
 * @returns A generator of segments.
 * @throws {SegmentError} For too many frags or segments.
 *
 * @example
 * ```ts
 * import { skbSegment } from "./skb_segment.ts";
 * import { newGsoState } from "./gso_state.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 3000, seed: 1, timestamps: true });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * const st = newGsoState(skb, 0n, 0n);
 * [...skbSegment(st, 66, 1448, 0x0800)].map((s) => s.data.length); // [1514, 1514, 170]
 * ```
 */
export function* skbSegment(
  st: GsoState,
  doffset: number,
  mss: number,
  protocol: number,
): Generator<GsoSegment> {
  const sp = new SkbSplitter(st, doffset, mss, protocol);
  for (let i = 0; i < sp.count; i++) yield resolveCbCsum(sp.nextSegment());
}

/**
 * Takes a segment's pending payload sum (`CB_CSUM_PENDING`) so that the
 * segment leaves the GSO layers with `cbCsum` holding the sum.
 *
 * @param seg A segment from `SkbSplitter.nextSegment()`, patched or not.
 * @returns The same segment.
 *
 * @example
 * ```ts
 * import { resolveCbCsum, SkbSplitter } from "./skb_segment.ts";
 * import { newGsoState } from "./gso_state.ts";
 * import { parsePacket } from "./packet_layout.ts";
 * import { skbFromFrame } from "./skb_from_frame.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 3000, seed: 1, timestamps: true });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * const st = newGsoState(skb, 0n, 0n);
 * const seg = new SkbSplitter(st, 66, 1448, 0x0800).nextSegment();
 * seg.cbCsum; // -1 (CB_CSUM_PENDING: no checksum offload, not summed yet)
 * resolveCbCsum(seg).cbCsum; // 20954
 * ```
 */
export function resolveCbCsum(seg: GsoSegment): GsoSegment {
  if (seg.cbCsum === CB_CSUM_PENDING) {
    seg.cbCsum = onesSum(seg.data, seg.cbCsumStart, seg.data.length);
  }
  return seg;
}
