import assert from "node:assert/strict";
import {
  UDP_MAX_SEGMENTS,
  type UdpSendParams,
  udpSendSkbCheck,
} from "../sw/udp_send_checks.ts";

// tools/testing/selftests/net/udpgso.c, loopback MTU 1500, IP(V6)_PMTUDISC_DO
type Expect =
  | { fail: "EMSGSIZE" | "EINVAL" }
  | { full: number; last: number; gso: boolean };

interface Row {
  row: string;
  tlen: number;
  gso: number;
  expect: Expect;
  ipHeaderLen?: number;
}

const V4: Row[] = [
  {
    row: "1 no GSO, 1 byte",
    tlen: 1,
    gso: 0,
    expect: { full: 0, last: 1, gso: false },
  },
  {
    row: "2 no GSO, 1 MSS",
    tlen: 1472,
    gso: 0,
    expect: { full: 1, last: 0, gso: false },
  },
  { row: "3 no GSO, MSS+1", tlen: 1473, gso: 0, expect: { fail: "EMSGSIZE" } },
  {
    row: "4 one MSS, gso=MSS",
    tlen: 1472,
    gso: 1472,
    expect: { full: 1, last: 0, gso: false },
  },
  {
    row: "5 datalen <= MSS < gso",
    tlen: 1472,
    gso: 1473,
    expect: { full: 0, last: 1472, gso: false },
  },
  {
    row: "6 MSS < datalen < gso",
    tlen: 1473,
    gso: 1474,
    expect: { fail: "EMSGSIZE" },
  },
  {
    row: "7 MSS+1",
    tlen: 1473,
    gso: 1472,
    expect: { full: 1, last: 1, gso: true },
  },
  {
    row: "8 exactly 2 MSS",
    tlen: 2944,
    gso: 1472,
    expect: { full: 2, last: 0, gso: true },
  },
  {
    row: "9 2 MSS + 1",
    tlen: 2945,
    gso: 1472,
    expect: { full: 2, last: 1, gso: true },
  },
  {
    row: "10 max segs",
    tlen: 44 * 1472,
    gso: 1472,
    expect: { full: 44, last: 0, gso: true },
  },
  {
    row: "11 max bytes",
    tlen: 65507,
    gso: 1472,
    expect: { full: 44, last: 739, gso: true },
  },
  { row: "12 max + 1", tlen: 65508, gso: 1472, expect: { fail: "EMSGSIZE" } },
  {
    row: "13 1-byte gso, 1 byte",
    tlen: 1,
    gso: 1,
    expect: { full: 1, last: 0, gso: false },
  },
  {
    row: "14 two 1-byte segs",
    tlen: 2,
    gso: 1,
    expect: { full: 2, last: 0, gso: true },
  },
  { row: "15 2+2+1", tlen: 5, gso: 2, expect: { full: 2, last: 1, gso: true } },
  {
    row: "16 max count of 1-byte segs",
    tlen: 128,
    gso: 1,
    expect: { full: 128, last: 0, gso: true },
  },
  { row: "17 max count + 1", tlen: 129, gso: 1, expect: { fail: "EINVAL" } },
];

const V6: Row[] = [
  {
    row: "1 no GSO, 1 byte",
    tlen: 1,
    gso: 0,
    expect: { full: 0, last: 1, gso: false },
  },
  {
    row: "2 no GSO, 1 MSS",
    tlen: 1452,
    gso: 0,
    expect: { full: 1, last: 0, gso: false },
  },
  { row: "3 no GSO, MSS+1", tlen: 1453, gso: 0, expect: { fail: "EMSGSIZE" } },
  {
    row: "4 one MSS, gso=MSS",
    tlen: 1452,
    gso: 1452,
    expect: { full: 1, last: 0, gso: false },
  },
  {
    row: "5 datalen <= MSS < gso",
    tlen: 1452,
    gso: 1453,
    expect: { full: 0, last: 1452, gso: false },
  },
  {
    row: "6 MSS < datalen < gso",
    tlen: 1453,
    gso: 1454,
    expect: { fail: "EMSGSIZE" },
  },
  {
    row: "7 MSS+1",
    tlen: 1453,
    gso: 1452,
    expect: { full: 1, last: 1, gso: true },
  },
  {
    row: "8 exactly 2 MSS",
    tlen: 2904,
    gso: 1452,
    expect: { full: 2, last: 0, gso: true },
  },
  {
    row: "9 2 MSS + 1",
    tlen: 2905,
    gso: 1452,
    expect: { full: 2, last: 1, gso: true },
  },
  {
    row: "10 max segs",
    tlen: 45 * 1452,
    gso: 1452,
    expect: { full: 45, last: 0, gso: true },
  },
  {
    row: "11 max bytes",
    tlen: 65527,
    gso: 1452,
    expect: { full: 45, last: 187, gso: true },
  },
  { row: "12 max + 1", tlen: 65528, gso: 1452, expect: { fail: "EMSGSIZE" } },
  {
    row: "13 1-byte gso, 1 byte",
    tlen: 1,
    gso: 1,
    expect: { full: 1, last: 0, gso: false },
  },
  {
    row: "14 two 1-byte segs",
    tlen: 2,
    gso: 1,
    expect: { full: 2, last: 0, gso: true },
  },
  {
    row: "14b two 1-byte segs with a Hop-by-Hop PAD1 header",
    tlen: 2,
    gso: 1,
    ipHeaderLen: 48,
    expect: { full: 2, last: 0, gso: true },
  },
  { row: "15 2+2+1", tlen: 5, gso: 2, expect: { full: 2, last: 1, gso: true } },
  {
    row: "16 max count of 1-byte segs",
    tlen: 128,
    gso: 1,
    expect: { full: 128, last: 0, gso: true },
  },
  { row: "17 max count + 1", tlen: 129, gso: 1, expect: { fail: "EINVAL" } },
];

function check(rows: Row[], isIpv6: boolean): void {
  for (const r of rows) {
    const p: UdpSendParams = {
      datalen: r.tlen,
      gsoSize: r.gso,
      fragsize: 1500,
      ipHeaderLen: r.ipHeaderLen ?? (isIpv6 ? 40 : 20),
      isIpv6,
    };
    const got = udpSendSkbCheck(p);
    const e = r.expect;
    if ("fail" in e) {
      assert.equal(got.ok, false, r.row);
      if (!got.ok) assert.equal(got.errno, e.fail, r.row);
      continue;
    }
    assert.ok(got.ok, r.row);
    if (!got.ok) continue;
    assert.equal(got.gso, e.gso, `${r.row}: gso`);
    assert.equal(got.fullSegments, e.full, `${r.row}: full segments`);
    assert.equal(got.lastLen, e.last, `${r.row}: last`);
    assert.equal(
      got.segments,
      e.full + (e.last > 0 ? 1 : 0),
      `${r.row}: segments`,
    );
    assert.equal(
      got.segmentSize,
      r.gso || 1500 - (isIpv6 ? 48 : 28),
      `${r.row}: segment size`,
    );
  }
}

Deno.test("udpSendSkbCheck() reproduces every IPv4 row of the udpgso selftest", () => {
  check(V4, false);
});

Deno.test("udpSendSkbCheck() reproduces every IPv6 row of the udpgso selftest", () => {
  check(V6, true);
});

Deno.test("udpSendSkbCheck() says which limit rejected the send", () => {
  const big = udpSendSkbCheck({
    datalen: 65508,
    gsoSize: 1472,
    fragsize: 1500,
    ipHeaderLen: 20,
    isIpv6: false,
  });
  assert.deepEqual(big, {
    ok: false,
    errno: "EMSGSIZE",
    reason:
      "__ip_append_data: UDP length 65516 > 65515 (65535 - 20 IP header bytes)",
  });
  const mtu = udpSendSkbCheck({
    datalen: 1473,
    gsoSize: 1474,
    fragsize: 1500,
    ipHeaderLen: 20,
    isIpv6: false,
  });
  assert.deepEqual(mtu, {
    ok: false,
    errno: "EMSGSIZE",
    reason: "udp_send_skb: 28 header bytes + 1473 > path MTU 1500",
  });
  const segs = udpSendSkbCheck({
    datalen: 129,
    gsoSize: 1,
    fragsize: 1500,
    ipHeaderLen: 40,
    isIpv6: true,
  });
  assert.deepEqual(segs, {
    ok: false,
    errno: "EINVAL",
    reason: "udp_v6_send_skb: datalen 129 > gso_size 1 x UDP_MAX_SEGMENTS 128",
  });
  assert.equal(UDP_MAX_SEGMENTS, 128);
});

Deno.test("udpSendSkbCheck() rejects UDP_SEGMENT without checksums with EINVAL", () => {
  const r = udpSendSkbCheck({
    datalen: 3000,
    gsoSize: 1400,
    fragsize: 1500,
    ipHeaderLen: 20,
    isIpv6: false,
    noCheck: true,
  });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.errno, "EINVAL");
  const plain = udpSendSkbCheck({
    datalen: 1000,
    gsoSize: 0,
    fragsize: 1500,
    ipHeaderLen: 20,
    isIpv6: false,
    noCheck: true,
  });
  assert.equal(plain.ok, true, "SO_NO_CHECK alone is fine");
});

Deno.test("udpSendSkbCheck() rejects UDP_SEGMENT over UDP-Lite or IPsec with EIO", () => {
  for (const extra of [{ udplite: true }, { ipsec: true }]) {
    const r = udpSendSkbCheck({
      datalen: 3000,
      gsoSize: 1400,
      fragsize: 1500,
      ipHeaderLen: 20,
      isIpv6: false,
      ...extra,
    });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.errno, "EIO");
  }
});

Deno.test("udpSendSkbCheck() rejects a gso_size that is not a u16 with EINVAL", () => {
  const r = udpSendSkbCheck({
    datalen: 100,
    gsoSize: 65536,
    fragsize: 1500,
    ipHeaderLen: 20,
    isIpv6: false,
  });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.errno, "EINVAL");
});

Deno.test("udpSendSkbCheck() counts IPv4 options and IPv6 extension headers against the IP maximum", () => {
  const v4 = { gsoSize: 1400, fragsize: 1500, ipHeaderLen: 24, isIpv6: false };
  assert.equal(udpSendSkbCheck({ ...v4, datalen: 65503 }).ok, true);
  assert.equal(udpSendSkbCheck({ ...v4, datalen: 65504 }).ok, false);
  const v6 = { gsoSize: 1400, fragsize: 1500, ipHeaderLen: 48, isIpv6: true };
  assert.equal(udpSendSkbCheck({ ...v6, datalen: 65519 }).ok, true);
  assert.equal(udpSendSkbCheck({ ...v6, datalen: 65520 }).ok, false);
});

Deno.test("udpSendSkbCheck() lets a socket that may fragment send past the path MTU without UDP_SEGMENT", () => {
  const r = udpSendSkbCheck({
    datalen: 3000,
    gsoSize: 0,
    fragsize: 1500,
    ipHeaderLen: 20,
    isIpv6: false,
    dontFragment: false,
  });
  assert.equal(r.ok, true);
  if (r.ok) assert.equal(r.gso, false);
  const v4max = udpSendSkbCheck({
    datalen: 65508,
    gsoSize: 0,
    fragsize: 1500,
    ipHeaderLen: 20,
    isIpv6: false,
    dontFragment: false,
  });
  assert.equal(v4max.ok, false);
});
