/**
 * Round trips and decode errors of the header codecs: Ethernet with VLAN
 * tags, IPv4 with options, IPv6 with extension headers, TCP with every
 * option kind, UDP, VXLAN, and the link-header decoder.
 */

import assert from "node:assert/strict";
import { getU16, setU16 } from "../sw/bytes.ts";
import { DecodeError } from "../sw/decode_error.ts";
import { EncodeError } from "../sw/encode_error.ts";
import {
  decodeEthernet,
  encodeEthernet,
  ethernetEncodedLen,
} from "../sw/ethernet.ts";
import {
  decodeIpv4,
  encodeIpv4,
  ipv4EncodedLen,
  ipv4HeaderChecksum,
} from "../sw/ipv4.ts";
import { decodeIpv6, encodeIpv6, ipv6EncodedLen } from "../sw/ipv6.ts";
import {
  decodeTcp,
  decodeTcpOptions,
  encodeTcp,
  encodeTcpOptions,
  TCP_FLAGS,
  tcpEncodedLen,
  tcpOptionsEncodedLen,
} from "../sw/tcp.ts";
import { decodeUdp, encodeUdp, udpEncodedLen } from "../sw/udp.ts";
import { decodeVxlan, encodeVxlan, VXLAN_FLAG_I } from "../sw/vxlan.ts";
import { decodeLinkHeader, LINKTYPE } from "../sw/link_header.ts";

/** Bytes from a hex string with optional spaces. */
function h(s: string): Uint8Array {
  const t = s.replace(/\s+/g, "");
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

/** Places `header` at offset `pad` of a larger buffer, so offsets matter. */
function at(pad: number, header: Uint8Array, tail = 0): Uint8Array {
  const b = new Uint8Array(pad + header.length + tail).fill(0xee);
  b.set(header, pad);
  return b;
}

function assertDecodeError(
  fn: () => unknown,
  offset: number,
  field: string,
  text: RegExp,
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DecodeError, String(e));
    assert.equal(e.offset, offset);
    assert.equal(e.field, field);
    assert.match(e.message, text);
    return true;
  });
}

// --- Ethernet ---------------------------------------------------------------

const QINQ = h(
  "ffffffffffff 020000000001 88a8 a064 8100 300a 0800",
);

Deno.test("decodeEthernet() reads QinQ tags outermost first", () => {
  const b = at(3, QINQ, 20);
  const e = decodeEthernet(b, 3);
  assert.deepEqual(e.tags, [
    { tpid: 0x88a8, pcp: 5, dei: false, vid: 100 },
    { tpid: 0x8100, pcp: 1, dei: true, vid: 10 },
  ]);
  assert.equal(e.etherType, 0x0800);
  assert.equal(e.headerLen, 22);
  assert.deepEqual([...e.src], [2, 0, 0, 0, 0, 1]);
  assert.equal(e.dst.buffer, b.buffer, "addresses are views, not copies");
});

Deno.test("encodeEthernet() round-trips untagged, 802.1Q, QinQ and 0x9100 headers", () => {
  for (
    const hdr of [
      h("0a0b0c0d0e0f 010203040506 86dd"),
      h("0a0b0c0d0e0f 010203040506 8100 0fff 0806"),
      QINQ,
      h("0a0b0c0d0e0f 010203040506 9100 e001 8100 0002 86dd"),
    ]
  ) {
    const d = decodeEthernet(hdr, 0);
    assert.equal(ethernetEncodedLen(d), hdr.length);
    const out = new Uint8Array(hdr.length + 4);
    assert.equal(encodeEthernet(d, out, 4), hdr.length);
    assert.deepEqual(out.subarray(4), hdr);
  }
});

Deno.test("decodeEthernet() rejects a frame shorter than 14 bytes", () => {
  assertDecodeError(
    () => decodeEthernet(new Uint8Array(10), 0),
    0,
    "header",
    /needs 14 bytes, 10 remain/,
  );
});

Deno.test("decodeEthernet() rejects a VLAN tag cut off by the end of the frame", () => {
  assertDecodeError(
    () => decodeEthernet(QINQ.subarray(0, 19), 0),
    0,
    "vlan",
    /VLAN tag 2 at offset 16/,
  );
});

Deno.test("encodeEthernet() rejects a buffer that is too small", () => {
  const d = decodeEthernet(QINQ, 0);
  assert.throws(
    () => encodeEthernet(d, new Uint8Array(21), 0),
    (e: unknown) => {
      assert.ok(e instanceof EncodeError);
      assert.equal(e.field, "buffer");
      return true;
    },
  );
});

// --- IPv4 -------------------------------------------------------------------

// A textbook header with a known checksum (0xb861).
const IPV4_PLAIN = h("4500 0073 0000 4000 4011 b861 c0a80001 c0a800c7");
// IHL 8: Router Alert (94 04 0000), NOP, NOP, a timestamp option, EOL.
const IPV4_OPTS = h(
  "48b5 0064 1234 a000 0106 0000 0a000001 0a000002 94040000 01014404 05000000",
);

Deno.test("decodeIpv4() reads every field of a header with options", () => {
  const b = at(14, IPV4_OPTS, 8);
  const d = decodeIpv4(b, 14);
  assert.equal(d.ihl, 8);
  assert.equal(d.dscp, 0xb5 >>> 2);
  assert.equal(d.ecn, 1);
  assert.equal(d.totalLen, 100);
  assert.equal(d.id, 0x1234);
  assert.equal(d.reservedFlag, true);
  assert.equal(d.df, false);
  assert.equal(d.mf, true);
  assert.equal(d.fragOffset, 0);
  assert.equal(d.ttl, 1);
  assert.equal(d.protocol, 6);
  assert.deepEqual([...d.dst], [10, 0, 0, 2]);
  assert.equal(d.options.length, 12);
  assert.equal(d.options.byteOffset, 14 + 20, "options are a view");
});

Deno.test("encodeIpv4() round-trips headers with and without options", () => {
  for (
    const hdr of [
      IPV4_PLAIN,
      IPV4_OPTS,
      h("4f00 0050 ffff 3fff ff11 0000 01020304 05060708" + "01".repeat(40)),
    ]
  ) {
    const d = decodeIpv4(hdr, 0);
    assert.equal(ipv4EncodedLen(d), hdr.length);
    const out = new Uint8Array(hdr.length + 2);
    assert.equal(encodeIpv4(d, out, 2), hdr.length);
    assert.deepEqual(out.subarray(2), hdr);
  }
});

Deno.test("ipv4HeaderChecksum() computes the textbook value and covers options", () => {
  assert.equal(ipv4HeaderChecksum(at(7, IPV4_PLAIN), 7), 0xb861);
  const b = IPV4_OPTS.slice();
  setU16(b, 10, ipv4HeaderChecksum(b, 0));
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += getU16(b, i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  assert.equal(sum, 0xffff, "a header with its checksum sums to 0xffff");
  assert.equal(ipv4HeaderChecksum(b, 0), getU16(b, 10), "verifies");
  b[30] ^= 1; // flip an option bit
  assert.notEqual(ipv4HeaderChecksum(b, 0), getU16(b, 10));
});

Deno.test("decodeIpv4() rejects an IHL below 5", () => {
  const b = at(14, IPV4_PLAIN);
  b[14] = 0x44;
  assertDecodeError(
    () => decodeIpv4(b, 14),
    14,
    "ihl",
    /^Cannot decode IPv4 header at offset 14: ihl 4 is below 5$/,
  );
});

Deno.test("decodeIpv4() rejects a version other than 4", () => {
  const b = IPV4_PLAIN.slice();
  b[0] = 0x65;
  assertDecodeError(() => decodeIpv4(b, 0), 0, "version", /version 6 is not 4/);
});

Deno.test("decodeIpv4() rejects options that run past the buffer", () => {
  assertDecodeError(
    () => decodeIpv4(IPV4_OPTS.subarray(0, 28), 0),
    0,
    "ihl",
    /ihl 8 \(32 bytes\) runs past/,
  );
});

Deno.test("encodeIpv4() rejects options that are not a multiple of 4 bytes", () => {
  const d = { ...decodeIpv4(IPV4_PLAIN, 0), options: new Uint8Array(3) };
  assert.throws(() => encodeIpv4(d, new Uint8Array(40), 0), EncodeError);
});

// --- IPv6 -------------------------------------------------------------------

const SRC6 = "fd770000000000000000000000000001";
const DST6 = "fd770000000000000000000000000002";
// HBH (jumbo option + PadN) → Routing (hdrlen 1) → Dest opts → Fragment → TCP.
const IPV6_EXT = h(
  "6e312345 0000 00 40" + SRC6 + DST6 +
    "2b00 c204 00012345" + // HBH, 8 bytes, jumbo 0x12345
    "3c01 0401 00000000" + "ffeeddccbbaa9988" + // Routing, 16 bytes
    "2c00 0104 00000000" + // Dest options, PadN
    "0600 05a1 deadbeef", // Fragment: offset 180, M=1, id
);

Deno.test("decodeIpv6() walks Hop-by-Hop, Routing, Destination and Fragment headers", () => {
  const b = at(14, IPV6_EXT, 20);
  const d = decodeIpv6(b, 14);
  assert.equal(d.trafficClass, 0xe3);
  assert.equal(d.flowLabel, 0x12345);
  assert.equal(d.payloadLen, 0);
  assert.equal(d.hopLimit, 0x40);
  assert.deepEqual(
    d.extHeaders.map((e) => [e.type, e.offset, e.len, e.nextHeader]),
    [[0, 54, 8, 43], [43, 62, 16, 60], [60, 78, 8, 44], [44, 86, 8, 6]],
  );
  assert.equal(d.jumbo, 0x12345);
  assert.deepEqual(d.fragment, {
    offset: 180,
    more: true,
    identification: 0xdeadbeef,
  });
  assert.equal(d.upperProtocol, 6);
  assert.equal(d.upperOffset, 94);
  assert.equal(d.headerLen, 80);
});

Deno.test("encodeIpv6() round-trips a header with HBH, Routing and Destination headers", () => {
  for (const hdr of [IPV6_EXT, h("60000000 0014 06 40" + SRC6 + DST6)]) {
    const d = decodeIpv6(hdr, 0);
    assert.equal(ipv6EncodedLen(d), hdr.length);
    const out = new Uint8Array(hdr.length + 6);
    assert.equal(encodeIpv6(d, out, 6), hdr.length);
    assert.deepEqual(out.subarray(6), hdr);
  }
});

Deno.test("encodeIpv6() writes the next-header chain and hdrlen from the list", () => {
  const d = decodeIpv6(IPV6_EXT, 0);
  const reordered = {
    ...d,
    upperProtocol: 17,
    extHeaders: [d.extHeaders[2]!, d.extHeaders[1]!], // Dest, Routing
  };
  const out = new Uint8Array(ipv6EncodedLen(reordered));
  encodeIpv6(reordered, out, 0);
  const back = decodeIpv6(out, 0);
  assert.deepEqual(back.extHeaders.map((e) => [e.type, e.len]), [[60, 8], [
    43,
    16,
  ]]);
  assert.equal(back.upperProtocol, 17);
  assert.equal(out[6], 60);
});

Deno.test("decodeIpv6() rejects an extension header running past the packet", () => {
  const b = IPV6_EXT.slice();
  b[4 + 0] = 0;
  b[5] = 40; // payload_len 40: ends inside the Fragment header's successor
  b[48 + 1] = 9; // Routing hdrlen 9 → 80 bytes
  assertDecodeError(
    () => decodeIpv6(b, 0),
    48,
    "hdrlen",
    /IPv6 Routing header at offset 48: hdrlen 9 \(80 bytes\) runs past the end of the packet at offset 80/,
  );
});

Deno.test("decodeIpv6() rejects a version other than 6", () => {
  const b = IPV6_EXT.slice();
  b[0] = 0x4e;
  assertDecodeError(() => decodeIpv6(b, 0), 0, "version", /version 4 is not 6/);
});

// --- TCP --------------------------------------------------------------------

// doff 15: MSS, SACK-permitted, timestamps, NOP, window scale, SACK (1 block),
// an unknown kind 254 with 2 value bytes, EOL and 5 bytes of padding.
const TCP_ALL = h(
  "9c40 1451 11223344 55667788 f1 ff ffff abcd 0102" +
    "0204 05b4" + "0402" + "080a 00000001 00000002" + "01" + "0303 07" +
    "050a 00001000 00002000" + "fe04 beef" + "00 0000000000",
);

Deno.test("decodeTcp() reads every flag including AE and the reserved bits", () => {
  const d = decodeTcp(TCP_ALL, 0);
  assert.equal(d.srcPort, 40000);
  assert.equal(d.dstPort, 5201);
  assert.equal(d.seq, 0x11223344);
  assert.equal(d.ack, 0x55667788);
  assert.equal(d.dataOffset, 15);
  assert.equal(d.reserved, 0);
  const all = TCP_FLAGS.FIN | TCP_FLAGS.SYN | TCP_FLAGS.RST | TCP_FLAGS.PSH |
    TCP_FLAGS.ACK | TCP_FLAGS.URG | TCP_FLAGS.ECE | TCP_FLAGS.CWR |
    TCP_FLAGS.AE;
  assert.equal(d.flags, all);
  assert.equal(d.window, 0xffff);
  assert.equal(d.checksum, 0xabcd);
  assert.equal(d.urgent, 0x0102);
  const r = TCP_ALL.slice();
  r[12] = 0x5e; // reserved bits 111, AE clear
  const e = decodeTcp(r, 0);
  assert.equal(e.reserved, 7);
  assert.equal(e.flags & TCP_FLAGS.NS, 0);
});

Deno.test("decodeTcp() parses every option kind and keeps unknown ones", () => {
  const b = at(34, TCP_ALL);
  const list = decodeTcp(b, 34).optionList;
  assert.deepEqual(list.map((o) => [o.kind, o.offset - 54, o.len]), [
    [2, 0, 4],
    [4, 4, 2],
    [8, 6, 10],
    [1, 16, 1],
    [3, 17, 3],
    [5, 20, 10],
    [254, 30, 4],
    [0, 34, 6],
  ]);
  assert.equal(list[0]!.mss, 1460);
  assert.equal(list[2]!.tsval, 1);
  assert.equal(list[2]!.tsecr, 2);
  assert.equal(list[4]!.shift, 7);
  assert.deepEqual(list[5]!.sackBlocks, [{ left: 0x1000, right: 0x2000 }]);
  assert.deepEqual([...list[6]!.data!], [0xbe, 0xef]);
});

Deno.test("decodeTcpOptions() reads three SACK blocks", () => {
  const o = h(
    "0101 051a" + "00000001 00000002 00000003 00000004 00000005 00000006",
  );
  const list = decodeTcpOptions(o, 0, o.length);
  assert.deepEqual(list[2]!.sackBlocks, [
    { left: 1, right: 2 },
    { left: 3, right: 4 },
    { left: 5, right: 6 },
  ]);
});

Deno.test("encodeTcp() round-trips a header with all option kinds", () => {
  const d = decodeTcp(TCP_ALL, 0);
  assert.equal(tcpEncodedLen(d), 60);
  const out = new Uint8Array(64);
  assert.equal(encodeTcp(d, out, 4), 60);
  assert.deepEqual(out.subarray(4), TCP_ALL);
});

Deno.test("encodeTcpOptions() rebuilds the option bytes from the parsed list", () => {
  for (
    const opts of [
      TCP_ALL.subarray(20),
      h("0101 051a 00000001 00000002 00000003 00000004 00000005 00000006"),
      h("0101 080a 00000001 00000002 22"), // malformed: kind 34 without length
      h("0204 05b4 0301"), // malformed: window scale length 1
    ]
  ) {
    const list = decodeTcpOptions(opts, 0, opts.length);
    assert.equal(tcpOptionsEncodedLen(list), opts.length);
    const out = new Uint8Array(opts.length);
    assert.equal(encodeTcpOptions(list, out, 0), opts.length);
    assert.deepEqual(out, opts);
  }
  const built = new Uint8Array(12);
  encodeTcpOptions(
    [
      { kind: 1, offset: 0, len: 1 },
      { kind: 1, offset: 0, len: 1 },
      { kind: 8, offset: 0, len: 10, tsval: 0xfeedface, tsecr: 7 },
    ],
    built,
    0,
  );
  assert.deepEqual(built, h("0101 080a feedface 00000007"));
});

Deno.test("decodeTcp() rejects a data offset below 5", () => {
  const b = at(34, TCP_ALL);
  b[34 + 12] = 0x40;
  assertDecodeError(
    () => decodeTcp(b, 34),
    34,
    "doff",
    /^Cannot decode TCP header at offset 34: data offset 4 is below 5$/,
  );
});

Deno.test("decodeTcp() rejects a data offset past the buffer", () => {
  assertDecodeError(
    () => decodeTcp(TCP_ALL.subarray(0, 40), 0),
    0,
    "doff",
    /data offset 15 \(60 bytes\) runs past/,
  );
});

Deno.test("decodeTcp() rejects a header shorter than 20 bytes", () => {
  assertDecodeError(
    () => decodeTcp(TCP_ALL.subarray(0, 19), 0),
    0,
    "header",
    /needs 20 bytes, 19 remain/,
  );
});

Deno.test("encodeTcp() rejects options that are not a multiple of 4 bytes", () => {
  const d = { ...decodeTcp(TCP_ALL, 0), options: new Uint8Array(6) };
  assert.throws(() => encodeTcp(d, new Uint8Array(60), 0), (e: unknown) => {
    assert.ok(e instanceof EncodeError);
    assert.equal(e.field, "options");
    return true;
  });
});

// --- UDP, VXLAN ---------------------------------------------------------------

Deno.test("encodeUdp() round-trips a header", () => {
  const hdr = h("d431 12b5 0064 beef");
  const d = decodeUdp(at(5, hdr), 5);
  assert.deepEqual(d, {
    srcPort: 0xd431,
    dstPort: 4789,
    length: 100,
    checksum: 0xbeef,
  });
  const out = new Uint8Array(8);
  assert.equal(encodeUdp(d, out, 0), udpEncodedLen(d));
  assert.deepEqual(out, hdr);
});

Deno.test("decodeUdp() rejects a header shorter than 8 bytes", () => {
  assertDecodeError(
    () => decodeUdp(new Uint8Array(7), 0),
    0,
    "header",
    /UDP header at offset 0: needs 8 bytes, 7 remain/,
  );
});

Deno.test("encodeVxlan() round-trips a header with the I flag and reserved bits", () => {
  const hdr = h("08 abcdef 000007 5a");
  const d = decodeVxlan(hdr, 0);
  assert.deepEqual(d, {
    flags: VXLAN_FLAG_I,
    reserved1: 0xabcdef,
    vni: 7,
    reserved2: 0x5a,
  });
  const out = new Uint8Array(10);
  encodeVxlan(d, out, 2);
  assert.deepEqual(out.subarray(2), hdr);
});

Deno.test("decodeVxlan() rejects a header shorter than 8 bytes", () => {
  assertDecodeError(
    () => decodeVxlan(new Uint8Array(12), 6),
    6,
    "header",
    /VXLAN header at offset 6: needs 8 bytes, 6 remain/,
  );
});

// --- link headers -------------------------------------------------------------

Deno.test("decodeLinkHeader() finds the protocol of every supported link type", () => {
  const v4 = h("45");
  const v6 = h("60");
  const sll = h("0004 0001 0006 020000000001 0000 86dd");
  const sll2 = h("0800 0000 00000003 0001 04 06 0200000000010000");
  assert.deepEqual(decodeLinkHeader(new Uint8Array(14), 0, LINKTYPE.ETHERNET), {
    linkType: 1,
    headerLen: 0,
    ethernet: true,
    protocol: 0,
    packetType: -1,
  });
  assert.equal(decodeLinkHeader(v4, 0, LINKTYPE.RAW).protocol, 0x0800);
  assert.equal(decodeLinkHeader(v6, 0, LINKTYPE.RAW).protocol, 0x86dd);
  assert.equal(decodeLinkHeader(v6, 0, LINKTYPE.IPV4).protocol, 0x0800);
  assert.equal(decodeLinkHeader(v4, 0, LINKTYPE.IPV6).protocol, 0x86dd);
  assert.deepEqual(decodeLinkHeader(sll, 0, LINKTYPE.LINUX_SLL), {
    linkType: 113,
    headerLen: 16,
    ethernet: false,
    protocol: 0x86dd,
    packetType: 4,
  });
  assert.deepEqual(decodeLinkHeader(sll2, 0, LINKTYPE.LINUX_SLL2), {
    linkType: 276,
    headerLen: 20,
    ethernet: false,
    protocol: 0x0800,
    packetType: 4,
  });
});

Deno.test("decodeLinkHeader() names an unsupported link type", () => {
  assertDecodeError(
    () => decodeLinkHeader(new Uint8Array(20), 0, 0),
    0,
    "linktype",
    /link type 0 is not supported/,
  );
});

Deno.test("decodeLinkHeader() rejects a raw IP version that is neither 4 nor 6", () => {
  assertDecodeError(
    () => decodeLinkHeader(h("50"), 0, LINKTYPE.RAW),
    0,
    "version",
    /version 5 is neither 4 nor 6/,
  );
});

Deno.test("decodeLinkHeader() rejects a truncated SLL header", () => {
  assertDecodeError(
    () => decodeLinkHeader(new Uint8Array(15), 0, LINKTYPE.LINUX_SLL),
    0,
    "header",
    /SLL header at offset 0: needs 16 bytes, 15 remain/,
  );
});
