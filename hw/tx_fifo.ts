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
  #leave = new Float64Array(64);
  #bytes = new Float64Array(64);
  #head = 0;
  #tail = 0;
  #level = 0;
  #trace: TraceSink;
  #tracing: boolean;

  /**
   * Creates the instance.
   *
   * @param capacity Bytes.
   * @param trace Waveform sink.
   */
  constructor(capacity: number, trace: TraceSink = NULL_TRACE) {
    this.capacity = capacity;
    this.#trace = trace;
    this.#tracing = trace !== NULL_TRACE;
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
    const mask = this.#leave.length - 1;
    let t = ns;
    while (this.#head !== this.#tail && this.#leave[this.#head & mask]! <= t) {
      this.#level -= this.#bytes[this.#head & mask]!;
      this.#head++;
    }
    while (this.#level + bytes > this.capacity && this.#head !== this.#tail) {
      const i = this.#head & mask;
      this.#level -= this.#bytes[i]!;
      t = Math.max(t, this.#leave[i]!);
      this.#head++;
    }
    this.stallNs += t - ns;
    return t;
  }

  #grow(): void {
    const n = this.#leave.length;
    const leave = new Float64Array(n * 2);
    const b = new Float64Array(n * 2);
    for (let k = 0; k < n; k++) {
      leave[k] = this.#leave[(this.#head + k) & (n - 1)]!;
      b[k] = this.#bytes[(this.#head + k) & (n - 1)]!;
    }
    this.#leave = leave;
    this.#bytes = b;
    this.#tail = n;
    this.#head = 0;
  }

  /**
   * A frame occupies the FIFO from `enterNs` to `leaveNs`.
   *
   * @param bytes Frame bytes.
   * @param enterNs When it starts entering.
   * @param leaveNs When its last bit left on the wire.
   */
  push(bytes: number, enterNs: number, leaveNs: number): void {
    // Growing is a call of its own, so this stays small enough to inline
    // (times passed to a call that is not inlined are boxed).
    if (this.#tail - this.#head === this.#leave.length) this.#grow();
    const i = this.#tail & (this.#leave.length - 1);
    this.#leave[i] = leaveNs;
    this.#bytes[i] = bytes;
    this.#tail++;
    this.#level += bytes;
    if (this.#level > this.maxLevel) this.maxLevel = this.#level;
    this.levelNs += bytes * (leaveNs - enterNs);
    if (this.#tracing) {
      this.#trace.step("tx_fifo.level", enterNs, bytes);
      this.#trace.step("tx_fifo.level", leaveNs, -bytes);
    }
  }
}
