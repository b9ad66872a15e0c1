/**
 * The `hw-tso` driver model, Intel convention (`ice_tso` / `ixgbe_tso`,
 * `reference/linux-gso.md` §11): zero the IPv4 total length and header
 * checksum (IPv6: payload length), take the whole L4 length out of the
 * CHECKSUM_PARTIAL seed so it holds the pseudo-header sum without length,
 * and describe the packet with MSS, TSO length and header lengths in a
 * context descriptor. The driver's own checks decide when the stack must
 * segment in software instead, and when the skb is linearized first.
 *
 * @module
 */
import { getU16, setU16 } from "../sw/bytes.ts";
import { IP_SUMMED, SKB_GSO, type SkBuff } from "../sw/types.ts";
import {
  csumRefusal,
  linearizeSkb,
  mapPlain,
  mapSkb,
  needsLinearize,
} from "./driver_common.ts";
import { faultFires } from "./faults.ts";
import type { NicConfig } from "./nic_config.ts";
import { allocBeats } from "./ones_adder.ts";
import { onesSub32 } from "./ones_math.ts";
import { skbCopy, type SkbLayout, skbLayout } from "./skb_layout.ts";
import type {
  DriverCheck,
  DriverContext,
  DriverResult,
  TxDriver,
} from "./tx_driver.ts";
import { noOffload, type TxOffload } from "./tx_offload.ts";

const UNSUPPORTED = SKB_GSO.GRE | SKB_GSO.GRE_CSUM | SKB_GSO.IPXIP4 |
  SKB_GSO.IPXIP6 | SKB_GSO.PARTIAL | SKB_GSO.TUNNEL_REMCSUM | SKB_GSO.SCTP |
  SKB_GSO.ESP | SKB_GSO.UDP | SKB_GSO.FRAGLIST | SKB_GSO.FCOE;
const FIXEDID = SKB_GSO.TCP_FIXEDID | SKB_GSO.TCP_FIXEDID_INNER |
  SKB_GSO.TCP_FIXEDID_MAP;

function gsoTypeRefusal(cfg: NicConfig, t: number): string | null {
  const o = cfg.offload;
  if ((t & UNSUPPORTED) !== 0) return "unsupported-gso-type";
  if ((t & SKB_GSO.TCPV4) !== 0 && !o.tso) return "no-tso";
  if ((t & SKB_GSO.TCPV6) !== 0 && !o.tso6) return "no-tso6";
  if ((t & SKB_GSO.UDP_L4) !== 0 && !o.uso) return "no-uso";
  if ((t & (SKB_GSO.TCPV4 | SKB_GSO.TCPV6 | SKB_GSO.UDP_L4)) === 0) {
    return "unsupported-gso-type";
  }
  if ((t & SKB_GSO.UDP_TUNNEL) !== 0 && !o.vxlan) {
    return "no-tunnel-segmentation";
  }
  if ((t & SKB_GSO.UDP_TUNNEL_CSUM) !== 0 && !o.vxlanCsum) {
    return "no-tunnel-csum-segmentation";
  }
  if ((t & SKB_GSO.TCP_ECN) !== 0 && !o.tsoEcn) return "no-tso-ecn";
  if ((t & SKB_GSO.TCP_ACCECN) !== 0) return "accecn";
  if ((t & FIXEDID) !== 0 && !o.mangleId) return "fixed-id";
  return null;
}

/** Header-length refusal of `*_features_check` (removes checksum and GSO). */
function headerRefusal(
  cfg: NicConfig,
  l: SkbLayout,
  gsoType: number,
): string | null {
  const o = cfg.offload;
  const odd = (n: number) => o.evenHeaderLens && (n & 1) === 1;
  if (l.macLen > o.maxMacLen || odd(l.macLen)) return "header-length";
  const netLen = l.tunnel !== null ? l.tunnel.outerIpLen : l.ipLen;
  if (netLen > o.maxIpLen || odd(netLen)) return "header-length";
  if (l.tunnel !== null) {
    // ice_features_check: only GRE and UDP_TUNNEL GSO types (not the
    // _CSUM ones) have their tunnel header measured
    if (
      (gsoType & (SKB_GSO.GRE | SKB_GSO.UDP_TUNNEL)) !== 0 &&
      (l.tunnel.l4TunLen > o.maxTunnelLen || odd(l.tunnel.l4TunLen))
    ) {
      return "header-length";
    }
    if (l.ipLen > o.maxIpLen || odd(l.ipLen)) return "header-length";
  }
  if (l.l4Len > o.maxL4Len || l.hdrLen > o.maxHeaderLen) {
    return "header-length";
  }
  return null;
}

/**
 * Builds the `hw-tso` driver for a configuration.
 *
 * @param cfg The configuration (family ice or ixgbe).
 * @returns The driver.
 *
 * @example
 * ```ts
 * import { hwTsoDriver } from "./driver_hw_tso.ts";
 * import { resolveConfig } from "./resolve_config.ts";
 * hwTsoDriver(resolveConfig()).mode; // "hw-tso"
 * ```
 */
export function hwTsoDriver(cfg: NicConfig): TxDriver {
  function check(skb: SkBuff, packetIndex = 0): DriverCheck {
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
    if (
      skb.ipSummed !== IP_SUMMED.PARTIAL &&
      skb.ipSummed !== IP_SUMMED.UNNECESSARY
    ) return sw("not-checksum-partial", true);
    if (skb.fragList.length > 0) return sw("frag-list");
    const typeReason = gsoTypeRefusal(cfg, skb.gsoType);
    if (typeReason !== null) return sw(typeReason);
    const l = skbLayout(skb);
    if (
      cfg.offload.csumFeature === "ip" && !l.ipv4 && l.ipLen !== 40 &&
      l.tunnel === null
    ) {
      // gso_features_check clears IPV6_CSUM, TSO6 and GSO_UDP_L4.
      return sw("ipv6-extension-headers", true);
    }
    const skip = faultFires(cfg.faults.driverSkipsLimits, packetIndex);
    if (!skip) {
      if (skb.gsoSize < cfg.offload.mssMin) return sw("mss-below-min");
      if (cfg.offload.mssMax > 0 && skb.gsoSize > cfg.offload.mssMax) {
        return sw("mss-above-max");
      }
      const h = headerRefusal(cfg, l, skb.gsoType);
      if (h !== null) return sw(h, true);
      if (l.len - l.hdrLen > cfg.offload.maxTsoPayload) {
        return sw("tso-payload-too-long");
      }
    }
    const linearize =
      !faultFires(cfg.faults.driverSkipsLinearize, packetIndex) &&
      needsLinearize(cfg, skb);
    return { fallback: null, hostChecksum: false, linearize };
  }

  function map(skb: SkBuff, ctx: DriverContext): DriverResult {
    if (skb.gsoSize === 0) return mapPlain(skb, ctx, false, true);
    const l = skbLayout(skb);
    // Carved from a slab: a fresh typed array per skb is slow to allocate.
    const hdr = allocBeats(l.hdrLen, 8);
    skbCopy(skb, 0, l.hdrLen, hdr, 0);
    const t = skb.gsoType;
    const tun = l.tunnel;
    if (tun !== null) {
      if (tun.outerIpv4) {
        setU16(hdr, tun.outerIpOff + 2, 0);
        setU16(hdr, tun.outerIpOff + 10, 0);
      } else setU16(hdr, tun.outerIpOff + 4, 0);
      if ((t & SKB_GSO.UDP_TUNNEL_CSUM) !== 0) {
        setU16(hdr, tun.outerL4Off + 4, 0);
        const c = getU16(hdr, tun.outerL4Off + 6);
        setU16(hdr, tun.outerL4Off + 6, onesSub32(c, l.len - tun.outerL4Off));
      }
    }
    if (l.ipv4) {
      setU16(hdr, l.ipOff + 2, 0);
      setU16(hdr, l.ipOff + 10, 0);
    } else setU16(hdr, l.ipOff + 4, 0);
    const csumAt = l.l4Off + (l.l4 === "tcp" ? 16 : 6);
    // csum_replace_by_diff(&check, htonl(paylen)): seed without the length.
    setU16(hdr, csumAt, onesSub32(getU16(hdr, csumAt), l.len - l.l4Off));
    const offload: TxOffload = {
      ...noOffload(),
      kind: "tso",
      l4: l.l4,
      macLen: l.macLen,
      ipLen: l.ipLen,
      l4Len: l.l4Len,
      ipv4: l.ipv4,
      ipCsum: l.ipv4,
      mss: skb.gsoSize,
      tsoLen: l.len - l.hdrLen,
      tunnel: tun === null ? null : {
        outerIpLen: tun.outerIpLen,
        outerIpv4: tun.outerIpv4,
        outerIpCsum: tun.outerIpv4,
        l4TunLen: tun.l4TunLen,
        udpCsum: (t & SKB_GSO.UDP_TUNNEL_CSUM) !== 0,
        noInc: false,
      },
    };
    const before = ctx.mem.mappings;
    const linearize = (ctx.check ?? check(skb, ctx.packetIndex)).linearize;
    const m = linearize ? linearizeSkb(skb, ctx, hdr) : mapSkb(skb, ctx, hdr);
    return {
      packets: [{
        offload,
        buffers: m.buffers,
        unmap: m.unmap,
        frames: Math.ceil(offload.tsoLen / offload.mss),
        payload: offload.tsoLen,
      }],
      mappings: ctx.mem.mappings - before,
      hostCopyBytes: linearize ? l.len : l.hdrLen,
      hostCsumBytes: 0,
      linearized: linearize,
    };
  }

  return { mode: "hw-tso", check, map };
}
