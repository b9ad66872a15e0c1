// The four driver models: what each sends (bytes), what it asks of the
// host, and when it hands the packet back to software GSO.
import assert from "node:assert/strict";
import { hostSegments } from "./_host_skbs.ts";
import { concatBytes, firstDifference, getU16, setU16 } from "../sw/bytes.ts";
import {
  checksum,
  pseudoHeaderSum4,
  pseudoHeaderSum6,
} from "../sw/checksum.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { tsoSegments } from "../sw/tso_helper.ts";
import { SKB_GSO, type SkBuff } from "../sw/types.ts";
import { createNic, type HwEvent, type Nic } from "../hw/nic.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { buildVxlan, skbFor } from "./_build.ts";

function frames(events: Iterable<HwEvent>): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const e of events) {
    assert.equal(e.kind, "frame", JSON.stringify(e));
    if (e.kind === "frame") out.push(e.data);
  }
  return out;
}

function assertSame(name: string, exp: Uint8Array[], got: Uint8Array[]) {
  assert.equal(got.length, exp.length, `${name}: count`);
  for (let i = 0; i < exp.length; i++) {
    assert.equal(
      firstDifference(exp[i]!, got[i]!),
      -1,
      `${name}: segment ${i}`,
    );
  }
}

function softwareGso(skb: SkBuff): Uint8Array[] {
  return [...segment(skb, 0n)].map((s) => s.data.slice());
}

/** tso.c's segments with the NIC's checksum insertion (IPv4 header, full L4). */
function tsoHelperExpected(skb: SkBuff, mangleAll: boolean): Uint8Array[] {
  const ip = skb.networkHeader;
  const l4 = skb.transportHeader;
  const v4 = (skb.linear[ip]! >>> 4) === 4;
  const udp = (skb.gsoType & SKB_GSO.UDP_L4) !== 0;
  const out: Uint8Array[] = [];
  for (const s of tsoSegments(skb)) {
    const f = concatBytes([s.header, ...s.chunks]);
    if (v4) {
      setU16(f, ip + 10, 0);
      setU16(f, ip + 10, checksum(f, ip, l4));
    }
    const at = l4 + (udp ? 6 : 16);
    setU16(f, at, 0);
    const len = f.length - l4;
    const ph = v4
      ? pseudoHeaderSum4(f, ip, udp ? 17 : 6, len)
      : pseudoHeaderSum6(f, ip, udp ? 17 : 6, len);
    const c = checksum(f, l4, f.length, ph);
    setU16(f, at, c === 0 && (udp || mangleAll) ? 0xffff : c);
    out.push(f);
  }
  return out;
}

const HW_CSUM_SG = NETIF_F.SG | NETIF_F.HW_CSUM;

Deno.test("tso-helper sends tso.c's headers (ID +1, stale-free checksums inserted) on corundum-100g and e810-100g", () => {
  const cases: [string, SkBuff][] = [
    [
      "TCP/IPv4",
      skbFor({ payloadLen: 5000, gsoSize: 1448, tcpOptionsLen: 12 }).skb,
    ],
    ["TCP/IPv6", skbFor({ ipv6: true, payloadLen: 5000, gsoSize: 1428 }).skb],
    ["UDP/IPv4", skbFor({ udp: true, payloadLen: 3001, gsoSize: 1400 }).skb],
    [
      "TCP with RST",
      skbFor({ payloadLen: 3000, gsoSize: 1000, flags: 0x1c }).skb,
    ],
  ];
  for (const preset of ["corundum-100g", "e810-100g"]) {
    for (const [name, skb] of cases) {
      const nic = createNic(resolveConfig(preset), { driver: "tso-helper" });
      assert.equal(nic.driverCheck(skb).fallback, null, name);
      assertSame(
        `${preset} ${name}`,
        tsoHelperExpected(skb, preset === "corundum-100g"),
        frames(nic.transmit(skb)),
      );
    }
  }
});

Deno.test("tso-helper leaves IPv6 extension headers to software GSO, whose payload_len counts them where tso.c's would not", () => {
  const ext = skbFor({
    ipv6: true,
    payloadLen: 3000,
    gsoSize: 1000,
    extHeaders: [{ type: 60, len: 8 }],
  }).skb;
  // What tso.c itself would write: L4 header + payload, 8 bytes short.
  assert.equal(getU16(tsoHelperExpected(ext, true)[0]!, 14 + 4), 20 + 1000);
  const nic = createNic(resolveConfig("corundum-100g"), {
    driver: "tso-helper",
  });
  assert.deepEqual(nic.driverCheck(ext), {
    fallback: "ipv6-extension-headers",
    hostChecksum: false,
    linearize: false,
  });
  const ev = [...nic.transmit(ext)];
  assert.deepEqual(ev.map((e) => e.kind), ["fallback"]);
  const got = frames(nic.transmitSegments(hostSegments(ext, HW_CSUM_SG)));
  assertSame("IPv6 ext via host GSO", softwareGso(ext), got);
  assert.equal(getU16(got[0]!, 14 + 4), 8 + 20 + 1000);
  assert.deepEqual(nic.report().fallbacks, { "ipv6-extension-headers": 1 });
});

Deno.test("tso-helper posts one header descriptor plus payload slices per segment and maps the payload once", () => {
  const nic = createNic(resolveConfig("corundum-100g"), {
    driver: "tso-helper",
  });
  const { skb } = skbFor({ payloadLen: 4000, gsoSize: 1448 });
  frames(nic.transmit(skb));
  const r = nic.report();
  assert.equal(r.ringPackets, 3);
  assert.equal(r.descriptors, 6); // header + one payload slice each
  assert.equal(r.dmaMappings, 1); // the payload fragment, once
  assert.equal(r.host.copyBytes, 3 * 54); // the built headers
});

Deno.test("tso-helper hands CWR super-packets to software GSO, as drivers without TSO_ECN do, and counts it", () => {
  const nic = createNic(resolveConfig("corundum-100g"), {
    driver: "tso-helper",
  });
  const { skb } = skbFor(
    { payloadLen: 4000, gsoSize: 1448, flags: 0x98 },
    SKB_GSO.TCP_ECN,
  );
  assert.deepEqual(nic.driverCheck(skb), {
    fallback: "cwr-no-tso-ecn",
    hostChecksum: false,
    linearize: false,
  });
  const ev = [...nic.transmit(skb)];
  assert.equal(ev.length, 1);
  assert.equal(ev[0]!.kind, "fallback");
  assertSame(
    "CWR via host GSO",
    softwareGso(skb),
    frames(nic.transmitSegments(hostSegments(skb, HW_CSUM_SG))),
  );
  assert.deepEqual(nic.report().fallbacks, { "cwr-no-tso-ecn": 1 });
});

Deno.test("gso mode checksums and transmits the host's segments: the frames equal software GSO with software checksums", () => {
  const cases: [string, SkBuff][] = [
    [
      "TCP/IPv4",
      skbFor({ payloadLen: 5000, gsoSize: 1448, tcpOptionsLen: 12 }).skb,
    ],
    ["TCP/IPv6", skbFor({ ipv6: true, payloadLen: 5000, gsoSize: 1428 }).skb],
    [
      "UDP/IPv6",
      skbFor({ ipv6: true, udp: true, payloadLen: 3001, gsoSize: 1400 }).skb,
    ],
  ];
  for (const preset of ["e810-100g", "82599-10g", "corundum-100g"]) {
    for (const [name, skb] of cases) {
      const nic = createNic(resolveConfig(preset), { driver: "gso" });
      const c = nic.driverCheck(skb);
      assert.equal(c.fallback, "host-gso");
      assertSame(
        `${preset} ${name}`,
        softwareGso(skb),
        frames(nic.transmitSegments(hostSegments(skb, HW_CSUM_SG))),
      );
      assert.match(nic.report().driverLabel, /checksum\/MAC only/);
    }
  }
  // VXLAN segments: the NIC fills the inner checksum through the tunnel fields.
  const { skb } = buildVxlan({ payloadLen: 5000, gsoSize: 1378 });
  const nic = createNic(resolveConfig("e810-100g"), { driver: "gso" });
  assertSame(
    "VXLAN",
    softwareGso(skb),
    frames(nic.transmitSegments(hostSegments(skb, HW_CSUM_SG))),
  );
});

Deno.test("none mode copies each segment into one buffer, checksums it in software and uses one descriptor", () => {
  const { skb } = skbFor({
    payloadLen: 5000,
    gsoSize: 1448,
    tcpOptionsLen: 12,
  });
  const nic = createNic(resolveConfig("corundum-100g"), { driver: "none" });
  assert.deepEqual(nic.driverCheck(skb), {
    fallback: "host-gso",
    hostChecksum: true,
    linearize: true,
  });
  // Host segments still holding seeds: the driver completes them itself.
  assertSame(
    "none",
    softwareGso(skb),
    frames(nic.transmitSegments(hostSegments(skb, HW_CSUM_SG))),
  );
  const r = nic.report();
  assert.equal(r.descriptors, 4);
  assert.equal(r.dmaMappings, 4);
  assert.equal(r.host.linearized, 4);
  // The L4 bytes of 4 segments: 5000 of payload, a 32-byte TCP header each.
  assert.equal(r.host.checksumBytes, 5000 + 4 * 32);
});

Deno.test("none counts the checksums the host stack summed while segmenting as host work, once", () => {
  const { skb } = skbFor({
    payloadLen: 5000,
    gsoSize: 1448,
    tcpOptionsLen: 12,
  });
  const cfg = resolveConfig("corundum-100g");
  // The stack's GSO for a device without checksum offload completes them.
  const summed = hostSegments(skb, NETIF_F.SG);
  const stack = createNic(cfg, { driver: "none" });
  assertSame(
    "none, summed by the stack",
    softwareGso(skb),
    frames(stack.transmitSegments(summed, { hostChecksum: true })),
  );
  assert.equal(stack.report().host.checksumBytes, 5000 + 4 * 32);
  // Seeds left for the driver: it sums them, and they are not counted twice.
  const driver = createNic(cfg, { driver: "none" });
  frames(
    driver.transmitSegments(hostSegments(skb, HW_CSUM_SG), {
      hostChecksum: true,
    }),
  );
  assert.equal(driver.report().host.checksumBytes, 5000 + 4 * 32);
  // Without the flag the model cannot know the stack did the work.
  const unflagged = createNic(cfg, { driver: "none" });
  frames(unflagged.transmitSegments(hostSegments(skb, NETIF_F.SG)));
  assert.equal(unflagged.report().host.checksumBytes, 0);
});

Deno.test("hw-tso falls back to software GSO for what the driver refuses, with the reason, counted once", () => {
  const e810 = resolveConfig("e810-100g");
  const cases: [string, SkBuff, string, string, boolean][] = [
    [
      "MSS below 64",
      skbFor({ payloadLen: 1000, gsoSize: 63 }).skb,
      "e810-100g",
      "mss-below-min",
      false,
    ],
    [
      "IPv6 extension headers on an IP_CSUM/IPV6_CSUM device",
      skbFor({
        ipv6: true,
        payloadLen: 3000,
        gsoSize: 1000,
        extHeaders: [{ type: 0, len: 8 }],
      }).skb,
      "e810-100g",
      "ipv6-extension-headers",
      true,
    ],
    [
      "VXLAN on 82599",
      buildVxlan({ payloadLen: 5000, gsoSize: 1378 }).skb,
      "82599-10g",
      "no-tunnel-segmentation",
      false,
    ],
    [
      "USO on 82599",
      skbFor({ udp: true, payloadLen: 3000, gsoSize: 1400 }).skb,
      "82599-10g",
      "no-uso",
      false,
    ],
    [
      "fixed IDs without MANGLEID",
      skbFor({ payloadLen: 3000, gsoSize: 1000 }, SKB_GSO.TCP_FIXEDID).skb,
      "e810-100g",
      "fixed-id",
      false,
    ],
    [
      "AccECN",
      skbFor({ payloadLen: 3000, gsoSize: 1000 }, SKB_GSO.TCP_ACCECN).skb,
      "e810-100g",
      "accecn",
      false,
    ],
  ];
  for (const [name, skb, preset, reason, hostCsum] of cases) {
    const nic: Nic = createNic(resolveConfig(preset), { driver: "hw-tso" });
    const c = nic.driverCheck(skb);
    assert.equal(c.fallback, reason, name);
    assert.equal(c.hostChecksum, hostCsum, name);
    const ev = [...nic.transmit(skb)];
    assert.deepEqual(ev.map((e) => e.kind), ["fallback"], name);
    assert.deepEqual(nic.report().fallbacks, { [reason]: 1 }, name);
  }
  // A MANGLEID device takes fixed-ID packets (and increments the IDs).
  const mangle = createNic(
    resolveConfig("e810-100g", { set: ["offload.mangleId=true"] }),
    { driver: "hw-tso" },
  );
  assert.equal(
    mangle.driverCheck(
      skbFor({ payloadLen: 3000, gsoSize: 1000 }, SKB_GSO.TCP_FIXEDID).skb,
    ).fallback,
    null,
  );
  assert.equal(e810.offload.mangleId, false);
});

Deno.test("driver modes a preset cannot run are refused with a typed error", () => {
  assert.throws(
    () => createNic(resolveConfig("corundum-100g"), { driver: "hw-tso" }),
    /Cannot run driver "hw-tso" on preset "corundum-100g"/,
  );
  // The default driver of a preset without TSO is the tso.c helper.
  assert.equal(
    createNic(resolveConfig("corundum-100g")).driverMode,
    "tso-helper",
  );
});

Deno.test("e810 measures the tunnel header against ICE_TXD_L4LEN_MAX only for UDP_TUNNEL and GRE GSO packets, as ice_features_check does", () => {
  assert.equal(resolveConfig("e810-100g").offload.maxTunnelLen, 60);
  // VXLAN's tunnel header (outer UDP to inner IP) is 30 bytes: lower the
  // limit below it to see which packets the rule reaches.
  const cfg = resolveConfig("e810-100g", { set: ["offload.maxTunnelLen=28"] });
  const plain = buildVxlan({ payloadLen: 4000, gsoSize: 1378 }).skb;
  const csum = buildVxlan({ payloadLen: 4000, gsoSize: 1378, outerCsum: true })
    .skb;
  const nic = () => createNic(cfg, { driver: "hw-tso" });
  assert.equal(nic().driverCheck(plain).fallback, "header-length");
  assert.equal(nic().driverCheck(csum).fallback, null);
  const single = { ...plain, gsoSize: 0, gsoSegs: 0, gsoType: 0 };
  assert.equal(nic().driverCheck(single).fallback, null);
  assert.equal(nic().driverCheck(single).hostChecksum, false);
});

Deno.test("corundum's driver linearizes a packet with under 32 bytes of paged data, as mqnic_start_xmit does", () => {
  const cfg = resolveConfig("corundum-100g");
  const { skb } = skbFor({ payloadLen: 112 + 16, gsoSize: 1448 });
  const head = skb.frags[0]!;
  const small = {
    ...skb,
    gsoSize: 0,
    gsoSegs: 0,
    gsoType: 0,
    linear: concatBytes([
      skb.linear,
      head.page.subarray(head.offset, head.offset + 112),
    ]),
    frags: [{ page: head.page, offset: head.offset + 112, size: 16 }],
  };
  const nic = createNic(cfg, { driver: "gso" });
  assert.equal(nic.driverCheck(small).linearize, true);
  // 32 bytes of paged data (16 more taken from the head) stay paged.
  const big = {
    ...small,
    linear: small.linear.subarray(0, small.linear.length - 16),
    frags: [{ page: head.page, offset: head.offset + 96, size: 32 }],
  };
  assert.equal(nic.driverCheck(big).linearize, false);
});
