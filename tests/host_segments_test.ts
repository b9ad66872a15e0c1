// tb/host_segments.ts: the segments the host stack hands a driver after
// software GSO keep skb_segment's scatter-gather layout, and their bytes are
// the reference's.
import assert from "node:assert/strict";
import { bulkTcpSkb, syntheticHostSegments } from "../hw/workload.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { newSkb, skbFlatten } from "../sw/skbuff.ts";
import { IP_SUMMED, SKB_GSO, type SkBuff } from "../sw/types.ts";
import { hostSegments } from "../tb/host_segments.ts";
import { type Built, skbFor } from "./_build.ts";

const SG_CSUM = NETIF_F.SG | NETIF_F.GSO | NETIF_F.HW_CSUM;

// A TCPv4 super-packet at MSS 1448 whose first `cut` bytes are linear and
// the rest one frag of the same frame.
function tcp4Skb(b: Built, cut: number): SkBuff {
  const f = b.frame;
  return newSkb({
    linear: f.subarray(0, cut),
    frags: cut < f.length
      ? [{ page: f, offset: cut, size: f.length - cut }]
      : [],
    gsoSize: 1448,
    gsoType: SKB_GSO.TCPV4,
    ipSummed: IP_SUMMED.PARTIAL,
    csumStart: b.l4Off,
    csumOffset: 16,
    networkHeader: b.ipOff,
    transportHeader: b.l4Off,
    protocol: 0x0800,
  });
}

Deno.test("hostSegments() leaves a paged send's payload in its pages, as the model's own host GSO does", () => {
  const skb = bulkTcpSkb({ sendBytes: 65536, mss: 1448 });
  const got = [...hostSegments(skb, false)];
  const want = syntheticHostSegments(skb);
  const ref = [...segment(skb, SG_CSUM)];
  assert.equal(got.length, 46);
  assert.equal(got.length, want.length);
  const pages = new Set(skb.frags.map((f) => f.page));
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    assert.equal(g.linear.length, 66, `segment ${i}: headers only`);
    assert.deepEqual(
      g.frags.map((f) => [f.offset, f.size]),
      want[i]!.frags.map((f) => [f.offset, f.size]),
      `segment ${i}: frags`,
    );
    for (const f of g.frags) {
      assert.ok(pages.has(f.page), `segment ${i}: frag in the send's pages`);
    }
    assert.deepEqual(skbFlatten(g), ref[i]!.data, `segment ${i}: bytes`);
  }
  // 46 headers plus the frags: 16 pages cut at 45 segment boundaries.
  assert.equal(got.reduce((n, s) => n + 1 + s.frags.length, 0), 107);
});

Deno.test("hostSegments() copies payload from the linear area into each segment's own", () => {
  const { b } = skbFor({ payloadLen: 4000, gsoSize: 1448 });
  const linear = tcp4Skb(b, b.frame.length);
  const ref = [...segment(linear, NETIF_F.SG | NETIF_F.GSO)];
  const got = [...hostSegments(linear, true)];
  assert.equal(got.length, 3);
  for (let i = 0; i < got.length; i++) {
    assert.deepEqual(got[i]!.frags, []);
    assert.deepEqual(got[i]!.linear, ref[i]!.data);
  }
});

Deno.test("hostSegments() splits a segment that straddles the linear area and a frag", () => {
  const { b } = skbFor({ payloadLen: 4000, gsoSize: 1448 });
  const f = b.frame;
  const cut = b.payloadOff + 1000;
  const skb = tcp4Skb(b, cut);
  const got = [...hostSegments(skb, false)];
  assert.equal(got[0]!.linear.length, b.payloadOff + 1000);
  assert.deepEqual(
    got[0]!.frags.map((x) => [x.page === f, x.offset, x.size]),
    [[true, cut, 448]],
  );
  assert.equal(got[1]!.linear.length, b.payloadOff);
  assert.deepEqual(
    got[1]!.frags.map((x) => [x.page === f, x.offset, x.size]),
    [[true, cut + 448, 1448]],
  );
  const ref = [...segment(skb, SG_CSUM)];
  got.forEach((g, i) => assert.deepEqual(skbFlatten(g), ref[i]!.data));
});

Deno.test("hostSegments() points a frag at the segment's copy where GSO rewrote payload bytes (UFO's datagram checksum)", () => {
  const { b } = skbFor({ udp: true, payloadLen: 3000, gsoSize: 1400 });
  const f = b.frame;
  // The UDP header of the datagram is UFO payload; here it sits in a frag.
  const skb = newSkb({
    linear: f.subarray(0, b.l4Off),
    frags: [{ page: f, offset: b.l4Off, size: f.length - b.l4Off }],
    gsoSize: 1400,
    gsoType: SKB_GSO.UDP,
    ipSummed: IP_SUMMED.PARTIAL,
    csumStart: b.l4Off,
    csumOffset: 6,
    networkHeader: b.ipOff,
    transportHeader: b.l4Off,
    protocol: 0x0800,
  });
  const ref = [...segment(skb, SG_CSUM)];
  const got = [...hostSegments(skb, false)];
  assert.ok(ref.length > 1);
  // udp4_ufo_fragment completed the checksum: the first fragment's bytes
  // are no longer the page's.
  assert.notEqual(got[0]!.frags[0]!.page, f);
  assert.equal(got[1]!.frags[0]!.page, f);
  got.forEach((g, i) => assert.deepEqual(skbFlatten(g), ref[i]!.data));
});
