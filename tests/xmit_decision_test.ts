import assert from "node:assert/strict";
import {
  canChecksumProtocol,
  netifNeedsGso,
  netifSkbFeatures,
  skbGsoOk,
  skbNetworkProtocol,
  xmitDecision,
  type XmitDevice,
} from "../sw/xmit_decision.ts";
import {
  kernelCaptureEgressDevice,
  registerNetDevice,
  vethDevice,
} from "../sw/net_device.ts";
import { NETIF_F, NETIF_F_MASK } from "../sw/netdev_features.ts";
import { IP_SUMMED, SKB_GSO, type SkBuff } from "../sw/types.ts";

const F = NETIF_F;

interface SkbOpts {
  v6?: boolean;
  /** TCP payload bytes (placed in one page fragment). */
  payload: number;
  gsoSize?: number;
  gsoType?: number;
  gsoSegs?: number;
  ipSummed?: number;
  /** IPv4 DF bit of the (innermost) header; true by default. */
  df?: boolean;
  /** In-band VLAN tag TPIDs, outermost first. */
  vlan?: number[];
  /** IPv6 extension header bytes after the fixed header. */
  ext?: number;
  /** VXLAN-encapsulate: outer IPv4/UDP/VXLAN in front of an inner frame. */
  encap?: boolean;
  fragList?: SkBuff[];
  csumOffset?: number;
}

/** Builds a TCP super-packet skb: headers linear, payload in one frag. */
function tcpSkb(o: SkbOpts): SkBuff {
  const tags = o.vlan ?? [];
  const l3 = o.v6 ? 0x86dd : 0x0800;
  const ipLen = o.v6 ? 40 + (o.ext ?? 0) : 20;
  const outer = o.encap ? 20 + 8 + 8 + 14 : 0;
  const l2 = 14 + 4 * tags.length;
  const nh = l2 + outer;
  const th = nh + ipLen;
  const linear = new Uint8Array(th + 20);
  // Ethernet + tags
  let off = 12;
  for (const t of tags) {
    linear[off] = t >> 8;
    linear[off + 1] = t & 0xff;
    off += 4;
  }
  const firstType = o.encap ? 0x0800 : l3;
  linear[off] = firstType >> 8;
  linear[off + 1] = firstType & 0xff;
  if (o.encap) {
    linear[l2] = 0x45;
    linear[l2 + 6] = 0x40; // outer DF
    linear[l2 + 9] = 17;
    linear[l2 + 20 + 2] = 0x12; // dport 4789
    linear[l2 + 20 + 3] = 0xb5;
    linear[nh - 2] = l3 >> 8;
    linear[nh - 1] = l3 & 0xff;
  }
  if (o.v6) {
    linear[nh] = 0x60;
    linear[nh + 6] = (o.ext ?? 0) > 0 ? 0 : 6;
    if ((o.ext ?? 0) > 0) {
      linear[nh + 40] = 6; // HBH: next header TCP
      linear[nh + 41] = (o.ext! / 8) - 1;
    }
  } else {
    linear[nh] = 0x45;
    linear[nh + 6] = (o.df ?? true) ? 0x40 : 0x00;
    linear[nh + 9] = 6;
  }
  linear[th + 12] = 0x50;
  const gsoSize = o.gsoSize ?? 0;
  return {
    linear,
    frags: o.payload > 0
      ? [{ page: new Uint8Array(o.payload), offset: 0, size: o.payload }]
      : [],
    fragList: o.fragList ?? [],
    gsoSize,
    gsoSegs: o.gsoSegs ?? (gsoSize ? Math.ceil(o.payload / gsoSize) : 0),
    gsoType: o.gsoType ??
      (gsoSize ? (o.v6 ? SKB_GSO.TCPV6 : SKB_GSO.TCPV4) : 0),
    ipSummed: o.ipSummed ?? IP_SUMMED.PARTIAL,
    csumStart: th,
    csumOffset: o.csumOffset ?? 16,
    macHeader: 0,
    networkHeader: o.encap ? l2 : nh,
    transportHeader: o.encap ? l2 + 20 : th,
    protocol: tags.length ? tags[0]! : (o.encap ? 0x0800 : l3),
    encapsulation: o.encap ?? false,
    innerMacHeader: o.encap ? l2 + 36 : 0,
    innerNetworkHeader: o.encap ? nh : 0,
    innerTransportHeader: o.encap ? th : 0,
    innerProtocol: o.encap ? l3 : 0,
  };
}

/** Headers are 54 bytes for plain TCP/IPv4: pick payload for a given skb->len. */
function v4Len(len: number): number {
  return len - 54;
}

Deno.test("xmitDecision() hands a TCPv4 super-packet to a TSO device", () => {
  const d = xmitDecision(
    tcpSkb({ payload: 60000, gsoSize: 1448 }),
    vethDevice(),
  );
  assert.equal(d.path, "hardware");
  assert.notEqual(d.features & F.TSO, 0n);
  assert.deepEqual(d.reasons, [
    "tx-tcp-segmentation available: the device segments (gso_size 1448)",
  ]);
});

Deno.test("xmitDecision() segments in software when skb->len >= gso_ipv4_max_size", () => {
  const d = xmitDecision(
    tcpSkb({ payload: v4Len(70000), gsoSize: 1448 }),
    vethDevice(),
  );
  assert.equal(d.path, "software-gso");
  assert.equal(d.features & NETIF_F_MASK.GSO_MASK, 0n);
  assert.equal(
    d.reasons[0],
    "skb->len 70000 >= gso_ipv4_max_size 65536: software GSO",
  );
  assert.equal(d.reasons.at(-1), "skb_gso_segment: software GSO");
});

Deno.test("xmitDecision() treats a packet exactly at gso_max_size as too big", () => {
  const dev = vethDevice();
  assert.equal(
    xmitDecision(tcpSkb({ payload: v4Len(65536), gsoSize: 1448 }), dev).path,
    "software-gso",
  );
  assert.equal(
    xmitDecision(tcpSkb({ payload: v4Len(65535), gsoSize: 1448 }), dev).path,
    "hardware",
  );
});

Deno.test("xmitDecision() checks IPv6 against gso_max_size and IPv4 against gso_ipv4_max_size", () => {
  const dev = vethDevice();
  dev.setGsoMaxSize(185000);
  const v6 = xmitDecision(
    tcpSkb({ v6: true, payload: 100000, gsoSize: 1428 }),
    dev,
  );
  assert.equal(v6.path, "hardware");
  const v4 = xmitDecision(tcpSkb({ payload: 100000, gsoSize: 1448 }), dev);
  assert.equal(v4.path, "software-gso");
  assert.equal(
    v4.reasons[0],
    "skb->len 100054 >= gso_ipv4_max_size 65536: software GSO",
  );
  const v6big = xmitDecision(
    tcpSkb({ v6: true, payload: 190000, gsoSize: 1428 }),
    dev,
  );
  assert.equal(
    v6big.reasons[0],
    "skb->len 190074 >= gso_max_size 185000: software GSO",
  );
});

Deno.test("xmitDecision() segments in software when gso_segs > gso_max_segs", () => {
  const dev = vethDevice();
  dev.setGsoMaxSegs(40);
  const over = xmitDecision(
    tcpSkb({ payload: 41 * 1000, gsoSize: 1000 }),
    dev,
  );
  assert.equal(over.path, "software-gso");
  assert.equal(over.reasons[0], "gso_segs 41 > gso_max_segs 40: software GSO");
  const at = xmitDecision(tcpSkb({ payload: 40 * 1000, gsoSize: 1000 }), dev);
  assert.equal(at.path, "hardware");
});

Deno.test("xmitDecision() needs tx-tcp-ecn-segmentation for a TCP_ECN super-packet", () => {
  const dev = vethDevice();
  dev.setFeatures({ "tx-tcp-ecn-segmentation": false });
  const d = xmitDecision(
    tcpSkb({
      payload: 4000,
      gsoSize: 1448,
      gsoType: SKB_GSO.TCPV4 | SKB_GSO.TCP_ECN,
    }),
    dev,
  );
  assert.equal(d.path, "software-gso");
  assert.ok(
    d.reasons.includes("gso_type TCP_ECN needs tx-tcp-ecn-segmentation"),
  );
});

Deno.test("xmitDecision() clears TSO_MANGLEID for a TCPv4 header with DF=0", () => {
  const dev = vethDevice();
  const fixed = SKB_GSO.TCPV4 | SKB_GSO.TCP_FIXEDID;
  const df1 = xmitDecision(
    tcpSkb({ payload: 4000, gsoSize: 1448, gsoType: fixed }),
    dev,
  );
  assert.equal(df1.path, "hardware");
  const df0 = xmitDecision(
    tcpSkb({ payload: 4000, gsoSize: 1448, gsoType: fixed, df: false }),
    dev,
  );
  assert.equal(df0.path, "software-gso");
  assert.equal(df0.features & F.TSO_MANGLEID, 0n);
  assert.ok(
    df0.reasons.includes("IPv4 DF=0: tx-tcp-mangleid-segmentation cleared"),
  );
  assert.ok(
    df0.reasons.includes(
      "gso_type TCP_FIXEDID needs tx-tcp-mangleid-segmentation (cleared for this skb)",
    ),
  );
  // without FIXEDID the missing MANGLEID does not matter
  const plain = xmitDecision(
    tcpSkb({ payload: 4000, gsoSize: 1448, df: false }),
    dev,
  );
  assert.equal(plain.path, "hardware");
});

Deno.test("xmitDecision() reads DF from the inner IPv4 header of an encapsulated skb", () => {
  const dev = vethDevice();
  const type = SKB_GSO.TCPV4 | SKB_GSO.UDP_TUNNEL | SKB_GSO.TCP_FIXEDID_INNER;
  const inner0 = tcpSkb({
    payload: 4000,
    gsoSize: 1378,
    gsoType: type,
    encap: true,
    df: false,
  });
  const d = xmitDecision(inner0, dev);
  assert.equal(d.features & F.TSO_MANGLEID, 0n);
  assert.ok(
    d.reasons.includes(
      "IPv4 DF=0 (inner header): tx-tcp-mangleid-segmentation cleared",
    ),
  );
  const inner1 = tcpSkb({
    payload: 4000,
    gsoSize: 1378,
    gsoType: type,
    encap: true,
  });
  assert.equal(xmitDecision(inner1, dev).path, "hardware");
});

Deno.test("xmitDecision() clears IPv6 TSO and checksum for extension headers", () => {
  const nic = F.SG | F.IP_CSUM | F.IPV6_CSUM | F.TSO | F.TSO6;
  const dev = registerNetDevice({ features: nic, hwFeatures: nic });
  const ext = xmitDecision(
    tcpSkb({ v6: true, ext: 8, payload: 4000, gsoSize: 1420 }),
    dev,
  );
  assert.equal(ext.path, "software-gso");
  assert.equal(ext.features & (F.IPV6_CSUM | F.TSO6), 0n);
  assert.equal(
    ext.reasons[0],
    "IPv6 extension headers (network header 48 bytes): tx-checksum-ipv6, tx-tcp6-segmentation cleared",
  );
  const noExt = xmitDecision(
    tcpSkb({ v6: true, payload: 4000, gsoSize: 1428 }),
    dev,
  );
  assert.equal(noExt.path, "hardware");
  // HW_CSUM devices parse extension headers themselves
  const v = xmitDecision(
    tcpSkb({ v6: true, ext: 8, payload: 4000, gsoSize: 1420 }),
    vethDevice(),
  );
  assert.equal(v.path, "hardware");
});

Deno.test("xmitDecision() looks for IPv6 extension headers in the inner header of a tunnelled skb", () => {
  const nic = F.SG | F.IP_CSUM | F.IPV6_CSUM | F.TSO | F.TSO6 |
    F.GSO_UDP_TUNNEL;
  const dev = registerNetDevice({
    features: nic,
    hwFeatures: nic,
    hwEncFeatures: nic,
  });
  const type = SKB_GSO.TCPV6 | SKB_GSO.UDP_TUNNEL;
  // The outer IPv4 header is 20 bytes: not an IPv6 extension header.
  const plain = xmitDecision(
    tcpSkb({
      v6: true,
      encap: true,
      payload: 4000,
      gsoSize: 1358,
      gsoType: type,
    }),
    dev,
  );
  assert.equal(plain.path, "hardware", plain.reasons.join("; "));
  const ext = xmitDecision(
    tcpSkb({
      v6: true,
      ext: 8,
      encap: true,
      payload: 4000,
      gsoSize: 1350,
      gsoType: type,
    }),
    dev,
  );
  assert.equal(ext.path, "software-gso");
  assert.equal(
    ext.reasons[0],
    "IPv6 extension headers (inner network header 48 bytes): tx-checksum-ipv6, tx-tcp6-segmentation cleared",
  );
});

Deno.test("xmitDecision() intersects an encapsulated skb with hw_enc_features", () => {
  const dev = vethDevice();
  dev.hwEncFeatures &= ~F.GSO_UDP_TUNNEL;
  const d = xmitDecision(
    tcpSkb({
      payload: 4000,
      gsoSize: 1378,
      gsoType: SKB_GSO.TCPV4 | SKB_GSO.UDP_TUNNEL,
      encap: true,
    }),
    dev,
  );
  assert.equal(d.path, "software-gso");
  assert.equal(
    d.reasons[0],
    "encapsulated: not in hw_enc_features (tx-generic-segmentation, tx-udp_tnl-segmentation)",
  );
  assert.ok(
    d.reasons.includes(
      "gso_type UDP_TUNNEL needs tx-udp_tnl-segmentation (cleared for this skb)",
    ),
  );
});

Deno.test("xmitDecision() intersects a VLAN-tagged skb with vlan_features", () => {
  const nic = F.SG | F.HW_CSUM | F.TSO;
  const dev = registerNetDevice({
    features: nic,
    hwFeatures: nic,
    vlanFeatures: F.SG | F.HW_CSUM,
  });
  const d = xmitDecision(
    tcpSkb({ vlan: [0x8100], payload: 4000, gsoSize: 1448 }),
    dev,
  );
  assert.equal(d.path, "software-gso");
  assert.match(
    d.reasons[0]!,
    /^VLAN-tagged: not in vlan_features \(.*tx-tcp-segmentation/,
  );
  assert.equal(
    xmitDecision(tcpSkb({ payload: 4000, gsoSize: 1448 }), dev).path,
    "hardware",
  );
});

Deno.test("xmitDecision() limits a double-tagged skb to a generic checksum by default", () => {
  const nic = F.SG | F.HW_CSUM | F.TSO;
  const dev = registerNetDevice({
    features: nic,
    hwFeatures: nic,
    vlanFeatures: nic,
  });
  const d = xmitDecision(
    tcpSkb({ vlan: [0x88a8, 0x8100], payload: 4000, gsoSize: 1448 }),
    dev,
  );
  assert.equal(d.path, "software-gso");
  assert.notEqual(d.features & F.HW_CSUM, 0n);
  assert.ok(d.reasons.some((r) => r.startsWith("two VLAN tags:")));
});

Deno.test("xmitDecision() segments and checksums in software on the capture egress port", () => {
  const d = xmitDecision(
    tcpSkb({ payload: 20000, gsoSize: 1448 }),
    kernelCaptureEgressDevice(),
  );
  assert.equal(d.path, "software-gso");
  assert.equal(
    d.features & (NETIF_F_MASK.CSUM_MASK | NETIF_F_MASK.GSO_MASK),
    0n,
  );
  assert.deepEqual(d.reasons, [
    "device cannot checksum IPv4 (can_checksum_protocol): tx-sctp-segmentation, tx-gso-list cleared",
    "gso_type TCPV4 needs tx-tcp-segmentation",
    "skb_gso_segment: software GSO",
  ]);
  const udp = xmitDecision(
    { ...tcpSkb({ payload: 3000, gsoSize: 1200 }), gsoType: SKB_GSO.UDP_L4 },
    kernelCaptureEgressDevice(),
  );
  assert.equal(udp.path, "software-gso");
  assert.ok(udp.reasons.includes("gso_type UDP_L4 needs tx-udp-segmentation"));
});

Deno.test("xmitDecision() explains a checksum the device cannot do for the protocol", () => {
  const nic = F.SG | F.IP_CSUM | F.TSO;
  const dev = registerNetDevice({ features: nic, hwFeatures: nic });
  const d = xmitDecision(
    tcpSkb({ v6: true, payload: 4000, gsoSize: 1428 }),
    dev,
  );
  assert.equal(d.path, "software-gso");
  assert.equal(
    d.reasons[0],
    "device cannot checksum IPv6 (can_checksum_protocol): tx-checksum-ipv4, tx-tcp-segmentation cleared",
  );
});

Deno.test("xmitDecision() completes a non-GSO CHECKSUM_PARTIAL in software when the device cannot", () => {
  const p2 = xmitDecision(
    tcpSkb({ payload: 1000 }),
    kernelCaptureEgressDevice(),
  );
  assert.equal(p2.path, "checksum-help");
  assert.equal(
    p2.reasons.at(-1),
    "CHECKSUM_PARTIAL (csum_offset 16) the device cannot insert: skb_checksum_help completes it",
  );
  const veth = xmitDecision(tcpSkb({ payload: 1000 }), vethDevice());
  assert.equal(veth.path, "hardware");
  assert.deepEqual(veth.reasons, [
    "CHECKSUM_PARTIAL: the device inserts the checksum",
  ]);
});

Deno.test("xmitDecision() sends a non-GSO skb without pending checksum as it is", () => {
  const d = xmitDecision(
    tcpSkb({ payload: 1000, ipSummed: IP_SUMMED.NONE }),
    kernelCaptureEgressDevice(),
  );
  assert.equal(d.path, "as-is");
  assert.deepEqual(d.reasons, ["not GSO, ip_summed NONE: sent as it is"]);
});

Deno.test("xmitDecision() leaves IP-specific checksum engines only TCP and UDP offsets", () => {
  const nic = F.SG | F.IP_CSUM | F.IPV6_CSUM;
  const dev = registerNetDevice({ features: nic, hwFeatures: nic });
  assert.equal(
    xmitDecision(tcpSkb({ payload: 100, csumOffset: 6 }), dev).path,
    "hardware",
  );
  assert.equal(
    xmitDecision(tcpSkb({ payload: 100, csumOffset: 8 }), dev).path,
    "checksum-help",
  );
  assert.equal(
    xmitDecision(tcpSkb({ v6: true, ext: 8, payload: 100 }), dev).path,
    "checksum-help",
  );
});

Deno.test("xmitDecision() notes linearization when the device lacks SG", () => {
  const dev = registerNetDevice({ features: F.HW_CSUM, hwFeatures: F.HW_CSUM });
  const d = xmitDecision(tcpSkb({ payload: 1000 }), dev);
  assert.equal(d.path, "hardware");
  assert.equal(d.reasons[0], "no tx-scatter-gather: skb linearized");
});

Deno.test("xmitDecision() lets a DODGY TCP skb back to the device after re-validation", () => {
  const d = xmitDecision(
    tcpSkb({
      payload: 4000,
      gsoSize: 1448,
      gsoType: SKB_GSO.TCPV4 | SKB_GSO.DODGY,
    }),
    vethDevice(),
  );
  assert.equal(d.path, "hardware");
  assert.deepEqual(d.reasons, [
    "gso_type DODGY needs tx-gso-robust",
    "headers re-validated in software, gso_segs recomputed: the device segments",
  ]);
});

Deno.test("xmitDecision() lets tcp_gso_segment re-seed a TCP skb that is not CHECKSUM_PARTIAL", () => {
  const tcp = xmitDecision(
    tcpSkb({ payload: 4000, gsoSize: 1448, ipSummed: IP_SUMMED.NONE }),
    vethDevice(),
  );
  assert.equal(tcp.path, "hardware");
  assert.equal(
    tcp.reasons[0],
    "ip_summed NONE: not CHECKSUM_PARTIAL or CHECKSUM_UNNECESSARY",
  );
  const udp = xmitDecision(
    {
      ...tcpSkb({ payload: 3000, gsoSize: 1200, ipSummed: IP_SUMMED.NONE }),
      gsoType: SKB_GSO.UDP_L4,
    },
    vethDevice(),
  );
  assert.equal(udp.path, "software-gso");
});

Deno.test("xmitDecision() needs tx-scatter-gather-fraglist for a frag_list", () => {
  const dev = vethDevice();
  dev.setFeatures({ "tx-scatter-gather-fraglist": false });
  const member = tcpSkb({ payload: 0 });
  const d = xmitDecision(
    tcpSkb({ payload: 2896, gsoSize: 1448, fragList: [member] }),
    dev,
  );
  assert.equal(d.path, "software-gso");
  assert.ok(d.reasons.includes("frag_list needs tx-scatter-gather-fraglist"));
});

Deno.test("xmitDecision() says when GSO_PARTIAL lets the device finish the segments", () => {
  const nic = F.SG | F.HW_CSUM | F.TSO | F.GSO_PARTIAL | F.GSO_UDP_TUNNEL_CSUM;
  const dev = registerNetDevice({
    features: nic,
    hwFeatures: nic,
    hwEncFeatures: nic,
    gsoPartialFeatures: F.GSO_UDP_TUNNEL_CSUM,
  });
  const d = xmitDecision(
    tcpSkb({
      payload: 4000,
      gsoSize: 1378,
      gsoType: SKB_GSO.TCPV4 | SKB_GSO.UDP_TUNNEL_CSUM,
      encap: true,
    }),
    dev,
  );
  assert.equal(d.path, "software-gso");
  assert.equal(
    d.reasons[0],
    "not SKB_GSO_PARTIAL: gso_partial_features cleared (tx-udp_tnl-csum-segmentation)",
  );
  assert.equal(
    d.reasons.at(-1),
    "tx-gso-partial: software GSO_PARTIAL chunks, the device finishes each",
  );
  const partial = xmitDecision(
    tcpSkb({
      payload: 4000,
      gsoSize: 1378,
      gsoType: SKB_GSO.TCPV4 | SKB_GSO.UDP_TUNNEL_CSUM | SKB_GSO.PARTIAL,
      encap: true,
    }),
    dev,
  );
  assert.equal(partial.path, "hardware");
});

Deno.test("xmitDecision() hands a GSO skb with gso_type 0 to the device, as skb_gso_ok lets it", () => {
  const d = xmitDecision(
    tcpSkb({ payload: 4000, gsoSize: 1448, gsoType: 0 }),
    vethDevice(),
  );
  assert.equal(d.path, "hardware");
  assert.equal(d.features & NETIF_F_MASK.GSO_MASK, 0n);
  assert.deepEqual(d.reasons, [
    "gso_type 0 on a GSO skb (skb_warn_bad_offload): segmentation features cleared",
    "no gso_type bit to check: the device gets the GSO skb (gso_size 1448)",
  ]);
});

Deno.test("netifSkbFeatures() appends no reason when nothing is removed", () => {
  const reasons: string[] = [];
  const dev: XmitDevice = vethDevice();
  const f = netifSkbFeatures(tcpSkb({ payload: 100 }), dev, reasons);
  assert.equal(f, dev.features);
  assert.deepEqual(reasons, []);
});

Deno.test("skbGsoOk() requires every gso_type feature and FRAGLIST for a frag_list", () => {
  const s = tcpSkb({
    payload: 100,
    gsoSize: 50,
    gsoType: SKB_GSO.TCPV4 | SKB_GSO.TCP_ECN,
  });
  assert.equal(skbGsoOk(s, F.TSO), false);
  assert.equal(skbGsoOk(s, F.TSO | F.TSO_ECN), true);
  const fl = { ...s, fragList: [tcpSkb({ payload: 1 })] };
  assert.equal(skbGsoOk(fl, F.TSO | F.TSO_ECN), false);
  assert.equal(skbGsoOk(fl, F.TSO | F.TSO_ECN | F.FRAGLIST), true);
});

Deno.test("netifNeedsGso() is false for non-GSO skbs and true for bad checksum states", () => {
  assert.equal(netifNeedsGso(tcpSkb({ payload: 100 }), 0n), false);
  const g = tcpSkb({ payload: 100, gsoSize: 50 });
  assert.equal(netifNeedsGso(g, F.TSO), false);
  assert.equal(
    netifNeedsGso({ ...g, ipSummed: IP_SUMMED.UNNECESSARY }, F.TSO),
    false,
  );
  assert.equal(
    netifNeedsGso({ ...g, ipSummed: IP_SUMMED.COMPLETE }, F.TSO),
    true,
  );
  assert.equal(netifNeedsGso(g, F.TSO6), true);
});

Deno.test("canChecksumProtocol() follows the device's checksum kind", () => {
  assert.equal(canChecksumProtocol(F.HW_CSUM, 0x0800), true);
  assert.equal(canChecksumProtocol(F.HW_CSUM, 0x1234), true);
  assert.equal(canChecksumProtocol(F.IP_CSUM, 0x0800), true);
  assert.equal(canChecksumProtocol(F.IP_CSUM, 0x86dd), false);
  assert.equal(canChecksumProtocol(F.IPV6_CSUM, 0x86dd), true);
  assert.equal(canChecksumProtocol(F.HW_CSUM, 0x8906), false);
  assert.equal(canChecksumProtocol(F.FCOE_CRC, 0x8906), true);
});

Deno.test("skbNetworkProtocol() looks through in-band VLAN tags", () => {
  assert.equal(
    skbNetworkProtocol(
      tcpSkb({ payload: 1, vlan: [0x88a8, 0x8100], v6: true }),
    ),
    0x86dd,
  );
  assert.equal(skbNetworkProtocol(tcpSkb({ payload: 1 })), 0x0800);
});
