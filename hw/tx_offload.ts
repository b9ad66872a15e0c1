/**
 * What one packet asks of the NIC, in family-neutral terms: the driver
 * fills it and a descriptor format encodes it into descriptor bytes; the
 * NIC's descriptor fetch decodes the bytes back into it. Nothing else
 * passes from driver to NIC.
 *
 * @module
 */

/**
 * Tunnel fields (ice context descriptor `tunneling_params`).
 *
 * @example
 * ```ts
 * import type { TxTunnel } from "./tx_offload.ts";
 * const t: TxTunnel = { outerIpLen: 20, outerIpv4: true, outerIpCsum: true, l4TunLen: 30, udpCsum: false, noInc: false };
 * ```
 */
export interface TxTunnel {
  /** Outer IP header length (EIPLEN) [bytes]. */
  outerIpLen: number;
  /** Outer IP is IPv4 (EIPT). */
  outerIpv4: boolean;
  /** Insert the outer IPv4 header checksum (EIPT = IPv4 with checksum). */
  outerIpCsum: boolean;
  /** Outer UDP + tunnel header + inner MAC header (L4TUNLEN) [bytes]. */
  l4TunLen: number;
  /** Compute the outer UDP checksum (L4T_CS). */
  udpCsum: boolean;
  /** Hold the outer IPv4 ID fixed (EIP_NOINC). */
  noInc: boolean;
}

/**
 * The offload request of one packet.
 *
 * @example
 * ```ts
 * import { noOffload } from "./tx_offload.ts";
 * const o = { ...noOffload(), kind: "csum" as const, l4: "tcp" as const, macLen: 14, ipLen: 20, ipv4: true };
 * ```
 */
export interface TxOffload {
  /** `tso`: segment; `csum`: insert the L4 checksum; `none`: send as is. */
  kind: "tso" | "csum" | "none";
  /** L4 protocol of the (inner) packet. */
  l4: "tcp" | "udp" | "none";
  /** (Outer) MAC header length [bytes]. */
  macLen: number;
  /** (Inner) IP header length with options or extension headers [bytes]. */
  ipLen: number;
  /** (Inner) L4 header length [bytes]. */
  l4Len: number;
  /** The (inner) IP header is IPv4. */
  ipv4: boolean;
  /** Insert the (inner) IPv4 header checksum. */
  ipCsum: boolean;
  /** Payload bytes per segment. */
  mss: number;
  /** TSO payload: packet length minus all headers [bytes]. */
  tsoLen: number;
  /** Tunnel fields, or null. */
  tunnel: TxTunnel | null;
  /** Start/offset checksum (mqnic): where summing starts [bytes]. */
  csumStart: number;
  /** Start/offset checksum: where the result goes, from csumStart [bytes]. */
  csumOffset: number;
}

/**
 * An offload request that asks for nothing.
 *
 * @returns A fresh `TxOffload` of kind `none`.
 *
 * @example
 * ```ts
 * import { noOffload } from "./tx_offload.ts";
 * noOffload().kind; // "none"
 * ```
 */
export function noOffload(): TxOffload {
  return {
    kind: "none",
    l4: "none",
    macLen: 0,
    ipLen: 0,
    l4Len: 0,
    ipv4: false,
    ipCsum: false,
    mss: 0,
    tsoLen: 0,
    tunnel: null,
    csumStart: 0,
    csumOffset: 0,
  };
}

/**
 * One DMA buffer of a packet.
 *
 * @example
 * ```ts
 * import type { TxBuffer } from "./tx_offload.ts";
 * const b: TxBuffer = { addr: 0x100000000, len: 1514 };
 * ```
 */
export interface TxBuffer {
  /** Bus address. */
  addr: number;
  /** Length in bytes. */
  len: number;
}

/**
 * Where the headers of a packet lie, derived from an offload request alone
 * (the NIC has nothing else).
 *
 * @example
 * ```ts
 * import { headerLayout, noOffload } from "./tx_offload.ts";
 * const o = { ...noOffload(), macLen: 14, ipLen: 20, l4Len: 32 };
 * headerLayout(o).hdrLen; // 66
 * ```
 */
export interface HeaderLayout {
  /** Offset of the outer IP header, or -1. */
  outerIp: number;
  /** Offset of the outer UDP header, or -1. */
  outerL4: number;
  /** Offset of the (inner) IP header. */
  ip: number;
  /** Offset of the (inner) L4 header. */
  l4: number;
  /** Total header length. */
  hdrLen: number;
}

/**
 * Computes header offsets from MACLEN, IPLEN, L4LEN and the tunnel fields.
 *
 * @param o The offload request.
 * @returns The header layout.
 *
 * @example
 * ```ts
 * import { headerLayout, noOffload } from "./tx_offload.ts";
 * const o = { ...noOffload(), macLen: 14, ipLen: 20, l4Len: 20,
 *   tunnel: { outerIpLen: 20, outerIpv4: true, outerIpCsum: true, l4TunLen: 30, udpCsum: false, noInc: false } };
 * headerLayout(o).l4; // 84
 * ```
 */
export function headerLayout(o: TxOffload): HeaderLayout {
  if (o.tunnel !== null) {
    const outerIp = o.macLen;
    const outerL4 = outerIp + o.tunnel.outerIpLen;
    const ip = outerL4 + o.tunnel.l4TunLen;
    const l4 = ip + o.ipLen;
    return { outerIp, outerL4, ip, l4, hdrLen: l4 + o.l4Len };
  }
  const ip = o.macLen;
  const l4 = ip + o.ipLen;
  return { outerIp: -1, outerL4: -1, ip, l4, hdrLen: l4 + o.l4Len };
}
