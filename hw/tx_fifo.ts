/**
 * The TX FIFO between the checksum engine and the MAC. A frame enters when
 * the checksum engine starts sending it and leaves when its last bit is on
 * the wire; the checksum engine waits (backpressure) until the whole frame
 * fits.
 *
 * @module
 */
import { NULL_TRACE, type Stage, type TraceSink } from "./stage.ts";

/**
 * The TX FIFO.
 *
 * @example
 * ```ts
 * import { TxFifo } from "./tx_fifo.ts";
 * const f = new TxFifo(3000);
 * f.push(1514, 0, 100);
 * f.roomAt(1514, 0); // 100: the first frame must leave first
 * ```
 */
export class TxFifo implements Stage {
  /** The stage. */
  readonly name = "tx-fifo" as const;
  /** Capacity [bytes]. */
  readonly capacity: number;
  /** Highest occupancy seen [bytes]. */
  maxLevel = 0;
  /** Integral of occupancy over time [byte·ns]. */
  levelNs = 0;
  /** Time the checksum engine waited for room [ns]. */
  stallNs = 0;
  #queue: { leaveNs: number; bytes: number }[] = [];
  #head = 0;
  #level = 0;
  #trace: TraceSink;

  /**
   * @param capacity Bytes.
   * @param trace Waveform sink.
   */
  constructor(capacity: number, trace: TraceSink = NULL_TRACE) {
    this.capacity = capacity;
    this.#trace = trace;
  }

  /** Occupancy-weighted time, as busy time at full capacity [ns]. */
  get busyNs(): number {
    return this.levelNs / this.capacity;
  }

  /**
   * Earliest time at or after `ns` when `bytes` fit.
   *
   * @param bytes Frame bytes.
   * @param ns Candidate time.
   * @returns The time.
   */
  roomAt(bytes: number, ns: number): number {
    const q = this.#queue;
    let t = ns;
    while (this.#head < q.length && q[this.#head]!.leaveNs <= t) {
      this.#level -= q[this.#head++]!.bytes;
    }
    while (this.#level + bytes > this.capacity && this.#head < q.length) {
      const r = q[this.#head++]!;
      this.#level -= r.bytes;
      t = Math.max(t, r.leaveNs);
    }
    if (this.#head > 1024) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
    this.stallNs += t - ns;
    return t;
  }

  /**
   * A frame occupies the FIFO from `enterNs` to `leaveNs`.
   *
   * @param bytes Frame bytes.
   * @param enterNs When it starts entering.
   * @param leaveNs When its last bit left on the wire.
   */
  push(bytes: number, enterNs: number, leaveNs: number): void {
    this.#queue.push({ leaveNs, bytes });
    this.#level += bytes;
    this.maxLevel = Math.max(this.maxLevel, this.#level);
    this.levelNs += bytes * (leaveNs - enterNs);
    this.#trace.step("tx_fifo.level", enterNs, bytes);
    this.#trace.step("tx_fifo.level", leaveNs, -bytes);
  }
}
