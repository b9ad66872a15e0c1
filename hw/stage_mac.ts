/**
 * The MAC at line rate: each frame costs preamble + SFD, the frame padded
 * to the minimum, FCS and IFG on the wire. A frame starts when its first
 * beat is in, the wire is free, and the rest will arrive before the MAC
 * needs it (no underrun when the datapath is slower than the line).
 *
 * @module
 */
import { wireBytes } from "./ethernet_wire.ts";
import type { NicConfig } from "./nic_config.ts";
import { NULL_TRACE, type Stage, type TraceSink } from "./stage.ts";

/**
 * The MAC stage.
 *
 * @example
 * ```ts
 * import { MacStage } from "./stage_mac.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * const m = new MacStage(resolveConfig());
 * m.schedule(0, 0, 1514, 0).lastBitNs.toFixed(2); // "138.08": 16 ns MAC depth + 122.08 ns (1514 B + FCS + preamble)
 * ```
 */
export class MacStage implements Stage {
  /** The stage. */
  readonly name = "mac" as const;
  /** Time the wire was occupied, IFG included [ns]. */
  busyNs = 0;
  /** Wire bytes sent. */
  wireBytes = 0;
  /** Frames sent. */
  frames = 0;
  #cfg: NicConfig;
  #period: number;
  #byteNs: number;
  #freeNs = 0;
  #trace: TraceSink;
  #tracing: boolean;
  #depthNs: number;
  #out = { startNs: 0, lastBitNs: 0, wireBytes: 0 };

  /**
   * Creates the instance.
   *
   * @param cfg The configuration.
   * @param trace Waveform sink.
   */
  constructor(cfg: NicConfig, trace: TraceSink = NULL_TRACE) {
    this.#cfg = cfg;
    this.#period = 1000 / cfg.core.clockMHz;
    this.#byteNs = 8 / cfg.mac.lineGbps;
    this.#trace = trace;
    this.#tracing = trace !== NULL_TRACE;
    this.#depthNs = cfg.core.macDepth * this.#period;
  }

  /**
   * Schedules a frame on the wire.
   *
   * @param firstBeatNs When its first beat leaves the checksum engine.
   * @param lastBeatNs When its last beat does.
   * @param frameLen Frame length as handed to the MAC.
   * @param seg Segment index (for the waveform).
   * @returns Start of the preamble, end of the FCS, and the frame's bytes
   *   on the wire.
   */
  schedule(
    firstBeatNs: number,
    lastBeatNs: number,
    frameLen: number,
    seg: number,
  ): { startNs: number; lastBitNs: number; wireBytes: number } {
    const mac = this.#cfg.mac;
    const depth = this.#depthNs;
    const b = this.#byteNs;
    const start = Math.max(
      firstBeatNs + depth,
      this.#freeNs,
      lastBeatNs + depth - (mac.preambleSfd + frameLen) * b,
    );
    const wire = wireBytes(frameLen, mac);
    const lastBit = start + (wire - mac.ifg) * b;
    this.#freeNs = start + wire * b;
    this.busyNs += wire * b;
    this.wireBytes += wire;
    this.frames++;
    if (this.#tracing) {
      this.#trace.span("mac.busy", start, lastBit, 1);
      this.#trace.set("mac.seg", start, seg);
    }
    this.#out.startNs = start;
    this.#out.lastBitNs = lastBit;
    this.#out.wireBytes = wire;
    return this.#out;
  }
}
