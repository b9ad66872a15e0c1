/**
 * The PCIe link as two serial servers (host → device and device → host)
 * running at the TLP-layer bandwidth, plus host memory read latency. Byte
 * counts come from the exact accounting in `pcie.ts`; this file only
 * decides when each transfer happens.
 *
 * @module
 */
import type { NicConfig } from "./nic_config.ts";
import {
  completionCount,
  type PcieParams,
  pcieTlpGbps,
  type TlpOverheads,
  tlpOverheads,
} from "./pcie.ts";
import type { TraceSink } from "./stage.ts";
import { NULL_TRACE } from "./stage.ts";

/**
 * What a PCIe transfer was for.
 *
 * @example
 * ```ts
 * import type { PcieTrafficKind } from "./pcie_link_model.ts";
 * const k: PcieTrafficKind = "payload-read";
 * ```
 */
export type PcieTrafficKind =
  | "doorbell"
  | "desc-read"
  | "payload-read"
  | "writeback"
  | "msi";

/**
 * Bytes on the wire per direction.
 *
 * @example
 * ```ts
 * import type { DirectionBytes } from "./pcie_link_model.ts";
 * const d: DirectionBytes = { toDevice: 28, toHost: 0 };
 * ```
 */
export interface DirectionBytes {
  /** Host → device (doorbells, completions). */
  toDevice: number;
  /** Device → host (read requests, write-backs, MSI). */
  toHost: number;
}

/**
 * Busy intervals of one link direction. Transfers are scheduled in the
 * order the model processes them, which is not time order (descriptor
 * fetches for a later packet are worked out after the payload of an earlier
 * one), so a transfer takes the first idle gap at or after its ready time
 * that is long enough, rather than queueing behind everything reserved so
 * far.
 *
 * Small control transfers (doorbells, descriptor completions, write-backs,
 * MSIs) are served in time order: a completion issued before a run of
 * payload reads that the model happened to book first would, on a real
 * link, go out between their TLPs. They take the wire at their ready time
 * (serialised among themselves) and their occupancy is charged to the
 * payload timeline, which keeps the byte totals exact.
 */
/** How far behind the newest request the timeline is kept [ns]. */
const HORIZON_NS = 50_000;

class Lane {
  busyNs = 0;
  bytes = 0;
  tlps = 0;
  #ctrl: Lane | null = null;

  reserveControl(ready: number, dur: number): number {
    this.#ctrl ??= new Lane();
    const start = this.#ctrl.reserve(ready, dur);
    this.reserve(ready, dur);
    return start;
  }
  // Busy intervals [st[i], en[i]) for i < n, sorted and disjoint, in typed
  // arrays with spare room: no array grows, shrinks or splices per transfer.
  #st = new Float64Array(512);
  #en = new Float64Array(512);
  #n = 0;
  #newest = 0;

  reserve(ready: number, dur: number): number {
    let st = this.#st;
    let en = this.#en;
    let n = this.#n;
    // The first interval ending after `ready`: new transfers land near the
    // end of the timeline, so look back a few intervals before searching.
    let lo = n;
    const near = Math.max(0, lo - 16);
    while (lo > near && en[lo - 1]! > ready) lo--;
    if (lo === near && near > 0 && en[near - 1]! > ready) {
      let hi = near - 1;
      lo = 0;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (en[mid]! > ready) hi = mid;
        else lo = mid + 1;
      }
    }
    let i = lo;
    let t = ready;
    while (i < n && st[i]! < t + dur - 1e-9) {
      t = Math.max(t, en[i]!);
      i++;
    }
    const end = t + dur;
    const touchPrev = i > 0 && Math.abs(en[i - 1]! - t) < 1e-9;
    const touchNext = i < n && Math.abs(st[i]! - end) < 1e-9;
    if (touchPrev && touchNext) {
      en[i - 1] = en[i]!;
      n--;
      if (n - i > 16) {
        st.copyWithin(i, i + 1, n + 1);
        en.copyWithin(i, i + 1, n + 1);
      } else {
        for (let j = i; j < n; j++) {
          st[j] = st[j + 1]!;
          en[j] = en[j + 1]!;
        }
      }
    } else if (touchPrev) en[i - 1] = end;
    else if (touchNext) st[i] = t;
    else {
      if (n === st.length) {
        const s2 = new Float64Array(2 * n);
        const e2 = new Float64Array(2 * n);
        s2.set(st);
        e2.set(en);
        this.#st = st = s2;
        this.#en = en = e2;
      }
      // Control transfers land far back: move long tails in one go.
      if (n - i > 16) {
        st.copyWithin(i + 1, i, n);
        en.copyWithin(i + 1, i, n);
      } else {
        for (let j = n; j > i; j--) {
          st[j] = st[j - 1]!;
          en[j] = en[j - 1]!;
        }
      }
      st[i] = t;
      en[i] = end;
      n++;
    }
    // Forget intervals far behind the newest request: nothing the model
    // still schedules becomes ready that early.
    if (ready > this.#newest) this.#newest = ready;
    if (n > 256 && en[127]! < this.#newest - HORIZON_NS) {
      let k = 128;
      while (k < n - 64 && en[k]! < this.#newest - HORIZON_NS) k++;
      st.copyWithin(0, k, n);
      en.copyWithin(0, k, n);
      n -= k;
    }
    this.#n = n;
    return t;
  }
}

/**
 * Result of a scheduled read.
 *
 * @example
 * ```ts
 * import type { ReadTiming } from "./pcie_link_model.ts";
 * const r: ReadTiming = { issueNs: 0, arrivalNs: 700 };
 * ```
 */
export interface ReadTiming {
  /** When the request left the device. */
  issueNs: number;
  /** When the last completion byte arrived. */
  arrivalNs: number;
}

/**
 * The link scheduler.
 *
 * @example
 * ```ts
 * import { PcieLinkModel } from "./pcie_link_model.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * const link = new PcieLinkModel(resolveConfig());
 * link.doorbell(0);
 * link.bytes.doorbell.toDevice; // 28
 * ```
 */
export class PcieLinkModel {
  /** TLP-layer bandwidth of one direction [Gb/s]. */
  readonly tlpGbps: number;
  /** Per-TLP overheads. */
  readonly overheads: TlpOverheads;
  /** Parameters for the byte accounting. */
  readonly params: PcieParams;
  /** Bytes by purpose and direction. */
  readonly bytes: Record<PcieTrafficKind, DirectionBytes> = {
    "doorbell": { toDevice: 0, toHost: 0 },
    "desc-read": { toDevice: 0, toHost: 0 },
    "payload-read": { toDevice: 0, toHost: 0 },
    "writeback": { toDevice: 0, toHost: 0 },
    "msi": { toDevice: 0, toHost: 0 },
  };
  /** Busy time of the host → device direction spent on payload completions [ns]. */
  payloadBusyNs = 0;
  #payloadBytes: DirectionBytes = this.bytes["payload-read"];
  #down = new Lane();
  #up = new Lane();
  #nsPerByte: number;
  #cfg: NicConfig;
  #trace: TraceSink;
  #tracing: boolean;

  /**
   * Creates the instance.
   *
   * @param cfg The configuration.
   * @param trace Waveform sink.
   */
  constructor(cfg: NicConfig, trace: TraceSink = NULL_TRACE) {
    this.#cfg = cfg;
    this.#trace = trace;
    this.#tracing = trace !== NULL_TRACE;
    this.tlpGbps = pcieTlpGbps(cfg.pcie.gen, cfg.pcie.lanes, cfg.pcie.mps);
    this.overheads = tlpOverheads(cfg.pcie.addr64, cfg.pcie.ecrc);
    this.params = {
      mps: cfg.pcie.mps,
      mrrs: cfg.pcie.mrrs,
      rcb: cfg.pcie.rcb,
      splitAtRcb: cfg.pcie.splitAtRcb,
      addr64: cfg.pcie.addr64,
      ecrc: cfg.pcie.ecrc,
    };
    this.#nsPerByte = 8 / this.tlpGbps;
  }

  /** Bytes and TLPs each way so far. */
  get totals(): {
    toDevice: number;
    toHost: number;
    tlpsToDevice: number;
    tlpsToHost: number;
    busyToDeviceNs: number;
    busyToHostNs: number;
  } {
    return {
      toDevice: this.#down.bytes,
      toHost: this.#up.bytes,
      tlpsToDevice: this.#down.tlps,
      tlpsToHost: this.#up.tlps,
      busyToDeviceNs: this.#down.busyNs,
      busyToHostNs: this.#up.busyNs,
    };
  }

  #send(
    lane: Lane,
    dir: keyof DirectionBytes,
    kind: PcieTrafficKind,
    wire: number,
    tlps: number,
    readyNs: number,
  ): number {
    const dur = wire * this.#nsPerByte;
    const start = kind === "payload-read"
      ? lane.reserve(readyNs, dur)
      : lane.reserveControl(readyNs, dur);
    lane.busyNs += dur;
    lane.bytes += wire;
    lane.tlps += tlps;
    // Counters by name, not by a lookup with a variable key (megamorphic).
    const b = this.bytes;
    const kb = kind === "payload-read"
      ? this.#payloadBytes
      : kind === "desc-read"
      ? b["desc-read"]
      : kind === "doorbell"
      ? b.doorbell
      : kind === "writeback"
      ? b.writeback
      : kind === "msi"
      ? b.msi
      : b[kind];
    if (dir === "toDevice") kb.toDevice += wire;
    else kb.toHost += wire;
    if (kind === "payload-read" && dir === "toDevice") {
      this.payloadBusyNs += dur;
    }
    if (this.#tracing) {
      this.#trace.span(
        dir === "toDevice" ? "pcie.to_device_busy" : "pcie.to_host_busy",
        start,
        start + dur,
        1,
      );
    }
    return start + dur;
  }

  /**
   * A 4-byte tail (doorbell) write from the host.
   *
   * @param readyNs When the host writes it.
   * @returns When the device has it.
   */
  doorbell(readyNs: number): number {
    const wire = this.overheads.mwr + 4;
    return this.#send(this.#down, "toDevice", "doorbell", wire, 1, readyNs) +
      this.#cfg.pcie.propagationNs;
  }

  /**
   * One read request of at most MRRS bytes (not crossing 4 KiB) and its
   * completions.
   *
   * @param kind What the read is for.
   * @param addr Bus address.
   * @param len Bytes.
   * @param readyNs Earliest issue time.
   * @returns Issue and arrival times.
   */
  readRequest(
    kind: PcieTrafficKind,
    addr: number,
    len: number,
    readyNs: number,
  ): ReadTiming {
    const reqEnd = this.#send(
      this.#up,
      "toHost",
      kind,
      this.overheads.mrd,
      1,
      readyNs,
    );
    const p = this.#cfg.pcie;
    const hostReady = reqEnd + p.propagationNs + p.readLatencyNs +
      p.readLatencyNsPerByte * len;
    const cpls = completionCount(addr, len, this.params);
    const end = this.#send(
      this.#down,
      "toDevice",
      kind,
      cpls * this.overheads.cpld + len,
      cpls,
      hostReady,
    );
    return { issueNs: readyNs, arrivalNs: end + p.propagationNs };
  }

  /**
   * Back-to-back read requests booked as one transaction: `reqs` MRd TLPs
   * up, `cpls` CplD TLPs carrying `len` bytes down. Host latency is that of
   * one request of `largest` bytes (the requests overlap).
   *
   * @param kind What the read is for.
   * @param reqs Requests.
   * @param cpls Completions.
   * @param len Bytes read.
   * @param largest Largest request.
   * @param readyNs Issue time of the first request.
   * @returns Arrival of the last completion.
   */
  readBurst(
    kind: PcieTrafficKind,
    reqs: number,
    cpls: number,
    len: number,
    largest: number,
    readyNs: number,
  ): number {
    const reqEnd = this.#send(
      this.#up,
      "toHost",
      kind,
      reqs * this.overheads.mrd,
      reqs,
      readyNs,
    );
    const p = this.#cfg.pcie;
    const hostReady = reqEnd + p.propagationNs + p.readLatencyNs +
      p.readLatencyNsPerByte * largest;
    return this.#send(
      this.#down,
      "toDevice",
      kind,
      cpls * this.overheads.cpld + len,
      cpls,
      hostReady,
    ) + p.propagationNs;
  }

  /**
   * A read of any length, split into requests at MRRS and 4 KiB; the
   * requests go out back to back.
   *
   * @param kind What the read is for.
   * @param addr Bus address.
   * @param len Bytes.
   * @param readyNs Earliest issue time.
   * @returns Issue time and arrival of the last completion.
   */
  read(
    kind: PcieTrafficKind,
    addr: number,
    len: number,
    readyNs: number,
  ): ReadTiming {
    let a = addr;
    let left = len;
    let arrival = readyNs;
    while (left > 0) {
      const n = Math.min(
        left,
        this.params.mrrs,
        4096 - (a - Math.floor(a / 4096) * 4096),
      );
      arrival = Math.max(
        arrival,
        this.readRequest(kind, a, n, readyNs).arrivalNs,
      );
      a += n;
      left -= n;
    }
    return { issueNs: readyNs, arrivalNs: arrival };
  }

  /**
   * A write from the device (write-back, completion record), split at MPS.
   *
   * @param kind What the write is for.
   * @param len Bytes.
   * @param readyNs When the device issues it.
   * @returns When it has reached the host.
   */
  write(kind: PcieTrafficKind, len: number, readyNs: number): number {
    const tlps = Math.max(1, Math.ceil(len / this.params.mps));
    return this.#send(
      this.#up,
      "toHost",
      kind,
      tlps * this.overheads.mwr + len,
      tlps,
      readyNs,
    ) + this.#cfg.pcie.propagationNs;
  }

  /**
   * An MSI (a 4-byte memory write).
   *
   * @param readyNs When the device raises it.
   * @returns When it has reached the host.
   */
  msi(readyNs: number): number {
    return this.#send(
      this.#up,
      "toHost",
      "msi",
      this.overheads.msi,
      1,
      readyNs,
    ) + this.#cfg.pcie.propagationNs;
  }
}
