/**
 * The interface of the driver models: each turns an skb into ring packets
 * (an offload request plus DMA buffers), applying its real driver's checks
 * and fallbacks, and says up front whether the stack must segment the skb
 * in software instead.
 *
 * @module
 */
import type { SkBuff } from "../sw/types.ts";
import type { HostMemory } from "./host_memory.ts";
import type { DriverMode, NicConfig } from "./nic_config.ts";
import type { TxBuffer, TxOffload } from "./tx_offload.ts";

/**
 * The driver's verdict on an skb before it is handed over.
 *
 * @example
 * ```ts
 * import type { DriverCheck } from "./tx_driver.ts";
 * const c: DriverCheck = { fallback: "mss-below-min", hostChecksum: false, linearize: false };
 * ```
 */
export interface DriverCheck {
  /**
   * null when the driver takes the skb as it is; otherwise why the stack
   * segments it in software first (the testbench then hands the reference's
   * segments to `Nic.transmitSegments`).
   */
  fallback: string | null;
  /** The host must complete checksums in software (no checksum offload for this packet). */
  hostChecksum: boolean;
  /** The driver copies the skb into one linear buffer first. */
  linearize: boolean;
}

/**
 * One packet as posted to the ring.
 *
 * @example
 * ```ts
 * import type { RingPacket } from "./tx_driver.ts";
 * import { noOffload } from "./tx_offload.ts";
 * const p: RingPacket = { offload: noOffload(), buffers: [{ addr: 0x1000, len: 60 }], unmap: [], frames: 1, payload: 6 };
 * ```
 */
export interface RingPacket {
  /** What the NIC is asked to do. */
  offload: TxOffload;
  /** DMA buffers, in order. */
  buffers: TxBuffer[];
  /** Mappings to release when this packet is cleaned. */
  unmap: number[];
  /** Frames the NIC should produce from it. */
  frames: number;
  /** Innermost L4 payload bytes it carries. */
  payload: number;
}

/**
 * What a driver did with one skb.
 *
 * @example
 * ```ts
 * import type { DriverResult } from "./tx_driver.ts";
 * const r: DriverResult = { packets: [], mappings: 0, hostCopyBytes: 0, hostCsumBytes: 0, linearized: false };
 * ```
 */
export interface DriverResult {
  /** Ring packets, in order (tso-helper posts one per segment). */
  packets: RingPacket[];
  /** DMA mappings made for this skb. */
  mappings: number;
  /** Bytes the host copied (linearization, bounce buffers, headers). */
  hostCopyBytes: number;
  /** Bytes the host checksummed in software. */
  hostCsumBytes: number;
  /** The skb was linearized. */
  linearized: boolean;
}

/**
 * Services the NIC gives a driver.
 *
 * @example
 * ```ts
 * import type { DriverContext } from "./tx_driver.ts";
 * function slot(ctx: DriverContext): number { return ctx.headerSlot().addr; }
 * ```
 */
export interface DriverContext {
  /** The configuration. */
  cfg: NicConfig;
  /** Host memory for DMA mappings. */
  mem: HostMemory;
  /** 0-based index of the skb in this run. */
  packetIndex: number;
  /** The driver's own verdict on the skb being mapped, when known. */
  check?: DriverCheck;
  /** Next per-queue header slot (tso-helper; DMA-coherent, mapped once). */
  headerSlot(): { addr: number; bytes: Uint8Array };
}

/**
 * A driver model.
 *
 * @example
 * ```ts
 * import { createDriver } from "./drivers.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * const d = createDriver("hw-tso", resolveConfig());
 * d.mode; // "hw-tso"
 * ```
 */
export interface TxDriver {
  /** The mode. */
  readonly mode: DriverMode;
  /**
   * Checks an skb: fallback to software GSO, host checksums, linearization.
   *
   * @param skb The skb.
   * @param packetIndex 0-based index of the skb (for the fault hook).
   * @returns The verdict.
   */
  check(skb: SkBuff, packetIndex?: number): DriverCheck;
  /**
   * Maps an skb the driver accepted and builds its ring packets.
   *
   * @param skb The skb.
   * @param ctx Host memory and configuration.
   * @returns The ring packets and what it cost the host.
   */
  map(skb: SkBuff, ctx: DriverContext): DriverResult;
}
