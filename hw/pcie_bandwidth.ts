/**
 * Effective DMA bandwidth of a PCIe link for transfers of one size, as
 * pcie-bench computes it: payload over wire bytes times the TLP-layer
 * bandwidth, the busier direction deciding for reads, optionally capped by
 * the device's DMA issue rate.
 *
 * @module
 */
import {
  pcieRawGbps,
  pcieReadBytes,
  pcieTlpGbps,
  pcieWriteBytes,
} from "./pcie.ts";

/**
 * Input of `pcieEffectiveBandwidth`.
 *
 * @example
 * ```ts
 * import type { PcieBandwidthOptions } from "./pcie_bandwidth.ts";
 * const o: PcieBandwidthOptions = { gen: 3, lanes: 8, mps: 256, mrrs: 512, size: 1500, dir: "read" };
 * ```
 */
export interface PcieBandwidthOptions {
  /** PCIe generation. */
  gen: number;
  /** Lane count. */
  lanes: number;
  /** Max Payload Size [bytes]. */
  mps: number;
  /** Max Read Request Size [bytes]. */
  mrrs: number;
  /** Read Completion Boundary [bytes] (default 64). */
  rcb?: number;
  /** Completions split at RCB instead of MPS (default false). */
  splitAtRcb?: boolean;
  /** 64-bit addressing (default true). */
  addr64?: boolean;
  /** ECRC (default false). */
  ecrc?: boolean;
  /** Bytes per DMA transfer. */
  size: number;
  /** `read`: device reads host memory; `write`: device writes it. */
  dir: "read" | "write";
  /** DMA issue-rate cap [million transfers/s]; 0 or absent = none. */
  issueMtps?: number;
}

/**
 * Result of `pcieEffectiveBandwidth`.
 *
 * @example
 * ```ts
 * import type { PcieBandwidth } from "./pcie_bandwidth.ts";
 * function show(b: PcieBandwidth): string { return `${b.gbps.toFixed(2)} Gb/s`; }
 * ```
 */
export interface PcieBandwidth {
  /** Effective payload bandwidth [Gb/s]. */
  gbps: number;
  /** TLP-layer bandwidth of one direction [Gb/s]. */
  tlpGbps: number;
  /** Raw bandwidth after encoding [Gb/s]. */
  rawGbps: number;
  /** Wire bytes per transfer in the data direction. */
  wireBytes: number;
  /** Wire bytes per transfer in the other direction (read requests). */
  reverseWireBytes: number;
  /** TLPs in the data direction. */
  tlps: number;
  /** TLPs in the other direction. */
  reverseTlps: number;
  /** What limits it: the data direction, the request direction, or the issue rate. */
  limitedBy: "data" | "requests" | "issue-rate";
}

/**
 * The link's effective bandwidth for DMA transfers of `size` bytes.
 *
 * @param o Link parameters, transfer size and direction.
 * @returns The bandwidth and the byte accounting behind it.
 *
 * @example Gen3 x8, 1500-byte reads
 * ```ts
 * import { pcieEffectiveBandwidth } from "./pcie_bandwidth.ts";
 * const b = pcieEffectiveBandwidth({ gen: 3, lanes: 8, mps: 256, mrrs: 512, size: 1500, dir: "read" });
 * b.wireBytes; // 1620
 * ```
 */
export function pcieEffectiveBandwidth(o: PcieBandwidthOptions): PcieBandwidth {
  const p = {
    mps: o.mps,
    mrrs: o.mrrs,
    rcb: o.rcb ?? 64,
    splitAtRcb: o.splitAtRcb ?? false,
    addr64: o.addr64 ?? true,
    ecrc: o.ecrc ?? false,
  };
  const tlpGbps = pcieTlpGbps(o.gen, o.lanes, o.mps);
  const rawGbps = pcieRawGbps(o.gen, o.lanes);
  let wireBytes: number;
  let reverseWireBytes = 0;
  let tlps: number;
  let reverseTlps = 0;
  if (o.dir === "write") {
    const w = pcieWriteBytes(o.size, p);
    wireBytes = w.bytes;
    tlps = w.tlps;
  } else {
    const r = pcieReadBytes(o.size, p);
    wireBytes = r.completionBytes;
    tlps = r.completions;
    reverseWireBytes = r.requestBytes;
    reverseTlps = r.requests;
  }
  let limitedBy: PcieBandwidth["limitedBy"] = reverseWireBytes > wireBytes
    ? "requests"
    : "data";
  let gbps = o.size * tlpGbps / Math.max(wireBytes, reverseWireBytes);
  const cap = o.issueMtps ?? 0;
  if (cap > 0) {
    const capGbps = o.size * 8 * cap / 1000;
    if (capGbps < gbps) {
      gbps = capGbps;
      limitedBy = "issue-rate";
    }
  }
  return {
    gbps,
    tlpGbps,
    rawGbps,
    wireBytes,
    reverseWireBytes,
    tlps,
    reverseTlps,
    limitedBy,
  };
}
