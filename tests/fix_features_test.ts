import assert from "node:assert/strict";
import { netdevFixFeatures } from "../sw/fix_features.ts";
import { NETIF_F, NETIF_F_MASK } from "../sw/netdev_features.ts";

const F = NETIF_F;

function reasons(features: bigint, partial = 0n): string[] {
  return netdevFixFeatures(features, { gsoPartialFeatures: partial }).changes
    .map((c) => c.reason);
}

Deno.test("netdevFixFeatures() leaves a consistent set unchanged", () => {
  const f = F.SG | F.HW_CSUM | NETIF_F_MASK.ALL_TSO | F.GSO | F.GSO_UDP_L4 |
    F.RXCSUM | F.GRO_HW;
  const r = netdevFixFeatures(f);
  assert.equal(r.features, f);
  assert.deepEqual(r.changes, []);
});

Deno.test("netdevFixFeatures() drops IP-specific checksums next to HW_CSUM", () => {
  const r = netdevFixFeatures(F.HW_CSUM | F.IP_CSUM | F.IPV6_CSUM);
  assert.equal(r.features, F.HW_CSUM);
  assert.deepEqual(r.changes.map((c) => c.reason), [
    "tx-checksum-ipv4: off (conflicts with tx-checksum-ip-generic)",
    "tx-checksum-ipv6: off (conflicts with tx-checksum-ip-generic)",
  ]);
});

Deno.test("netdevFixFeatures() drops TSO when SG is off", () => {
  const r = netdevFixFeatures(F.HW_CSUM | NETIF_F_MASK.ALL_TSO);
  assert.equal(r.features, F.HW_CSUM);
  assert.deepEqual(r.changes.map((c) => c.reason), [
    "tx-tcp-segmentation: off (requires tx-scatter-gather)",
    "tx-tcp-ecn-segmentation: off (requires tx-scatter-gather)",
    "tx-tcp-mangleid-segmentation: off (requires tx-scatter-gather)",
    "tx-tcp6-segmentation: off (requires tx-scatter-gather)",
  ]);
  assert.deepEqual(r.changes[0], {
    name: "tx-tcp-segmentation",
    on: false,
    reason: "tx-tcp-segmentation: off (requires tx-scatter-gather)",
  });
});

Deno.test("netdevFixFeatures() drops TSO and TSO_ECN without an IPv4 checksum", () => {
  const r = netdevFixFeatures(
    F.SG | F.IPV6_CSUM | F.TSO | F.TSO_ECN | F.TSO6 | F.TSO_MANGLEID,
  );
  assert.equal(r.features, F.SG | F.IPV6_CSUM | F.TSO6);
  assert.deepEqual(r.changes.map((c) => c.reason), [
    "tx-tcp-segmentation: off (requires tx-checksum-ip-generic or tx-checksum-ipv4)",
    "tx-tcp-ecn-segmentation: off (requires tx-checksum-ip-generic or tx-checksum-ipv4)",
    "tx-tcp-mangleid-segmentation: off (requires tx-tcp-segmentation)",
  ]);
});

Deno.test("netdevFixFeatures() drops TSO6 without an IPv6 checksum", () => {
  assert.deepEqual(reasons(F.SG | F.IP_CSUM | F.TSO | F.TSO6), [
    "tx-tcp6-segmentation: off (requires tx-checksum-ip-generic or tx-checksum-ipv6)",
  ]);
});

Deno.test("netdevFixFeatures() drops TSO_MANGLEID without TSO", () => {
  const r = netdevFixFeatures(F.SG | F.HW_CSUM | F.TSO6 | F.TSO_MANGLEID);
  assert.equal(r.features, F.SG | F.HW_CSUM | F.TSO6);
  assert.deepEqual(r.changes.map((c) => c.reason), [
    "tx-tcp-mangleid-segmentation: off (requires tx-tcp-segmentation)",
  ]);
});

Deno.test("netdevFixFeatures() drops TSO_ECN when it is the only TSO bit", () => {
  assert.deepEqual(reasons(F.SG | F.HW_CSUM | F.TSO_ECN), [
    "tx-tcp-ecn-segmentation: off (requires tx-tcp-segmentation or tx-tcp6-segmentation)",
  ]);
  assert.deepEqual(reasons(F.SG | F.HW_CSUM | F.TSO_ECN | F.TSO6), []);
});

Deno.test("netdevFixFeatures() drops GSO without SG", () => {
  assert.deepEqual(reasons(F.GSO | F.HW_CSUM), [
    "tx-generic-segmentation: off (requires tx-scatter-gather)",
  ]);
});

Deno.test("netdevFixFeatures() drops gso_partial_features without GSO_PARTIAL", () => {
  const partial = F.GSO_GRE_CSUM | F.GSO_UDP_TUNNEL_CSUM;
  const f = F.SG | F.HW_CSUM | partial;
  assert.deepEqual(reasons(f, partial), [
    "tx-gre-csum-segmentation: off (requires tx-gso-partial)",
    "tx-udp_tnl-csum-segmentation: off (requires tx-gso-partial)",
  ]);
  assert.deepEqual(reasons(f | F.GSO_PARTIAL, partial), []);
  assert.deepEqual(reasons(f), []);
});

Deno.test("netdevFixFeatures() applies the receive rules for GRO_HW, RXFCS and LRO", () => {
  assert.deepEqual(reasons(F.GRO_HW), [
    "rx-gro-hw: off (requires rx-checksum)",
  ]);
  assert.deepEqual(reasons(F.RXCSUM | F.RXFCS | F.LRO | F.GRO_HW), [
    "rx-lro: off (conflicts with rx-fcs)",
    "rx-gro-hw: off (conflicts with rx-fcs)",
  ]);
  assert.deepEqual(reasons(F.RXCSUM | F.GRO_HW | F.LRO), [
    "rx-lro: off (conflicts with rx-gro-hw)",
  ]);
});

Deno.test("netdevFixFeatures() applies the TLS rules", () => {
  assert.deepEqual(reasons(F.HW_TLS_TX | F.IP_CSUM), [
    "tls-hw-tx-offload: off (requires tx-checksum-ip-generic or both tx-checksum-ipv4 and tx-checksum-ipv6)",
  ]);
  assert.deepEqual(reasons(F.HW_TLS_TX | F.IP_CSUM | F.IPV6_CSUM), []);
  assert.deepEqual(reasons(F.HW_TLS_RX), [
    "tls-hw-rx-offload: off (requires rx-checksum)",
  ]);
});

Deno.test("netdevFixFeatures() drops USO without a checksum for both families", () => {
  assert.deepEqual(reasons(F.SG | F.IPV6_CSUM | F.GSO_UDP_L4), [
    "tx-udp-segmentation: off (requires tx-checksum-ip-generic or both tx-checksum-ipv4 and tx-checksum-ipv6)",
  ]);
  assert.deepEqual(reasons(F.SG | F.HW_CSUM | F.GSO_UDP_L4), []);
});

Deno.test("netdevFixFeatures() attributes a drop to the first rule in kernel order", () => {
  // MANGLEID falls to rule 2 (SG) before rule 5 can see it
  const r = netdevFixFeatures(F.HW_CSUM | F.TSO | F.TSO_MANGLEID | F.GSO);
  assert.deepEqual(r.changes.map((c) => c.reason), [
    "tx-tcp-segmentation: off (requires tx-scatter-gather)",
    "tx-tcp-mangleid-segmentation: off (requires tx-scatter-gather)",
    "tx-generic-segmentation: off (requires tx-scatter-gather)",
  ]);
  // rule 1 removes IP_CSUM first, HW_CSUM still satisfies rule 3
  assert.deepEqual(
    reasons(F.SG | F.HW_CSUM | F.IP_CSUM | F.TSO),
    ["tx-checksum-ipv4: off (conflicts with tx-checksum-ip-generic)"],
  );
});

Deno.test("netdevFixFeatures() turning SG off spares USO and tunnel GSO", () => {
  const f = F.HW_CSUM | NETIF_F_MASK.ALL_TSO | F.GSO | F.GSO_UDP_L4 |
    NETIF_F_MASK.GSO_ENCAP_ALL;
  const r = netdevFixFeatures(f);
  assert.equal(
    r.features,
    F.HW_CSUM | F.GSO_UDP_L4 | NETIF_F_MASK.GSO_ENCAP_ALL,
  );
});

Deno.test("netdevFixFeatures() without IPv4 checksum keeps TSO6 but drops TSO and USO", () => {
  const f = F.SG | F.IPV6_CSUM | F.TSO | F.TSO_ECN | F.TSO6 | F.GSO_UDP_L4;
  const r = netdevFixFeatures(f);
  assert.equal(r.features, F.SG | F.IPV6_CSUM | F.TSO6);
});
