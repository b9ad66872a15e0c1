/**
 * Checksum insertion: an adder `busBytes` wide sums each frame beat by beat
 * and the results are spliced into the frame — IPv4 header checksums (inner
 * and outer), the L4 checksum (the field holds the driver's seed: the
 * pseudo-header without length under TSO, so the segment's L4 length is
 * added; with length for plain checksum offload), the outer UDP checksum of
 * a tunnel (from the same pass: the inner region's sum is adjusted for the
 * inner checksum just inserted), or a start/offset checksum (mqnic). A
 * UDP checksum of 0 goes out as 0xFFFF. Store-and-forward holds the frame
 * until its sum is known; cut-through uses a sum precomputed while the
 * payload arrived.
 *
 * @module
 */
import { getU16, setU16 } from "../sw/bytes.ts";
import type { NicConfig } from "./nic_config.ts";
import { OnesAdder } from "./ones_adder.ts";
import { fold, onesAdd32, swap16 } from "./ones_math.ts";
import {
  ceilToCycleBy,
  exactReciprocal,
  NULL_TRACE,
  type Stage,
  type TraceSink,
} from "./stage.ts";
import type { HeaderLayout, TxOffload } from "./tx_offload.ts";
import type { TxFifo } from "./tx_fifo.ts";

/**
 * Deliberate bugs of this stage, resolved for one packet.
 *
 * @example
 * ```ts
 * import type { ChecksumFaults } from "./stage_checksum.ts";
 * const f: ChecksumFaults = { staleIpv4: false, udpZero: true, oddLane: false };
 * ```
 */
export interface ChecksumFaults {
  /** Do not recompute IPv4 header checksums. */
  staleIpv4: boolean;
  /** Send a UDP checksum of 0 as 0. */
  udpZero: boolean;
  /** Sum an odd trailing byte in the wrong lane. */
  oddLane: boolean;
}

/**
 * The checksum stage.
 *
 * @example
 * ```ts
 * import { ChecksumStage } from "./stage_checksum.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * const s = new ChecksumStage(resolveConfig());
 * s.adder.busBytes; // 64
 * ```
 */
export class ChecksumStage implements Stage {
  /** The stage. */
  readonly name = "checksum" as const;
  /** Time spent streaming frames out [ns]. */
  busyNs = 0;
  /** The adder. */
  readonly adder: OnesAdder;
  #cfg: NicConfig;
  #period: number;
  #outFreeNs = 0;
  #trace: TraceSink;
  #tracing: boolean;
  #out = { startNs: 0, endNs: 0 };
  // From the configuration, read once (the per-frame path uses them).
  #mqnic: boolean;
  #mangleAll: boolean;
  #saf: boolean;
  #depthNs: number;
  #recip: number;

  /**
   * Creates the instance.
   *
   * @param cfg The configuration.
   * @param trace Waveform sink.
   */
  constructor(cfg: NicConfig, trace: TraceSink = NULL_TRACE) {
    this.#cfg = cfg;
    this.#period = 1000 / cfg.core.clockMHz;
    this.adder = new OnesAdder(cfg.core.busBytes);
    this.#trace = trace;
    this.#tracing = trace !== NULL_TRACE;
    this.#mqnic = cfg.family === "mqnic";
    this.#mangleAll = cfg.offload.mangleZeroCsum === "all";
    this.#saf = cfg.checksum.mode === "store-and-forward";
    this.#depthNs = (cfg.core.headerDepth + cfg.core.checksumDepth) *
      this.#period;
    this.#recip = exactReciprocal(this.#period);
  }

  #final(sum: number, udp: boolean, f: ChecksumFaults): number {
    const c = ~sum & 0xffff;
    const mangle = this.#mangleAll || udp;
    return c === 0 && mangle && !f.udpZero ? 0xffff : c;
  }

  #ipv4(frame: Uint8Array, off: number, len: number, f: ChecksumFaults): void {
    if (f.staleIpv4) return;
    setU16(frame, off + 10, ~this.adder.sum(frame, off, off + len) & 0xffff);
  }

  /**
   * Inserts the checksums a frame asks for.
   *
   * @param frame The frame (headers already rewritten).
   * @param o The packet's offload request.
   * @param layout Header offsets.
   * @param f Faults for this packet.
   */
  insert(
    frame: Uint8Array,
    o: TxOffload,
    layout: HeaderLayout,
    f: ChecksumFaults,
  ): void {
    if (o.kind === "none") return;
    this.adder.oddByteWrongLane = f.oddLane;
    const len = frame.length;
    if (this.#mqnic) {
      const s = this.adder.sum(frame, o.csumStart, len);
      setU16(frame, o.csumStart + o.csumOffset, this.#final(s, false, f));
      return;
    }
    const tso = o.kind === "tso";
    const t = o.tunnel;
    if (tso && t !== null && t.outerIpv4 && t.outerIpCsum) {
      this.#ipv4(frame, layout.outerIp, t.outerIpLen, f);
    }
    if (o.ipv4 && o.ipCsum) this.#ipv4(frame, layout.ip, o.ipLen, f);
    if (o.l4 === "none") return;
    const l4 = layout.l4;
    const at = l4 + (o.l4 === "tcp" ? 16 : 6);
    const seed = getU16(frame, at);
    const raw = this.adder.sum(frame, l4, len);
    // TSO seeds lack the length (Intel convention); plain offload seeds have it.
    const sum = tso ? onesAdd32(raw, len - l4) : raw;
    const inner = this.#final(sum, o.l4 === "udp", f);
    setU16(frame, at, inner);
    if (tso && t !== null && t.udpCsum) {
      const ol4 = layout.outerL4;
      let prefix = this.adder.sum(frame, ol4, l4);
      // The inner region summed with the inserted checksum instead of the seed.
      let rest = fold(raw + (~seed & 0xffff) + inner);
      if (((l4 - ol4) & 1) === 1) rest = swap16(rest);
      prefix = fold(prefix + rest);
      const outer = onesAdd32(prefix, len - ol4);
      setU16(frame, ol4 + 6, this.#final(outer, true, f));
    }
  }

  /**
   * Schedules a frame's output pass.
   *
   * @param hdrStartNs When the frame started streaming in.
   * @param hdrEndNs When its last beat streamed in.
   * @param beats Frame beats.
   * @param fifo The TX FIFO the frame goes into (backpressure).
   * @param len Frame bytes.
   * @param seg Segment index (for the waveform).
   * @returns When the frame leaves the stage, first and last beat.
   */
  schedule(
    hdrStartNs: number,
    hdrEndNs: number,
    beats: number,
    fifo: TxFifo,
    len: number,
    seg: number,
  ): { startNs: number; endNs: number } {
    const p = this.#period;
    const depth = this.#depthNs;
    const saf = this.#saf;
    const ready = saf ? hdrEndNs + depth : hdrStartNs + depth;
    const r = this.#recip;
    let start = ceilToCycleBy(Math.max(ready, this.#outFreeNs), p, r);
    start = ceilToCycleBy(fifo.roomAt(len, start), p, r);
    const end = Math.max(start + beats * p, saf ? 0 : hdrEndNs + depth);
    this.#outFreeNs = end;
    this.busyNs += beats * p;
    if (this.#tracing) {
      this.#trace.span("checksum.valid", start, end, 1);
      this.#trace.set("checksum.seg", start, seg);
    }
    this.#out.startNs = start;
    this.#out.endNs = end;
    return this.#out;
  }
}
