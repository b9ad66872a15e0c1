/**
 * What the capture readers report about a file besides its frames: its
 * sections (pcapng Section Header Blocks) and interfaces (pcap file header,
 * pcapng Interface Description Blocks).
 *
 * @module
 */

/**
 * Timestamp resolution of an interface: one unit is `base^-exp` seconds.
 * pcap gives `{ base: 10, exp: 6 }` (µs) or `{ base: 10, exp: 9 }` (ns);
 * pcapng's `if_tsresol` can also give a power of 2.
 *
 * @example
 * ```ts
 * import type { TsResol } from "./capture_info.ts";
 * const ns: TsResol = { base: 10, exp: 9 };
 * ```
 */
export interface TsResol {
  /** 10, or 2 when `if_tsresol` has its most significant bit set. */
  base: 10 | 2;
  /** The negative exponent: one unit is `base^-exp` seconds. */
  exp: number;
}

/**
 * One capture interface: the pcap file header, or a pcapng Interface
 * Description Block.
 *
 * @example
 * ```ts
 * import type { InterfaceInfo } from "./capture_info.ts";
 * const eth: InterfaceInfo = {
 *   section: 0, id: 0, linkType: 1, snapLen: 262144,
 *   tsresol: { base: 10, exp: 6 }, tsoffset: 0n,
 * };
 * ```
 */
export interface InterfaceInfo {
  /** 0-based index of the section (in `sections`) the interface belongs to. */
  section: number;
  /** Interface id within its section (what `Frame.interfaceId` holds). */
  id: number;
  /** LINKTYPE_* of the interface. */
  linkType: number;
  /** Snap length; 0 means no limit (pcapng). */
  snapLen: number;
  /** `if_name`, if given. */
  name?: string;
  /** `if_description`, if given. */
  description?: string;
  /** Timestamp resolution (`if_tsresol`; default µs). */
  tsresol: TsResol;
  /** `if_tsoffset`: seconds added to every timestamp (default 0). */
  tsoffset: bigint;
  /**
   * Bytes of FCS at the end of each frame, when the file says: pcap's FCS
   * length field (16-bit words) times 2, or pcapng's `if_fcslen` taken as
   * octets, as writers store it.
   */
  fcsLen?: number;
}

/**
 * One section of a capture: a pcapng Section Header Block, or the single
 * implicit section of a pcap file.
 *
 * @example
 * ```ts
 * import type { SectionInfo } from "./capture_info.ts";
 * const s: SectionInfo = { offset: 0, byteOrder: "little", comments: [] };
 * ```
 */
export interface SectionInfo {
  /** File offset of the Section Header Block (0 for pcap). */
  offset: number;
  /** Byte order of the section. */
  byteOrder: "little" | "big";
  /** `shb_hardware`, if given. */
  hardware?: string;
  /** `shb_os`, if given. */
  os?: string;
  /** `shb_userappl`, if given. */
  userAppl?: string;
  /** The section's `opt_comment` values, in order. */
  comments: string[];
}

/**
 * Tuning for the capture readers.
 *
 * @example
 * ```ts
 * import type { ReaderOptions } from "./capture_info.ts";
 * const small: ReaderOptions = { bufferSize: 4096 };
 * ```
 */
export interface ReaderOptions {
  /**
   * Initial size of the read buffer in bytes (default 65536). It grows only
   * when a single record or block does not fit.
   */
  bufferSize?: number;
  /**
   * Largest record or packet block the reader accepts, in bytes (default
   * 64 MiB), so that a corrupt length cannot make it allocate gigabytes.
   */
  maxRecordBytes?: number;
}

/**
 * Default of `ReaderOptions.maxRecordBytes`: 64 MiB.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_RECORD_BYTES } from "./capture_info.ts";
 * DEFAULT_MAX_RECORD_BYTES / (1024 * 1024); // 64
 * ```
 */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;
