/**
 * Types shared by the reference (`sw/`), the NIC model (`hw/`), the vector
 * readers (`vectors/`) and the testbench (`tb/`): captured frames, the
 * socket-buffer shape (`SkBuff`), the kernel's GSO type bits and checksum
 * states, and the base error class.
 *
 * This file and `bytes.ts` are the only parts of `sw/` that `hw/` may import,
 * so that the model stays independent of the reference.
 *
 * @module
 */

/**
 * One frame as read from a capture.
 *
 * @example
 * ```ts
 * import type { Frame } from "./types.ts";
 * const f: Frame = {
 *   number: 1, data: new Uint8Array(60), origLen: 60, timestampNs: 0n,
 *   interfaceId: 0, linkType: 1, fileOffset: 24,
 * };
 * ```
 */
export interface Frame {
  /** 1-based number of the frame in its file. */
  number: number;
  /** The captured bytes, starting at the link-layer header. */
  data: Uint8Array;
  /** The length the frame had on the wire (may exceed `data.length`). */
  origLen: number;
  /** Timestamp in nanoseconds since the Unix epoch. */
  timestampNs: bigint;
  /** Interface the frame was captured on (pcapng interface id, or 0). */
  interfaceId: number;
  /** LINKTYPE_* of that interface (1 Ethernet, 101 RAW, 113 SLL, …). */
  linkType: number;
  /** Byte offset of the frame's record (or block) in its file. */
  fileOffset: number;
  /** pcapng `opt_comment` values of the frame's block, if any. */
  comments?: string[];
  /** pcapng `epb_flags` of the frame's block, if any. */
  epbFlags?: number;
  /** pcapng section the frame is in (interface ids restart per section). */
  section?: number;
}

/**
 * SKB_GSO_* bits of `skb_shinfo(skb)->gso_type` (include/linux/skbuff.h).
 * Bit k corresponds to netdev feature bit 16 + k.
 *
 * @example
 * ```ts
 * import { SKB_GSO } from "./types.ts";
 * const t = SKB_GSO.TCPV4 | SKB_GSO.TCP_ECN;
 * ```
 */
export const SKB_GSO = {
  TCPV4: 1 << 0,
  DODGY: 1 << 1,
  TCP_ECN: 1 << 2,
  /** Bit 3: the feature-mapping bit for TSO_MANGLEID. */
  TCP_FIXEDID_MAP: 1 << 3,
  TCPV6: 1 << 4,
  FCOE: 1 << 5,
  GRE: 1 << 6,
  GRE_CSUM: 1 << 7,
  IPXIP4: 1 << 8,
  IPXIP6: 1 << 9,
  UDP_TUNNEL: 1 << 10,
  UDP_TUNNEL_CSUM: 1 << 11,
  PARTIAL: 1 << 12,
  TUNNEL_REMCSUM: 1 << 13,
  SCTP: 1 << 14,
  ESP: 1 << 15,
  UDP: 1 << 16,
  UDP_L4: 1 << 17,
  FRAGLIST: 1 << 18,
  TCP_ACCECN: 1 << 19,
  /** Outer (or only) IPv4 header keeps a fixed ID (late-2025 kernels). */
  TCP_FIXEDID: 0x40000000,
  /** Inner IPv4 header keeps a fixed ID (late-2025 kernels). */
  TCP_FIXEDID_INNER: 0x80000000,
} as const;

/**
 * Kernel names of the SKB_GSO_* bits, in bit order, for reports and vector
 * comments (`gso_type=TCPV4,TCP_ECN`).
 *
 * @example
 * ```ts
 * import { SKB_GSO_NAMES } from "./types.ts";
 * SKB_GSO_NAMES.TCPV4; // 1
 * ```
 */
export const SKB_GSO_NAMES: Readonly<Record<string, number>> = {
  TCPV4: SKB_GSO.TCPV4,
  DODGY: SKB_GSO.DODGY,
  TCP_ECN: SKB_GSO.TCP_ECN,
  TCPV6: SKB_GSO.TCPV6,
  FCOE: SKB_GSO.FCOE,
  GRE: SKB_GSO.GRE,
  GRE_CSUM: SKB_GSO.GRE_CSUM,
  IPXIP4: SKB_GSO.IPXIP4,
  IPXIP6: SKB_GSO.IPXIP6,
  UDP_TUNNEL: SKB_GSO.UDP_TUNNEL,
  UDP_TUNNEL_CSUM: SKB_GSO.UDP_TUNNEL_CSUM,
  PARTIAL: SKB_GSO.PARTIAL,
  TUNNEL_REMCSUM: SKB_GSO.TUNNEL_REMCSUM,
  SCTP: SKB_GSO.SCTP,
  ESP: SKB_GSO.ESP,
  UDP: SKB_GSO.UDP,
  UDP_L4: SKB_GSO.UDP_L4,
  FRAGLIST: SKB_GSO.FRAGLIST,
  TCP_ACCECN: SKB_GSO.TCP_ACCECN,
  TCP_FIXEDID: SKB_GSO.TCP_FIXEDID,
  TCP_FIXEDID_INNER: SKB_GSO.TCP_FIXEDID_INNER,
};

/**
 * Formats a gso_type as comma-separated SKB_GSO names.
 *
 * @param gsoType The bit set.
 * @returns For example `"TCPV4,TCP_ECN"`, or `""` for 0.
 *
 * @example
 * ```ts
 * import { gsoTypeNames, SKB_GSO } from "./types.ts";
 * gsoTypeNames(SKB_GSO.TCPV6); // "TCPV6"
 * ```
 */
export function gsoTypeNames(gsoType: number): string {
  const out: string[] = [];
  for (const [name, bit] of Object.entries(SKB_GSO_NAMES)) {
    if ((gsoType & bit) !== 0) out.push(name);
  }
  return out.join(",");
}

/**
 * Parses comma-separated SKB_GSO names back into a bit set.
 *
 * @param names For example `"TCPV4,TCP_ECN"`.
 * @returns The bit set (unsigned 32-bit).
 * @throws {RangeError} When a name is unknown.
 *
 * @example
 * ```ts
 * import { parseGsoTypeNames } from "./types.ts";
 * parseGsoTypeNames("UDP_L4"); // 1 << 17
 * ```
 */
export function parseGsoTypeNames(names: string): number {
  let t = 0;
  for (const n of names.split(",").map((s) => s.trim()).filter(Boolean)) {
    const bit = SKB_GSO_NAMES[n];
    if (bit === undefined) {
      throw new RangeError(`Cannot parse gso_type: unknown name "${n}"`);
    }
    t = (t | bit) >>> 0;
  }
  return t;
}

/**
 * `skb->ip_summed` states (include/linux/skbuff.h).
 *
 * @example
 * ```ts
 * import { IP_SUMMED } from "./types.ts";
 * IP_SUMMED.PARTIAL; // 3
 * ```
 */
export const IP_SUMMED = {
  NONE: 0,
  UNNECESSARY: 1,
  COMPLETE: 2,
  PARTIAL: 3,
} as const;

/**
 * One page fragment of an skb: `size` bytes of `page` starting at `offset`.
 *
 * @example
 * ```ts
 * import type { SkbFrag } from "./types.ts";
 * const f: SkbFrag = { page: new Uint8Array(4096), offset: 0, size: 1448 };
 * ```
 */
export interface SkbFrag {
  /** The backing memory ("page"). */
  page: Uint8Array;
  /** Offset of the fragment inside `page`. */
  offset: number;
  /** Number of bytes. */
  size: number;
}

/**
 * The shape of a Linux socket buffer as a transmit path sees it: a linear
 * area that starts at the MAC header, up to MAX_SKB_FRAGS page fragments, an
 * optional chain of further skbs, and the GSO and checksum metadata. Header
 * offsets are relative to the start of `linear` (the driver's `skb->data`).
 *
 * Build one with `newSkb()` in `sw/skbuff.ts`; this interface lets the NIC
 * model take an skb without importing the reference.
 *
 * @example
 * ```ts
 * import type { SkBuff } from "./types.ts";
 * function payloadBytes(skb: SkBuff): number {
 *   return skb.frags.reduce((n, f) => n + f.size, skb.linear.length);
 * }
 * ```
 */
export interface SkBuff {
  /** Linear area: headers (from the MAC header on) and possibly payload. */
  linear: Uint8Array;
  /** Page fragments, in order, after the linear area. */
  frags: SkbFrag[];
  /** Further skbs chained after the fragments (`frag_list`). */
  fragList: SkBuff[];
  /** Payload bytes per segment (MSS), 0 when not GSO; 0xFFFF = GSO_BY_FRAGS. */
  gsoSize: number;
  /** Number of segments the packet stands for. */
  gsoSegs: number;
  /** SKB_GSO_* bits. */
  gsoType: number;
  /** One of IP_SUMMED. */
  ipSummed: number;
  /** Offset where the device starts summing (the L4 header) when PARTIAL. */
  csumStart: number;
  /** Offset of the checksum field from csumStart (16 TCP, 6 UDP). */
  csumOffset: number;
  /** Offset of the (outer) MAC header; 0 for captured frames. */
  macHeader: number;
  /** Offset of the (outer) network header. */
  networkHeader: number;
  /** Offset of the (outer) transport header. */
  transportHeader: number;
  /** EtherType of the (outer) network header (0x0800, 0x86dd). */
  protocol: number;
  /** True for a tunnelled packet; the inner offsets are then set. */
  encapsulation: boolean;
  /** Offset of the inner MAC header (tunnels). */
  innerMacHeader: number;
  /** Offset of the inner network header (tunnels). */
  innerNetworkHeader: number;
  /** Offset of the inner transport header (tunnels). */
  innerTransportHeader: number;
  /** EtherType of the inner network header (tunnels). */
  innerProtocol: number;
  /**
   * `head_frag`: the linear area sits in a page fragment, as in skbs a NIC
   * driver builds around its receive buffers (`napi_build_skb`), which GRO
   * chains into a frag_list. False for a kmalloc'ed head (`alloc_skb`);
   * absent means true. skb_segment only looks at it on frag_list members.
   */
  headFrag?: boolean;
  /**
   * A frag_list member's own network and transport headers, as received:
   * GRO with rx-gro-list (SKB_GSO_FRAGLIST) pulls each member past them, so
   * its `linear` and `frags` hold only payload, but the bytes stay in front
   * of its data and skb_segment_list pushes back to them. Absent elsewhere.
   */
  ownHeaders?: Uint8Array;
}

/**
 * Base class of every error tsolab throws on purpose. Messages say what was
 * wrong and where (file, frame number, byte offset, field).
 *
 * @example
 * ```ts
 * import { TsolabError } from "./types.ts";
 * try {
 *   throw new TsolabError("Cannot read frame 3 at offset 120: truncated");
 * } catch (e) {
 *   if (!(e instanceof TsolabError)) throw e;
 * }
 * ```
 */
export class TsolabError extends Error {
  /**
   * Creates the error.
   *
   * @param message What went wrong and where.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
