/**
 * The test-only fault hook: deliberate bugs a test can switch on in the
 * model's datapath, driver or host interface, to check that the scoreboard
 * catches them. Every fault is off by default.
 *
 * A fault is `true` (every packet) or a list of 0-based packet indices (the
 * order in which `Nic.transmit`/`transmitSegments` received them).
 *
 * @module
 */

/**
 * When a fault fires: always (`true`), never (`false`), or for listed packets.
 *
 * @example
 * ```ts
 * import type { FaultSpec } from "./faults.ts";
 * const onlySecond: FaultSpec = [1];
 * ```
 */
export type FaultSpec = boolean | number[];

/**
 * Every fault the model knows. Datapath bugs change bytes; hardware faults
 * raise error events and drop the packet.
 *
 * @example
 * ```ts
 * import type { FaultConfig } from "./faults.ts";
 * const f: Partial<FaultConfig> = { pshOnEverySegment: true };
 * ```
 */
export interface FaultConfig {
  /** The segmenter cuts segments of MSS + 1 bytes. */
  mssOffByOne: FaultSpec;
  /** PSH (and FIN) are kept on every segment. */
  pshOnEverySegment: FaultSpec;
  /** CWR is kept on every segment. */
  cwrNotCleared: FaultSpec;
  /** The IPv4 ID is not incremented per segment. */
  ipIdNotIncremented: FaultSpec;
  /** The IPv4 header checksum is not recomputed per segment. */
  staleIpv4Checksum: FaultSpec;
  /** A computed UDP checksum of 0 goes out as 0 instead of 0xFFFF. */
  udpZeroNotFfff: FaultSpec;
  /** The sequence number saturates at 2^32 − 1 instead of wrapping. */
  seqWrapWrong: FaultSpec;
  /** IPv4 tot_len also counts the L2 header. */
  totLenOffByL2: FaultSpec;
  /** The last segment is dropped when it is shorter than the MSS. */
  shortLastSegmentDropped: FaultSpec;
  /** An odd trailing byte is summed in the low lane of its beat. */
  oddByteWrongLane: FaultSpec;
  /** A header split across descriptors is read from the first buffer only. */
  headerSplitMishandled: FaultSpec;
  /** IPv6 payload_len leaves out extension headers. */
  ipv6PayloadLenExtHdr: FaultSpec;
  /** The driver skips its buffer-count check (`__i40e_chk_linearize`). */
  driverSkipsLinearize: FaultSpec;
  /** The driver skips its MSS and header-length checks. */
  driverSkipsLimits: FaultSpec;
  /** A payload read never completes (PCIe completion timeout). */
  pcieCompletionTimeout: FaultSpec;
  /** A payload completion arrives poisoned (EP set). */
  poisonedCompletion: FaultSpec;
  /** The driver writes a tail beyond the NIC's head (ring overrun). */
  ringOverrun: FaultSpec;
  /** The driver writes a descriptor with an invalid type. */
  malformedDescriptor: FaultSpec;
}

/**
 * Names of all faults, in a stable order.
 *
 * @example
 * ```ts
 * import type { FaultName } from "./faults.ts";
 * const n: FaultName = "ipIdNotIncremented";
 * ```
 */
export type FaultName = keyof FaultConfig;

/**
 * Returns a fault configuration with every fault off.
 *
 * @returns A fresh `FaultConfig`.
 *
 * @example
 * ```ts
 * import { noFaults } from "./faults.ts";
 * noFaults().mssOffByOne; // false
 * ```
 */
export function noFaults(): FaultConfig {
  return {
    mssOffByOne: false,
    pshOnEverySegment: false,
    cwrNotCleared: false,
    ipIdNotIncremented: false,
    staleIpv4Checksum: false,
    udpZeroNotFfff: false,
    seqWrapWrong: false,
    totLenOffByL2: false,
    shortLastSegmentDropped: false,
    oddByteWrongLane: false,
    headerSplitMishandled: false,
    ipv6PayloadLenExtHdr: false,
    driverSkipsLinearize: false,
    driverSkipsLimits: false,
    pcieCompletionTimeout: false,
    poisonedCompletion: false,
    ringOverrun: false,
    malformedDescriptor: false,
  };
}

/**
 * Tells whether a fault fires for a packet.
 *
 * @param spec The fault's setting.
 * @param packetIndex 0-based packet index.
 * @returns True when the fault applies to this packet.
 *
 * @example
 * ```ts
 * import { faultFires } from "./faults.ts";
 * faultFires([2, 5], 5); // true
 * faultFires(false, 0); // false
 * ```
 */
export function faultFires(spec: FaultSpec, packetIndex: number): boolean {
  if (spec === true) return true;
  if (spec === false) return false;
  return spec.includes(packetIndex);
}
