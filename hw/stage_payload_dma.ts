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
import { completionCount } from "./pcie.ts";
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
  #burst: number;
  #issueFreeNs = 0;
  #lastIssueNs = -Infinity;
  // Credit releases, a ring of (time, bytes) in release order.
  #relNs = new Float64Array(256);
  #relBytes = new Float64Array(256);
  #relHead = 0;
  #relTail = 0;
  #reserved = 0;
  // Current packet.
  #buffers: TxBuffer[] = [];
  #descReadyNs = 0;
  #bufIdx = 0;
  #bufOff = 0;
  #issued = 0;
  #readStart = new Float64Array(64);
  #readEnd = new Float64Array(64);
  #readArrival = new Float64Array(64);
  #readCount = 0;
  #readPtr = 0;
  #readyMax = 0;
  #faultAt = -1;
  #faultRule = "";
  #copyIdx = 0;
  #copyBase = 0;
  #locIdx = -1;
  #locBuf: ArrayBufferLike | null = null;
  #locOff = 0;

  /**
   * Creates the instance.
   *
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
    this.#burst = Math.max(1, Math.min(8, Math.floor(cfg.pcie.tags / 4)));
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
    this.#readCount = 0;
    this.#readPtr = 0;
    this.#readyMax = 0;
    this.#copyIdx = 0;
    this.#copyBase = 0;
    this.#locIdx = -1;
    let total = 0;
    for (let i = 0; i < buffers.length; i++) total += buffers[i]!.len;
    this.#faultAt = fault === "" ? -1 : Math.floor(total / 2);
    this.#faultRule = fault;
  }

  /** When the last read of the packet was issued. */
  get lastIssueNs(): number {
    return this.#lastIssueNs;
  }

  #creditTime(n: number, t: number): number {
    const cap = this.#cfg.dmaBufferBytes;
    const mask = this.#relNs.length - 1;
    while (
      this.#relHead !== this.#relTail && this.#relNs[this.#relHead & mask]! <= t
    ) {
      this.#reserved -= this.#relBytes[this.#relHead & mask]!;
      this.#relHead++;
    }
    while (this.#reserved + n > cap && this.#relHead !== this.#relTail) {
      const i = this.#relHead & mask;
      this.#reserved -= this.#relBytes[i]!;
      t = Math.max(t, this.#relNs[i]!);
      this.#relHead++;
    }
    return t;
  }

  /**
   * Issues reads until the packet's first `streamEnd` bytes are requested;
   * `readyNs` then says when they have all arrived.
   *
   * @param streamEnd Bytes of the packet needed.
   * @returns A fault, or null.
   */
  ensure(streamEnd: number): DmaFault | null {
    const p = this.#cfg.pcie;
    const params = this.#link.params;
    const splitAtRcb = params.splitAtRcb;
    const mrrs = p.mrrs;
    const mps = params.mps;
    // Completions per request: a shift when MPS is a power of two.
    const mpsShift = (mps & (mps - 1)) === 0 ? 31 - Math.clz32(mps) : -1;
    const tags = this.#tags;
    while (this.#issued < streamEnd && this.#bufIdx < this.#buffers.length) {
      const b = this.#buffers[this.#bufIdx]!;
      // A burst: up to `#burst` back-to-back requests within one buffer,
      // each at most MRRS and not crossing 4 KiB, booked on the link as one
      // transaction (exact bytes, per-request latency).
      const addr = b.addr + this.#bufOff;
      let len = 0;
      let reqs = 0;
      let cpls = 0;
      let largest = 0;
      // The offset in the 4 KiB page, kept in integers (bus addresses lie
      // above 2^32, where % is a floating-point remainder).
      let pageOff = addr - Math.floor(addr / 4096) * 4096;
      const left = b.len - this.#bufOff;
      while (reqs < this.#burst && len < left) {
        const n = Math.min(mrrs, left - len, 4096 - pageOff);
        cpls += splitAtRcb
          ? completionCount(addr + len, n, params)
          : mpsShift >= 0
          ? (n + mps - 1) >>> mpsShift
          : Math.ceil(n / mps);
        if (n > largest) largest = n;
        len += n;
        pageOff = (pageOff + n) & 4095;
        reqs++;
      }
      let t = Math.max(this.#descReadyNs, this.#issueFreeNs);
      for (let k = 0, j = this.#tagIdx; k < reqs; k++) {
        t = Math.max(t, tags[j]!);
        if (++j === tags.length) j = 0;
      }
      const spacing = p.readIssueMtps > 0 ? 1000 / p.readIssueMtps : 0;
      if (spacing > 0) t = Math.max(t, this.#lastIssueNs + spacing);
      t = this.#creditTime(len, t);
      const arrival = this.#link.readBurst(
        "payload-read",
        reqs,
        cpls,
        len,
        largest,
        t,
      );
      const start = this.#issued;
      if (this.#faultAt >= 0 && start + len > this.#faultAt) {
        this.#faultAt = -1;
        const detail = `read of ${len} bytes at bus address 0x${
          addr.toString(16)
        }`;
        if (this.#faultRule === "pcie.completion-timeout") {
          return {
            rule: this.#faultRule,
            ns: t + COMPLETION_TIMEOUT_NS,
            detail,
          };
        }
        return { rule: this.#faultRule, ns: arrival, detail };
      }
      for (let k = 0; k < reqs; k++) {
        tags[this.#tagIdx] = arrival;
        this.#tagIdx = this.#tagIdx + 1 === tags.length ? 0 : this.#tagIdx + 1;
      }
      this.#issueFreeNs = t + reqs * this.#period;
      this.#lastIssueNs = t + (reqs - 1) * spacing;
      this.#reserved += len;
      this.#issued += len;
      this.requests += reqs;
      this.bytesRead += len;
      if (this.#readCount === this.#readStart.length) {
        const grow = (a: Float64Array) => {
          const b = new Float64Array(a.length * 2);
          b.set(a);
          return b;
        };
        this.#readStart = grow(this.#readStart);
        this.#readEnd = grow(this.#readEnd);
        this.#readArrival = grow(this.#readArrival);
      }
      this.#readStart[this.#readCount] = start;
      this.#readEnd[this.#readCount] = start + len;
      this.#readArrival[this.#readCount] = arrival;
      this.#readCount++;
      this.#trace.span("dma.req", t, t + reqs * this.#period, 1);
      this.#bufOff += len;
      if (this.#bufOff === b.len) {
        this.#bufIdx++;
        this.#bufOff = 0;
      }
    }
    let i = this.#readPtr;
    while (i < this.#readCount && this.#readStart[i]! < streamEnd) {
      const a = this.#readArrival[i]!;
      if (a > this.#readyMax) this.#readyMax = a;
      if (this.#readEnd[i]! <= streamEnd) this.#readPtr = i + 1;
      i++;
    }
    return null;
  }

  /**
   * When the bytes asked for by the last `ensure` have arrived (a field,
   * not a return value: a returned double is boxed per call).
   */
  get readyNs(): number {
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
      // The buffer's backing bytes, looked up once per buffer.
      if (i !== this.#locIdx) {
        this.#locIdx = i;
        const loc = this.#mem.locate(b.addr, b.len);
        this.#locBuf = loc === null ? null : loc.buffer;
        this.#locOff = loc === null ? 0 : loc.offset;
      }
      if (this.#locBuf !== null) {
        dst.set(new Uint8Array(this.#locBuf, this.#locOff + from, n), d);
      } else this.#mem.read(b.addr + from, n, dst, d);
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

  #grow(): void {
    const n = this.#relNs.length;
    const a = new Float64Array(n * 2);
    const b = new Float64Array(n * 2);
    for (let k = 0; k < n; k++) {
      a[k] = this.#relNs[(this.#relHead + k) & (n - 1)]!;
      b[k] = this.#relBytes[(this.#relHead + k) & (n - 1)]!;
    }
    this.#relNs = a;
    this.#relBytes = b;
    this.#relHead = 0;
    this.#relTail = n;
  }

  /**
   * Bytes left the on-chip buffer at `ns`.
   *
   * @param bytes Bytes.
   * @param ns When.
   */
  release(bytes: number, ns: number): void {
    if (this.#relTail - this.#relHead === this.#relNs.length) this.#grow();
    const i = this.#relTail & (this.#relNs.length - 1);
    this.#relNs[i] = ns;
    this.#relBytes[i] = bytes;
    this.#relTail++;
  }
}
