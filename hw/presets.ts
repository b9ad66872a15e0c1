/**
 * Device-family presets. Each is a complete `NicConfig` with documented
 * defaults; numbers come from `reference/nic-hw.md` (section in brackets)
 * unless marked "assumed".
 *
 * - `e810-100g` (default): ice-style context + data descriptors with tunnel
 *   fields, PCIe Gen4 x16, TSO, TSO6, USO, VXLAN with and without outer
 *   checksum, DD write-back on every packet (§1.5, §1.6).
 * - `82599-10g`: ixgbe advanced context + data descriptors, Gen2 x8, TSO and
 *   TSO6, no tunnel segmentation, write-back in batches of 8 (WTHRESH) (§1.4).
 * - `corundum-100g`: mqnic descriptors, 512-bit datapath at 250 MHz, Gen3
 *   x16, checksum offload only, no TSO: the "non-TSO capable netdevice" of
 *   the 2008 netdev thread (§3).
 *
 * @module
 */
import { noFaults } from "./faults.ts";
import type { NicConfig } from "./nic_config.ts";

/**
 * Name of the default preset.
 *
 * @example
 * ```ts
 * import { DEFAULT_PRESET, PRESETS } from "./presets.ts";
 * PRESETS[DEFAULT_PRESET].family; // "ice"
 * ```
 */
export const DEFAULT_PRESET = "e810-100g";

function e810(): NicConfig {
  return {
    preset: "e810-100g",
    family: "ice",
    description:
      "E810-like 100G: ice descriptors with tunnel fields, Gen4 x16, TSO/TSO6/USO/VXLAN, DD write-back",
    core: {
      clockMHz: 250, // §7 default for a 100G-class pipeline (E810 internals are not public)
      busBytes: 64,
      fetchDepth: 4,
      dmaIssueDepth: 4,
      headerDepth: 2,
      checksumDepth: 6, // log2(64) − 1 tree levels + accumulate (§3.2)
      macDepth: 4,
    },
    pcie: {
      gen: 4,
      lanes: 16,
      mps: 256,
      mrrs: 512,
      rcb: 64,
      splitAtRcb: false,
      addr64: true,
      ecrc: false,
      propagationNs: 10,
      readLatencyNs: 548, // §4.3 linear fit, Xeon E5 local
      readLatencyNsPerByte: 0.293,
      tags: 64, // Intel-like 32–64 (§7)
      readIssueMtps: 0,
    },
    ring: {
      entries: 256, // ICE_DFLT_NUM_TX_DESC
      descBytes: 16,
      descBlock: 1,
      fetchBatch: 32, // assumed (8–40, §7)
      cacheEntries: 64, // assumed
      writeback: "dd", // DTYPE rewritten to 0xF (§1.6)
      writebackBatch: 1, // RS on every packet's last descriptor
      writebackBytes: 16,
      irqModeration: 32,
      // ice_clean_tx_irq: TX_WAKE_THRESHOLD = 2 * DESC_NEEDED, DESC_NEEDED =
      // MAX_SKB_FRAGS 17 + context 1 + 4 per cache line + 1 (ice_txrx.h)
      wakeThreshold: 46,
    },
    offload: {
      tso: true,
      tso6: true,
      uso: true,
      vxlan: true,
      vxlanCsum: true,
      csum: true,
      csumFeature: "ip", // ice advertises IP_CSUM | IPV6_CSUM
      tsoEcn: true,
      mangleId: false, // user-settable, off by default (netdev registration)
      mssMin: 64, // ICE_TXD_CTX_MIN_MSS
      mssMax: 9668, // ICE_TXD_CTX_MAX_MSS
      maxTsoPayload: 262143, // TSO_LEN, 18 bits
      maxMacLen: 254,
      maxIpLen: 508,
      maxL4Len: 60,
      // ice_features_check: UDP/GRE tunnel header (outer L4 to inner L3)
      // against ICE_TXD_L4LEN_MAX, for GSO packets of those types only
      maxTunnelLen: 60,
      evenHeaderLens: true,
      maxHeaderLen: 822,
      maxBuffersPerSegment: 8, // ICE_MAX_BUF_TXD
      maxBuffersPerPacket: 8,
      maxBytesPerBuffer: 16383, // ICE_MAX_DATA_PER_TXD
      splitBytes: 12288, // 16K−1 rounded down to the 4K read-request boundary
      csumStartMax: 0,
      csumOffsetMax: 0,
      mangleZeroCsum: "udp",
    },
    tso: {
      ipIdMode: "increment",
      flagMaskFirst: 0xff6, // clear PSH|FIN (GLLAN_TSOMSK_F)
      flagMaskMiddle: 0xf76, // clear PSH|FIN|CWR
      flagMaskLast: 0xf7f, // clear CWR
    },
    checksum: { mode: "store-and-forward", dataFifoBytes: 16384 },
    mac: { lineGbps: 100, preambleSfd: 8, ifg: 12, fcs: 4, minFrame: 64 },
    txFifoBytes: 32768,
    dmaBufferBytes: 131072,
    faults: noFaults(),
  };
}

function ixgbe82599(): NicConfig {
  return {
    preset: "82599-10g",
    family: "ixgbe",
    description:
      "82599-like 10G: ixgbe advanced descriptors, Gen2 x8, TSO/TSO6, no tunnel segmentation, batched write-back",
    core: {
      clockMHz: 156.25, // assumed: XGMII-class clock
      busBytes: 16, // assumed
      fetchDepth: 4,
      dmaIssueDepth: 4,
      headerDepth: 2,
      checksumDepth: 4,
      macDepth: 4,
    },
    pcie: {
      gen: 2,
      lanes: 8,
      mps: 256,
      mrrs: 512,
      rcb: 64,
      splitAtRcb: false,
      addr64: true,
      ecrc: false,
      propagationNs: 10,
      readLatencyNs: 548,
      readLatencyNsPerByte: 0.293,
      tags: 32,
      readIssueMtps: 0,
    },
    ring: {
      entries: 512, // IXGBE_DEFAULT_TXD
      descBytes: 16,
      descBlock: 1,
      fetchBatch: 32, // PTHRESH
      cacheEntries: 40, // on-chip cache per queue (§1.4)
      writeback: "dd",
      writebackBatch: 8, // WTHRESH
      writebackBytes: 16,
      irqModeration: 32,
      // ixgbe_clean_tx_irq: TX_WAKE_THRESHOLD = 2 * DESC_NEEDED, DESC_NEEDED
      // = MAX_SKB_FRAGS 17 + 4
      wakeThreshold: 42,
    },
    offload: {
      tso: true,
      tso6: true,
      uso: false,
      vxlan: false,
      vxlanCsum: false,
      csum: true,
      csumFeature: "hw",
      tsoEcn: true,
      mangleId: false,
      mssMin: 1, // no driver minimum found; 16-bit field
      mssMax: 65535,
      maxTsoPayload: 262143, // PAYLEN, 18 bits
      maxMacLen: 127,
      maxIpLen: 511,
      maxL4Len: 255,
      maxTunnelLen: 0,
      evenHeaderLens: false,
      maxHeaderLen: 511, // MACLEN + IPLEN + L4LEN < 512
      maxBuffersPerSegment: 0,
      maxBuffersPerPacket: 0,
      maxBytesPerBuffer: 16384, // IXGBE_MAX_DATA_PER_TXD
      splitBytes: 16384,
      csumStartMax: 0,
      csumOffsetMax: 0,
      mangleZeroCsum: "udp",
    },
    tso: {
      ipIdMode: "increment",
      flagMaskFirst: 0xff6, // reset defaults unverified (§1.4): Linux-like masks
      flagMaskMiddle: 0xf76,
      flagMaskLast: 0xf7f,
    },
    checksum: { mode: "store-and-forward", dataFifoBytes: 16384 },
    mac: { lineGbps: 10, preambleSfd: 8, ifg: 12, fcs: 4, minFrame: 64 },
    txFifoBytes: 163840, // 160 KB TX packet buffer
    dmaBufferBytes: 65536,
    faults: noFaults(),
  };
}

function corundum(): NicConfig {
  return {
    preset: "corundum-100g",
    family: "mqnic",
    description:
      "Corundum-like 100G: mqnic descriptors, 512-bit at 250 MHz, Gen3 x16, checksum offload only, no TSO",
    core: {
      clockMHz: 250, // CLK_PERIOD_NS 4 (§3.3)
      busBytes: 64,
      fetchDepth: 4,
      dmaIssueDepth: 4,
      headerDepth: 2,
      checksumDepth: 6, // LEVELS − 1 register stages + accumulate (§3.2)
      macDepth: 4,
    },
    pcie: {
      gen: 3,
      lanes: 16,
      mps: 256, // cocotb root complex (§3.4)
      mrrs: 512,
      rcb: 64,
      splitAtRcb: false,
      addr64: true,
      ecrc: false,
      propagationNs: 10,
      readLatencyNs: 548,
      readLatencyNsPerByte: 0.293,
      tags: 256, // PCIE_TAG_COUNT
      readIssueMtps: 0,
    },
    ring: {
      entries: 1024,
      descBytes: 16,
      descBlock: 4, // drivers cap the descriptor block at 4
      fetchBatch: 1, // one block per scheduler dequeue
      cacheEntries: 32, // TX_DESC_TABLE_SIZE
      writeback: "completion",
      writebackBatch: 1,
      writebackBytes: 32, // completion record
      irqModeration: 32,
      // mqnic_process_tx_cq wakes the queue once the ring is not full. (The
      // driver calls it full at half its size, full_size = size >> 1; the
      // model lets it fill, which moves how far ahead the host runs, not
      // the doorbells per wake.)
      wakeThreshold: 1,
    },
    offload: {
      tso: false,
      tso6: false,
      uso: false,
      vxlan: false,
      vxlanCsum: false,
      csum: true,
      csumFeature: "hw", // NETIF_F_HW_CSUM
      tsoEcn: false,
      mangleId: false,
      mssMin: 0,
      mssMax: 0,
      maxTsoPayload: 0,
      maxMacLen: 0,
      maxIpLen: 0,
      maxL4Len: 0,
      maxTunnelLen: 0,
      evenHeaderLens: false,
      maxHeaderLen: 0,
      maxBuffersPerSegment: 0,
      maxBuffersPerPacket: 4, // one descriptor block
      maxBytesPerBuffer: 65535, // DMA_LEN_WIDTH 16
      splitBytes: 65535,
      csumStartMax: 255,
      csumOffsetMax: 127,
      mangleZeroCsum: "all",
    },
    tso: {
      ipIdMode: "increment",
      flagMaskFirst: 0xff6,
      flagMaskMiddle: 0xf76,
      flagMaskLast: 0xf7f,
    },
    checksum: { mode: "store-and-forward", dataFifoBytes: 9214 }, // MAX_TX_SIZE
    mac: { lineGbps: 100, preambleSfd: 8, ifg: 12, fcs: 4, minFrame: 64 },
    txFifoBytes: 32768, // TX_FIFO_DEPTH
    dmaBufferBytes: 131072, // TX_RAM_SIZE
    faults: noFaults(),
  };
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === "object") {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * The presets by name, deeply frozen. `resolveConfig` copies one before
 * applying overrides.
 *
 * @example
 * ```ts
 * import { PRESETS } from "./presets.ts";
 * Object.keys(PRESETS); // ["e810-100g", "82599-10g", "corundum-100g"]
 * PRESETS["82599-10g"].mac.lineGbps; // 10
 * ```
 */
export const PRESETS: Readonly<Record<string, Readonly<NicConfig>>> =
  deepFreeze({
    "e810-100g": e810(),
    "82599-10g": ixgbe82599(),
    "corundum-100g": corundum(),
  });
