/**
 * The lockstep harness: one super-packet goes to the reference and to the
 * NIC model at once, and segment i is pulled from each as it is produced
 * (both are generators; no run is buffered), compared on the scoreboard,
 * and the comparison stops at the first divergence unless told to keep
 * going. The roles follow cocotb/Corundum testbenches: the driver (vector →
 * SkBuff → the model's driver), the model, the monitor (frames and cycle
 * stamps out of the model), the reference and the scoreboard.
 *
 * @module
 */

import type { FaultConfig } from "../hw/faults.ts";
import { createNic, type HwEvent, type HwFrame, type Nic } from "../hw/nic.ts";
import type { DriverMode, NicConfig } from "../hw/nic_config.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import type { NetDevice } from "../sw/net_device.ts";
import type { SkBuff } from "../sw/types.ts";
import { type HostXmit, hostXmit } from "./host_xmit.ts";
import { presetDevice } from "./preset_device.ts";
import { referenceFrames } from "./reference_frames.ts";
import { type Divergence, Scoreboard, type Tolerance } from "./scoreboard.ts";

/**
 * How to set up the harness.
 *
 * @example
 * ```ts
 * import type { LockstepOptions } from "./lockstep.ts";
 * const o: LockstepOptions = { preset: "e810-100g", driver: "hw-tso" };
 * ```
 */
export interface LockstepOptions {
  /** NIC preset (default e810-100g). */
  preset?: string;
  /** Driver mode (default: the preset's first). */
  driver?: DriverMode;
  /** `key=value` configuration overrides. */
  set?: string[];
  /** A configuration merged over the preset before `set` (`--config`). */
  config?: Record<string, unknown>;
  /** Deliberate bugs to switch on in the model (test-only fault hook). */
  faults?: Partial<FaultConfig>;
  /** Report every divergence instead of stopping at the first. */
  keepGoing?: boolean;
  /** Accepted hardware differences. */
  tolerances?: readonly Tolerance[];
  /** Identification for an IPv6 UFO fragment header (kernel-chosen). */
  ufo6FragId?: number;
}

/**
 * What one super-packet did.
 *
 * @example
 * ```ts
 * import { Lockstep } from "./lockstep.ts";
 * import { bulkTcpSkb } from "../hw/workload.ts";
 * const lockstep = new Lockstep({ preset: "e810-100g", driver: "hw-tso" });
 * const skb = bulkTcpSkb({ sendBytes: 4000, mss: 1448 });
 * const r = lockstep.run(skb, { input: "v", frame: 1 });
 * [r.segments, r.divergence, r.fallback]; // [3, null, null]
 * ```
 */
export interface LockstepResult {
  /** Segments compared. */
  segments: number;
  /** The first divergence of this packet, or null. */
  divergence: Divergence | null;
  /** The driver's fallback reason, or null when the model segmented it. */
  fallback: string | null;
  /** The stack's reasons when its own limits sent the skb to software GSO. */
  stackReasons: string[];
  /** Error events the model raised (dropped packets). */
  errors: string[];
  /** Cycle of the last bit of the last frame the model sent. */
  lastCycle: number;
  /** The frames the model sent, in order. */
  frames: Uint8Array[];
}

/** The monitor: frames out of the model's event stream, errors noted. */
function* monitor(
  events: Iterable<HwEvent>,
  errors: string[],
): Generator<HwFrame> {
  for (const e of events) {
    if (e.kind === "frame") yield e;
    else if (e.kind === "error") errors.push(`${e.rule}: ${e.message}`);
  }
}

/**
 * Reference and model side by side over one NIC model instance.
 *
 * @example
 * ```ts
 * import { Lockstep } from "./lockstep.ts";
 * import { bulkTcpSkb } from "../hw/workload.ts";
 * const ls = new Lockstep({ preset: "e810-100g", driver: "hw-tso" });
 * const skb = bulkTcpSkb({ sendBytes: 4000, mss: 1448 });
 * const r = ls.run(skb, { input: "tcp4", frame: 7 });
 * r.divergence; // null: the model sent what the reference sends
 * ```
 */
export class Lockstep {
  /** The model. */
  readonly nic: Nic;
  /** The effective configuration. */
  readonly config: NicConfig;
  /** The scoreboard (all packets of this harness). */
  readonly scoreboard: Scoreboard;
  #ufo6FragId: number;
  #csum: boolean;
  #device: NetDevice;

  /**
   * Builds the model and the scoreboard.
   *
   * @param o Preset, driver mode, overrides, faults, tolerances.
   */
  constructor(o: LockstepOptions = {}) {
    const cfg = resolveConfig(o.preset, {
      set: o.set ?? [],
      ...(o.config !== undefined || o.faults !== undefined
        ? {
          config: {
            ...o.config,
            ...(o.faults !== undefined ? { faults: o.faults } : {}),
          },
        }
        : {}),
    });
    this.config = cfg;
    this.nic = createNic(
      cfg,
      o.driver !== undefined ? { driver: o.driver } : {},
    );
    this.scoreboard = new Scoreboard({
      keepGoing: o.keepGoing ?? false,
      tolerances: o.tolerances ?? [],
    });
    this.#ufo6FragId = o.ufo6FragId ?? 0;
    this.#csum = cfg.offload.csum;
    this.#device = presetDevice(cfg, this.nic.driverMode);
  }

  /** The driver: skb → the model's driver, or host GSO on a fallback. */
  #drive(skb: SkBuff): HostXmit {
    return hostXmit(this.nic, this.#device, skb, {
      csum: this.#csum,
      ufo6FragId: this.#ufo6FragId,
    });
  }

  /**
   * Runs one super-packet through both sides, pulling segment i from each
   * in turn.
   *
   * @param skb The super-packet.
   * @param ctx The input's name, the frame number and the link type.
   * @returns What happened.
   */
  run(
    skb: SkBuff,
    ctx: { input: string; frame: number; linkType?: number },
  ): LockstepResult {
    const errors: string[] = [];
    const { events, fallback, reasons } = this.#drive(skb);
    const ref = referenceFrames(
      skb,
      this.nic.driverMode,
      fallback !== null,
      this.#ufo6FragId,
    );
    const dut = monitor(events, errors);
    const sb = this.scoreboard;
    const before = sb.divergences.length;
    let segments = 0;
    let lastCycle = 0;
    const frames: Uint8Array[] = [];
    try {
      for (let i = 0;; i++) {
        const r = ref.next();
        const d = dut.next();
        if (r.done && d.done) break;
        const hw = d.done ? undefined : d.value;
        if (hw !== undefined) {
          lastCycle = hw.cycleLastBit;
          frames.push(hw.data);
        }
        segments++;
        sb.compare(
          {
            ...ctx,
            segment: i,
            ...(hw !== undefined ? { cycle: hw.cycleLastBit } : {}),
          },
          r.done ? undefined : r.value,
          hw?.data,
          hw !== undefined && hw.segmentIndex === hw.segmentCount - 1,
        );
        if (sb.stopped) break;
      }
    } finally {
      dut.return(undefined);
      ref.return(undefined);
    }
    return {
      segments,
      divergence: sb.divergences[before] ?? null,
      fallback,
      stackReasons: reasons,
      errors,
      lastCycle,
      frames,
    };
  }

  /**
   * The harness as an engine of the frame contract: each super-packet runs
   * in lockstep (divergences land on `scoreboard`), and the model's frames
   * are the engine's output, so they can also be compared with golden
   * frames.
   *
   * @param input Name of the input, for reports.
   * @returns The engine.
   */
  engine(
    input: string,
  ): (skb: SkBuff, frame: { number: number; linkType: number }) => {
    frames: Uint8Array[];
    path: string;
    reasons: string[];
  } {
    return (skb, frame) => {
      const r = this.run(skb, {
        input,
        frame: frame.number,
        linkType: frame.linkType,
      });
      return {
        frames: r.frames,
        path: r.fallback === null
          ? `${this.nic.driverMode} (model, lockstep)`
          : `software-gso then ${this.nic.driverMode} (model, lockstep)`,
        reasons: r.fallback === null
          ? []
          : r.stackReasons.length > 0
          ? [`stack fallback: ${r.fallback}`, ...r.stackReasons]
          : [`driver fallback: ${r.fallback}`],
      };
    };
  }
}
