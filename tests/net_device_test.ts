import assert from "node:assert/strict";
import {
  ethtoolShow,
  GSO_MAX_SIZE,
  GSO_MIN_SIZE,
  kernelCaptureEgressDevice,
  NetDevice,
  NetDeviceError,
  registerNetDevice,
  vethDevice,
} from "../sw/net_device.ts";
import {
  NETIF_F,
  NETIF_F_MASK,
  UnknownFeatureError,
} from "../sw/netdev_features.ts";

const F = NETIF_F;
const NIC = F.SG | F.IP_CSUM | F.IPV6_CSUM | F.TSO | F.TSO6 | F.TSO_ECN |
  F.RXCSUM | F.HIGHDMA;

Deno.test("NetDevice has the alloc_netdev size and segment defaults", () => {
  const dev = new NetDevice({ features: 0n, hwFeatures: 0n });
  assert.equal(dev.name, "eth0");
  assert.equal(dev.gsoMaxSize, 65536);
  assert.equal(dev.gsoIpv4MaxSize, 65536);
  assert.equal(dev.gsoMaxSegs, 65535);
  assert.equal(dev.tsoMaxSize, 65536);
  assert.equal(dev.tsoMaxSegs, 65535);
  assert.equal(dev.mtu, 1500);
});

Deno.test("register() turns GSO and GRO on and offers MANGLEID and nocache-copy off", () => {
  const dev = registerNetDevice({ features: NIC, hwFeatures: NIC });
  assert.equal(dev.features, NIC | F.GSO | F.GRO);
  assert.equal(dev.wantedFeatures, NIC | F.GSO | F.GRO);
  for (
    const f of [
      F.GSO,
      F.GRO,
      F.GRO_FRAGLIST,
      F.GRO_UDP_FWD,
      F.TSO_MANGLEID,
      F.NOCACHE_COPY,
    ]
  ) {
    assert.notEqual(dev.hwFeatures & f, 0n);
  }
  assert.equal(dev.features & (F.TSO_MANGLEID | F.NOCACHE_COPY), 0n);
  assert.equal(dev.hwEncFeatures, F.SG | F.GSO_PARTIAL);
  assert.equal(dev.vlanFeatures, F.HIGHDMA);
});

Deno.test("register() runs netdev_fix_features on the driver's features", () => {
  const dev = new NetDevice({
    features: F.HW_CSUM | F.TSO,
    hwFeatures: F.HW_CSUM | F.TSO,
  });
  const changes = dev.register();
  // rule order: TSO falls to rule 2, GSO to rule 7
  assert.deepEqual(changes.map((c) => c.name), [
    "tx-tcp-segmentation",
    "tx-generic-segmentation",
  ]);
  assert.equal(dev.features & (F.TSO | F.GSO), 0n);
});

Deno.test("fixedFeatures covers what is not in hw_features plus vlan-challenged", () => {
  const dev = registerNetDevice({ features: NIC, hwFeatures: F.SG });
  assert.equal(dev.fixedFeatures & F.SG, 0n);
  assert.notEqual(dev.fixedFeatures & F.TSO, 0n);
  assert.notEqual(dev.fixedFeatures & F.VLAN_CHALLENGED, 0n);
});

Deno.test("setFeatures() turning SG off drops TSO and GSO with reasons", () => {
  const dev = registerNetDevice({
    name: "eth1",
    features: NIC,
    hwFeatures: NIC,
  });
  const r = dev.setFeatures({ sg: false });
  assert.equal(dev.features & (F.SG | NETIF_F_MASK.ALL_TSO | F.GSO), 0n);
  const byName = new Map(r.changes.map((c) => [c.name, c.reason]));
  assert.equal(
    byName.get("tx-scatter-gather"),
    "tx-scatter-gather: off (requested)",
  );
  assert.equal(
    byName.get("tx-tcp-segmentation"),
    "tx-tcp-segmentation: off (requires tx-scatter-gather)",
  );
  assert.equal(
    byName.get("tx-generic-segmentation"),
    "tx-generic-segmentation: off (requires tx-scatter-gather)",
  );
  assert.deepEqual(r.refused, []);
  assert.deepEqual(r.lines, [
    "Actual changes:",
    "tx-scatter-gather: off",
    "tx-generic-segmentation: off [not requested]",
    "tx-tcp-segmentation: off [not requested]",
    "tx-tcp-ecn-segmentation: off [not requested]",
    "tx-tcp6-segmentation: off [not requested]",
  ]);
  assert.equal(r.exitCode, 0);
});

Deno.test("setFeatures() restores dependants still wanted when SG comes back", () => {
  const dev = registerNetDevice({ features: NIC, hwFeatures: NIC });
  dev.setFeatures({ sg: false });
  const r = dev.setFeatures(new Map([[F.SG, true]]));
  assert.equal(dev.features, NIC | F.GSO | F.GRO);
  const tso = r.changes.find((c) => c.name === "tx-tcp-segmentation")!;
  assert.equal(tso.on, true);
  assert.equal(
    tso.reason,
    "tx-tcp-segmentation: on (still wanted, no longer blocked)",
  );
});

Deno.test("setFeatures() reports a fixed feature as refused and ethtool's error", () => {
  const dev = registerNetDevice({
    name: "eth2",
    features: NIC,
    hwFeatures: NIC,
  });
  const r = dev.setFeatures({ "rx-lro": true });
  assert.deepEqual(r.refused, [{
    name: "rx-lro",
    on: false,
    reason: "rx-lro: off [fixed] (not changeable on eth2)",
  }]);
  assert.deepEqual(r.lines, ["Actual changes:", "rx-lro: off [requested on]"]);
  assert.equal(r.stderr, "Could not change any device features");
  assert.equal(r.exitCode, 1);
});

Deno.test("setFeatures() reports a request blocked by a dependency", () => {
  const dev = registerNetDevice({ features: NIC, hwFeatures: NIC });
  const r = dev.setFeatures({ sg: false, tso: true });
  const refused = r.refused.find((c) => c.name === "tx-tcp-segmentation")!;
  assert.equal(
    refused.reason,
    "tx-tcp-segmentation: off (requires tx-scatter-gather)",
  );
  assert.ok(r.lines.includes("tx-tcp-segmentation: off [requested on]"));
});

Deno.test("setFeatures() lets later entries override earlier ones", () => {
  const dev = registerNetDevice({ features: NIC, hwFeatures: NIC });
  dev.setFeatures(
    new Map<string, boolean>([["tso", false], ["tx-tcp6-segmentation", true]]),
  );
  assert.equal(dev.features & F.TSO, 0n);
  assert.notEqual(dev.features & F.TSO6, 0n);
});

Deno.test("setFeatures() prints nothing when the result is as requested", () => {
  const dev = registerNetDevice({ features: NIC, hwFeatures: NIC });
  const r = dev.setFeatures({ gro: false });
  assert.deepEqual(r.lines, []);
  assert.equal(r.exitCode, 0);
  assert.equal(dev.features & F.GRO, 0n);
});

Deno.test("setFeatures() rejects vlan-challenged with EINVAL and unknown names", () => {
  const dev = registerNetDevice({ features: NIC, hwFeatures: NIC });
  assert.throws(() => dev.setFeatures({ "vlan-challenged": true }), (e) => {
    assert.ok(e instanceof NetDeviceError);
    assert.equal(e.errno, "EINVAL");
    assert.match(
      e.message,
      /^Cannot change features of eth0: attempt to change non-ethtool features/,
    );
    return true;
  });
  assert.throws(
    () => dev.setFeatures({ "tx-warp": true }),
    UnknownFeatureError,
  );
});

Deno.test("setTsoMaxSize() lowers gso_max_size and gso_ipv4_max_size", () => {
  const dev = new NetDevice({ features: 0n, hwFeatures: 0n });
  dev.setTsoMaxSize(32768);
  assert.equal(dev.tsoMaxSize, 32768);
  assert.equal(dev.gsoMaxSize, 32768);
  assert.equal(dev.gsoIpv4MaxSize, 32768);
  dev.setTsoMaxSize(1_000_000);
  assert.equal(dev.tsoMaxSize, GSO_MAX_SIZE);
  assert.equal(dev.gsoMaxSize, 32768);
});

Deno.test("setTsoMaxSegs() lowers gso_max_segs", () => {
  const dev = new NetDevice({ features: 0n, hwFeatures: 0n });
  dev.setTsoMaxSegs(100);
  assert.equal(dev.tsoMaxSegs, 100);
  assert.equal(dev.gsoMaxSegs, 100);
});

Deno.test("setGsoMaxSize() rejects a value above tso_max_size with EINVAL", () => {
  const dev = new NetDevice({ name: "p2", features: 0n, hwFeatures: 0n });
  assert.throws(() => dev.setGsoMaxSize(70000), {
    name: "NetDeviceError",
    message:
      "Cannot set gso_max_size of p2 to 70000: too big gso_max_size, above tso_max_size 65536 (EINVAL)",
  });
  dev.setTsoMaxSize(GSO_MAX_SIZE);
  assert.throws(() => dev.setGsoMaxSize(GSO_MAX_SIZE + 1), NetDeviceError);
  dev.setGsoMaxSize(GSO_MAX_SIZE);
  assert.equal(dev.gsoMaxSize, GSO_MAX_SIZE);
  assert.equal(dev.gsoIpv4MaxSize, 65536, "BIG TCP size leaves IPv4 alone");
  dev.setGsoMaxSize(16384);
  assert.equal(dev.gsoIpv4MaxSize, 16384, "a legacy size applies to IPv4 too");
});

Deno.test("setGsoMaxSize() and setGsoIpv4MaxSize() reject a value below MAX_TCP_HEADER + 1 with ERANGE and change nothing", () => {
  const dev = new NetDevice({ name: "p3", features: 0n, hwFeatures: 0n });
  assert.equal(GSO_MIN_SIZE, 193);
  for (const n of [0, 1, 192]) {
    assert.throws(() => dev.setGsoMaxSize(n), {
      name: "NetDeviceError",
      message:
        `Cannot set gso_max_size of p3 to ${n}: below the minimum of 193, MAX_TCP_HEADER + 1 (ERANGE)`,
    });
    assert.throws(
      () => dev.setGsoIpv4MaxSize(n),
      (e: unknown) =>
        e instanceof NetDeviceError && e.errno === "ERANGE" &&
        /^Cannot set gso_ipv4_max_size of p3 to \d+: below the minimum/.test(
          e.message,
        ),
    );
  }
  assert.equal(dev.gsoMaxSize, 65536);
  assert.equal(dev.gsoIpv4MaxSize, 65536);
  dev.setGsoMaxSize(GSO_MIN_SIZE);
  assert.equal(dev.gsoMaxSize, 193);
  assert.equal(dev.gsoIpv4MaxSize, 193);
});

Deno.test("setGsoIpv4MaxSize() and setGsoMaxSegs() reject values above the TSO limits", () => {
  const dev = new NetDevice({ features: 0n, hwFeatures: 0n, tsoMaxSegs: 64 });
  assert.throws(() => dev.setGsoIpv4MaxSize(65537), NetDeviceError);
  dev.setGsoIpv4MaxSize(40000);
  assert.equal(dev.gsoIpv4MaxSize, 40000);
  assert.throws(() => dev.setGsoMaxSegs(65), NetDeviceError);
  dev.setGsoMaxSegs(64);
  assert.equal(dev.gsoMaxSegs, 64);
  assert.throws(() => dev.setGsoMaxSegs(-1), NetDeviceError);
});

Deno.test("vethDevice() has veth's features with GRO off and BIG TCP tso_max_size", () => {
  const v = vethDevice();
  for (
    const f of [
      F.SG,
      F.HW_CSUM,
      F.TSO,
      F.TSO6,
      F.GSO_UDP_L4,
      F.GSO_UDP_TUNNEL,
      F.GSO,
      F.RXCSUM,
    ]
  ) {
    assert.notEqual(v.features & f, 0n);
  }
  assert.equal(v.features & (F.GRO | F.GSO_PARTIAL), 0n);
  // veth sets all of GSO_SOFTWARE itself, MANGLEID included
  assert.notEqual(v.features & F.TSO_MANGLEID, 0n);
  assert.notEqual(v.features & F.TSO_ECN, 0n);
  assert.equal(v.tsoMaxSize, GSO_MAX_SIZE);
  assert.equal(v.gsoMaxSize, 65536);
  assert.equal(v.vlanFeatures & F.HW_VLAN_CTAG_TX, 0n);
});

Deno.test("kernelCaptureEgressDevice() checksums in software and keeps only GSO", () => {
  const p2 = kernelCaptureEgressDevice();
  assert.equal(p2.name, "p2");
  assert.equal(p2.features & NETIF_F_MASK.CSUM_MASK, 0n);
  assert.equal(p2.features & (NETIF_F_MASK.ALL_TSO | F.GSO_ACCECN), 0n);
  assert.equal(p2.features & (F.GSO_UDP_L4 | NETIF_F_MASK.GSO_ENCAP_ALL), 0n);
  assert.notEqual(p2.features & F.GSO, 0n);
  assert.notEqual(p2.features & F.SG, 0n);
});

const VETH_SHOW = `Features for veth0:
rx-checksumming: on
tx-checksumming: on
	tx-checksum-ipv4: off [fixed]
	tx-checksum-ip-generic: on
	tx-checksum-ipv6: off [fixed]
	tx-checksum-fcoe-crc: off [fixed]
	tx-checksum-sctp: on
scatter-gather: on
	tx-scatter-gather: on
	tx-scatter-gather-fraglist: on
tcp-segmentation-offload: on
	tx-tcp-segmentation: on
	tx-tcp-ecn-segmentation: on
	tx-tcp-mangleid-segmentation: on
	tx-tcp6-segmentation: on
	tx-tcp-accecn-segmentation: on
generic-segmentation-offload: on
generic-receive-offload: off
large-receive-offload: off [fixed]
rx-vlan-offload: on
tx-vlan-offload: on
ntuple-filters: off [fixed]
receive-hashing: off [fixed]
highdma: on
rx-vlan-filter: off [fixed]
vlan-challenged: off [fixed]
tx-gso-robust: off [fixed]
tx-fcoe-segmentation: off [fixed]
tx-gre-segmentation: on
tx-gre-csum-segmentation: on
tx-ipxip4-segmentation: on
tx-ipxip6-segmentation: on
tx-udp_tnl-segmentation: on
tx-udp_tnl-csum-segmentation: on
tx-gso-partial: off [fixed]
tx-tunnel-remcsum-segmentation: off [fixed]
tx-sctp-segmentation: on
tx-esp-segmentation: off [fixed]
tx-udp-segmentation: on
tx-gso-list: on
tx-nocache-copy: off
loopback: off [fixed]
rx-fcs: off [fixed]
rx-all: off [fixed]
tx-vlan-stag-hw-insert: on
rx-vlan-stag-hw-parse: on
rx-vlan-stag-filter: off [fixed]
l2-fwd-offload: off [fixed]
hw-tc-offload: off [fixed]
esp-hw-offload: off [fixed]
esp-tx-csum-hw-offload: off [fixed]
rx-udp_tunnel-port-offload: off [fixed]
tls-hw-tx-offload: off [fixed]
tls-hw-rx-offload: off [fixed]
rx-gro-hw: off [fixed]
tls-hw-record: off [fixed]
rx-gro-list: off
macsec-hw-offload: off [fixed]
rx-udp-gro-forwarding: off
hsr-tag-ins-offload: off [fixed]
hsr-tag-rm-offload: off [fixed]
hsr-fwd-offload: off [fixed]
hsr-dup-offload: off [fixed]`;

Deno.test("ethtoolShow() prints a veth like ethtool -k", () => {
  assert.deepEqual(ethtoolShow(vethDevice()), VETH_SHOW.split("\n"));
});

Deno.test("ethtoolShow() prints the capture egress port with tx and tso off", () => {
  const lines = ethtoolShow(kernelCaptureEgressDevice());
  assert.equal(lines[0], "Features for p2:");
  for (
    const l of [
      "tx-checksumming: off",
      "\ttx-checksum-ip-generic: off",
      "scatter-gather: on",
      "tcp-segmentation-offload: off",
      "generic-segmentation-offload: on",
      "tx-udp-segmentation: off",
      "tx-udp_tnl-segmentation: off",
      "tx-gso-partial: off [fixed]",
    ]
  ) assert.ok(lines.includes(l), l);
});

Deno.test("ethtoolShow() marks a feature whose state differs from the wanted one", () => {
  const v = vethDevice("p2");
  v.setFeatures({ tx: false });
  assert.ok(ethtoolShow(v).includes("tx-udp-segmentation: off [requested on]"));
});

Deno.test("ethtoolShow() with flat lists every named feature once in string order", () => {
  const lines = ethtoolShow(vethDevice(), { flat: true });
  assert.equal(lines.length, 61);
  assert.equal(lines[1], "tx-scatter-gather: on");
  assert.equal(lines[2], "tx-checksum-ipv4: off [fixed]");
  assert.equal(lines.at(-1), "hsr-dup-offload: off [fixed]");
});

Deno.test("ethtoolShow() prints a one-member group under the group's name", () => {
  const lines = ethtoolShow(
    registerNetDevice({ features: NIC, hwFeatures: NIC }),
  );
  assert.ok(lines.includes("rx-checksumming: on"));
  assert.ok(lines.includes("large-receive-offload: off [fixed]"));
  assert.ok(!lines.some((l) => l.startsWith("udp-fragmentation-offload")));
});

Deno.test("setFeatures() keeps a bit on when any entry of one request turns it on, as ethnl_parse_bitset does", () => {
  // Measured on Linux 6.18.44 with ethtool -K on a veth: `sg on sg off`
  // leaves sg on and changes nothing; `tx-tcp6-segmentation on tso off`
  // turns TCPv4 segmentation off and leaves TCPv6 on.
  const dev = vethDevice();
  const same = dev.setFeatures([["sg", true], ["sg", false]]);
  assert.notEqual(dev.features & NETIF_F.SG, 0n);
  assert.deepEqual(same.changes, []);
  dev.setFeatures([["tx-tcp6-segmentation", true], ["tso", false]]);
  assert.equal(dev.features & NETIF_F.TSO, 0n);
  assert.notEqual(dev.features & NETIF_F.TSO6, 0n);
  // Off alone still turns off.
  dev.setFeatures([["tx-tcp6-segmentation", false]]);
  assert.equal(dev.features & NETIF_F.TSO6, 0n);
});
