/**
 * The transmit descriptor ring as bytes in host memory, seen from the
 * driver: a free-running tail (producer) and clean (consumer) count, the
 * time each slot becomes reusable (its completion reached the host), and
 * the DMA mappings to release when a packet is cleaned.
 *
 * @module
 */
import type { DescriptorFormat } from "./descriptor_format.ts";
import { HwUsageError } from "./errors.ts";
import type { HostMemory } from "./host_memory.ts";
import type { TxBuffer, TxOffload } from "./tx_offload.ts";

/**
 * A descriptor ring.
 *
 * @example
 * ```ts
 * import { HostMemory } from "./host_memory.ts";
 * import { ICE_FORMAT } from "./desc_ice.ts";
 * import { TxRing } from "./tx_ring.ts";
 * const ring = new TxRing(new HostMemory(), ICE_FORMAT, 256);
 * ring.free; // 255
 * ```
 */
export class TxRing {
  /** Ring size in entries. */
  readonly entries: number;
  /** The ring's bytes (host memory). */
  readonly bytes: Uint8Array;
  /** Bus address of entry 0. */
  readonly busAddr: number;
  /** The descriptor format. */
  readonly format: DescriptorFormat;
  /** Entries produced so far (free-running). */
  tail = 0;
  /** Entries cleaned so far (free-running). */
  clean = 0;
  #freeNs: Float64Array;
  #pending: Uint8Array;
  #unmap: (number[] | null)[];
  #mem: HostMemory;

  /**
   * Creates the instance.
   *
   * @param mem Host memory to allocate the ring in.
   * @param format Descriptor format.
   * @param entries Ring size in entries.
   */
  constructor(mem: HostMemory, format: DescriptorFormat, entries: number) {
    this.#mem = mem;
    this.format = format;
    this.entries = entries;
    this.bytes = new Uint8Array(entries * format.entryBytes);
    this.busAddr = mem.map([this.bytes]);
    this.#freeNs = new Float64Array(entries);
    this.#pending = new Uint8Array(entries);
    this.#unmap = new Array(entries).fill(null);
  }

  /** Entries the driver may still fill (one is kept as a gap). */
  get free(): number {
    return this.entries - 1 - (this.tail - this.clean);
  }

  /**
   * Byte offset of a free-running entry index inside the ring.
   *
   * @param entry Entry index.
   * @returns Offset in `bytes`.
   */
  offsetOf(entry: number): number {
    return (entry % this.entries) * this.format.entryBytes;
  }

  /**
   * Earliest time at which `n` more entries are free.
   *
   * @param n Entries needed.
   * @returns A time in ns (0 when free now), or NaN when a completion
   *   they wait for has not been written back yet.
   * @throws {HwUsageError} When `n` exceeds what the ring can ever hold.
   */
  freeAt(n: number): number {
    if (n > this.entries - 1) {
      throw new HwUsageError(
        `Cannot post ${n} descriptors to a ring of ${this.entries} entries`,
      );
    }
    let t = 0;
    const lastNeeded = this.tail + n - 1 - (this.entries - 1);
    const from = Math.max(this.clean, 0);
    for (let e = from, s = from % this.entries; e <= lastNeeded; e++) {
      if (this.#pending[s] === 1) return NaN;
      t = Math.max(t, this.#freeNs[s]!);
      if (++s === this.entries) s = 0;
    }
    return t;
  }

  /**
   * Reclaims entries whose completion reached the host by `ns` and whose
   * descriptors read back as done, releasing their DMA mappings.
   *
   * @param ns Host time.
   * @param needed Stop once this many entries are free.
   */
  reclaim(ns: number, needed = Infinity): void {
    const entries = this.entries;
    const eb = this.format.entryBytes;
    let s = this.clean % entries;
    while (this.clean < this.tail && this.free < needed) {
      if (this.#pending[s] === 1 || this.#freeNs[s]! > ns) break;
      if (!this.format.isDone(this.bytes, s * eb)) break;
      const maps = this.#unmap[s];
      if (maps !== null) {
        for (let k = 0; k < maps.length; k++) this.#mem.unmap(maps[k]!);
        this.#unmap[s] = null;
      }
      this.clean++;
      if (++s === entries) s = 0;
    }
  }

  /**
   * Encodes one packet at the tail.
   *
   * @param offload The offload request.
   * @param buffers The buffers.
   * @param unmap Mappings to release when the packet is cleaned.
   * @returns The first entry and the number of entries used.
   */
  post(
    offload: TxOffload,
    buffers: readonly TxBuffer[],
    unmap: number[],
  ): { first: number; count: number } {
    const first = this.tail;
    const count = this.format.encode(
      this.bytes,
      first,
      this.entries,
      offload,
      buffers,
      true,
    );
    for (let k = 0, s = first % this.entries; k < count; k++) {
      this.#pending[s] = 1;
      if (++s === this.entries) s = 0;
    }
    this.#unmap[(first + count - 1) % this.entries] = unmap;
    this.tail += count;
    return { first, count };
  }

  /**
   * Records that the NIC wrote completion for entries; the host sees it at
   * `ns`.
   *
   * @param first First entry.
   * @param count Entries.
   * @param ns Arrival of the write-back at the host.
   */
  complete(first: number, count: number, ns: number): void {
    for (let k = 0, s = first % this.entries; k < count; k++) {
      this.format.writeBack(this.bytes, s * this.format.entryBytes);
      this.#pending[s] = 0;
      this.#freeNs[s] = ns;
      if (++s === this.entries) s = 0;
    }
  }
}
