import assert from "node:assert/strict";
import {
  ETHTOOL_LEGACY_FLAGS,
  ethtoolAlias,
  ethtoolPatternMatch,
  featureByName,
  featureName,
  featureNames,
  gsoTypeToFeatures,
  NETDEV_FEATURE_COUNT,
  NETDEV_FEATURE_STRINGS,
  NETIF_F,
  NETIF_F_MASK,
  UnknownFeatureError,
} from "../sw/netdev_features.ts";
import { SKB_GSO } from "../sw/types.ts";

const BIT_OF: Record<string, number> = {
  SG: 0,
  IP_CSUM: 1,
  HW_CSUM: 3,
  IPV6_CSUM: 4,
  HIGHDMA: 5,
  FRAGLIST: 6,
  HW_VLAN_CTAG_TX: 7,
  HW_VLAN_CTAG_RX: 8,
  HW_VLAN_CTAG_FILTER: 9,
  VLAN_CHALLENGED: 10,
  GSO: 11,
  GRO: 14,
  LRO: 15,
  TSO: 16,
  GSO_ROBUST: 17,
  TSO_ECN: 18,
  TSO_MANGLEID: 19,
  TSO6: 20,
  FSO: 21,
  GSO_GRE: 22,
  GSO_GRE_CSUM: 23,
  GSO_IPXIP4: 24,
  GSO_IPXIP6: 25,
  GSO_UDP_TUNNEL: 26,
  GSO_UDP_TUNNEL_CSUM: 27,
  GSO_PARTIAL: 28,
  GSO_TUNNEL_REMCSUM: 29,
  GSO_SCTP: 30,
  GSO_ESP: 31,
  GSO_UDP: 32,
  GSO_UDP_L4: 33,
  GSO_FRAGLIST: 34,
  GSO_ACCECN: 35,
  FCOE_CRC: 36,
  SCTP_CRC: 37,
  NTUPLE: 38,
  RXHASH: 39,
  RXCSUM: 40,
  NOCACHE_COPY: 41,
  LOOPBACK: 42,
  RXFCS: 43,
  RXALL: 44,
  HW_VLAN_STAG_TX: 45,
  HW_VLAN_STAG_RX: 46,
  HW_VLAN_STAG_FILTER: 47,
  HW_L2FW_DOFFLOAD: 48,
  HW_TC: 49,
  HW_ESP: 50,
  HW_ESP_TX_CSUM: 51,
  RX_UDP_TUNNEL_PORT: 52,
  HW_TLS_TX: 53,
  HW_TLS_RX: 54,
  GRO_HW: 55,
  HW_TLS_RECORD: 56,
  GRO_FRAGLIST: 57,
  HW_MACSEC: 58,
  GRO_UDP_FWD: 59,
  HW_HSR_TAG_INS: 60,
  HW_HSR_TAG_RM: 61,
  HW_HSR_FWD: 62,
  HW_HSR_DUP: 63,
};

Deno.test("NETIF_F numbers every feature as mainline netdev_features.h does", () => {
  assert.equal(Object.keys(NETIF_F).length, Object.keys(BIT_OF).length);
  for (const [k, n] of Object.entries(BIT_OF)) {
    assert.equal(NETIF_F[k as keyof typeof NETIF_F], 1n << BigInt(n), k);
  }
  assert.equal(NETDEV_FEATURE_COUNT, 64);
});

Deno.test("NETDEV_FEATURE_STRINGS leaves the unused bits and GSO_UDP nameless", () => {
  assert.equal(NETDEV_FEATURE_STRINGS.length, 64);
  for (const n of [2, 12, 13, 32]) assert.equal(NETDEV_FEATURE_STRINGS[n], "");
  assert.equal(NETDEV_FEATURE_STRINGS.filter((s) => s !== "").length, 60);
});

Deno.test("featureName() spells features as net/ethtool/common.c does", () => {
  const cases: [bigint, string][] = [
    [NETIF_F.SG, "tx-scatter-gather"],
    [NETIF_F.HW_CSUM, "tx-checksum-ip-generic"],
    [NETIF_F.TSO_MANGLEID, "tx-tcp-mangleid-segmentation"],
    [NETIF_F.GSO_ACCECN, "tx-tcp-accecn-segmentation"],
    [NETIF_F.GSO_UDP_TUNNEL_CSUM, "tx-udp_tnl-csum-segmentation"],
    [NETIF_F.GSO_FRAGLIST, "tx-gso-list"],
    [NETIF_F.HW_VLAN_STAG_TX, "tx-vlan-stag-hw-insert"],
    [NETIF_F.HW_VLAN_STAG_FILTER, "rx-vlan-stag-filter"],
    [NETIF_F.HW_TLS_TX, "tls-hw-tx-offload"],
    [NETIF_F.HW_TLS_RECORD, "tls-hw-record"],
    [NETIF_F.GRO_HW, "rx-gro-hw"],
    [NETIF_F.GRO_FRAGLIST, "rx-gro-list"],
    [NETIF_F.GRO_UDP_FWD, "rx-udp-gro-forwarding"],
    [NETIF_F.HW_MACSEC, "macsec-hw-offload"],
    [NETIF_F.RX_UDP_TUNNEL_PORT, "rx-udp_tunnel-port-offload"],
    [NETIF_F.HW_HSR_DUP, "hsr-dup-offload"],
  ];
  for (const [f, name] of cases) assert.equal(featureName(f), name);
});

Deno.test("featureName() names GSO_UDP by its kernel macro", () => {
  assert.equal(featureName(NETIF_F.GSO_UDP), "NETIF_F_GSO_UDP");
});

Deno.test("featureName() rejects unused bits and multi-bit sets", () => {
  assert.throws(() => featureName(1n << 2n), UnknownFeatureError);
  assert.throws(
    () => featureName(NETIF_F.SG | NETIF_F.GSO),
    UnknownFeatureError,
  );
  assert.throws(() => featureName(0n), UnknownFeatureError);
});

Deno.test("featureByName() accepts ethtool strings, keys and macro names", () => {
  assert.equal(featureByName("tx-tcp6-segmentation"), NETIF_F.TSO6);
  assert.equal(featureByName("TSO6"), NETIF_F.TSO6);
  assert.equal(featureByName("NETIF_F_TSO6"), NETIF_F.TSO6);
  for (let n = 0; n < 64; n++) {
    const s = NETDEV_FEATURE_STRINGS[n]!;
    if (s !== "") assert.equal(featureByName(s), 1n << BigInt(n), s);
  }
});

Deno.test("featureByName() rejects an unknown name with a typed error", () => {
  assert.throws(() => featureByName("tx-warp-drive"), {
    name: "UnknownFeatureError",
    message: 'Unknown netdev feature "tx-warp-drive"',
  });
  assert.throws(() => featureByName(""), UnknownFeatureError);
});

Deno.test("featureNames() lists bits in bit order", () => {
  assert.deepEqual(featureNames(NETIF_F.GSO | NETIF_F.SG | NETIF_F.TSO), [
    "tx-scatter-gather",
    "tx-generic-segmentation",
    "tx-tcp-segmentation",
  ]);
});

Deno.test("NETIF_F_MASK matches the kernel's definitions", () => {
  const F = NETIF_F;
  assert.equal(NETIF_F_MASK.GSO_MASK, 0xfffff0000n);
  assert.equal(NETIF_F_MASK.CSUM_MASK, F.IP_CSUM | F.IPV6_CSUM | F.HW_CSUM);
  assert.equal(
    NETIF_F_MASK.ALL_TSO,
    F.TSO | F.TSO6 | F.TSO_ECN | F.TSO_MANGLEID,
  );
  assert.equal(
    NETIF_F_MASK.GSO_SOFTWARE,
    NETIF_F_MASK.ALL_TSO | F.GSO_ACCECN | F.GSO_SCTP | F.GSO_UDP_L4 |
      F.GSO_FRAGLIST,
  );
  assert.equal(
    NETIF_F_MASK.GSO_ENCAP_ALL,
    F.GSO_GRE | F.GSO_GRE_CSUM | F.GSO_IPXIP4 | F.GSO_IPXIP6 |
      F.GSO_UDP_TUNNEL | F.GSO_UDP_TUNNEL_CSUM,
  );
  assert.equal(NETIF_F_MASK.SOFT_FEATURES, F.GSO | F.GRO);
  assert.equal(NETIF_F_MASK.SOFT_FEATURES_OFF, F.GRO_FRAGLIST | F.GRO_UDP_FWD);
  assert.equal(NETIF_F_MASK.NEVER_CHANGE, F.VLAN_CHALLENGED);
  assert.equal(NETIF_F_MASK.ETHTOOL_BITS & F.VLAN_CHALLENGED, 0n);
  assert.equal(NETIF_F_MASK.ETHTOOL_BITS | F.VLAN_CHALLENGED, (1n << 64n) - 1n);
});

Deno.test("ethtoolAlias() expands each legacy flag to the bits ethtool requests", () => {
  const F = NETIF_F;
  const cases: [string, bigint][] = [
    ["rx", F.RXCSUM],
    [
      "tx",
      F.IP_CSUM | F.HW_CSUM | F.IPV6_CSUM | F.FCOE_CRC | F.SCTP_CRC,
    ],
    ["sg", F.SG | F.FRAGLIST],
    ["tso", F.TSO | F.TSO_ECN | F.TSO_MANGLEID | F.TSO6 | F.GSO_ACCECN],
    ["ufo", 0n],
    ["gso", F.GSO],
    ["gro", F.GRO],
    ["lro", F.LRO],
    ["rxvlan", F.HW_VLAN_CTAG_RX],
    ["txvlan", F.HW_VLAN_CTAG_TX],
    ["ntuple", F.NTUPLE],
    ["rxhash", F.RXHASH],
  ];
  for (const [name, bits] of cases) {
    assert.equal(ethtoolAlias(name), bits, name);
  }
});

Deno.test("ethtoolAlias() accepts long names and returns undefined otherwise", () => {
  assert.equal(ethtoolAlias("tcp-segmentation-offload"), ethtoolAlias("tso"));
  assert.equal(ethtoolAlias("tx-checksumming"), ethtoolAlias("tx"));
  assert.equal(ethtoolAlias("tx-tcp-segmentation"), undefined);
  assert.equal(ETHTOOL_LEGACY_FLAGS.length, 12);
});

Deno.test("ethtoolPatternMatch() matches one star like ethtool", () => {
  assert.ok(ethtoolPatternMatch("tx-tcp-segmentation", "tx-tcp*-segmentation"));
  assert.ok(ethtoolPatternMatch("tx-scatter-gather", "tx-scatter-gather*"));
  assert.ok(
    !ethtoolPatternMatch("tx-udp-segmentation", "tx-tcp*-segmentation"),
  );
  assert.ok(!ethtoolPatternMatch("rx-gro-hw", "rx-gro"));
});

Deno.test("gsoTypeToFeatures() maps gso_type bit k to feature bit 16+k", () => {
  const types = Object.values(SKB_GSO).filter((v) => v < 1 << 20);
  for (const t of types) {
    assert.equal(gsoTypeToFeatures(t), BigInt(t) << 16n, String(t));
  }
  assert.equal(gsoTypeToFeatures(SKB_GSO.DODGY), NETIF_F.GSO_ROBUST);
  assert.equal(gsoTypeToFeatures(SKB_GSO.TCP_ACCECN), NETIF_F.GSO_ACCECN);
  assert.equal(gsoTypeToFeatures(SKB_GSO.UDP_L4), NETIF_F.GSO_UDP_L4);
});

Deno.test("gsoTypeToFeatures() folds both late-2025 FIXEDID bits onto TSO_MANGLEID", () => {
  assert.equal(
    gsoTypeToFeatures(SKB_GSO.TCPV4 | SKB_GSO.TCP_FIXEDID),
    NETIF_F.TSO | NETIF_F.TSO_MANGLEID,
  );
  assert.equal(
    gsoTypeToFeatures(SKB_GSO.TCPV4 | SKB_GSO.TCP_FIXEDID_INNER),
    NETIF_F.TSO | NETIF_F.TSO_MANGLEID,
  );
  assert.equal(
    gsoTypeToFeatures((SKB_GSO.TCP_FIXEDID | SKB_GSO.TCP_FIXEDID_INNER) >>> 0),
    NETIF_F.TSO_MANGLEID,
  );
});

Deno.test("gsoTypeToFeatures() ignores gso_type bits beyond the GSO block", () => {
  assert.equal(gsoTypeToFeatures(1 << 25), 0n);
});
