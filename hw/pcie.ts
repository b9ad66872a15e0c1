/**
 * PCIe byte accounting (pcie-bench model, `reference/nic-hw.md` §4.1): lane
 * rates and encodings, TLP-layer bandwidth after Ack/FC DLLPs and SKIP
 * ordered sets, TLP sizes, and the wire bytes of DMA reads and writes.
 * Exact arithmetic only; the cycle engine (`pcie_link_model.ts`) schedules
 * transfers on top of these numbers.
 *
 * @module
 */
import { HwConfigError } from "./errors.ts";

const GT_PER_S: Record<number, number> = {
  1: 2.5,
  2: 5,
  3: 8,
  4: 16,
  5: 32,
  6: 64,
};

const LANES = [1, 2, 4, 8, 16, 32];
const MPS_SET = [128, 256, 512, 1024, 2048, 4096];

// Ack and FC-update DLLP intervals [symbols per DLLP], by generation, width
// and MPS: PCIe Base Spec rev 5.0 tables 2-46..2-48 and 3-7..3-9 (as used by
// pcie-bench). Rows: x1, x2, x4, x8, x16, x32; columns: MPS 128..4096.
const ACK_GEN1 = [
  [237, 416, 559, 1071, 2095, 4143],
  [128, 217, 289, 545, 1057, 2081],
  [73, 118, 154, 282, 538, 1050],
  [67, 107, 86, 150, 278, 534],
  [48, 72, 86, 150, 278, 534],
  [33, 45, 52, 84, 148, 276],
];
const FC_GEN1 = ACK_GEN1.map((r, i) =>
  i === 5 ? [33, 45, 52, 84, 248, 276] : r
);
const ACK_GEN2 = [
  [288, 467, 610, 1122, 2146, 4194],
  [179, 268, 340, 596, 1108, 2132],
  [124, 169, 205, 333, 589, 1101],
  [118, 158, 137, 201, 329, 585],
  [99, 123, 137, 201, 329, 585],
  [84, 96, 103, 135, 199, 237],
];
const FC_GEN2 = ACK_GEN2.map((r, i) =>
  i === 5 ? [84, 96, 103, 135, 199, 327] : r
);
const ACK_GEN3UP = [
  [333, 512, 655, 1167, 2191, 4239],
  [224, 313, 385, 641, 1153, 2177],
  [169, 214, 250, 378, 634, 1146],
  [163, 203, 182, 246, 374, 630],
  [144, 168, 182, 246, 374, 630],
  [129, 141, 148, 180, 244, 372],
];

/** Bytes of one Ack or FC-update DLLP on the wire (2 framing + 4 + 2 CRC). */
const DLLP_BYTES = 8;
/** SKIP ordered set: 4 symbols every 1538. */
const SKIP_FRACTION = 4 / 1538;

function checkLink(gen: number, lanes: number): void {
  if (GT_PER_S[gen] === undefined) {
    throw new HwConfigError(
      `Invalid PCIe generation "${gen}": expected one of 1, 2, 3, 4, 5, 6`,
    );
  }
  if (!LANES.includes(lanes)) {
    throw new HwConfigError(
      `Invalid PCIe lane count "${lanes}": expected one of ${LANES.join(", ")}`,
    );
  }
}

/**
 * Raw link bandwidth after line encoding (8b/10b for Gen1–2, 128b/130b for
 * Gen3–5, 242/256 for Gen6).
 *
 * @param gen PCIe generation, 1..6.
 * @param lanes Lane count.
 * @returns Gb/s in one direction.
 * @throws {HwConfigError} For an unknown generation or lane count.
 *
 * @example
 * ```ts
 * import { pcieRawGbps } from "./pcie.ts";
 * pcieRawGbps(3, 8).toFixed(2); // "63.02"
 * ```
 */
export function pcieRawGbps(gen: number, lanes: number): number {
  checkLink(gen, lanes);
  const gt = GT_PER_S[gen]!;
  const enc = gen <= 2 ? 8 / 10 : gen <= 5 ? 128 / 130 : 242 / 256;
  return gt * enc * lanes;
}

/**
 * Fraction of the raw bandwidth spent on Ack and FC-update DLLPs and SKIP
 * ordered sets, for a generation, width and MPS.
 *
 * @param gen PCIe generation.
 * @param lanes Lane count.
 * @param mps Max Payload Size in bytes.
 * @returns The overhead fraction, e.g. 0.0814 for Gen3 x8 at MPS 256.
 * @throws {HwConfigError} For an unknown generation, width or MPS.
 *
 * @example
 * ```ts
 * import { pcieDllpOverhead } from "./pcie.ts";
 * pcieDllpOverhead(3, 8, 256).toFixed(4); // "0.0814"
 * ```
 */
export function pcieDllpOverhead(
  gen: number,
  lanes: number,
  mps: number,
): number {
  checkLink(gen, lanes);
  const col = MPS_SET.indexOf(mps);
  if (col < 0) {
    throw new HwConfigError(
      `Invalid MPS "${mps}": expected one of ${MPS_SET.join(", ")}`,
    );
  }
  const row = LANES.indexOf(lanes);
  const ack = (gen === 1 ? ACK_GEN1 : gen === 2 ? ACK_GEN2 : ACK_GEN3UP)[row]![
    col
  ]!;
  const fc = (gen === 1 ? FC_GEN1 : gen === 2 ? FC_GEN2 : ACK_GEN3UP)[row]![
    col
  ]!;
  return DLLP_BYTES / ack + DLLP_BYTES / fc + SKIP_FRACTION;
}

/**
 * Bandwidth left for TLPs after DLLP and SKIP overhead.
 *
 * @param gen PCIe generation.
 * @param lanes Lane count.
 * @param mps Max Payload Size in bytes.
 * @returns Gb/s in one direction.
 *
 * @example
 * ```ts
 * import { pcieTlpGbps } from "./pcie.ts";
 * pcieTlpGbps(4, 16, 256).toFixed(2); // "227.40"
 * ```
 */
export function pcieTlpGbps(gen: number, lanes: number, mps: number): number {
  return pcieRawGbps(gen, lanes) * (1 - pcieDllpOverhead(gen, lanes, mps));
}

/**
 * Per-TLP overheads in bytes: 2 B framing + 6 B sequence/LCRC + 4 B common
 * header + the type-specific header (12 B MWr/MRd with 64-bit addresses, 8 B
 * with 32-bit; 8 B completion), +4 B with ECRC.
 *
 * @example
 * ```ts
 * import type { TlpOverheads } from "./pcie.ts";
 * const o: TlpOverheads = { mwr: 24, mrd: 24, cpld: 20, msi: 28 };
 * ```
 */
export interface TlpOverheads {
  /** Memory write header bytes (add the payload). */
  mwr: number;
  /** Memory read request bytes. */
  mrd: number;
  /** Completion-with-data header bytes (add the payload). */
  cpld: number;
  /** One MSI write (4 B payload). */
  msi: number;
}

/**
 * TLP overheads for an addressing mode and ECRC setting.
 *
 * @param addr64 64-bit addressing.
 * @param ecrc End-to-end CRC present.
 * @returns The overheads.
 *
 * @example
 * ```ts
 * import { tlpOverheads } from "./pcie.ts";
 * tlpOverheads(true, false).mrd; // 24
 * ```
 */
export function tlpOverheads(addr64: boolean, ecrc: boolean): TlpOverheads {
  const dig = ecrc ? 4 : 0;
  const mwr = 8 + 4 + (addr64 ? 12 : 8) + dig;
  return { mwr, mrd: mwr, cpld: 8 + 4 + 8 + dig, msi: mwr + 4 };
}

/**
 * PCIe parameters the byte accounting needs.
 *
 * @example
 * ```ts
 * import type { PcieParams } from "./pcie.ts";
 * const p: PcieParams = { mps: 256, mrrs: 512, rcb: 64, splitAtRcb: false, addr64: true, ecrc: false };
 * ```
 */
export interface PcieParams {
  /** Max Payload Size [bytes]. */
  mps: number;
  /** Max Read Request Size [bytes]. */
  mrrs: number;
  /** Read Completion Boundary [bytes]. */
  rcb: number;
  /** Completions split at RCB rather than MPS. */
  splitAtRcb: boolean;
  /** 64-bit addressing. */
  addr64: boolean;
  /** ECRC present. */
  ecrc: boolean;
}

/**
 * Wire bytes of a DMA read, both directions.
 *
 * @example
 * ```ts
 * import type { ReadBytes } from "./pcie.ts";
 * const r: ReadBytes = { requests: 1, requestBytes: 24, completions: 2, completionBytes: 552 };
 * ```
 */
export interface ReadBytes {
  /** MRd TLPs sent by the device. */
  requests: number;
  /** Their wire bytes (device → host). */
  requestBytes: number;
  /** CplD TLPs returned. */
  completions: number;
  /** Their wire bytes, payload included (host → device). */
  completionBytes: number;
}

/**
 * Completions for one read request of `len` bytes at bus address `addr`:
 * `ceil(len/MPS)` (pcie-bench), or the RCB-aligned blocks the request spans
 * when completions are split at RCB.
 *
 * @param addr Bus address of the first byte.
 * @param len Bytes requested (≤ MRRS).
 * @param p PCIe parameters.
 * @returns The number of CplD TLPs.
 *
 * @example
 * ```ts
 * import { completionCount } from "./pcie.ts";
 * const p = { mps: 256, mrrs: 512, rcb: 64, splitAtRcb: true, addr64: true, ecrc: false };
 * completionCount(32, 64, p); // 2: the read straddles an RCB boundary
 * ```
 */
export function completionCount(
  addr: number,
  len: number,
  p: PcieParams,
): number {
  if (len <= 0) return 0;
  if (!p.splitAtRcb) return Math.ceil(len / p.mps);
  const first = Math.floor(addr / p.rcb);
  const last = Math.floor((addr + len - 1) / p.rcb);
  return last - first + 1;
}

/**
 * Wire bytes of a DMA read of `size` bytes starting at `addr`, split into
 * requests at MRRS and at 4 KiB boundaries (a request may not cross one).
 * With `addr` 0 and no 4 KiB effect this is pcie-bench's `read(size)`.
 *
 * @param size Bytes to read.
 * @param p PCIe parameters.
 * @param addr Bus address of the first byte (default 0, aligned).
 * @returns Requests and completions with their wire bytes.
 *
 * @example
 * ```ts
 * import { pcieReadBytes } from "./pcie.ts";
 * const p = { mps: 256, mrrs: 512, rcb: 64, splitAtRcb: false, addr64: true, ecrc: false };
 * pcieReadBytes(1500, p).completionBytes; // 1500 + 6 × 20 = 1620
 * ```
 */
export function pcieReadBytes(
  size: number,
  p: PcieParams,
  addr = 0,
): ReadBytes {
  const o = tlpOverheads(p.addr64, p.ecrc);
  let requests = 0;
  let completions = 0;
  let a = addr;
  let left = size;
  while (left > 0) {
    const toPage = 4096 - (a % 4096);
    const n = Math.min(left, p.mrrs, toPage);
    requests++;
    completions += completionCount(a, n, p);
    a += n;
    left -= n;
  }
  return {
    requests,
    requestBytes: requests * o.mrd,
    completions,
    completionBytes: completions * o.cpld + size,
  };
}

/**
 * Wire bytes of a DMA write of `size` bytes: `ceil(size/MPS)` MWr TLPs.
 *
 * @param size Bytes to write.
 * @param p PCIe parameters.
 * @returns TLP count and wire bytes (device → host).
 *
 * @example
 * ```ts
 * import { pcieWriteBytes } from "./pcie.ts";
 * const p = { mps: 256, mrrs: 512, rcb: 64, splitAtRcb: false, addr64: true, ecrc: false };
 * pcieWriteBytes(16, p).bytes; // 40
 * ```
 */
export function pcieWriteBytes(
  size: number,
  p: PcieParams,
): { tlps: number; bytes: number } {
  const o = tlpOverheads(p.addr64, p.ecrc);
  const tlps = Math.max(1, Math.ceil(size / p.mps));
  return { tlps, bytes: tlps * o.mwr + size };
}
