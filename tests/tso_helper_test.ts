import assert from "node:assert/strict";
import {
  tsoBuildData,
  tsoBuildHdr,
  tsoCountDescs,
  TsoHelperError,
  tsoSegments,
  tsoStart,
} from "../sw/tso_helper.ts";
import { getU16, getU32 } from "../sw/bytes.ts";
import { IP_SUMMED, SKB_GSO, type SkbFrag, type SkBuff } from "../sw/types.ts";

const ACK = 0x10,
  PSH = 0x08,
  FIN = 0x01,
  RST = 0x04,
  CWR = 0x80,
  ECE = 0x40,
  URG = 0x20;

interface Opts {
  v6?: boolean;
  udp?: boolean;
  /** Linear payload bytes after the headers. */
  linearPayload?: number;
  frags?: number[];
  gsoSize: number;
  gsoType?: number;
  ipId?: number;
  seq?: number;
  flags?: number;
  /** TCP header length (20, 32, …). */
  thlen?: number;
  /** IPv6 extension header bytes (a Hop-by-Hop header). */
  ext?: number;
  vlan?: boolean;
  fragList?: SkBuff[];
  ipCsum?: number;
  l4Csum?: number;
}

/** Payload byte at absolute payload offset i: a recognisable pattern. */
function pat(i: number): number {
  return (i * 7 + 3) & 0xff;
}

function build(o: Opts): SkBuff {
  const l2 = o.vlan ? 18 : 14;
  const l3 = o.v6 ? 40 + (o.ext ?? 0) : 20;
  const tl = o.udp ? 8 : (o.thlen ?? 20);
  const th = l2 + l3;
  const lp = o.linearPayload ?? 0;
  const linear = new Uint8Array(th + tl + lp);
  const etype = o.v6 ? 0x86dd : 0x0800;
  if (o.vlan) {
    linear.set([0x81, 0x00, 0x00, 0x05, etype >> 8, etype & 0xff], 12);
  } else linear.set([etype >> 8, etype & 0xff], 12);
  const nh = l2;
  const proto = o.udp ? 17 : 6;
  if (o.v6) {
    linear[nh] = 0x60;
    linear[nh + 6] = (o.ext ?? 0) ? 0 : proto;
    linear[nh + 7] = 64;
    if (o.ext) {
      linear[nh + 40] = proto;
      linear[nh + 41] = o.ext / 8 - 1;
    }
  } else {
    linear[nh] = 0x45;
    linear[nh + 4] = (o.ipId ?? 0x1234) >> 8;
    linear[nh + 5] = (o.ipId ?? 0x1234) & 0xff;
    linear[nh + 6] = 0x40;
    linear[nh + 8] = 64;
    linear[nh + 9] = proto;
    linear[nh + 10] = (o.ipCsum ?? 0xbeef) >> 8;
    linear[nh + 11] = (o.ipCsum ?? 0xbeef) & 0xff;
  }
  const csum = o.l4Csum ?? 0xcafe;
  if (o.udp) {
    linear[th + 6] = csum >> 8;
    linear[th + 7] = csum & 0xff;
  } else {
    const seq = o.seq ?? 1000;
    linear.set([
      seq >>> 24,
      (seq >>> 16) & 0xff,
      (seq >>> 8) & 0xff,
      seq & 0xff,
    ], th + 4);
    linear[th + 12] = (tl / 4) << 4;
    linear[th + 13] = o.flags ?? ACK;
    linear[th + 16] = csum >> 8;
    linear[th + 17] = csum & 0xff;
  }
  let p = 0;
  for (let i = 0; i < lp; i++) linear[th + tl + i] = pat(p++);
  const frags: SkbFrag[] = (o.frags ?? []).map((size) => {
    const page = new Uint8Array(size + 16);
    for (let i = 0; i < size; i++) page[8 + i] = pat(p++);
    return { page, offset: 8, size };
  });
  const total = p;
  return {
    linear,
    frags,
    fragList: o.fragList ?? [],
    gsoSize: o.gsoSize,
    gsoSegs: Math.ceil(total / o.gsoSize),
    gsoType: o.gsoType ??
      (o.udp ? SKB_GSO.UDP_L4 : o.v6 ? SKB_GSO.TCPV6 : SKB_GSO.TCPV4),
    ipSummed: IP_SUMMED.PARTIAL,
    csumStart: th,
    csumOffset: o.udp ? 6 : 16,
    macHeader: 0,
    networkHeader: nh,
    transportHeader: th,
    protocol: o.vlan ? 0x8100 : etype,
    encapsulation: false,
    innerMacHeader: 0,
    innerNetworkHeader: 0,
    innerTransportHeader: 0,
    innerProtocol: 0,
  };
}

function flagsOf(h: Uint8Array, skb: SkBuff): number {
  return h[skb.transportHeader + 13]!;
}

Deno.test("tsoStart() reads header length, IPv4 ID, sequence and the first region", () => {
  const skb = build({
    linearPayload: 100,
    frags: [500],
    gsoSize: 200,
    thlen: 32,
    ipId: 7,
    seq: 0xfffffff0,
  });
  const t = tsoStart(skb);
  assert.equal(t.tlen, 32);
  assert.equal(t.hdrLen, 14 + 20 + 32);
  assert.equal(t.ipId, 7);
  assert.equal(t.tcpSeq, 0xfffffff0);
  assert.equal(t.ipv6, false);
  assert.equal(t.size, 100);
  assert.equal(t.nextFragIdx, 0);
  assert.equal(t.data.buffer, skb.linear.buffer, "payload referenced in place");
});

Deno.test("tsoStart() moves to the first fragment when the linear area holds only headers", () => {
  const skb = build({ frags: [300, 300], gsoSize: 200 });
  const t = tsoStart(skb);
  assert.equal(t.size, 300);
  assert.equal(t.nextFragIdx, 1);
  assert.equal(t.data.buffer, skb.frags[0]!.page.buffer);
});

Deno.test("tsoStart() uses 8 for UDP, reads the IPv6 ID bytes, and sees IPv6 through a VLAN tag", () => {
  const udp = tsoStart(build({ udp: true, linearPayload: 10, gsoSize: 5 }));
  assert.equal(udp.tlen, 8);
  assert.equal(udp.tcpSeq, 0);
  const v6 = build({ v6: true, vlan: true, linearPayload: 10, gsoSize: 5 });
  v6.linear[18 + 4] = 0xab;
  v6.linear[18 + 5] = 0xcd;
  const t = tsoStart(v6);
  assert.equal(t.ipv6, true);
  assert.equal(t.hdrLen, 18 + 40 + 20);
  assert.equal(t.ipId, 0xabcd, "ip_hdr(skb)->id is read even for IPv6");
});

Deno.test("tsoStart() rejects a non-GSO skb and headers outside the linear area", () => {
  assert.throws(
    () => tsoStart(build({ linearPayload: 10, gsoSize: 0 })),
    TsoHelperError,
  );
  const skb = build({ frags: [100], gsoSize: 50, thlen: 32 });
  assert.throws(
    () => tsoStart({ ...skb, linear: skb.linear.subarray(0, 40) }),
    {
      name: "TsoHelperError",
      message:
        "Cannot start TSO: L4 header at offset 34 is not in the 40-byte linear area",
    },
  );
  assert.throws(
    () => tsoStart({ ...skb, linear: skb.linear.subarray(0, 60) }),
    {
      name: "TsoHelperError",
      message:
        "Cannot start TSO: headers end at offset 66, past the 60-byte linear area",
    },
  );
});

Deno.test("tsoSegments() reproduces worked example A with tso.c's flag rules", () => {
  const skb = build({
    frags: [4000],
    gsoSize: 1448,
    thlen: 32,
    ipId: 0x1234,
    seq: 1000,
    flags: ACK | PSH | CWR,
    gsoType: SKB_GSO.TCPV4 | SKB_GSO.TCP_ECN,
  });
  const segs = [...tsoSegments(skb)];
  assert.deepEqual(segs.map((s) => s.payloadLen), [1448, 1448, 1104]);
  assert.deepEqual(segs.map((s) => getU16(s.header, 18)), [
    0x1234,
    0x1235,
    0x1236,
  ]);
  assert.deepEqual(segs.map((s) => getU16(s.header, 16)), [1500, 1500, 1156]);
  assert.deepEqual(segs.map((s) => getU32(s.header, 34 + 4)), [
    1000,
    2448,
    3896,
  ]);
  // GSO would clear CWR after segment 0; tso.c copies it to all
  assert.deepEqual(segs.map((s) => flagsOf(s.header, skb)), [
    ACK | CWR,
    ACK | CWR,
    ACK | PSH | CWR,
  ]);
  assert.deepEqual(segs.map((s) => s.isLast), [false, false, true]);
  assert.equal(tsoCountDescs(skb), 2 * 3 + 1);
});

Deno.test("tsoBuildHdr() increments the IPv4 ID even when the skb asks for a fixed ID", () => {
  for (const fixed of [SKB_GSO.TCP_FIXEDID, SKB_GSO.TCP_FIXEDID_MAP]) {
    const skb = build({
      frags: [3000],
      gsoSize: 1000,
      ipId: 0xfffe,
      gsoType: (SKB_GSO.TCPV4 | fixed) >>> 0,
    });
    const ids = [...tsoSegments(skb)].map((s) => getU16(s.header, 18));
    assert.deepEqual(
      ids,
      [0xfffe, 0xffff, 0x0000],
      "+1 per segment, 16-bit wrap",
    );
  }
});

Deno.test("tsoBuildHdr() leaves the IPv4 header checksum stale", () => {
  const skb = build({ frags: [3000], gsoSize: 1000, ipCsum: 0x5a5a });
  for (const s of tsoSegments(skb)) assert.equal(getU16(s.header, 24), 0x5a5a);
});

Deno.test("tsoBuildHdr() leaves the TCP checksum seed untouched", () => {
  const skb = build({ frags: [3000], gsoSize: 1000, l4Csum: 0x1357 });
  for (const s of tsoSegments(skb)) {
    assert.equal(getU16(s.header, 34 + 16), 0x1357);
  }
});

Deno.test("tsoBuildHdr() leaves extension headers out of IPv6 payload_len", () => {
  const skb = build({ v6: true, ext: 8, frags: [2500], gsoSize: 1000 });
  const segs = [...tsoSegments(skb)];
  // GSO would write 8 + 20 + size; tso.c writes 20 + size
  assert.deepEqual(segs.map((s) => getU16(s.header, 14 + 4)), [
    1020,
    1020,
    520,
  ]);
  assert.equal(segs[0]!.header.length, 14 + 48 + 20);
});

Deno.test("tsoBuildHdr() clears RST, PSH and FIN on non-last segments only", () => {
  const all = ACK | PSH | FIN | RST | CWR | ECE | URG;
  const skb = build({ frags: [3000], gsoSize: 1000, flags: all });
  const f = [...tsoSegments(skb)].map((s) => flagsOf(s.header, skb));
  assert.deepEqual(f, [ACK | CWR | ECE | URG, ACK | CWR | ECE | URG, all]);
});

Deno.test("tsoBuildHdr() sets only the length of a UDP header", () => {
  const skb = build({
    udp: true,
    frags: [2500],
    gsoSize: 1000,
    l4Csum: 0x4242,
    ipId: 9,
  });
  const segs = [...tsoSegments(skb)];
  assert.deepEqual(segs.map((s) => getU16(s.header, 34 + 4)), [
    1008,
    1008,
    508,
  ]);
  assert.deepEqual(segs.map((s) => getU16(s.header, 34 + 6)), [
    0x4242,
    0x4242,
    0x4242,
  ]);
  assert.deepEqual(segs.map((s) => getU16(s.header, 18)), [9, 10, 11]);
  assert.deepEqual(segs.map((s) => getU16(s.header, 16)), [1028, 1028, 528]);
});

Deno.test("tsoBuildHdr() rejects a header buffer shorter than hdr_len", () => {
  const skb = build({ frags: [100], gsoSize: 50 });
  const t = tsoStart(skb);
  assert.throws(
    () => tsoBuildHdr(skb, new Uint8Array(10), t, 50, false),
    TsoHelperError,
  );
});

Deno.test("tsoSegments() chunks payload at region boundaries across linear data and frags", () => {
  const skb = build({
    linearPayload: 100,
    frags: [1000, 500, 2000],
    gsoSize: 1448,
  });
  const segs = [...tsoSegments(skb)];
  assert.deepEqual(segs.map((s) => s.chunks.map((c) => c.length)), [
    [100, 1000, 348],
    [152, 1296],
    [704],
  ]);
  // chunks are views into the skb's own memory
  assert.equal(segs[0]!.chunks[0]!.buffer, skb.linear.buffer);
  assert.equal(segs[0]!.chunks[1]!.buffer, skb.frags[0]!.page.buffer);
  assert.equal(segs[1]!.chunks[0]!.byteOffset, 8 + 348);
  // the bytes, in order, are the payload
  let i = 0;
  for (const s of segs) {
    for (const c of s.chunks) for (const b of c) assert.equal(b, pat(i++));
  }
  assert.equal(i, 3600);
  assert.deepEqual(segs.map((s) => getU32(s.header, 34 + 4)), [
    1000,
    2448,
    3896,
  ]);
  assert.equal(tsoCountDescs(skb), 2 * 3 + 3);
});

Deno.test("tsoSegments() does not walk frag_list", () => {
  const member = build({ linearPayload: 1000, gsoSize: 1000 });
  const skb = build({ frags: [2000], gsoSize: 1000, fragList: [member] });
  const segs = [...tsoSegments(skb)];
  assert.deepEqual(segs.map((s) => s.payloadLen), [1000, 1000]);
  for (const s of segs) {
    for (const c of s.chunks) assert.equal(c.buffer, skb.frags[0]!.page.buffer);
  }
  assert.equal(segs.at(-1)!.isLast, true);
});

Deno.test("tsoSegments() builds every header in a caller's slot when given one", () => {
  const slot = new Uint8Array(256);
  const skb = build({ frags: [3000], gsoSize: 1000, ipId: 1 });
  const ids: number[] = [];
  for (const s of tsoSegments(skb, slot)) {
    assert.equal(s.header.buffer, slot.buffer);
    assert.equal(s.header.length, 54);
    ids.push(getU16(slot, 18));
  }
  assert.deepEqual(ids, [1, 2, 3]);
});

Deno.test("tsoSegments() rejects an empty fragment it cannot advance past", () => {
  const skb = build({ frags: [0, 100], gsoSize: 50 });
  assert.throws(() => [...tsoSegments(skb)], TsoHelperError);
});

Deno.test("tsoBuildData() refuses to run past the current region", () => {
  const skb = build({ linearPayload: 100, frags: [100], gsoSize: 150 });
  const t = tsoStart(skb);
  assert.throws(() => tsoBuildData(skb, t, 101), {
    name: "TsoHelperError",
    message:
      "Cannot advance TSO cursor by 101 bytes: only 100 left in the current region",
  });
  tsoBuildData(skb, t, 100);
  assert.equal(t.size, 100);
  assert.equal(t.nextFragIdx, 1);
  assert.equal(t.tcpSeq, 1100);
});

Deno.test("tsoCountDescs() is two per segment plus one per fragment", () => {
  assert.equal(
    tsoCountDescs(build({ frags: [10, 10, 10, 10], gsoSize: 1 })),
    2 * 40 + 4,
  );
});
