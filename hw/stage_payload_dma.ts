/**
 * Payload DMA: reads a packet's buffers from host memory in stream order,
 * one request per MRRS (never across a 4 KiB boundary), each request
 * holding a tag until its last completion arrives (completions split at MPS
 * or RCB by the link model), with an optional issue-rate cap and a credit
 * on the on-chip payload buffer that segments release as they leave the
 * checksum engine. Reads run ahead of the datapath as far as tags and
 * credits allow. The bytes themselves are gathered from host memory.
 *
 * @module
 */
import type { HostMemory } from "./host_memory.ts";
import type { NicConfig } from "./nic_config.ts";
import type { PcieLinkModel } from "./pcie_link_model.ts";
import { NULL_TRACE, type Stage, type TraceSink } from "./stage.ts";
import type { TxBuffer } from "./tx_offload.ts";

/** PCIe completion timeout the engine waits before giving up [ns]. */
export const COMPLETION_TIMEOUT_NS = 50_000;

/**
 * A DMA failure that ends the packet.
 *
 * @example
 * ```ts
 * import type { DmaFault } from "./stage_payload_dma.ts";
 * const f: DmaFault = { rule: "pcie.completion-timeout", ns: 50000, detail: "read at 0x1000" };
 * ```
 */
export interface DmaFault {
  /** The rule: `pcie.completion-timeout` or `pcie.poisoned-completion`. */
  rule: string;
  /** When the engine noticed. */
  ns: number;
  /** What failed. */
  detail: string;
}

interface Read {
  start: number;
  end: number;
  arrival: number;
}

/**
 * The payload DMA stage.
 *
 * @example
 * ```ts
 * import type { PayloadDmaStage } from "./stage_payload_dma.ts";
 * function reads(s: PayloadDmaStage): number { return s.requests; }
 * ```
 */
export class PayloadDmaStage implements Stage {
  /** The stage. */
  readonly name = "payload-dma" as const;
  /** Read requests issued. */
  requests = 0;
  /** Payload bytes read. */
  bytesRead = 0;
  #cfg: NicConfig;
  #link: PcieLinkModel;
  #mem: HostMemory;
  #trace: TraceSink;
  #period: number;
  #tags: Float64Array;
  #tagIdx = 0;
  #issueFreeNs = 0;
  #lastIssueNs = -Infinity;
  #credits: { ns: number; bytes: number }[] = [];
  #creditHead = 0;
  #reserved = 0;
  // Current packet.
  #buffers: TxBuffer[] = [];
  #descReadyNs = 0;
  #bufIdx = 0;
  #bufOff = 0;
  #issued = 0;
  #reads: Read[] = [];
  #readPtr = 0;
  #readyMax = 0;
  #faultAt = -1;
  #faultRule = "";
  #copyIdx = 0;
  #copyBase = 0;

  /**
   * @param cfg The configuration.
   * @param link The PCIe link.
   * @param mem Host memory.
   * @param trace Waveform sink.
   */
  constructor(
    cfg: NicConfig,
    link: PcieLinkModel,
    mem: HostMemory,
    trace: TraceSink = NULL_TRACE,
  ) {
    this.#cfg = cfg;
    this.#link = link;
    this.#mem = mem;
    this.#trace = trace;
    this.#period = 1000 / cfg.core.clockMHz;
    this.#tags = new Float64Array(Math.max(1, cfg.pcie.tags));
  }

  /** Time the link spent carrying payload completions [ns]. */
  get busyNs(): number {
    return this.#link.payloadBusyNs;
  }

  /**
   * Starts a packet.
   *
   * @param buffers Its buffers.
   * @param descReadyNs When its descriptors were decoded.
   * @param fault A completion fault to inject, or "".
   */
  begin(buffers: TxBuffer[], descReadyNs: number, fault: string): void {
    this.#buffers = buffers;
    this.#descReadyNs = descReadyNs;
    this.#bufIdx = 0;
    this.#bufOff = 0;
    this.#issued = 0;
    this.#reads = [];
    this.#readPtr = 0;
    this.#readyMax = 0;
    this.#copyIdx = 0;
    this.#copyBase = 0;
    const total = buffers.reduce((n, b) => n + b.len, 0);
    this.#faultAt = fault === "" ? -1 : Math.floor(total / 2);
    this.#faultRule = fault;
  }

  /** When the last read of the packet was issued. */
  get lastIssueNs(): number {
    return this.#lastIssueNs;
  }

  #creditTime(n: number, t: number): number {
    const cap = this.#cfg.dmaBufferBytes;
    const q = this.#credits;
    while (this.#creditHead < q.length && q[this.#creditHead]!.ns <= t) {
      this.#reserved -= q[this.#creditHead++]!.bytes;
    }
    while (this.#reserved + n > cap && this.#creditHead < q.length) {
      const r = q[this.#creditHead++]!;
      this.#reserved -= r.bytes;
      t = Math.max(t, r.ns);
    }
    if (this.#creditHead > 1024) {
      this.#credits = q.slice(this.#creditHead);
      this.#creditHead = 0;
    }
    return t;
  }

  /**
   * Issues reads until the packet's first `streamEnd` bytes are requested
   * and returns when they have all arrived.
   *
   * @param streamEnd Bytes of the packet needed.
   * @returns Arrival time, or a fault.
   */
  ensure(streamEnd: number): number | DmaFault {
    const p = this.#cfg.pcie;
    while (this.#issued < streamEnd && this.#bufIdx < this.#buffers.length) {
      const b = this.#buffers[this.#bufIdx]!;
      const addr = b.addr + this.#bufOff;
      const n = Math.min(p.mrrs, b.len - this.#bufOff, 4096 - (addr % 4096));
      let t = Math.max(
        this.#descReadyNs,
        this.#issueFreeNs,
        this.#tags[this.#tagIdx]!,
      );
      if (p.readIssueMtps > 0) {
        t = Math.max(t, this.#lastIssueNs + 1000 / p.readIssueMtps);
      }
      t = this.#creditTime(n, t);
      const timing = this.#link.readRequest("payload-read", addr, n, t);
      const start = this.#issued;
      if (this.#faultAt >= 0 && start + n > this.#faultAt) {
        this.#faultAt = -1;
        const detail = `read of ${n} bytes at bus address 0x${
          addr.toString(16)
        }`;
        if (this.#faultRule === "pcie.completion-timeout") {
          return {
            rule: this.#faultRule,
            ns: t + COMPLETION_TIMEOUT_NS,
            detail,
          };
        }
        return { rule: this.#faultRule, ns: timing.arrivalNs, detail };
      }
      this.#tags[this.#tagIdx] = timing.arrivalNs;
      this.#tagIdx = (this.#tagIdx + 1) % this.#tags.length;
      this.#issueFreeNs = t + this.#period;
      this.#lastIssueNs = t;
      this.#reserved += n;
      this.#issued += n;
      this.requests++;
      this.bytesRead += n;
      this.#reads.push({ start, end: start + n, arrival: timing.arrivalNs });
      this.#trace.span("dma.req", t, t + this.#period, 1);
      this.#bufOff += n;
      if (this.#bufOff === b.len) {
        this.#bufIdx++;
        this.#bufOff = 0;
      }
    }
    const reads = this.#reads;
    let i = this.#readPtr;
    while (i < reads.length && reads[i]!.start < streamEnd) {
      this.#readyMax = Math.max(this.#readyMax, reads[i]!.arrival);
      if (reads[i]!.end <= streamEnd) this.#readPtr = i + 1;
      i++;
    }
    return this.#readyMax;
  }

  /**
   * Gathers `len` bytes of the packet starting at `off` (the data the
   * completions carried) into `dst`.
   *
   * @param off Offset in the packet.
   * @param len Bytes.
   * @param dst Destination.
   * @param dstOff Offset in the destination.
   */
  copy(off: number, len: number, dst: Uint8Array, dstOff: number): void {
    const bufs = this.#buffers;
    if (off < this.#copyBase) {
      this.#copyIdx = 0;
      this.#copyBase = 0;
    }
    let i = this.#copyIdx;
    let base = this.#copyBase;
    while (i < bufs.length && off >= base + bufs[i]!.len) {
      base += bufs[i]!.len;
      i++;
    }
    this.#copyIdx = i;
    this.#copyBase = base;
    let o = off;
    let left = len;
    let d = dstOff;
    while (left > 0 && i < bufs.length) {
      const b = bufs[i]!;
      const from = o - base;
      const n = Math.min(left, b.len - from);
      this.#mem.read(b.addr + from, n, dst, d);
      d += n;
      left -= n;
      o += n;
      if (from + n === b.len) {
        base += b.len;
        i++;
      }
    }
  }

  /**
   * Buffers that hold bytes `[from, to)` of the packet.
   *
   * @param from First byte.
   * @param to One past the last byte.
   * @returns Indices of the buffers touched.
   */
  buffersTouched(from: number, to: number): number[] {
    const out: number[] = [];
    let base = 0;
    for (let i = 0; i < this.#buffers.length && base < to; i++) {
      const end = base + this.#buffers[i]!.len;
      if (end > from && this.#buffers[i]!.len > 0) out.push(i);
      base = end;
    }
    return out;
  }

  /**
   * Bytes left the on-chip buffer at `ns`.
   *
   * @param bytes Bytes.
   * @param ns When.
   */
  release(bytes: number, ns: number): void {
    this.#credits.push({ ns, bytes });
  }
}
