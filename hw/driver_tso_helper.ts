/**
 * The `tso-helper` driver model: `net/core/tso.c` as mvneta uses it
 * (`reference/linux-gso.md` §10). For each segment the driver builds a
 * header in a per-queue DMA-coherent slot — IPv4 ID from the original,
 * incremented per segment; tot_len = size + hdr_len − L2 length; IPv6
 * payload_len = size + L4 header length (extension headers not counted);
 * TCP seq advanced by the bytes consumed, PSH/FIN/RST cleared except on the
 * last; UDP length 8 + size — and posts it with descriptors that slice the
 * payload in place. The NIC only inserts checksums: since the families
 * modelled here checksum from a start offset (no "L4 checksum FULL" mode),
 * the driver writes the segment's pseudo-header seed and the IPv4 header
 * checksum into each header, which yields the same frames.
 *
 * @module
 */
import { getU16, getU32, setU16, setU32 } from "../sw/bytes.ts";
import { IP_SUMMED, SKB_GSO, type SkBuff } from "../sw/types.ts";
import {
  csumOffload,
  csumRefusal,
  mapPlain,
  needsLinearize,
  pseudoHeaderSeed,
} from "./driver_common.ts";
import type { NicConfig } from "./nic_config.ts";
import { OnesAdder } from "./ones_adder.ts";
import { skbCopy, type SkbLayout, skbLayout } from "./skb_layout.ts";
import type {
  DriverCheck,
  DriverContext,
  DriverResult,
  RingPacket,
  TxDriver,
} from "./tx_driver.ts";
import type { TxBuffer } from "./tx_offload.ts";

/** TSO_HEADER_SIZE: bytes per per-queue header slot. */
export const TSO_HEADER_SIZE = 256;

const TCP_FIN = 0x01;
const TCP_RST = 0x04;
const TCP_PSH = 0x08;

/** Lengths of the payload regions after the headers (linear tail, frags). */
function payloadRegions(skb: SkBuff, hdrLen: number): number[] {
  const out: number[] = [];
  let pos = 0;
  const add = (len: number) => {
    const from = Math.max(pos, hdrLen);
    const to = pos + len;
    if (to > from) out.push(to - from);
    pos = to;
  };
  add(skb.linear.length);
  for (const f of skb.frags) add(f.size);
  return out;
}

/** Most descriptors one segment needs: 1 header + payload chunks. */
function maxDescsPerSegment(regions: number[], mss: number): number {
  let worst = 0;
  let r = 0;
  let inRegion = 0;
  let total = regions.reduce((a, b) => a + b, 0);
  while (total > 0) {
    let size = Math.min(mss, total);
    total -= size;
    let n = 1;
    while (size > 0) {
      const left = regions[r]! - inRegion;
      const c = Math.min(left, size);
      n++;
      size -= c;
      inRegion += c;
      if (inRegion === regions[r]) {
        r++;
        inRegion = 0;
      }
    }
    worst = Math.max(worst, n);
  }
  return worst;
}

function descLimit(cfg: NicConfig): number {
  if (cfg.family === "mqnic") return cfg.ring.descBlock;
  return cfg.offload.maxBuffersPerPacket;
}

/**
 * The most segments a tso.c driver takes in one skb on this ring: each
 * segment needs a header and a data descriptor, plus one per frag
 * boundary (`tso_count_descs`), and all must fit the ring at once.
 *
 * @param cfg The configuration.
 * @returns The limit the driver gives `netif_set_tso_max_segs`.
 *
 * @example
 * ```ts
 * import { tsoHelperMaxSegs } from "./driver_tso_helper.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * tsoHelperMaxSegs(resolveConfig("e810-100g")); // 119
 * ```
 */
export function tsoHelperMaxSegs(cfg: NicConfig): number {
  return Math.floor((cfg.ring.entries - MAX_FRAGS - 1) / 2);
}

const MAX_FRAGS = 17;

function skbPayloadLen(skb: SkBuff): number {
  let n = skb.linear.length - skb.macHeader;
  for (const f of skb.frags) n += f.size;
  return n;
}

/**
 * Builds the `tso-helper` driver for a configuration.
 *
 * @param cfg The configuration (any family with checksum offload).
 * @returns The driver.
 *
 * @example
 * ```ts
 * import { tsoHelperDriver } from "./driver_tso_helper.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * tsoHelperDriver(resolveConfig("corundum-100g")).mode; // "tso-helper"
 * ```
 */
export function tsoHelperDriver(cfg: NicConfig): TxDriver {
  function check(skb: SkBuff): DriverCheck {
    if (skb.gsoSize === 0) {
      const partial = skb.ipSummed === IP_SUMMED.PARTIAL;
      return {
        fallback: null,
        hostChecksum: partial && csumRefusal(cfg, skb, skbLayout(skb)) !== null,
        linearize: needsLinearize(cfg, skb),
      };
    }
    const sw = (fallback: string, hostChecksum = false): DriverCheck => ({
      fallback,
      hostChecksum,
      linearize: false,
    });
    const t = skb.gsoType;
    if (!cfg.offload.csum) return sw("no-checksum-offload", true);
    if (skb.ipSummed !== IP_SUMMED.PARTIAL) {
      return sw("not-checksum-partial", true);
    }
    if (skb.fragList.length > 0) return sw("frag-list");
    if (
      skb.encapsulation ||
      (t & (SKB_GSO.UDP_TUNNEL | SKB_GSO.UDP_TUNNEL_CSUM)) !== 0
    ) {
      return sw("tunnel-unsupported");
    }
    if ((t & (SKB_GSO.TCPV4 | SKB_GSO.TCPV6 | SKB_GSO.UDP_L4)) === 0) {
      return sw("unsupported-gso-type");
    }
    if (
      (t & ~(SKB_GSO.TCPV4 | SKB_GSO.TCPV6 | SKB_GSO.UDP_L4 | SKB_GSO.DODGY |
        SKB_GSO.TCP_ECN | SKB_GSO.TCP_ACCECN | SKB_GSO.TCP_FIXEDID |
        SKB_GSO.TCP_FIXEDID_INNER | SKB_GSO.TCP_FIXEDID_MAP)) !== 0
    ) return sw("unsupported-gso-type");
    if ((t & SKB_GSO.TCP_ECN) !== 0) return sw("cwr-no-tso-ecn");
    if ((t & SKB_GSO.TCP_ACCECN) !== 0) return sw("accecn");
    if (
      (t & (SKB_GSO.TCP_FIXEDID | SKB_GSO.TCP_FIXEDID_INNER |
        SKB_GSO.TCP_FIXEDID_MAP)) !== 0
    ) return sw("fixed-id");
    const l = skbLayout(skb);
    const refusal = csumRefusal(cfg, skb, l);
    if (refusal !== null) return sw(refusal, true);
    // tso_build_hdr writes payload_len as L4 header + payload, leaving IPv6
    // extension headers out; its users advertise IPV6_CSUM, so
    // gso_features_check keeps such skbs from them. Here the device may
    // checksum them (HW_CSUM), so only the segmenting moves to the host.
    if (!l.ipv4 && l.ipLen !== 40) return sw("ipv6-extension-headers");
    if (l.hdrLen > TSO_HEADER_SIZE) return sw("header-too-long");
    // mvneta and friends: tso_count_descs (2 per segment + frags) must fit
    // the ring, so the driver sets tso_max_segs and the stack segments
    // bigger packets (gso_features_check); header slots follow the ring.
    const segs = Math.ceil((skbPayloadLen(skb) - l.hdrLen) / skb.gsoSize);
    if (segs > tsoHelperMaxSegs(cfg)) return sw("gso-segs-above-tso-max-segs");
    const limit = descLimit(cfg);
    if (
      limit > 0 &&
      maxDescsPerSegment(payloadRegions(skb, l.hdrLen), skb.gsoSize) > limit
    ) return sw("too-many-buffers");
    return { fallback: null, hostChecksum: false, linearize: false };
  }

  function map(skb: SkBuff, ctx: DriverContext): DriverResult {
    if (skb.gsoSize === 0) return mapPlain(skb, ctx, false, true);
    const l: SkbLayout = skbLayout(skb);
    const hdrLen = l.hdrLen;
    const proto = new Uint8Array(hdrLen);
    skbCopy(skb, 0, hdrLen, proto, 0);
    const before = ctx.mem.mappings;
    // tso_dma_map: the linear payload and each fragment, once.
    const regions: TxBuffer[] = [];
    const unmap: number[] = [];
    let pos = 0;
    const addRegion = (bytes: Uint8Array, pageOff: number) => {
      const from = Math.max(0, hdrLen - pos);
      pos += bytes.length;
      if (from >= bytes.length) return;
      const addr = ctx.mem.map([bytes.subarray(from)], pageOff + from);
      unmap.push(addr);
      regions.push({ addr, len: bytes.length - from });
    };
    addRegion(skb.linear, 0);
    for (const f of skb.frags) {
      addRegion(f.page.subarray(f.offset, f.offset + f.size), f.offset);
    }
    const base = csumOffload(cfg, skb, l);
    const adder = new OnesAdder(64);
    let ipId = l.ipv4 ? getU16(proto, l.ipOff + 4) : 0;
    let seq = l.l4 === "tcp" ? getU32(proto, l.l4Off + 4) : 0;
    let total = l.len - hdrLen;
    let r = 0;
    let inRegion = 0;
    const packets: RingPacket[] = [];
    while (total > 0) {
      const size = Math.min(skb.gsoSize, total);
      total -= size;
      const last = total === 0;
      const slot = ctx.headerSlot();
      const h = slot.bytes;
      h.set(proto, 0);
      if (l.ipv4) {
        setU16(h, l.ipOff + 4, ipId & 0xffff);
        setU16(h, l.ipOff + 2, size + hdrLen - l.macLen);
        ipId++;
      } else {
        setU16(h, l.ipOff + 4, size + l.l4Len);
      }
      if (l.l4 === "tcp") {
        setU32(h, l.l4Off + 4, seq);
        if (!last) {
          h[l.l4Off + 13] = h[l.l4Off + 13]! & ~(TCP_PSH | TCP_FIN | TCP_RST);
        }
      } else setU16(h, l.l4Off + 4, 8 + size);
      // What "IPv4 csum + L4 csum FULL" hardware would compute, prepared
      // for a start/offset checksum engine.
      if (l.ipv4) {
        setU16(h, l.ipOff + 10, 0);
        setU16(
          h,
          l.ipOff + 10,
          ~adder.sum(h, l.ipOff, l.ipOff + l.ipLen) & 0xffff,
        );
      }
      const csumAt = l.l4Off + (l.l4 === "tcp" ? 16 : 6);
      setU16(
        h,
        csumAt,
        pseudoHeaderSeed(
          h,
          l.ipOff,
          l.ipv4,
          l.l4 === "tcp" ? 6 : 17,
          l.l4Len + size,
        ),
      );
      const buffers: TxBuffer[] = [{ addr: slot.addr, len: hdrLen }];
      let left = size;
      while (left > 0) {
        const reg = regions[r]!;
        const c = Math.min(reg.len - inRegion, left);
        buffers.push({ addr: reg.addr + inRegion, len: c });
        left -= c;
        inRegion += c;
        if (inRegion === reg.len) {
          r++;
          inRegion = 0;
        }
      }
      seq = (seq + size) >>> 0;
      packets.push({
        offload: { ...base },
        buffers,
        unmap: last ? unmap : [],
        frames: 1,
        payload: size,
      });
    }
    return {
      packets,
      mappings: ctx.mem.mappings - before,
      hostCopyBytes: packets.length * hdrLen,
      hostCsumBytes: 0,
      linearized: false,
    };
  }

  return { mode: "tso-helper", check, map };
}
