/**
 * The interface every descriptor family implements: how many ring entries
 * a packet needs, how the driver encodes an offload request and buffers
 * into descriptor bytes, how the NIC decodes them, and how completion is
 * written back. Families: `desc_ice.ts`, `desc_ixgbe.ts`, `desc_mqnic.ts`.
 *
 * @module
 */
import type { DescriptorFamily } from "./nic_config.ts";
import type { TxBuffer, TxOffload } from "./tx_offload.ts";

/**
 * One descriptor as the NIC decodes it.
 *
 * @example
 * ```ts
 * import type { DecodedDescriptor } from "./descriptor_format.ts";
 * const d: DecodedDescriptor = { type: "data", typeCode: 0, addr: 0, len: 60, eop: true, rs: true, fields: {} };
 * ```
 */
export interface DecodedDescriptor {
  /** Kind of descriptor; `invalid` when the type code is not one the NIC knows. */
  type: "data" | "context" | "done" | "invalid";
  /** Raw type code (DTYPE/DTYP), for error messages. */
  typeCode: number;
  /** Buffer bus address (data). */
  addr: number;
  /** Buffer length (data). */
  len: number;
  /** End of packet. */
  eop: boolean;
  /** Report status (write back when done). */
  rs: boolean;
  /** What this descriptor says about the packet's offload. */
  fields: Partial<TxOffload>;
}

/**
 * A descriptor family.
 *
 * @example
 * ```ts
 * import { descriptorFormat } from "./descriptor_formats.ts";
 * const f = descriptorFormat("ice", 1);
 * f.entryBytes; // 16
 * ```
 */
export interface DescriptorFormat {
  /** The family. */
  readonly family: DescriptorFamily;
  /** Bytes per ring entry. */
  readonly entryBytes: number;
  /**
   * Ring entries a packet needs.
   *
   * @param offload The offload request.
   * @param buffers The packet's buffers.
   * @returns Entry count.
   */
  entriesFor(offload: TxOffload, buffers: readonly TxBuffer[]): number;
  /**
   * Encodes a packet into the ring.
   *
   * @param ring Ring bytes.
   * @param first First ring entry to use.
   * @param entries Ring size in entries (encoding wraps).
   * @param offload The offload request.
   * @param buffers The packet's buffers.
   * @param rs Ask for a completion report.
   * @returns Entries used.
   */
  encode(
    ring: Uint8Array,
    first: number,
    entries: number,
    offload: TxOffload,
    buffers: readonly TxBuffer[],
    rs: boolean,
  ): number;
  /**
   * Decodes one ring entry.
   *
   * @param bytes Entry bytes (a copy in the descriptor cache).
   * @param off Offset of the entry.
   * @returns The descriptors it holds.
   */
  decode(bytes: Uint8Array, off: number): DecodedDescriptor[];
  /**
   * Writes completion into an entry (the NIC's write-back).
   *
   * @param ring Ring bytes.
   * @param off Offset of the entry.
   */
  writeBack(ring: Uint8Array, off: number): void;
  /**
   * Tells whether an entry has been written back (the driver's check).
   *
   * @param ring Ring bytes.
   * @param off Offset of the entry.
   * @returns True when done.
   */
  isDone(ring: Uint8Array, off: number): boolean;
}
