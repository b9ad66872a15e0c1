/**
 * Header replication: the prototype header stays on chip; for each segment
 * the stage copies it in front of the segment's payload and rewrites the
 * per-segment fields from descriptor data alone — IPv4 total length and ID
 * (incremented with wrap, or fixed), IPv6 payload length (IPLEN counts the
 * extension headers), TCP sequence number and flags (AND-masks for first,
 * middle and last segments), UDP length, and for tunnels the outer IPv4
 * length and ID and the outer UDP length. It streams the frame at one beat
 * per cycle.
 *
 * @module
 */
import { getU16, getU32, setU16, setU32 } from "../sw/bytes.ts";
import type { NicConfig } from "./nic_config.ts";
import {
  ceilToCycleBy,
  exactReciprocal,
  NULL_TRACE,
  type Stage,
  type TraceSink,
} from "./stage.ts";
import type { HeaderLayout, TxOffload } from "./tx_offload.ts";

/**
 * Deliberate bugs of this stage, already resolved for one packet.
 *
 * @example
 * ```ts
 * import type { HeaderFaults } from "./stage_header_replicate.ts";
 * const f: HeaderFaults = { psh: true, cwr: false, ipId: false, seqWrap: false, totLen: false, ipv6ExtHdr: false };
 * ```
 */
export interface HeaderFaults {
  /** Keep PSH/FIN on every segment. */
  psh: boolean;
  /** Keep CWR on every segment. */
  cwr: boolean;
  /** Do not increment the IPv4 ID. */
  ipId: boolean;
  /** Saturate the sequence number instead of wrapping. */
  seqWrap: boolean;
  /** Count the L2 header in IPv4 tot_len. */
  totLen: boolean;
  /** Leave IPv6 extension headers out of payload_len. */
  ipv6ExtHdr: boolean;
}

// Not frozen: a frozen object would have another hidden class than the
// per-packet literals that take its place, and the stage's loads would see two.
/**
 * No deliberate bug: the stage as specified.
 *
 * @example
 * ```ts
 * import { NO_HEADER_FAULTS } from "./stage_header_replicate.ts";
 * NO_HEADER_FAULTS.psh; // false
 * ```
 */
export const NO_HEADER_FAULTS: Readonly<HeaderFaults> = {
  psh: false,
  cwr: false,
  ipId: false,
  seqWrap: false,
  totLen: false,
  ipv6ExtHdr: false,
};

/**
 * Where a segment sits in its packet.
 *
 * @example
 * ```ts
 * import type { SegmentPosition } from "./stage_header_replicate.ts";
 * const p: SegmentPosition = { index: 0, count: 3, stride: 1448 };
 * ```
 */
export interface SegmentPosition {
  /** 0-based segment index. */
  index: number;
  /** Segments in the packet. */
  count: number;
  /** Payload bytes per segment (the MSS the engine cuts with). */
  stride: number;
}

const TCP_CWR = 0x80;
const TCP_PSH_FIN = 0x09;

/**
 * The header replication stage.
 *
 * @example
 * ```ts
 * import { HeaderReplicateStage } from "./stage_header_replicate.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * const s = new HeaderReplicateStage(resolveConfig());
 * s.schedule(0, 24, 0).endNs; // 96
 * ```
 */
export class HeaderReplicateStage implements Stage {
  /** The stage. */
  readonly name = "header-replicate" as const;
  /** Time spent streaming frames [ns]. */
  busyNs = 0;
  #cfg: NicConfig;
  #period: number;
  #freeNs = 0;
  #trace: TraceSink;
  #tracing: boolean;
  #out = { startNs: 0, endNs: 0 };
  // From the configuration, read once (the per-segment path uses them).
  #ipIdIncrement: boolean;
  #recip: number;
  #maskFirst: number;
  #maskMiddle: number;
  #maskLast: number;

  /**
   * Creates the instance.
   *
   * @param cfg The configuration.
   * @param trace Waveform sink.
   */
  constructor(cfg: NicConfig, trace: TraceSink = NULL_TRACE) {
    this.#cfg = cfg;
    this.#period = 1000 / cfg.core.clockMHz;
    this.#trace = trace;
    this.#tracing = trace !== NULL_TRACE;
    this.#ipIdIncrement = cfg.tso.ipIdMode === "increment";
    this.#recip = exactReciprocal(this.#period);
    this.#maskFirst = cfg.tso.flagMaskFirst;
    this.#maskMiddle = cfg.tso.flagMaskMiddle;
    this.#maskLast = cfg.tso.flagMaskLast;
  }

  /**
   * Rewrites the per-segment header fields of a frame whose first
   * `layout.hdrLen` bytes are a copy of the prototype header.
   *
   * @param frame The segment's frame.
   * @param o The packet's offload request.
   * @param layout Header offsets.
   * @param pos The segment's position.
   * @param f Faults for this packet.
   */
  rewrite(
    frame: Uint8Array,
    o: TxOffload,
    layout: HeaderLayout,
    pos: SegmentPosition,
    f: HeaderFaults,
  ): void {
    const len = frame.length;
    const s = pos.index;
    const first = s === 0;
    const last = s === pos.count - 1;
    const t = o.tunnel;
    if (t !== null) {
      const oi = layout.outerIp;
      if (t.outerIpv4) {
        setU16(frame, oi + 2, len - oi);
        if (!t.noInc) {
          setU16(frame, oi + 4, (getU16(frame, oi + 4) + s) & 0xffff);
        }
      } else {
        setU16(frame, oi + 4, len - oi - 40);
      }
      setU16(frame, layout.outerL4 + 4, len - layout.outerL4);
    }
    const ip = layout.ip;
    if (o.ipv4) {
      setU16(frame, ip + 2, len - ip + (f.totLen ? ip : 0));
      if (this.#ipIdIncrement && !f.ipId) {
        setU16(frame, ip + 4, (getU16(frame, ip + 4) + s) & 0xffff);
      }
    } else {
      setU16(frame, ip + 4, len - ip - (f.ipv6ExtHdr ? o.ipLen : 40));
    }
    const l4 = layout.l4;
    if (o.l4 === "tcp") {
      const seq = getU32(frame, l4 + 4) + s * pos.stride;
      setU32(frame, l4 + 4, f.seqWrap ? Math.min(seq, 0xffffffff) : seq);
      let mask = first && last
        ? this.#maskFirst | this.#maskLast
        : first
        ? this.#maskFirst
        : last
        ? this.#maskLast
        : this.#maskMiddle;
      if (f.psh) mask |= TCP_PSH_FIN;
      if (f.cwr) mask |= TCP_CWR;
      frame[l4 + 12] = frame[l4 + 12]! & (0xf0 | ((mask >>> 8) & 0x0f));
      frame[l4 + 13] = frame[l4 + 13]! & (mask & 0xff);
    } else if (o.l4 === "udp") {
      setU16(frame, l4 + 4, len - l4);
    }
  }

  /**
   * Schedules one frame through the stage.
   *
   * @param readyNs When its data is on chip.
   * @param beats Frame beats.
   * @param seg Segment index (for the waveform).
   * @returns When the frame enters and leaves the stage.
   */
  schedule(
    readyNs: number,
    beats: number,
    seg: number,
  ): { startNs: number; endNs: number } {
    const start = ceilToCycleBy(
      Math.max(readyNs, this.#freeNs),
      this.#period,
      this.#recip,
    );
    const end = start + beats * this.#period;
    this.#freeNs = end;
    this.busyNs += beats * this.#period;
    if (this.#tracing) {
      this.#trace.span("header_replicate.valid", start, end, 1);
      this.#trace.set("header_replicate.seg", start, seg);
    }
    this.#out.startNs = start;
    this.#out.endNs = end;
    return this.#out;
  }
}
