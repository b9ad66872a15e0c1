/**
 * Descriptor fetch: learns the tail from doorbells, reads ring entries in
 * batches (up to `fetchBatch`, within the on-chip cache of `cacheEntries`,
 * not across the ring's end) into the descriptor cache, decodes one per
 * cycle, and assembles a packet's descriptors into an offload request and
 * a buffer list, rejecting malformed descriptor sequences.
 *
 * @module
 */
import type {
  DecodedDescriptor,
  DescriptorFormat,
} from "./descriptor_format.ts";
import type { HostMemory } from "./host_memory.ts";
import type { NicConfig } from "./nic_config.ts";
import type { PcieLinkModel } from "./pcie_link_model.ts";
import { NULL_TRACE, type Stage, type TraceSink } from "./stage.ts";
import type { TxRing } from "./tx_ring.ts";
import { noOffload, type TxBuffer, type TxOffload } from "./tx_offload.ts";

/**
 * A packet's descriptors as decoded, or why they cannot be used.
 *
 * @example
 * ```ts
 * import type { AssembledPacket } from "./stage_desc_fetch.ts";
 * function ok(p: AssembledPacket): boolean { return p.error === null; }
 * ```
 */
export interface AssembledPacket {
  /** The offload request. */
  offload: TxOffload;
  /** The data buffers. */
  buffers: TxBuffer[];
  /** Descriptors read (context + data). */
  descriptors: number;
  /** Rule broken, or null. */
  error: string | null;
  /** Details for the error event. */
  detail: string;
}

/**
 * Assembles decoded descriptors into one packet.
 *
 * @param descs The packet's descriptors, in ring order.
 * @returns The packet, or an error naming the rule.
 *
 * @example
 * ```ts
 * import { assemblePacket } from "./stage_desc_fetch.ts";
 * assemblePacket([]).error; // "desc.no-data"
 * ```
 */
export function assemblePacket(descs: DecodedDescriptor[]): AssembledPacket {
  const bad = (error: string, detail: string): AssembledPacket => ({
    offload: noOffload(),
    buffers: [],
    descriptors: descs.length,
    error,
    detail,
  });
  let ctx: DecodedDescriptor | null = null;
  const data: DecodedDescriptor[] = [];
  for (let i = 0; i < descs.length; i++) {
    const d = descs[i]!;
    if (d.type === "invalid" || d.type === "done") {
      return bad(
        "desc.invalid-type",
        `descriptor ${i} of the packet has type code ${d.typeCode}`,
      );
    }
    if (d.type === "context") {
      if (data.length > 0 || ctx !== null) {
        return bad("desc.context-order", `context descriptor at position ${i}`);
      }
      ctx = d;
      continue;
    }
    if (d.eop && i !== descs.length - 1) {
      return bad("desc.early-eop", `EOP on descriptor ${i} of ${descs.length}`);
    }
    data.push(d);
  }
  if (data.length === 0) return bad("desc.no-data", "no data descriptor");
  if (!data[data.length - 1]!.eop) {
    return bad("desc.missing-eop", "the last descriptor lacks EOP");
  }
  const cf: Partial<TxOffload> = ctx?.fields ?? {};
  const df = data[0]!.fields;
  // One object shape for every packet (the datapath reads these fields per
  // segment): data descriptor fields win over context fields. Each field is
  // read by name (a lookup by a variable key is megamorphic).
  const offload: TxOffload = {
    kind: cf.kind === "tso" || df.kind === "tso" ? "tso" : df.kind ?? "none",
    l4: df.l4 !== undefined ? df.l4 : cf.l4 !== undefined ? cf.l4 : "none",
    macLen: df.macLen !== undefined
      ? df.macLen
      : cf.macLen !== undefined
      ? cf.macLen
      : 0,
    ipLen: df.ipLen !== undefined
      ? df.ipLen
      : cf.ipLen !== undefined
      ? cf.ipLen
      : 0,
    l4Len: df.l4Len !== undefined
      ? df.l4Len
      : cf.l4Len !== undefined
      ? cf.l4Len
      : 0,
    ipv4: df.ipv4 !== undefined
      ? df.ipv4
      : cf.ipv4 !== undefined
      ? cf.ipv4
      : false,
    ipCsum: df.ipCsum !== undefined
      ? df.ipCsum
      : cf.ipCsum !== undefined
      ? cf.ipCsum
      : false,
    mss: df.mss !== undefined ? df.mss : cf.mss !== undefined ? cf.mss : 0,
    tsoLen: df.tsoLen !== undefined
      ? df.tsoLen
      : cf.tsoLen !== undefined
      ? cf.tsoLen
      : 0,
    tunnel: cf.tunnel ?? df.tunnel ?? null,
    csumStart: df.csumStart !== undefined
      ? df.csumStart
      : cf.csumStart !== undefined
      ? cf.csumStart
      : 0,
    csumOffset: df.csumOffset !== undefined
      ? df.csumOffset
      : cf.csumOffset !== undefined
      ? cf.csumOffset
      : 0,
  };
  const buffers: TxBuffer[] = [];
  for (let i = 0; i < data.length; i++) {
    buffers.push({ addr: data[i]!.addr, len: data[i]!.len });
  }
  return {
    offload,
    buffers,
    descriptors: descs.length,
    error: null,
    detail: "",
  };
}

/**
 * The descriptor fetch stage.
 *
 * @example
 * ```ts
 * import type { DescFetchStage } from "./stage_desc_fetch.ts";
 * function fetchedAll(s: DescFetchStage): number { return s.entriesFetched; }
 * ```
 */
export class DescFetchStage implements Stage {
  /** The stage. */
  readonly name = "desc-fetch" as const;
  /** Time spent decoding [ns]. */
  busyNs = 0;
  /** Ring entries fetched. */
  entriesFetched = 0;
  /** Read transactions issued. */
  fetches = 0;
  #cfg: NicConfig;
  #link: PcieLinkModel;
  #mem: HostMemory;
  #ring: TxRing;
  #format: DescriptorFormat;
  #trace: TraceSink;
  #period: number;
  #doorbellNs: Float64Array;
  #readyNs: Float64Array;
  #consumeNs: Float64Array;
  #cache: Uint8Array;
  #postedEnd = 0;
  #fetchedEnd = 0;
  #fetchFreeNs = 0;

  /**
   * Creates the instance.
   *
   * @param cfg The configuration.
   * @param link The PCIe link.
   * @param mem Host memory.
   * @param ring The ring.
   * @param trace Waveform sink.
   */
  constructor(
    cfg: NicConfig,
    link: PcieLinkModel,
    mem: HostMemory,
    ring: TxRing,
    trace: TraceSink = NULL_TRACE,
  ) {
    this.#cfg = cfg;
    this.#link = link;
    this.#mem = mem;
    this.#ring = ring;
    this.#format = ring.format;
    this.#trace = trace;
    this.#period = 1000 / cfg.core.clockMHz;
    const n = ring.entries;
    this.#doorbellNs = new Float64Array(n);
    this.#readyNs = new Float64Array(n);
    this.#consumeNs = new Float64Array(n);
    this.#cache = new Uint8Array(n * ring.format.entryBytes);
  }

  /**
   * A doorbell made entries `[first, first + count)` visible at `ns`.
   *
   * @param first First entry.
   * @param count Entries.
   * @param ns Arrival of the doorbell.
   */
  post(first: number, count: number, ns: number): void {
    const entries = this.#ring.entries;
    for (let k = 0, s = first % entries; k < count; k++) {
      this.#doorbellNs[s] = ns;
      if (++s === entries) s = 0;
    }
    this.#postedEnd = Math.max(this.#postedEnd, first + count);
  }

  #slotFree(e: number, first: number): number {
    const c = this.#cfg.ring.cacheEntries;
    const prev = e - c;
    if (prev < 0) return 0;
    if (prev >= first) return this.#readyNs[prev % this.#ring.entries]!;
    return this.#consumeNs[prev % this.#ring.entries]!;
  }

  /**
   * Fetches and decodes a packet's entries.
   *
   * @param first First entry.
   * @param count Entries.
   * @returns The decoded descriptors and when the last was decoded.
   */
  obtain(
    first: number,
    count: number,
  ): { descs: DecodedDescriptor[]; readyNs: number } {
    const entries = this.#ring.entries;
    const eb = this.#format.entryBytes;
    while (this.#fetchedEnd < first + count) {
      const start = this.#fetchedEnd;
      const n = Math.max(
        1,
        Math.min(
          this.#cfg.ring.fetchBatch,
          this.#postedEnd - start,
          entries - (start % entries),
          this.#cfg.ring.cacheEntries,
        ),
      );
      let issue = Math.max(
        this.#fetchFreeNs,
        this.#doorbellNs[(start + n - 1) % entries]!,
      );
      for (let e = start; e < start + n; e++) {
        issue = Math.max(issue, this.#slotFree(e, first));
      }
      const off = (start % entries) * eb;
      const t = this.#link.read(
        "desc-read",
        this.#ring.busAddr + off,
        n * eb,
        issue,
      );
      this.#mem.read(
        this.#ring.busAddr + off,
        n * eb,
        this.#cache,
        off,
      );
      const p = this.#period;
      for (let k = 0, s = start % entries; k < n; k++) {
        this.#readyNs[s] = t.arrivalNs +
          (k + 1 + this.#cfg.core.fetchDepth) * p;
        if (++s === entries) s = 0;
      }
      this.busyNs += n * p;
      this.#trace.step("desc_fetch.outstanding", issue, 1);
      this.#trace.step(
        "desc_fetch.outstanding",
        t.arrivalNs + (n + this.#cfg.core.fetchDepth) * p,
        -1,
      );
      this.#fetchFreeNs = issue + p;
      this.#fetchedEnd += n;
      this.entriesFetched += n;
      this.fetches++;
    }
    const descs: DecodedDescriptor[] = [];
    let ready = 0;
    for (let k = 0, s = first % entries; k < count; k++) {
      const ds = this.#format.decode(this.#cache, s * eb);
      for (let j = 0; j < ds.length; j++) descs.push(ds[j]!);
      ready = Math.max(ready, this.#readyNs[s]!);
      if (++s === entries) s = 0;
    }
    return { descs, readyNs: ready };
  }

  /**
   * The DMA engine took the packet's descriptors out of the cache.
   *
   * @param first First entry.
   * @param count Entries.
   * @param ns When.
   */
  consume(first: number, count: number, ns: number): void {
    const entries = this.#ring.entries;
    for (let k = 0, s = first % entries; k < count; k++) {
      this.#consumeNs[s] = ns;
      if (++s === entries) s = 0;
    }
  }
}
