// SKB_GSO_FRAGLIST (skb_segment_list): a GRO skb built with rx-gro-list is
// un-chained into the packets it was built from. Expected frames are built
// here from the rules (linux-gso.md §5.5), with checksums summed by a slow
// local adder, never by the code under test.
import assert from "node:assert/strict";
import fc from "fast-check";
import { bytesEqual, getU16, setU16 } from "../sw/bytes.ts";
import { inetProtoCsumReplace } from "../sw/checksum.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { SegmentError } from "../sw/segment_error.ts";
import { newSkb } from "../sw/skbuff.ts";
import { IP_SUMMED, SKB_GSO, type SkBuff } from "../sw/types.ts";
import { buildFrame, type BuildOptions, type Built } from "./_build.ts";

// The egress of a forwarding router: SG, checksums and TSO, no tx-gso-list.
const FEATURES = NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO | NETIF_F.TSO6 |
  NETIF_F.GSO_UDP_L4;

function sum16(b: Uint8Array, from: number, to: number, init = 0): number {
  let s = init;
  for (let i = from; i < to; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** A packet as it crossed the wire: IPv4 and L4 checksums complete. */
function received(
  o: BuildOptions,
): Built {
  const b = buildFrame(o);
  const f = b.frame;
  const ck = b.l4Off + (o.udp ? 6 : 16);
  setU16(f, ck, 0);
  const l4Len = f.length - b.l4Off;
  let ph: number;
  if (o.ipv6) {
    ph = sum16(f, b.ipOff + 8, b.ipOff + 40, l4Len + (o.udp ? 17 : 6));
  } else {
    ph = sum16(f, b.ipOff + 12, b.ipOff + 20, l4Len + (o.udp ? 17 : 6));
    setU16(f, b.ipOff + 10, 0);
    setU16(f, b.ipOff + 10, ~sum16(f, b.ipOff, b.ipOff + 20) & 0xffff);
  }
  setU16(f, ck, ~sum16(f, b.l4Off, f.length, ph) & 0xffff || 0xffff);
  return b;
}

/** True when the L4 checksum of a frame verifies. */
function l4Valid(f: Uint8Array, b: Built, ipv6: boolean, udp: boolean) {
  const l4Len = f.length - b.l4Off;
  const ph = ipv6
    ? sum16(f, b.ipOff + 8, b.ipOff + 40, l4Len + (udp ? 17 : 6))
    : sum16(f, b.ipOff + 12, b.ipOff + 20, l4Len + (udp ? 17 : 6));
  return sum16(f, b.l4Off, f.length, ph) === 0xffff;
}

/**
 * The GRO product as the egress device sees it: the head (forwarded, so
 * its TTL is one lower, its length field the whole packet's), each member
 * pulled past its own headers.
 */
function groList(
  frames: Built[],
  o: { ipv6?: boolean; udp?: boolean; mac?: number[] } = {},
): SkBuff {
  const h = frames[0]!;
  const head = h.frame.slice();
  if (o.mac) head.set(o.mac, 0);
  // inet_gro_complete: skb->len counts the members' data, not their headers.
  const total = frames.reduce(
    (n, b, i) => n + b.frame.length - (i === 0 ? b.ipOff : b.payloadOff),
    0,
  );
  if (o.ipv6) {
    head[h.ipOff + 7]! -= 1;
    setU16(head, h.ipOff + 4, total - 40);
  } else {
    head[h.ipOff + 8]! -= 1;
    setU16(head, h.ipOff + 2, total);
  }
  if (o.udp) setU16(head, h.l4Off + 4, total - (h.l4Off - h.ipOff));
  const mss = h.frame.length - h.payloadOff;
  return newSkb({
    linear: head.subarray(0, h.payloadOff),
    frags: [{ page: head, offset: h.payloadOff, size: mss }],
    fragList: frames.slice(1).map((b) =>
      newSkb({
        linear: b.frame.slice(b.payloadOff),
        ownHeaders: b.frame.slice(b.ipOff, b.payloadOff),
      })
    ),
    gsoSize: mss,
    gsoSegs: frames.length,
    gsoType: SKB_GSO.FRAGLIST |
      (o.udp ? SKB_GSO.UDP_L4 : o.ipv6 ? SKB_GSO.TCPV6 : SKB_GSO.TCPV4),
    ipSummed: IP_SUMMED.UNNECESSARY,
    networkHeader: h.ipOff,
    transportHeader: h.l4Off,
    protocol: o.ipv6 ? 0x86dd : 0x0800,
  });
}

function tcpFlow(n: number, mss: number, ipv6 = false): Built[] {
  return Array.from({ length: n }, (_, i) =>
    received({
      ipv6,
      payloadLen: i === n - 1 ? mss - 100 : mss,
      seq: 1000 + i * mss,
      id: 0x5000 + 7 * i,
      seedByte: i + 1,
    }));
}

Deno.test("FRAGLIST TCPv4 sends every member as it arrived behind the head's Ethernet header", () => {
  const flow = tcpFlow(3, 1000);
  const mac = [6, 5, 4, 3, 2, 1, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f];
  const segs = [...segment(groList(flow, { mac }), FEATURES)].map((s) =>
    s.data.slice()
  );
  assert.equal(segs.length, 3);
  for (let i = 0; i < 3; i++) {
    const b = flow[i]!;
    const d = segs[i]!;
    const ip = b.ipOff;
    assert.equal(d.length, b.frame.length, `segment ${i} length`);
    assert.deepEqual([...d.subarray(0, 12)], mac, `segment ${i} MAC`);
    // inet_gso_segment: IDs count up from the head's, tot_len per packet,
    // header checksum recomputed.
    assert.equal(getU16(d, ip + 4), 0x5000 + i, `segment ${i} IP ID`);
    assert.equal(
      getU16(d, ip + 2),
      b.frame.length - ip,
      `segment ${i} tot_len`,
    );
    assert.equal(sum16(d, ip, ip + 20), 0xffff, `segment ${i} IP checksum`);
    // Only the head went through ip_forward.
    assert.equal(d[ip + 8], i === 0 ? 63 : 64, `segment ${i} TTL`);
    // TCP header and payload: untouched.
    assert.deepEqual(d.subarray(b.l4Off), b.frame.subarray(b.l4Off));
  }
});

Deno.test("FRAGLIST TCPv4 copies a NATed head's address and port into every member", () => {
  const flow = tcpFlow(4, 800);
  const skb = groList(flow);
  // SNAT on the head only: 10.77.0.1:40000 becomes 192.0.2.9:1234.
  const head = skb.linear;
  const ip = flow[0]!.ipOff;
  const th = flow[0]!.l4Off;
  head.set([192, 0, 2, 9], ip + 12);
  setU16(head, th, 1234);
  const segs = [...segment(skb, FEATURES)].map((s) => s.data.slice());
  for (let i = 1; i < 4; i++) {
    const d = segs[i]!;
    assert.deepEqual([...d.subarray(ip + 12, ip + 16)], [192, 0, 2, 9]);
    assert.equal(getU16(d, th), 1234, `member ${i} source port`);
    assert.equal(getU16(d, th + 2), 5001, `member ${i} destination port`);
    assert.ok(l4Valid(d, flow[i]!, false, false), `member ${i} TCP checksum`);
    assert.equal(sum16(d, ip, ip + 20), 0xffff, `member ${i} IP checksum`);
    assert.deepEqual(
      d.subarray(th + 4, th + 16),
      flow[i]!.frame.subarray(th + 4, th + 16),
      `member ${i} TCP header past the ports`,
    );
  }
});

Deno.test("FRAGLIST fix-ups are decided by the first member alone", () => {
  // __tcpv4_gso_segment_list_csum compares the head with seg->next only:
  // when that one matches, a later member that differs keeps its address.
  const flow = tcpFlow(3, 700);
  const ip = flow[0]!.ipOff;
  const odd = flow[2]!.frame;
  odd.set([10, 77, 0, 99], ip + 12);
  const segs = [...segment(groList(flow), FEATURES)].map((s) => s.data);
  assert.deepEqual([...segs[2]!.subarray(ip + 12, ip + 16)], [10, 77, 0, 99]);
});

Deno.test("FRAGLIST TCPv6 rewrites addresses and keeps each member's hop limit", () => {
  const flow = tcpFlow(3, 1200, true);
  const skb = groList(flow, { ipv6: true });
  const ip = flow[0]!.ipOff;
  skb.linear[ip + 8] = 0x20; // SNAT to 20xx::
  skb.linear[ip + 9] = 0x01;
  const segs = [...segment(skb, FEATURES)].map((s) => s.data.slice());
  assert.equal(segs.length, 3);
  for (let i = 0; i < 3; i++) {
    const d = segs[i]!;
    assert.equal(
      getU16(d, ip + 4),
      d.length - ip - 40,
      `segment ${i} payload_len`,
    );
    assert.equal(d[ip + 7], i === 0 ? 63 : 64, `segment ${i} hop limit`);
    assert.equal(getU16(d, ip + 8), 0x2001, `segment ${i} source address`);
    // The head's checksum is NAT's business (the test left it stale).
    if (i > 0) {
      assert.ok(l4Valid(d, flow[i]!, true, false), `member ${i} TCP checksum`);
    }
  }
});

Deno.test("FRAGLIST UDP restores the head's length and leaves a zero checksum alone", () => {
  const flow = Array.from(
    { length: 3 },
    (_, i) =>
      received({ udp: true, payloadLen: 600, id: 0x100 + i, seedByte: i + 3 }),
  );
  const l4 = flow[0]!.l4Off;
  setU16(flow[2]!.frame, l4 + 6, 0); // a sender that skipped the checksum
  const skb = groList(flow, { udp: true });
  const ip = flow[0]!.ipOff;
  skb.linear.set([192, 0, 2, 7], ip + 12);
  const segs = [...segment(skb, FEATURES)].map((s) => s.data.slice());
  assert.equal(segs.length, 3);
  // __udp_gso_segment_list: uh->len back to one datagram on the head.
  assert.equal(getU16(segs[0]!, l4 + 4), 8 + 600);
  assert.ok(l4Valid(segs[1]!, flow[1]!, false, true), "member 1 UDP checksum");
  assert.deepEqual([...segs[2]!.subarray(ip + 12, ip + 16)], [192, 0, 2, 7]);
  assert.equal(getU16(segs[2]!, l4 + 6), 0, "zero UDP checksum stays zero");
});

Deno.test("FRAGLIST with a head that no longer holds gso_size bytes is cut by skb_segment", () => {
  // tcp4_gso_segment: the geometry check fails, so the packet is segmented
  // normally at gso_size with checksums computed afresh.
  const flow = tcpFlow(3, 1000);
  const skb = groList(flow);
  skb.gsoSize = 900;
  const segs = [...segment(skb, FEATURES & ~NETIF_F.HW_CSUM)];
  const payload = 1000 + 1000 + 900;
  assert.equal(segs.length, Math.ceil(payload / 900));
  const b = flow[0]!;
  for (const s of segs) {
    assert.equal(
      s.data[b.ipOff + 8],
      63,
      "every segment carries the head's TTL",
    );
    assert.ok(l4Valid(s.data, b, false, false), `segment ${s.index} checksum`);
  }
});

Deno.test("FRAGLIST refuses a member without its own headers", () => {
  const skb = groList(tcpFlow(2, 500));
  delete skb.fragList[0]!.ownHeaders;
  assert.throws(
    () => [...segment(skb, FEATURES)],
    (e: unknown) =>
      e instanceof SegmentError && /member 0 has no ownHeaders/.test(e.message),
  );
});

Deno.test("inetProtoCsumReplace() keeps a checksum valid and never yields 0xffff", () => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 8, maxLength: 64 }),
    fc.nat(),
    fc.uint8Array({ minLength: 4, maxLength: 4 }),
    (raw, at, to) => {
      const b = raw.length % 2 === 0 ? raw.slice() : raw.slice(1);
      const off = (at % ((b.length - 6) / 2)) * 2 + 2;
      setU16(b, 0, 0);
      setU16(b, 0, ~sum16(b, 0, b.length) & 0xffff);
      const from = b.slice(off, off + 4);
      const check = inetProtoCsumReplace(getU16(b, 0), from, to, false, true);
      b.set(to, off);
      setU16(b, 0, check);
      assert.notEqual(check, 0xffff);
      assert.equal(sum16(b, 0, b.length), 0xffff);
    },
  ));
  // csum_fold of ~csum_unfold(0xffff) plus an unchanged word: 0, not 0xffff.
  assert.equal(
    inetProtoCsumReplace(
      0xffff,
      Uint8Array.of(1, 2),
      Uint8Array.of(1, 2),
      false,
      false,
    ),
    0,
  );
});

Deno.test("FRAGLIST members left CHECKSUM_PARTIAL get seeds for the NATed address, the port ignored", () => {
  // veth passes the sender's CHECKSUM_PARTIAL on, so GRO's head and members
  // carry pseudo-header seeds; inet_proto_csum_replace4 moves a seed for an
  // address, inet_proto_csum_replace2 leaves it for a port.
  const flow = Array.from(
    { length: 3 },
    (_, i) => buildFrame({ payloadLen: 900, seq: 1 + 900 * i, id: 9 + i }),
  );
  const skb = groList(flow);
  skb.ipSummed = IP_SUMMED.PARTIAL;
  const ip = flow[0]!.ipOff;
  const th = flow[0]!.l4Off;
  skb.linear.set([198, 51, 100, 3], ip + 12);
  setU16(skb.linear, th, 4321);
  const segs = [...segment(skb, FEATURES)].map((s) => s.data.slice());
  for (let i = 1; i < 3; i++) {
    const d = segs[i]!;
    assert.equal(getU16(d, th), 4321, `member ${i} source port`);
    const seed = sum16(d, ip + 12, ip + 20, d.length - th + 6);
    assert.equal(getU16(d, th + 16), seed, `member ${i} seed`);
  }
});

Deno.test("FRAGLIST without a frag_list is refused rather than sent as the head alone", () => {
  const skb = groList(tcpFlow(1, 500));
  assert.throws(
    () => [...segment(skb, FEATURES)],
    (e: unknown) =>
      e instanceof SegmentError && /without a frag_list/.test(e.message),
  );
});

/**
 * The slow obvious form of one un-chained member: its frame as received,
 * the head's Ethernet header, the head's addresses and ports, the IPv4 ID
 * head + i and the IPv4 header checksum recomputed, and the L4 checksum (or
 * the CHECKSUM_PARTIAL seed) recomputed from scratch over the result.
 */
function memberByHand(
  m: Built,
  head: Uint8Array,
  i: number,
  o: { ipv6: boolean; udp: boolean; partial: boolean },
): Uint8Array {
  const d = m.frame.slice();
  const ip = m.ipOff;
  const l4 = m.l4Off;
  const alen = o.ipv6 ? 16 : 4;
  const sa = ip + (o.ipv6 ? 8 : 12);
  // The *_gso_segment_list_csum helpers return early when the head's
  // addresses and ports equal the member's: its checksum field then stays
  // as it arrived, even a TCP 0xffff that a recomputation would fold to 0.
  const same = (from: number, to: number) =>
    bytesEqual(d.subarray(from, to), head.subarray(from, to));
  const natted = !same(sa, sa + 2 * alen) || !same(l4, l4 + 4);
  d.set(head.subarray(0, ip), 0);
  d.set(head.subarray(sa, sa + 2 * alen), sa);
  d.set(head.subarray(l4, l4 + 4), l4);
  const ck = l4 + (o.udp ? 6 : 16);
  const l4Len = d.length - l4;
  const ph = sum16(d, sa, sa + 2 * alen, l4Len + (o.udp ? 17 : 6));
  const wasZero = o.udp && getU16(m.frame, ck) === 0;
  if (natted && !wasZero) {
    if (o.partial) setU16(d, ck, ph);
    else {
      setU16(d, ck, 0);
      setU16(
        d,
        ck,
        ~sum16(d, l4, d.length, ph) & 0xffff || (o.udp ? 0xffff : 0),
      );
    }
  }
  if (!o.ipv6) {
    setU16(d, ip + 4, (getU16(head, ip + 4) + i) & 0xffff);
    setU16(d, ip + 10, 0);
    setU16(d, ip + 10, ~sum16(d, ip, ip + 20) & 0xffff);
  }
  return d;
}

Deno.test("FRAGLIST member arriving with TCP checksum 0xffff keeps it when nothing was NATed", () => {
  // Found by the property below (fast-check seed 6): a member whose TCP sum
  // folds to zero, sent as 0xffff by its sender, is not recomputed to 0000
  // because __tcpv4_gso_segment_list_csum returns before touching it.
  for (let id = 0; id < 0x10000; id++) {
    const m = received({ payloadLen: 431, id: id + 1, seedByte: 1 });
    if (getU16(m.frame, m.l4Off + 16) !== 0xffff) continue;
    const flow = [received({ payloadLen: 431, id, seedByte: 0 }), m];
    const segs = [...segment(groList(flow), FEATURES)];
    assert.equal(getU16(segs[1]!.data, m.l4Off + 16), 0xffff);
    assert.ok(l4Valid(segs[1]!.data, m, false, false));
    return;
  }
  assert.fail("no IPv4 ID gives a member whose TCP sum folds to zero");
});

Deno.test("FRAGLIST members match the slow obvious rewrite over random flows and NAT", () => {
  fc.assert(
    fc.property(
      fc.record({
        ipv6: fc.boolean(),
        udp: fc.boolean(),
        partial: fc.boolean(),
        n: fc.integer({ min: 2, max: 6 }),
        mss: fc.integer({ min: 1, max: 1500 }),
        last: fc.integer({ min: 1, max: 1500 }),
        nat: fc.uint8Array({ minLength: 36, maxLength: 36 }),
        natMask: fc.integer({ min: 0, max: 15 }),
        id: fc.integer({ min: 0, max: 0xffff }),
        zeroCheck: fc.boolean(),
      }),
      (c) => {
        const o = { ipv6: c.ipv6, udp: c.udp, partial: c.partial };
        const flow = Array.from({ length: c.n }, (_, i) => {
          const b = c.partial
            ? buildFrame({
              ipv6: c.ipv6,
              udp: c.udp,
              payloadLen: i === c.n - 1 ? Math.min(c.last, c.mss) : c.mss,
              id: c.id + i,
              seedByte: i,
            })
            : received({
              ipv6: c.ipv6,
              udp: c.udp,
              payloadLen: i === c.n - 1 ? Math.min(c.last, c.mss) : c.mss,
              id: c.id + i,
              seedByte: i,
            });
          if (c.udp && c.zeroCheck && i === 1 && !c.partial) {
            setU16(b.frame, b.l4Off + 6, 0);
          }
          return b;
        });
        const skb = groList(flow, { ipv6: c.ipv6, udp: c.udp });
        if (c.partial) skb.ipSummed = IP_SUMMED.PARTIAL;
        // NAT on the head: any of source address, destination address,
        // source port, destination port rewritten (natMask picks which).
        const head = skb.linear;
        const h = flow[0]!;
        const alen = c.ipv6 ? 16 : 4;
        const sa = h.ipOff + (c.ipv6 ? 8 : 12);
        if (c.natMask & 1) head.set(c.nat.subarray(0, alen), sa);
        if (c.natMask & 2) head.set(c.nat.subarray(16, 16 + alen), sa + alen);
        if (c.natMask & 4) head.set(c.nat.subarray(32, 34), h.l4Off);
        if (c.natMask & 8) head.set(c.nat.subarray(34, 36), h.l4Off + 2);
        const segs = [...segment(skb, FEATURES)].map((s) => s.data.slice());
        assert.equal(segs.length, c.n);
        for (let i = 1; i < c.n; i++) {
          const want = memberByHand(flow[i]!, head, i, o);
          assert.deepEqual(segs[i], want, `member ${i}`);
        }
      },
    ),
    // A fixed seed keeps CI reproducible, as in property_test.ts; the oracle
    // was last run over seeds 1..10 at 50,000 cases each.
    { seed: 0x11f7, numRuns: 300 },
  );
});

Deno.test("FRAGLIST UDP whose head no longer holds gso_size bytes is linearized and cut as USO", () => {
  // __udp_gso_segment: the geometry check fails, so the skb is linearized,
  // its checksum seeded, and every datagram checksummed afresh.
  const flow = Array.from(
    { length: 3 },
    (_, i) =>
      received({ udp: true, payloadLen: 600, id: 0x200 + i, seedByte: i + 5 }),
  );
  const skb = groList(flow, { udp: true });
  skb.gsoSize = 500;
  const segs = [...segment(skb, FEATURES)];
  assert.equal(segs.length, Math.ceil(1800 / 500));
  const b = flow[0]!;
  for (const s of segs) {
    const d = s.data;
    assert.equal(getU16(d, b.l4Off + 4), d.length - b.l4Off, "uh->len");
    assert.ok(l4Valid(d, b, false, true), `datagram ${s.index} checksum`);
  }
});

Deno.test("FRAGLIST segments are flagged in order, only the last as last", () => {
  const segs = [...segment(groList(tcpFlow(3, 600)), FEATURES)];
  assert.deepEqual(segs.map((s) => s.last), [false, false, true]);
});

Deno.test("FRAGLIST TCP left CHECKSUM_PARTIAL with a broken geometry is re-seeded, whatever csum_start says", () => {
  // tcp4_gso_segment marks it CHECKSUM_NONE before the usual re-seeding, so
  // the csum_start check of a PARTIAL skb never applies.
  const flow = tcpFlow(3, 1000);
  const skb = groList(flow);
  skb.ipSummed = IP_SUMMED.PARTIAL;
  skb.csumStart = 0;
  skb.gsoSize = 900;
  const segs = [...segment(skb, FEATURES & ~NETIF_F.HW_CSUM)];
  assert.equal(segs.length, 4);
  for (const s of segs) {
    assert.ok(l4Valid(s.data, flow[0]!, false, false), `segment ${s.index}`);
  }
});

Deno.test("FRAGLIST NAT finds the transport header behind IPv6 extension headers", () => {
  const ext = [{ type: 0, len: 8 }, { type: 60, len: 16 }];
  const flow = Array.from(
    { length: 3 },
    (_, i) =>
      received({
        ipv6: true,
        payloadLen: 800,
        seq: 5 + 800 * i,
        extHeaders: ext,
      }),
  );
  const skb = groList(flow, { ipv6: true });
  const th = flow[0]!.l4Off;
  setU16(skb.linear, th, 2222);
  const segs = [...segment(skb, FEATURES)].map((s) => s.data);
  for (let i = 1; i < 3; i++) {
    assert.equal(getU16(segs[i]!, th), 2222, `member ${i} source port`);
    assert.ok(l4Valid(segs[i]!, flow[i]!, true, false), `member ${i} checksum`);
  }
});

Deno.test("FRAGLIST UDP NAT sends a checksum that comes out 0 as 0xffff", () => {
  const flow = Array.from(
    { length: 2 },
    (_, i) => received({ udp: true, payloadLen: 300, id: 1 + i, seedByte: 9 }),
  );
  const m = flow[1]!;
  const c = getU16(m.frame, m.l4Off + 6);
  const p = getU16(m.frame, m.l4Off);
  // The source port that makes ~(~c + ~p + port) zero in ones' complement.
  let port = (0xffff - ((~c & 0xffff) + (~p & 0xffff)) % 0xffff) % 0xffff;
  if (port === p) port = (port + 0xffff) % 0x10000;
  const skb = groList(flow, { udp: true });
  setU16(skb.linear, flow[0]!.l4Off, port);
  const d = [...segment(skb, FEATURES)][1]!.data;
  assert.equal(getU16(d, m.l4Off), port);
  assert.equal(getU16(d, m.l4Off + 6), 0xffff);
  assert.ok(l4Valid(d, m, false, true));
});

Deno.test("inetProtoCsumReplace() folds a CHECKSUM_PARTIAL seed to 0xffff, never to 0", () => {
  // csum_fold of a non-zero 32-bit sum is 1..0xffff: 1 + 0xfffe + 0.
  const seed = inetProtoCsumReplace(
    0x0001,
    Uint8Array.of(0, 1),
    Uint8Array.of(0, 0),
    true,
    true,
  );
  assert.equal(seed, 0xffff);
});
