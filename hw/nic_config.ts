/**
 * The NIC model's configuration: one plain JSON-able object, grouped by
 * area. Presets (`presets.ts`) fill every field; `resolveConfig` applies a
 * JSON file and `--set key=value` overrides on top.
 *
 * Units are in the field names' documentation: ns, MHz, bytes, Gb/s.
 * A limit of 0 means "no limit".
 *
 * @module
 */
import type { FaultConfig } from "./faults.ts";

/**
 * Descriptor format and driver family a preset models.
 *
 * @example
 * ```ts
 * import type { DescriptorFamily } from "./nic_config.ts";
 * const f: DescriptorFamily = "ice";
 * ```
 */
export type DescriptorFamily = "ice" | "ixgbe" | "mqnic";

/**
 * How the host and the NIC split the work:
 * - `hw-tso`: hardware TSO, Intel convention (ixgbe_tso / ice_tso);
 * - `tso-helper`: net/core/tso.c, per-segment headers + payload slices, checksum offload;
 * - `gso`: the host stack segments, the NIC checksums and transmits;
 * - `none`: software checksums, linear copies.
 *
 * @example
 * ```ts
 * import type { DriverMode } from "./nic_config.ts";
 * const m: DriverMode = "tso-helper";
 * ```
 */
export type DriverMode = "hw-tso" | "tso-helper" | "gso" | "none";

/**
 * All driver modes, in report order.
 *
 * @example
 * ```ts
 * import { DRIVER_MODES } from "./nic_config.ts";
 * DRIVER_MODES.includes("gso"); // true
 * ```
 */
export const DRIVER_MODES: readonly DriverMode[] = [
  "hw-tso",
  "tso-helper",
  "gso",
  "none",
];

/**
 * Core clock, datapath width and per-stage pipeline depths.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./resolve_config.ts";
 * const { core } = resolveConfig("e810-100g");
 * core.busBytes; // 64
 * ```
 */
export interface CoreConfig {
  /** Core (datapath) clock [MHz]. */
  clockMHz: number;
  /** Internal stream width [bytes per beat]. */
  busBytes: number;
  /** Descriptor decode depth [cycles]. */
  fetchDepth: number;
  /** DMA request issue depth [cycles]. */
  dmaIssueDepth: number;
  /** Header replication depth [cycles]. */
  headerDepth: number;
  /** Checksum adder tree + accumulate depth [cycles]. */
  checksumDepth: number;
  /** MAC pipeline depth [cycles]. */
  macDepth: number;
}

/**
 * PCIe link and host memory.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./resolve_config.ts";
 * const { pcie } = resolveConfig("e810-100g");
 * pcie.mrrs; // 512
 * ```
 */
export interface PcieConfig {
  /** Generation, 1..6. */
  gen: number;
  /** Lane count: 1, 2, 4, 8, 16 or 32. */
  lanes: number;
  /** Max Payload Size [bytes]. */
  mps: number;
  /** Max Read Request Size [bytes]. */
  mrrs: number;
  /** Read Completion Boundary [bytes]. */
  rcb: number;
  /** Completions split at RCB instead of MPS (some older root complexes). */
  splitAtRcb: boolean;
  /** 64-bit addressing (24 B MWr/MRd overhead instead of 20 B). */
  addr64: boolean;
  /** End-to-end CRC (+4 B per TLP). */
  ecrc: boolean;
  /** One-way link propagation [ns]. */
  propagationNs: number;
  /** Host read latency, fixed part [ns]. */
  readLatencyNs: number;
  /** Host read latency, per byte [ns]. */
  readLatencyNsPerByte: number;
  /** Outstanding read tags. */
  tags: number;
  /** DMA read issue-rate cap [million requests/s], 0 = none. */
  readIssueMtps: number;
}

/**
 * Descriptor ring, prefetch cache and completion reporting.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./resolve_config.ts";
 * const { ring } = resolveConfig("e810-100g");
 * ring.writeback; // "dd"
 * ```
 */
export interface RingConfig {
  /** Ring entries (descriptors, or descriptor blocks for mqnic). */
  entries: number;
  /** Bytes per descriptor. */
  descBytes: number;
  /** Descriptors per ring entry (mqnic descriptor block), 1 for Intel. */
  descBlock: number;
  /** Most ring entries fetched by one read. */
  fetchBatch: number;
  /** On-chip descriptor cache [ring entries]. */
  cacheEntries: number;
  /** Completion reporting: DD write-back, head write-back, completion queue. */
  writeback: "dd" | "head" | "completion";
  /** Completions written per write-back transaction. */
  writebackBatch: number;
  /** Bytes written back per completion. */
  writebackBytes: number;
  /** Packets per MSI, 0 = no interrupts. */
  irqModeration: number;
  /**
   * Free ring entries the driver waits for before it wakes a queue it
   * stopped because the next packet did not fit (its TX_WAKE_THRESHOLD);
   * at least what that packet needs, at most `entries - 1` (a smaller ring
   * than the driver's default clamps it, as a ring never has more free).
   */
  wakeThreshold: number;
}

/**
 * What the device and its driver can offload, with their limits.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./resolve_config.ts";
 * const { offload } = resolveConfig("e810-100g");
 * offload.mssMin; // 64
 * ```
 */
export interface OffloadConfig {
  /** TSO for TCP over IPv4. */
  tso: boolean;
  /** TSO for TCP over IPv6. */
  tso6: boolean;
  /** UDP segmentation (USO). */
  uso: boolean;
  /** VXLAN segmentation without outer checksum. */
  vxlan: boolean;
  /** VXLAN segmentation with outer UDP checksum. */
  vxlanCsum: boolean;
  /** L4 checksum offload. */
  csum: boolean;
  /** `ip`: NETIF_F_IP_CSUM|IPV6_CSUM (no IPv6 extension headers); `hw`: NETIF_F_HW_CSUM. */
  csumFeature: "ip" | "hw";
  /** NETIF_F_TSO_ECN: CWR super-packets are accepted. */
  tsoEcn: boolean;
  /** NETIF_F_TSO_MANGLEID: fixed-ID super-packets are accepted. */
  mangleId: boolean;
  /** Smallest MSS the driver hands to hardware. */
  mssMin: number;
  /** Largest MSS the hardware accepts. */
  mssMax: number;
  /** Largest TSO payload (TSO_LEN/PAYLEN field) [bytes]. */
  maxTsoPayload: number;
  /** Largest MAC header length [bytes]. */
  maxMacLen: number;
  /** Largest IP header length (with options/extension headers) [bytes]. */
  maxIpLen: number;
  /** Largest L4 header length [bytes]. */
  maxL4Len: number;
  /** Largest tunnel length (outer UDP + tunnel + inner MAC) [bytes]. */
  maxTunnelLen: number;
  /** Header lengths must be even (ice field units). */
  evenHeaderLens: boolean;
  /** Largest total header for TSO [bytes]. */
  maxHeaderLen: number;
  /** Buffers one TSO segment may draw on, header included; 0 = no limit. */
  maxBuffersPerSegment: number;
  /** Buffers one non-TSO packet may use; 0 = no limit. */
  maxBuffersPerPacket: number;
  /** Largest buffer one data descriptor may carry [bytes]. */
  maxBytesPerBuffer: number;
  /** Chunk size the driver splits larger buffers into [bytes]. */
  splitBytes: number;
  /** Largest csum_start the descriptor can carry [bytes], 0 = not start/offset style. */
  csumStartMax: number;
  /** Largest csum_offset the descriptor can carry [bytes]. */
  csumOffsetMax: number;
  /** Which zero L4 checksums go out as 0xFFFF: UDP only, or all (start/offset engines). */
  mangleZeroCsum: "udp" | "all";
}

/**
 * Per-segment header rewriting by the TSO engine.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./resolve_config.ts";
 * const { tso } = resolveConfig("e810-100g");
 * tso.flagMaskLast; // 0xf7f
 * ```
 */
export interface TsoConfig {
  /** IPv4 ID per segment: incremented (with wrap) or held fixed. */
  ipIdMode: "increment" | "fixed";
  /** AND-mask on the 12-bit TCP flags of the first segment. */
  flagMaskFirst: number;
  /** AND-mask on the TCP flags of middle segments. */
  flagMaskMiddle: number;
  /** AND-mask on the TCP flags of the last segment. */
  flagMaskLast: number;
}

/**
 * The checksum engine.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./resolve_config.ts";
 * const { checksum } = resolveConfig("e810-100g");
 * checksum.mode; // "store-and-forward"
 * ```
 */
export interface ChecksumConfig {
  /** Store-and-forward (whole frame buffered) or cut-through (sum precomputed). */
  mode: "store-and-forward" | "cut-through";
  /** Frame buffer of the store-and-forward engine [bytes]. */
  dataFifoBytes: number;
}

/**
 * MAC and wire.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./resolve_config.ts";
 * const { mac } = resolveConfig("e810-100g");
 * mac.ifg; // 12
 * ```
 */
export interface MacConfig {
  /** Line rate [Gb/s]. */
  lineGbps: number;
  /** Preamble + SFD [bytes]. */
  preambleSfd: number;
  /** Inter-frame gap [bytes]. */
  ifg: number;
  /** Frame check sequence [bytes]. */
  fcs: number;
  /** Minimum frame including FCS [bytes]. */
  minFrame: number;
}

/**
 * The whole configuration of one model instance.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./resolve_config.ts";
 * const cfg = resolveConfig("e810-100g");
 * cfg.pcie.gen; // 4
 * ```
 */
export interface NicConfig {
  /** Preset the configuration started from. */
  preset: string;
  /** Descriptor format and driver family. */
  family: DescriptorFamily;
  /** One line saying what the preset models. */
  description: string;
  /** Clock, width, pipeline depths. */
  core: CoreConfig;
  /** PCIe link and host memory. */
  pcie: PcieConfig;
  /** Descriptor ring. */
  ring: RingConfig;
  /** Offload capabilities and limits. */
  offload: OffloadConfig;
  /** TSO header rewriting. */
  tso: TsoConfig;
  /** Checksum engine. */
  checksum: ChecksumConfig;
  /** MAC and wire. */
  mac: MacConfig;
  /** TX FIFO in front of the MAC [bytes]. */
  txFifoBytes: number;
  /** On-chip payload buffer the DMA engine fills ahead of the datapath [bytes]. */
  dmaBufferBytes: number;
  /** Test-only deliberate bugs. */
  faults: FaultConfig;
}
