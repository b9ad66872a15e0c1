/**
 * Pieces the driver models share: mapping an skb's linear area and
 * fragments (with a private writable copy of the headers), splitting large
 * buffers the way each family's driver does, the `__i40e_chk_linearize`
 * window rule, checksum-offload eligibility and its descriptor fields, the
 * pseudo-header seed, and the software checksum (`skb_checksum_help`).
 *
 * @module
 */
import { getU16, setU16 } from "../sw/bytes.ts";
import { IP_SUMMED, type SkBuff } from "../sw/types.ts";
import type { NicConfig } from "./nic_config.ts";
import { allocBeats, OnesAdder } from "./ones_adder.ts";
import { fold } from "./ones_math.ts";
import {
  skbCopy,
  type SkbLayout,
  skbLayout,
  skbLength,
  skbPayloadBytes,
} from "./skb_layout.ts";
import type { DriverContext, DriverResult } from "./tx_driver.ts";
import { noOffload, type TxBuffer, type TxOffload } from "./tx_offload.ts";

/** `a % 4096` for a bus address, without a floating-point remainder. */
function pageOffset(a: number): number {
  return a - Math.floor(a / 4096) * 4096;
}

/**
 * Splits one DMA buffer into descriptor-sized pieces: ice/i40e cut
 * 12 KiB pieces aligned to the 4 KiB read-request boundary while more than
 * 16 KiB − 1 remain (`ice_tx_map`); ixgbe cuts at 16 KiB.
 *
 * @param cfg The configuration.
 * @param addr Bus address.
 * @param len Length.
 * @param out Where the pieces go.
 *
 * @example
 * ```ts
 * import { splitBuffer } from "./driver_common.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * const out: { addr: number; len: number }[] = [];
 * splitBuffer(resolveConfig(), 0x10000, 40000, out);
 * out.map((b) => b.len); // [12288, 12288, 15424]
 * ```
 */
export function splitBuffer(
  cfg: NicConfig,
  addr: number,
  len: number,
  out: TxBuffer[],
): void {
  const max = cfg.offload.maxBytesPerBuffer;
  let a = addr;
  let left = len;
  while (left > max) {
    let n = cfg.offload.splitBytes;
    if (cfg.family === "ice") n += (4096 - pageOffset(a)) % 4096;
    out.push({ addr: a, len: n });
    a += n;
    left -= n;
  }
  if (left > 0) out.push({ addr: a, len: left });
}

/**
 * Maps an skb for DMA: the linear area as one mapping (its first
 * `hdr.length` bytes replaced by the driver's writable header copy), each
 * fragment as one mapping, then splits the buffers for descriptors.
 *
 * @param skb The skb.
 * @param ctx Driver context.
 * @param hdr A writable copy of the first bytes of the packet, or null.
 * @returns Buffers and the mappings to release later.
 *
 * @example
 * ```ts
 * import { mapSkb } from "./driver_common.ts";
 * import { HostMemory } from "./host_memory.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * import { bulkTcpSkb } from "./workload.ts";
 * const ctx = { cfg: resolveConfig(), mem: new HostMemory(), packetIndex: 0,
 *   headerSlot: () => ({ addr: 0, bytes: new Uint8Array(256) }) };
 * mapSkb(bulkTcpSkb({ sendBytes: 8192, mss: 1448 }), ctx, null).buffers.length; // 3
 * ```
 */
export function mapSkb(
  skb: SkBuff,
  ctx: DriverContext,
  hdr: Uint8Array | null,
): { buffers: TxBuffer[]; unmap: number[] } {
  const buffers: TxBuffer[] = [];
  const unmap: number[] = [];
  const h = hdr?.length ?? 0;
  const lin = skb.linear.length;
  if (lin > 0) {
    const parts = h === 0
      ? [skb.linear]
      : h >= lin
      ? [hdr!.subarray(0, lin)]
      : [hdr!, skb.linear.subarray(h)];
    const addr = ctx.mem.map(parts, 0);
    unmap.push(addr);
    splitBuffer(ctx.cfg, addr, lin, buffers);
  }
  let pos = lin;
  for (const f of skb.frags) {
    if (f.size === 0) continue;
    let addr: number;
    if (h > pos) {
      const whole = f.page.subarray(f.offset, f.offset + f.size);
      const k = Math.min(h - pos, f.size);
      addr = ctx.mem.map(
        k === f.size
          ? [hdr!.subarray(pos, pos + k)]
          : [hdr!.subarray(pos, pos + k), whole.subarray(k)],
        f.offset,
      );
    } else addr = ctx.mem.mapRange(f.page, f.offset, f.size, f.offset);
    unmap.push(addr);
    splitBuffer(ctx.cfg, addr, f.size, buffers);
    pos += f.size;
  }
  return { buffers, unmap };
}

/**
 * Copies the whole skb into one new linear buffer (`skb_linearize`),
 * applying a header copy, and maps it.
 *
 * @param skb The skb.
 * @param ctx Driver context.
 * @param hdr A writable copy of the first bytes, or null.
 * @returns The buffers, the mapping and the copied buffer.
 *
 * @example
 * ```ts
 * import { linearizeSkb } from "./driver_common.ts";
 * import { HostMemory } from "./host_memory.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * import { bulkTcpSkb } from "./workload.ts";
 * const ctx = { cfg: resolveConfig(), mem: new HostMemory(), packetIndex: 0,
 *   headerSlot: () => ({ addr: 0, bytes: new Uint8Array(256) }) };
 * linearizeSkb(bulkTcpSkb({ sendBytes: 8192, mss: 1448 }), ctx, null).bytes.length; // 8258
 * ```
 */
export function linearizeSkb(
  skb: SkBuff,
  ctx: DriverContext,
  hdr: Uint8Array | null,
): { buffers: TxBuffer[]; unmap: number[]; bytes: Uint8Array } {
  const len = skbLength(skb);
  const bytes = flatCopy(skb);
  if (hdr !== null) bytes.set(hdr, 0);
  const addr = ctx.mem.map([bytes], 0);
  const buffers: TxBuffer[] = [];
  splitBuffer(ctx.cfg, addr, len, buffers);
  return { buffers, unmap: [addr], bytes };
}

function descCount(cfg: NicConfig, addr: number, len: number): number {
  const max = cfg.offload.maxBytesPerBuffer;
  let n = 0;
  let a = addr;
  let left = len;
  while (left > max) {
    let k = cfg.offload.splitBytes;
    if (cfg.family === "ice") k += (4096 - pageOffset(a)) % 4096;
    a += k;
    left -= k;
    n++;
  }
  return left > 0 ? n + 1 : n;
}

/**
 * Descriptors the data of an skb needs (linear area + fragments, each split
 * for the family).
 *
 * @param cfg The configuration.
 * @param skb The skb.
 * @returns Data descriptor count.
 *
 * @example
 * ```ts
 * import { dataDescriptorCount } from "./driver_common.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * dataDescriptorCount(resolveConfig(), { linear: new Uint8Array(100), frags: [], fragList: [] } as never); // 1
 * ```
 */
export function dataDescriptorCount(cfg: NicConfig, skb: SkBuff): number {
  let n = skb.linear.length > 0 ? descCount(cfg, 0, skb.linear.length) : 0;
  for (const f of skb.frags) {
    if (f.size > 0) n += descCount(cfg, f.offset, f.size);
  }
  return n;
}

/**
 * The i40e/ice rule (`__i40e_chk_linearize`): slide a window of six
 * fragments; if any window holds less than one MSS (one slot kept for the
 * header, one for the previous fragment's tail), a segment could need more
 * than eight buffers and the skb must be linearized. Non-GSO packets are
 * linearized when they need more than eight descriptors.
 *
 * @param cfg The configuration (maxBuffersPerSegment 0 = no rule).
 * @param skb The skb.
 * @returns True when the driver must linearize.
 *
 * @example
 * ```ts
 * import { needsLinearize } from "./driver_common.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * const page = new Uint8Array(4096);
 * const frags = Array.from({ length: 10 }, () => ({ page, offset: 0, size: 100 }));
 * needsLinearize(resolveConfig(), { linear: new Uint8Array(66), frags, fragList: [], gsoSize: 1448 } as never); // true
 * ```
 */
export function needsLinearize(cfg: NicConfig, skb: SkBuff): boolean {
  if (cfg.family === "mqnic") {
    // mqnic_start_xmit: paged data under 32 bytes is copied into the head
    let dataLen = 0;
    for (const f of skb.frags) dataLen += f.size;
    for (const m of skb.fragList) {
      dataLen += m.linear.length;
      for (const f of m.frags) dataLen += f.size;
    }
    if (dataLen > 0 && dataLen < 32) return true;
  }
  const maxSeg = cfg.offload.maxBuffersPerSegment;
  const maxPkt = cfg.offload.maxBuffersPerPacket;
  if (skb.gsoSize === 0) {
    return maxPkt > 0 && dataDescriptorCount(cfg, skb) > maxPkt;
  }
  if (maxSeg === 0) return false;
  if (dataDescriptorCount(cfg, skb) < maxSeg) return false;
  const frags = skb.frags;
  let nr = frags.length;
  if (nr < maxSeg - 1) return false;
  nr -= maxSeg - 2;
  const maxPerTxd = cfg.offload.maxBytesPerBuffer;
  const aligned = cfg.offload.splitBytes;
  let sum = 1 - skb.gsoSize;
  let next = 0;
  for (; next < maxSeg - 3; next++) sum += frags[next]!.size;
  for (let stale = 0;; stale++) {
    let staleSize = frags[stale]!.size;
    sum += frags[next++]!.size;
    if (staleSize > maxPerTxd) {
      const pad = (4096 - (frags[stale]!.offset % 4096)) % 4096;
      sum -= pad;
      staleSize -= pad;
      do {
        sum -= aligned;
        staleSize -= aligned;
      } while (staleSize > maxPerTxd);
    }
    if (sum < 0) return true;
    if (nr-- === 0) break;
    sum -= staleSize;
  }
  return false;
}

/**
 * Why the hardware cannot insert this packet's L4 checksum, or null when it
 * can (the family's `*_tx_csum` and `*_features_check` rules).
 *
 * @param cfg The configuration.
 * @param skb The skb (CHECKSUM_PARTIAL).
 * @param l The skb's layout.
 * @returns A reason, or null.
 *
 * @example
 * ```ts
 * import { csumRefusal } from "./driver_common.ts";
 * import { skbLayout } from "./skb_layout.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * import { bulkTcpSkb } from "./workload.ts";
 * const skb = bulkTcpSkb({ sendBytes: 1000, mss: 1448 });
 * csumRefusal(resolveConfig(), skb, skbLayout(skb)); // null
 * ```
 */
export function csumRefusal(
  cfg: NicConfig,
  skb: SkBuff,
  l: SkbLayout,
): string | null {
  const o = cfg.offload;
  if (!o.csum) return "no-checksum-offload";
  if (cfg.family === "mqnic") {
    if (skb.csumStart > o.csumStartMax || skb.csumOffset > o.csumOffsetMax) {
      return "csum-start-offset-range";
    }
    return null;
  }
  if (l.l4 === "none") return "csum-protocol";
  if (o.csumFeature === "ip" && !l.ipv4 && l.ipLen !== 40 && !l.tunnel) {
    return "ipv6-extension-headers";
  }
  if (cfg.family === "ixgbe") {
    if (l.macLen > o.maxMacLen || l.l4Off - l.macLen > o.maxIpLen) {
      return "header-length";
    }
    return null;
  }
  // ice
  if (l.macLen > o.maxMacLen || (o.evenHeaderLens && (l.macLen & 1) === 1)) {
    return "header-length";
  }
  if (l.ipLen > o.maxIpLen || (l.ipLen & 3) !== 0) return "header-length";
  if (l.tunnel !== null) {
    if (!o.vxlan) return "tunnel-checksum";
    // ice_features_check measures the tunnel header of GSO packets only
    if (l.tunnel.outerIpLen > o.maxIpLen) return "header-length";
  }
  return null;
}

/**
 * The offload request for plain checksum offload of a CHECKSUM_PARTIAL
 * packet (the stack left the pseudo-header seed with length in the field).
 *
 * @param cfg The configuration.
 * @param skb The skb.
 * @param l The layout.
 * @returns A `csum` offload request.
 *
 * @example
 * ```ts
 * import { csumOffload } from "./driver_common.ts";
 * import { skbLayout } from "./skb_layout.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * import { bulkTcpSkb } from "./workload.ts";
 * const skb = bulkTcpSkb({ sendBytes: 1000, mss: 1448 });
 * csumOffload(resolveConfig(), skb, skbLayout(skb)).kind; // "csum"
 * ```
 */
export function csumOffload(
  cfg: NicConfig,
  skb: SkBuff,
  l: SkbLayout,
): TxOffload {
  const o: TxOffload = {
    ...noOffload(),
    kind: "csum",
    l4: l.l4,
    l4Len: l.l4Len,
    ipv4: l.ipv4,
    csumStart: skb.csumStart,
    csumOffset: skb.csumOffset,
  };
  if (cfg.family === "ixgbe") {
    // Generic checksum: IPLEN spans everything up to csum_start.
    o.macLen = l.macLen;
    o.ipLen = skb.csumStart - l.macLen;
  } else {
    o.macLen = l.macLen;
    o.ipLen = l.ipLen;
    if (l.tunnel !== null) {
      o.tunnel = {
        outerIpLen: l.tunnel.outerIpLen,
        outerIpv4: l.tunnel.outerIpv4,
        outerIpCsum: false,
        l4TunLen: l.tunnel.l4TunLen,
        udpCsum: false,
        noInc: false,
      };
    }
  }
  return o;
}

/**
 * Ones'-complement sum of the pseudo-header (addresses, protocol, length)
 * of the IP header at `ipOff` in `hdr`.
 *
 * @param hdr Header bytes.
 * @param ipOff Offset of the IP header.
 * @param ipv4 IPv4 (else IPv6).
 * @param proto 6 (TCP) or 17 (UDP).
 * @param len L4 length.
 * @returns The folded, uncomplemented sum (the CHECKSUM_PARTIAL seed).
 *
 * @example
 * ```ts
 * import { pseudoHeaderSeed } from "./driver_common.ts";
 * const ip = new Uint8Array(20);
 * ip.set([10, 0, 0, 1, 10, 0, 0, 2], 12);
 * pseudoHeaderSeed(ip, 0, true, 6, 20).toString(16); // "141d"
 * ```
 */
export function pseudoHeaderSeed(
  hdr: Uint8Array,
  ipOff: number,
  ipv4: boolean,
  proto: number,
  len: number,
): number {
  let s = proto + (len & 0xffff) + Math.floor(len / 65536);
  const from = ipOff + (ipv4 ? 12 : 8);
  const to = from + (ipv4 ? 8 : 32);
  for (let i = from; i < to; i += 2) s += getU16(hdr, i);
  return fold(s);
}

/**
 * Completes a CHECKSUM_PARTIAL checksum in software over a linear copy
 * (`skb_checksum_help`: the complemented sum from csum_start to the end,
 * stored at csum_start + csum_offset, 0 sent as 0xFFFF).
 *
 * @param bytes The whole packet, linear.
 * @param start csum_start.
 * @param offset csum_offset.
 * @returns Bytes summed.
 *
 * @example
 * ```ts
 * import { softwareChecksum } from "./driver_common.ts";
 * const b = new Uint8Array(4);
 * softwareChecksum(b, 0, 2); // writes 0xffff at 2 (the sum of zeros)
 * ```
 */
export function softwareChecksum(
  bytes: Uint8Array,
  start: number,
  offset: number,
): number {
  const adder = new OnesAdder(64);
  const c = ~adder.sum(bytes, start, bytes.length) & 0xffff;
  setU16(bytes, start + offset, c === 0 ? 0xffff : c);
  return bytes.length - start;
}

/**
 * A flat copy of an skb's bytes in a beat-padded buffer.
 *
 * @param skb The skb.
 * @returns The bytes.
 *
 * @example
 * ```ts
 * import { flatCopy } from "./driver_common.ts";
 * flatCopy({ linear: new Uint8Array([1, 2]), frags: [], fragList: [] } as never).length; // 2
 * ```
 */
export function flatCopy(skb: SkBuff): Uint8Array {
  const len = skbLength(skb);
  const bytes = allocBeats(len, 64);
  skbCopy(skb, 0, len, bytes, 0);
  return bytes;
}

/**
 * A host-side plain packet (non-GSO): checksum offload when the hardware
 * can, else a software checksum; linearized when it needs too many
 * descriptors or when `copy` is set (the `none` mode).
 *
 * @param skb The skb.
 * @param ctx Driver context.
 * @param copy Always copy into one linear buffer (no scatter-gather).
 * @param hwCsum Allow checksum offload.
 * @returns The driver result with one ring packet.
 *
 * @example
 * ```ts
 * import { mapPlain } from "./driver_common.ts";
 * import { HostMemory } from "./host_memory.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * import { bulkTcpSkb } from "./workload.ts";
 * const ctx = { cfg: resolveConfig(), mem: new HostMemory(), packetIndex: 0,
 *   headerSlot: () => ({ addr: 0, bytes: new Uint8Array(256) }) };
 * mapPlain(bulkTcpSkb({ sendBytes: 1000, mss: 1448 }), ctx, false, true).packets.length; // 1
 * ```
 */
export function mapPlain(
  skb: SkBuff,
  ctx: DriverContext,
  copy: boolean,
  hwCsum: boolean,
): DriverResult {
  const cfg = ctx.cfg;
  const partial = skb.ipSummed === IP_SUMMED.PARTIAL;
  const l = partial ? skbLayout(skb) : null;
  const offloadCsum = partial && hwCsum && csumRefusal(cfg, skb, l!) === null;
  const linearize = copy || needsLinearize(cfg, skb);
  const before = ctx.mem.mappings;
  const len = skbLength(skb);
  let hostCopyBytes = 0;
  let hostCsumBytes = 0;
  let m: { buffers: TxBuffer[]; unmap: number[] };
  if (partial && !offloadCsum) {
    const flat = flatCopy(skb);
    hostCsumBytes = softwareChecksum(flat, skb.csumStart, skb.csumOffset);
    if (linearize) {
      const addr = ctx.mem.map([flat], 0);
      const buffers: TxBuffer[] = [];
      splitBuffer(cfg, addr, len, buffers);
      m = { buffers, unmap: [addr] };
      hostCopyBytes = len;
    } else {
      const hdr = flat.slice(0, skb.csumStart + skb.csumOffset + 2);
      m = mapSkb(skb, ctx, hdr);
      hostCopyBytes = hdr.length;
    }
  } else if (linearize) {
    m = linearizeSkb(skb, ctx, null);
    hostCopyBytes = len;
  } else {
    m = mapSkb(skb, ctx, null);
  }
  const offload = offloadCsum ? csumOffload(cfg, skb, l!) : noOffload();
  return {
    packets: [{
      offload,
      buffers: m.buffers,
      unmap: m.unmap,
      frames: 1,
      payload: skbPayloadBytes(skb),
    }],
    mappings: ctx.mem.mappings - before,
    hostCopyBytes,
    hostCsumBytes,
    linearized: linearize,
  };
}
