// GSO_PARTIAL, tunnel and frag_list rules of the software GSO reference
// (sw/): each test pins one kernel decision that changes the output shape.
import assert from "node:assert/strict";
import { getU16 } from "../sw/bytes.ts";
import { l4ChecksumStatus } from "../sw/l4_checksum.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { SegmentError } from "../sw/segment_error.ts";
import { IP_SUMMED, SKB_GSO } from "../sw/types.ts";
import {
  buildVxlan,
  groFragListSkb,
  PARTIAL_TUNNEL_DEVICE,
  skbFor,
} from "./_build.ts";

Deno.test("segment() drops GSO_PARTIAL when the device cannot finish the GSO type (__skb_gso_segment)", () => {
  // __skb_gso_segment: GSO_PARTIAL stays only if skb_gso_ok(skb, features |
  // GSO_ROBUST | gso_partial_features); without TSO it does not, so
  // skb_segment cuts plain MSS-sized segments, each with gso_size 0.
  const payloadLen = 5000;
  const mss = 1000;
  const { skb, b } = skbFor({ payloadLen, gsoSize: mss });
  const f = NETIF_F.SG | NETIF_F.GSO | NETIF_F.HW_CSUM | NETIF_F.GSO_PARTIAL;
  const segs = [...segment(skb, f)];
  assert.equal(segs.length, Math.ceil(payloadLen / mss));
  for (const s of segs) {
    assert.equal(s.data.length - b.payloadOff, mss);
    assert.equal(s.gsoSize, 0);
    assert.equal(s.gsoType & SKB_GSO.PARTIAL, 0);
  }
});

Deno.test("segment() finishes inner TCP checksums of a tunnel when hw_enc_features has no checksum (skb_udp_tunnel_segment)", () => {
  // skb_udp_tunnel_segment / inet_gso_segment: inner headers only get
  // features & hw_enc_features; SG alone cannot checksum, so each inner
  // TCP checksum is final and the segments are MSS-sized.
  const mss = 1000;
  const v = buildVxlan({ payloadLen: 4000, gsoSize: mss });
  const f = NETIF_F.TSO | NETIF_F.HW_CSUM | NETIF_F.SG | NETIF_F.GSO;
  const segs = [...segment(v.skb, f, { hwEncFeatures: NETIF_F.SG })];
  assert.equal(segs.length, 4);
  for (const s of segs) {
    const d = s.data;
    assert.equal(d.length - s.payloadOffset, mss);
    const l4Len = getU16(d, v.innerIpOff + 2) - 20;
    assert.equal(
      l4ChecksumStatus(d, {
        ipv6: false,
        ipOffset: v.innerIpOff,
        l4Offset: v.innerL4Off,
        l4Len,
        proto: 6,
      }),
      "good",
    );
  }
});

Deno.test("segment() clears DODGY from GSO_PARTIAL chunks (skb_segment)", () => {
  // skb_segment: with partial_segs, each chunk's gso_type is the head's
  // with SKB_GSO_PARTIAL added and SKB_GSO_DODGY removed (the chunk was
  // built by the stack, so it is no longer untrusted).
  const v = buildVxlan({ outerCsum: true, payloadLen: 10000, gsoSize: 1000 });
  v.skb.gsoType = (v.skb.gsoType | SKB_GSO.DODGY) >>> 0;
  const { features, opts } = PARTIAL_TUNNEL_DEVICE;
  const segs = [...segment(v.skb, features, opts)];
  assert.equal(segs.length, 1);
  assert.equal(segs[0]!.gsoSegs, 10);
  assert.notEqual(segs[0]!.gsoType & SKB_GSO.PARTIAL, 0);
  assert.equal(segs[0]!.gsoType & SKB_GSO.DODGY, 0);
});

Deno.test("segment() cuts a GRO frag_list into GSO chunks of gso_size * floor(F / gso_size), F the head's own payload (skb_segment)", () => {
  // skb_segment: without NETIF_F_FRAGLIST but with SG, csum and net_gso_ok,
  // a frag_list whose members all have the first member's length F, except
  // the last (iter->next == NULL), and whose head holds F too, is split
  // into chunks. The member walk subtracts every member from len, so
  // partial_segs = F / mss: here 2000 / 1000 = 2, chunks of 2000 bytes; the
  // tail chunk of at most gso_size gets gso_size 0.
  const mss = 1000;
  const { skb, b } = groFragListSkb([2000, 2000, 700], mss);
  const segs = [...segment(skb, NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO)];
  assert.deepEqual(
    segs.map((s) => s.data.length - b.payloadOff),
    [2000, 2000, 700],
  );
  assert.deepEqual(segs.map((s) => s.gsoSize), [mss, mss, 0]);
  assert.deepEqual(segs.slice(0, 2).map((s) => s.gsoSegs), [2, 2]);
});

Deno.test("segment() cuts a GRO frag_list whose members hold one gso_size each into plain segments (skb_segment: partial_segs 1 -> 0)", () => {
  // F = gso_size: partial_segs = F / mss = 1, which skb_segment turns into
  // 0, so the list is cut at gso_size like any skb, even though the whole
  // payload (3500) would hold three gso_size segments.
  const mss = 1000;
  const { skb, b } = groFragListSkb([mss, mss, mss, 500], mss);
  const segs = [...segment(skb, NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO)];
  assert.deepEqual(
    segs.map((s) => s.data.length - b.payloadOff),
    [mss, mss, mss, 500],
  );
  for (const s of segs) assert.equal(s.gsoSize, 0);
});

Deno.test("segment() cuts plain segments from a GRO frag_list whose members have a kmalloc'ed linear part (skb_segment: skb_headlen(iter) && !iter->head_frag)", () => {
  // The same list as the chunking case above, [2000, 2000, 700] at
  // gso_size 1000, but each member keeps 100 bytes in a linear area that is
  // not a page fragment: its bytes cannot be shared page by page, so the
  // list is not cut into GSO chunks but into gso_size segments.
  const mss = 1000;
  const sizes = [2000, 2000, 700];
  const f = NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO;
  for (const headFrag of [true, false]) {
    const { skb, b } = groFragListSkb(sizes, mss, false, {
      memberLinear: 100,
      headFrag,
    });
    const segs = [...segment(skb, f)];
    assert.deepEqual(
      segs.map((s) => [s.data.length - b.payloadOff, s.gsoSize]),
      headFrag
        ? [[2000, mss], [2000, mss], [700, 0]]
        : [[1000, 0], [1000, 0], [1000, 0], [1000, 0], [700, 0]],
      `headFrag ${headFrag}`,
    );
  }
});

Deno.test("segment() drops SG for an untrusted frag_list with a kmalloc'ed member, so MAX_SKB_FRAGS no longer applies (skb_segment: DODGY && mss != skb_headlen)", () => {
  // The head's own 1000 payload bytes lie in 20 page frags, more than
  // MAX_SKB_FRAGS (17) for one segment: with SG, skb_segment refuses
  // (-EINVAL). With SKB_GSO_DODGY, gso_size 1000 != the head's linear
  // payload (0) and a member whose linear part is not a page fragment, it
  // drops NETIF_F_SG first and copies instead, so both segments come out.
  const mss = 1000;
  const f = NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO;
  const build = (headFrag: boolean, dodgy: boolean) => {
    const { skb, b } = groFragListSkb([1000, 1000], mss, false, {
      memberLinear: 100,
      headFrag,
      headFrags: 20,
    });
    if (dodgy) skb.gsoType = (skb.gsoType | SKB_GSO.DODGY) >>> 0;
    return { skb, b };
  };
  const ok = build(false, true);
  assert.deepEqual(
    [...segment(ok.skb, f)].map((s) => s.data.length - ok.b.payloadOff),
    [1000, 1000],
  );
  for (const [headFrag, dodgy] of [[true, true], [false, false]]) {
    const { skb } = build(headFrag, dodgy);
    assert.throws(
      () => [...segment(skb, f)],
      (e: unknown) =>
        e instanceof SegmentError && e.reason === "too-many-frags",
      `headFrag ${headFrag}, DODGY ${dodgy}`,
    );
  }
});

Deno.test("segment() leaves UFO fragments CHECKSUM_UNNECESSARY on an SG-only device (udp4_ufo_fragment)", () => {
  // udp4_ufo_fragment: the datagram checksum is computed in software, then
  // ip_summed = CHECKSUM_UNNECESSARY and features |= NETIF_F_HW_CSUM (no
  // encap_hdr_csum), so skb_segment keeps that ip_summed on every fragment.
  const { skb } = skbFor({ udp: true, payloadLen: 3000, gsoSize: 1480 });
  skb.gsoType = SKB_GSO.UDP;
  const segs = [...segment(skb, NETIF_F.SG)];
  assert.equal(segs.length, 3);
  for (const s of segs) assert.equal(s.ipSummed, IP_SUMMED.UNNECESSARY);
});
