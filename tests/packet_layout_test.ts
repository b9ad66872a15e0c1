/**
 * parsePacket(): the kernel captures (every frame parses; forward frames'
 * payload lengths match tshark), the VXLAN inner layers, frames that are not
 * TCP/UDP, every malformed-header error, and a cross-check against random
 * packets built with the encoders.
 */

import { defaultCapturesDir } from "../tb/verify_command.ts";
import assert from "node:assert/strict";
import fc from "fast-check";
import { setU16 } from "../sw/bytes.ts";
import { DecodeError } from "../sw/decode_error.ts";
import { encodeEthernet, type VlanTag } from "../sw/ethernet.ts";
import { encodeIpv4, ipv4HeaderChecksum } from "../sw/ipv4.ts";
import { encodeIpv6, type Ipv6ExtHeader } from "../sw/ipv6.ts";
import { encodeTcp } from "../sw/tcp.ts";
import { encodeUdp } from "../sw/udp.ts";
import { encodeVxlan, VXLAN_FLAG_I } from "../sw/vxlan.ts";
import { type PacketLayout, parsePacket } from "../sw/packet_layout.ts";

const CAPTURES = defaultCapturesDir();
const FORWARD_SOURCES = new Set(["10.77.0.1", "fd77::1", "10.78.0.1"]);

// --- a tiny classic-pcap walker (the project's reader is elsewhere) ------------

interface PcapRecord {
  number: number;
  data: Uint8Array;
}

/** Reads the records of a little-endian classic pcap file. */
function readPcap(path: string): { linkType: number; records: PcapRecord[] } {
  const b = Deno.readFileSync(path);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = dv.getUint32(0, true);
  assert.ok(
    magic === 0xa1b2c3d4 || magic === 0xa1b23c4d,
    `${path}: not a little-endian pcap`,
  );
  const linkType = dv.getUint32(20, true) & 0x0fffffff;
  const records: PcapRecord[] = [];
  let p = 24;
  while (p + 16 <= b.length) {
    const incl = dv.getUint32(p + 8, true);
    records.push({
      number: records.length + 1,
      data: b.subarray(p + 16, p + 16 + incl),
    });
    p += 16 + incl;
  }
  assert.equal(p, b.length, `${path}: trailing bytes after the last record`);
  return { linkType, records };
}

const captureFiles = [...Deno.readDirSync(CAPTURES)]
  .map((e) => e.name)
  .filter((n) => n.endsWith(".pcap"))
  .sort();

/** Runs tshark; null (with the reason printed) when it is not on PATH. */
function tshark(args: string[]): string | null {
  try {
    const out = new Deno.Command("tshark", {
      args,
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    if (!out.success) throw new Error(`tshark exited with ${out.code}`);
    return new TextDecoder().decode(out.stdout);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

const hasTshark = tshark(["-v"]) !== null;
if (!hasTshark) {
  console.log(
    "tshark is not on PATH: skipping the tshark cross-checks (hard-coded expectations still run)",
  );
}

// --- the kernel captures --------------------------------------------------------

Deno.test("parsePacket() parses every frame of the kernel captures without error", () => {
  assert.ok(captureFiles.length >= 8);
  for (const name of captureFiles) {
    const { linkType, records } = readPcap(`${CAPTURES}/${name}`);
    assert.equal(linkType, 1);
    for (const r of records) {
      try {
        const l = parsePacket(r.data, linkType);
        assert.ok(
          l.payloadOffset + l.payloadLen + l.trailerLen <= r.data.length,
        );
      } catch (e) {
        throw new Error(`${name} frame ${r.number}: ${e}`, { cause: e });
      }
    }
  }
});

for (const name of captureFiles) {
  Deno.test({
    name:
      `parsePacket() gives tshark's payload lengths for the forward frames of ${name}`,
    ignore: !hasTshark,
    fn() {
      const out = tshark([
        "-r",
        `${CAPTURES}/${name}`,
        "-T",
        "fields",
        "-E",
        "separator=|",
        "-e",
        "frame.number",
        "-e",
        "ip.src",
        "-e",
        "ipv6.src",
        "-e",
        "tcp.len",
        "-e",
        "udp.length",
        "-e",
        "vxlan.vni",
      ])!;
      const { linkType, records } = readPcap(`${CAPTURES}/${name}`);
      let checked = 0;
      for (const line of out.trim().split("\n")) {
        const [num, ip4, ip6, tcpLen, udpLen, vni] = line.split("|");
        const src = (ip4 || ip6 || "").split(",")[0]!;
        if (!FORWARD_SOURCES.has(src)) continue;
        const l = parsePacket(records[Number(num) - 1]!.data, linkType);
        const where = `${name} frame ${num}`;
        const udps = udpLen ? udpLen.split(",") : [];
        assert.equal(l.tunnel !== null, vni !== "", `${where}: tunnel`);
        if (tcpLen) {
          assert.equal(l.l4?.proto, 6, `${where}: TCP`);
          assert.equal(
            l.payloadLen,
            Number(tcpLen.split(",").at(-1)),
            `${where}: tcp.len`,
          );
        } else if (udps.length > (vni ? 1 : 0)) {
          assert.equal(l.l4?.proto, 17, `${where}: UDP`);
          assert.equal(
            l.payloadLen,
            Number(udps.at(-1)) - 8,
            `${where}: udp.length - 8`,
          );
        } else {
          assert.equal(l.l4, null, `${where}: no TCP/UDP`);
        }
        checked++;
      }
      assert.ok(checked > 0, `${name}: no forward frames`);
    },
  });
}

/** The layout of frame `n` of a capture. */
function captured(
  name: string,
  n: number,
): { data: Uint8Array; l: PacketLayout } {
  const { linkType, records } = readPcap(`${CAPTURES}/${name}`);
  const data = records[n - 1]!.data;
  return { data, l: parsePacket(data, linkType) };
}

Deno.test("parsePacket() gives tshark-verified layouts of TCP/IPv4, TCP/IPv6 and UDP/IPv4 super-packets", () => {
  const t4 = captured("tcp4.in.pcap", 14).l; // tshark: tcp.len 7240, tcp.hdr_len 32
  assert.equal(t4.l2Len, 14);
  assert.deepEqual(t4.outer, {
    version: 4,
    offset: 14,
    headerLen: 20,
    totalLen: 7292,
    proto: 6,
    extHeaders: [],
    jumbo: 0,
    fragment: false,
  });
  assert.deepEqual(t4.l4, { proto: 6, offset: 34, headerLen: 32 });
  assert.equal(t4.payloadOffset, 66);
  assert.equal(t4.payloadLen, 7240);
  const t6 = captured("tcp6.in.pcap", 13).l; // tshark: tcp.len 7140
  assert.equal(t6.outer?.version, 6);
  assert.equal(t6.outer?.totalLen, 7212);
  assert.deepEqual(t6.l4, { proto: 6, offset: 54, headerLen: 32 });
  assert.equal(t6.payloadLen, 7140);
  const u4 = captured("udp4-gso1200.in.pcap", 5).l; // tshark: udp.length 8408
  assert.deepEqual(u4.l4, { proto: 17, offset: 34, headerLen: 8 });
  assert.equal(u4.payloadLen, 8400);
  assert.equal(captured("udp4-gso1200.in.pcap", 14).l.payloadLen, 1201);
  assert.equal(captured("tcp6.out.pcap", 12).l.payloadLen, 1428);
});

Deno.test("parsePacket() finds the inner Ethernet, IPv4 and TCP of the VXLAN capture", () => {
  const { data, l } = captured("tcp4-vxlan.in.pcap", 21); // tshark: tcp.len 6890, udp.length 6972
  assert.equal(data.length, 7006);
  assert.deepEqual(l.tunnel, {
    udpOffset: 34,
    vxlanOffset: 42,
    vni: 7,
    innerMacOffset: 50,
    innerL2Len: 14,
    udpChecksum: 0,
  });
  assert.equal(l.outer?.proto, 17);
  assert.equal(l.outer?.totalLen, 6992);
  assert.deepEqual(l.inner, {
    version: 4,
    offset: 64,
    headerLen: 20,
    totalLen: 6942,
    proto: 6,
    extHeaders: [],
    jumbo: 0,
    fragment: false,
  });
  assert.deepEqual(l.l4, { proto: 6, offset: 84, headerLen: 32 });
  assert.equal(l.payloadOffset, 116);
  assert.equal(l.payloadLen, 6890);
  assert.equal(l.trailerLen, 0);
  assert.equal(l.ipLenZero, false);
});

Deno.test("parsePacket() keeps VXLAN frames carrying ARP or ICMPv6 with l4 null", () => {
  const arp = captured("tcp4-vxlan.in.pcap", 16).l; // tshark: ARP inside VXLAN
  assert.equal(arp.tunnel?.vni, 7);
  assert.equal(arp.inner, null);
  assert.equal(arp.l4, null);
  assert.equal(arp.payloadOffset, 64);
  assert.equal(arp.payloadLen, 28);
  const nd = captured("tcp4-vxlan.in.pcap", 6).l; // tshark: ICMPv6 inside VXLAN
  assert.equal(nd.inner?.version, 6);
  assert.equal(nd.inner?.proto, 58);
  assert.equal(nd.l4, null);
});

Deno.test("parsePacket() keeps IGMP with a Router Alert option and ICMP errors with l4 null", () => {
  const igmp = captured("tcp4-vxlan.in.pcap", 1).l;
  assert.equal(igmp.outer?.headerLen, 24);
  assert.equal(igmp.outer?.proto, 2);
  assert.equal(igmp.l4, null);
  assert.equal(igmp.payloadOffset, 38);
  assert.equal(igmp.payloadLen, 16);
  const icmp = captured("udp4-gso1200.in.pcap", 6).l;
  assert.equal(icmp.outer?.proto, 1);
  assert.equal(icmp.l4, null);
});

// --- building frames with the encoders -----------------------------------------------

const MAC_DST = new Uint8Array([2, 0, 0, 0, 0, 2]);
const MAC_SRC = new Uint8Array([2, 0, 0, 0, 0, 1]);
const V4_SRC = new Uint8Array([10, 77, 0, 1]);
const V4_DST = new Uint8Array([10, 77, 0, 2]);
const V6_SRC = new Uint8Array(16).fill(0xfd, 0, 1);
const V6_DST = new Uint8Array(16).fill(0xfd, 0, 1).fill(2, 15);

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function ethernet(tpids: readonly number[], etherType: number): Uint8Array {
  const tags: VlanTag[] = tpids.map((tpid, i) => ({
    tpid,
    pcp: i,
    dei: false,
    vid: 10 + i,
  }));
  const b = new Uint8Array(14 + 4 * tags.length);
  encodeEthernet(
    { dst: MAC_DST, src: MAC_SRC, tags, etherType, headerLen: 0 },
    b,
    0,
  );
  return b;
}

interface Ip4Opts {
  optWords?: number;
  totalLen?: number;
  mf?: boolean;
  fragOffset?: number;
  df?: boolean;
}

/** An IPv4 header for `bodyLen` bytes of payload. */
function ipv4(proto: number, bodyLen: number, o: Ip4Opts = {}): Uint8Array {
  const options = new Uint8Array(4 * (o.optWords ?? 0)).fill(1); // NOPs
  const b = new Uint8Array(20 + options.length);
  encodeIpv4(
    {
      ihl: 0,
      dscp: 0,
      ecn: 0,
      totalLen: o.totalLen ?? b.length + bodyLen,
      id: 1,
      reservedFlag: false,
      df: o.df ?? true,
      mf: o.mf ?? false,
      fragOffset: o.fragOffset ?? 0,
      ttl: 64,
      protocol: proto,
      checksum: 0,
      src: V4_SRC,
      dst: V4_DST,
      options,
    },
    b,
    0,
  );
  setU16(b, 10, ipv4HeaderChecksum(b, 0));
  return b;
}

interface ExtSpec {
  type: number;
  len: number;
  body?: Uint8Array;
}

/** An IPv6 header with extension headers for `bodyLen` bytes of upper-layer data. */
function ipv6(
  proto: number,
  bodyLen: number,
  exts: readonly ExtSpec[] = [],
  payloadLen?: number,
): Uint8Array {
  const extHeaders: Ipv6ExtHeader[] = exts.map((e) => {
    const bytes = new Uint8Array(e.len);
    if (e.body) bytes.set(e.body, 2);
    return { type: e.type, offset: 0, len: e.len, nextHeader: 0, bytes };
  });
  const extLen = exts.reduce((n, e) => n + e.len, 0);
  const b = new Uint8Array(40 + extLen);
  encodeIpv6(
    {
      trafficClass: 0,
      flowLabel: 1,
      payloadLen: payloadLen ?? extLen + bodyLen,
      hopLimit: 64,
      src: V6_SRC,
      dst: V6_DST,
      extHeaders,
      upperProtocol: proto,
      upperOffset: 0,
      headerLen: 0,
      jumbo: 0,
      fragment: null,
    },
    b,
    0,
  );
  return b;
}

function tcp(optWords = 0): Uint8Array {
  const options = new Uint8Array(4 * optWords).fill(1);
  const b = new Uint8Array(20 + options.length);
  encodeTcp(
    {
      srcPort: 40000,
      dstPort: 5201,
      seq: 1,
      ack: 1,
      dataOffset: 0,
      reserved: 0,
      flags: 0x18,
      window: 512,
      checksum: 0,
      urgent: 0,
      options,
      optionList: [],
    },
    b,
    0,
  );
  return b;
}

function udp(length: number, dstPort = 5000): Uint8Array {
  const b = new Uint8Array(8);
  encodeUdp({ srcPort: 33000, dstPort, length, checksum: 0x1234 }, b, 0);
  return b;
}

function vxlan(vni: number): Uint8Array {
  const b = new Uint8Array(8);
  encodeVxlan({ flags: VXLAN_FLAG_I, reserved1: 0, vni, reserved2: 0 }, b, 0);
  return b;
}

/** Ethernet + IPv4 + TCP with `n` payload bytes. */
function tcp4Frame(n: number): Uint8Array {
  return cat(ethernet([], 0x0800), ipv4(6, 20 + n), tcp(), new Uint8Array(n));
}

/** Ethernet + IPv6 + TCP with `n` payload bytes. */
function tcp6Frame(n: number): Uint8Array {
  return cat(ethernet([], 0x86dd), ipv6(6, 20 + n), tcp(), new Uint8Array(n));
}

/** Ethernet + IPv4 + UDP with `n` payload bytes. */
function udp4Frame(n: number, dstPort = 5000): Uint8Array {
  return cat(
    ethernet([], 0x0800),
    ipv4(17, 8 + n),
    udp(8 + n, dstPort),
    new Uint8Array(n),
  );
}

/** IPv4/UDP/VXLAN around Ethernet/IPv4/TCP with `n` payload bytes. */
function vxlanFrame(n: number, innerTags: readonly number[] = []): Uint8Array {
  const inner = cat(
    ethernet(innerTags, 0x0800),
    ipv4(6, 20 + n),
    tcp(),
    new Uint8Array(n),
  );
  return cat(
    ethernet([], 0x0800),
    ipv4(17, 16 + inner.length),
    udp(16 + inner.length, 4789),
    vxlan(7),
    inner,
  );
}

function assertDecodeError(
  fn: () => unknown,
  offset: number,
  field: string,
  text: RegExp,
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DecodeError, String(e));
    assert.equal(e.offset, offset, e.message);
    assert.equal(e.field, field, e.message);
    assert.match(e.message, text);
    return true;
  });
}

// --- frames that are not errors -----------------------------------------------------------

Deno.test("parsePacket() returns outer null for an ARP frame", () => {
  const f = cat(
    ethernet([0x8100], 0x0806),
    new Uint8Array(28),
    new Uint8Array(14),
  );
  const l = parsePacket(f, 1);
  assert.deepEqual(l, {
    linkHeaderLen: 0,
    macOffset: 0,
    l2Len: 18,
    vlanCount: 1,
    outer: null,
    tunnel: null,
    inner: null,
    l4: null,
    payloadOffset: 18,
    payloadLen: 42,
    ipLenZero: false,
    trailerLen: 0,
  });
});

Deno.test("parsePacket() counts Ethernet padding as trailer, not payload", () => {
  const f = cat(tcp4Frame(0), new Uint8Array(6)); // padded to 60 bytes
  const l = parsePacket(f, 1);
  assert.equal(l.payloadLen, 0);
  assert.equal(l.trailerLen, 6);
  const u = parsePacket(cat(udp4Frame(2), new Uint8Array(16)), 1);
  assert.equal(u.payloadLen, 2);
  assert.equal(u.trailerLen, 16);
});

Deno.test("parsePacket() leaves l4 null for IPv4 fragments and reports them", () => {
  for (const o of [{ mf: true }, { fragOffset: 185 }]) {
    const f = cat(ethernet([], 0x0800), ipv4(17, 100, o), new Uint8Array(100));
    const l = parsePacket(f, 1);
    assert.equal(l.outer?.fragment, true);
    assert.equal(l.l4, null);
    assert.equal(l.payloadOffset, 34);
    assert.equal(l.payloadLen, 100);
  }
});

Deno.test("parsePacket() stops at an IPv6 Fragment header and leaves l4 null", () => {
  const frag = new Uint8Array([0, 0, 0x05, 0xa0, 0, 0, 0, 1]); // offset 180, M=0
  const f = cat(
    ethernet([], 0x86dd),
    ipv6(6, 100, [{ type: 44, len: 8, body: frag.subarray(2) }]),
    new Uint8Array(100),
  );
  const l = parsePacket(f, 1);
  assert.equal(l.outer?.fragment, true);
  assert.deepEqual(l.outer?.extHeaders, [{ type: 44, offset: 54, len: 8 }]);
  assert.equal(l.outer?.headerLen, 48);
  assert.equal(l.outer?.proto, 6);
  assert.equal(l.l4, null);
});

Deno.test("parsePacket() reads ICMP and ICMPv6 without an error", () => {
  const icmp = parsePacket(
    cat(ethernet([], 0x0800), ipv4(1, 8), new Uint8Array(8)),
    1,
  );
  assert.equal(icmp.outer?.proto, 1);
  assert.equal(icmp.l4, null);
  const icmp6 = parsePacket(
    cat(
      ethernet([], 0x86dd),
      ipv6(58, 8, [{ type: 0, len: 8 }]),
      new Uint8Array(8),
    ),
    1,
  );
  assert.equal(icmp6.outer?.proto, 58);
  assert.equal(icmp6.l4, null);
  assert.equal(icmp6.payloadLen, 8);
});

Deno.test("parsePacket() takes a BIG TCP IPv4 length from the frame when tot_len is 0", () => {
  const f = cat(
    ethernet([], 0x0800),
    ipv4(6, 0, { totalLen: 0 }),
    tcp(3),
    new Uint8Array(70000),
  );
  const l = parsePacket(f, 1);
  assert.equal(l.ipLenZero, true);
  assert.equal(l.outer?.totalLen, 20 + 32 + 70000);
  assert.equal(l.payloadLen, 70000);
  assert.equal(l.trailerLen, 0);
});

Deno.test("parsePacket() reports the jumbo option of an IPv6 jumbogram with payload_len 0", () => {
  const jumbo = new Uint8Array([0xc2, 4, 0, 1, 0x11, 0x7c]); // 70012
  const f = cat(
    ethernet([], 0x86dd),
    ipv6(6, 0, [{ type: 0, len: 8, body: jumbo }], 0),
    tcp(),
    new Uint8Array(69984),
  );
  const l = parsePacket(f, 1);
  assert.equal(l.ipLenZero, true);
  assert.equal(l.outer?.jumbo, 70012);
  assert.equal(l.outer?.totalLen, 40 + 8 + 20 + 69984);
  assert.equal(l.payloadLen, 69984);
});

Deno.test("parsePacket() accepts a UDP length of 0 inside an IPv6 jumbogram", () => {
  const f = cat(
    ethernet([], 0x86dd),
    ipv6(17, 0, [{ type: 0, len: 8 }], 0),
    udp(0),
    new Uint8Array(70000),
  );
  const l = parsePacket(f, 1);
  assert.deepEqual(l.l4, { proto: 17, offset: 62, headerLen: 8 });
  assert.equal(l.payloadLen, 70000);
});

Deno.test("parsePacket() reads raw IP, LINKTYPE_IPV4/IPV6, SLL and SLL2 frames", () => {
  const ip4 = tcp4Frame(10).subarray(14);
  const ip6 = tcp6Frame(10).subarray(14);
  const sll = (proto: number) => {
    const b = new Uint8Array(16);
    setU16(b, 0, 4);
    setU16(b, 2, 1);
    setU16(b, 14, proto);
    return b;
  };
  const sll2 = (proto: number) => {
    const b = new Uint8Array(20);
    setU16(b, 0, proto);
    return b;
  };
  const cases: [Uint8Array, number, number, 4 | 6][] = [
    [ip4, 101, 0, 4],
    [ip6, 101, 0, 6],
    [ip4, 228, 0, 4],
    [ip6, 229, 0, 6],
    [cat(sll(0x0800), ip4), 113, 16, 4],
    [cat(sll2(0x86dd), ip6), 276, 20, 6],
  ];
  for (const [f, lt, linkLen, v] of cases) {
    const l = parsePacket(f, lt);
    assert.equal(l.linkHeaderLen, linkLen);
    assert.equal(l.macOffset, -1);
    assert.equal(l.l2Len, linkLen);
    assert.equal(l.outer?.version, v);
    assert.equal(l.outer?.offset, linkLen);
    assert.equal(l.l4?.proto, 6);
    assert.equal(l.payloadLen, 10);
  }
});

Deno.test("parsePacket() walks a VLAN tag re-inserted after an SLL header", () => {
  const hdr = new Uint8Array(20);
  setU16(hdr, 14, 0x8100);
  setU16(hdr, 16, 0x0064);
  setU16(hdr, 18, 0x0800);
  const l = parsePacket(cat(hdr, tcp4Frame(5).subarray(14)), 113);
  assert.equal(l.vlanCount, 1);
  assert.equal(l.l2Len, 20);
  assert.equal(l.payloadLen, 5);
});

Deno.test("parsePacket() parses VXLAN with inner QinQ tags and honours vxlanPorts", () => {
  const f = vxlanFrame(100, [0x88a8, 0x8100]);
  const l = parsePacket(f, 1);
  assert.equal(l.tunnel?.innerL2Len, 22);
  assert.equal(l.inner?.offset, 50 + 22);
  assert.equal(l.payloadLen, 100);
  const plain = parsePacket(f, 1, { vxlanPorts: [8472] });
  assert.equal(plain.tunnel, null);
  assert.equal(plain.l4?.proto, 17);
  const other = udp4Frame(60, 8472);
  other.set(vxlan(9), 42);
  assert.equal(parsePacket(other, 1, { vxlanPorts: [8472] }).tunnel?.vni, 9);
});

// --- errors, one per malformed header ------------------------------------------------------

Deno.test("parsePacket() rejects a truncated Ethernet header", () => {
  assertDecodeError(
    () => parsePacket(new Uint8Array(13), 1),
    0,
    "header",
    /^Cannot decode Ethernet header at offset 0: needs 14 bytes, 13 remain in the frame$/,
  );
});

Deno.test("parsePacket() rejects a truncated VLAN tag", () => {
  const f = ethernet([0x88a8, 0x8100], 0x0800).subarray(0, 20);
  assertDecodeError(
    () => parsePacket(f, 1),
    0,
    "vlan",
    /VLAN tag 2 at offset 16/,
  );
});

Deno.test("parsePacket() rejects a truncated IPv4 header", () => {
  assertDecodeError(
    () => parsePacket(tcp4Frame(0).subarray(0, 30), 1),
    14,
    "header",
    /IPv4 header at offset 14: needs 20 bytes, 16 remain in the frame/,
  );
});

Deno.test("parsePacket() rejects a truncated IPv6 header", () => {
  assertDecodeError(
    () => parsePacket(tcp6Frame(0).subarray(0, 50), 1),
    14,
    "header",
    /IPv6 header at offset 14: needs 40 bytes, 36 remain/,
  );
});

Deno.test("parsePacket() rejects an IPv4 IHL below 5", () => {
  const f = tcp4Frame(0);
  f[14] = 0x44;
  assertDecodeError(
    () => parsePacket(f, 1),
    14,
    "ihl",
    /^Cannot decode IPv4 header at offset 14: ihl 4 is below 5$/,
  );
});

Deno.test("parsePacket() rejects IPv4 options running past the frame", () => {
  const f = tcp4Frame(0).subarray(0, 40);
  f[14] = 0x47;
  assertDecodeError(
    () => parsePacket(f, 1),
    14,
    "ihl",
    /ihl 7 \(28 bytes\) runs past the end of the frame at offset 40/,
  );
});

Deno.test("parsePacket() rejects an IPv4 tot_len past the end of the frame", () => {
  const f = tcp4Frame(10);
  setU16(f, 16, 1500);
  assertDecodeError(
    () => parsePacket(f, 1),
    14,
    "tot_len",
    /tot_len 1500 ends at offset 1514, past the end of the frame at 64/,
  );
});

Deno.test("parsePacket() rejects an IPv4 tot_len smaller than the header", () => {
  const f = tcp4Frame(10);
  setU16(f, 16, 19);
  assertDecodeError(
    () => parsePacket(f, 1),
    14,
    "tot_len",
    /tot_len 19 is smaller than the header length 20/,
  );
});

Deno.test("parsePacket() rejects an IPv6 payload_len past the end of the frame", () => {
  const f = tcp6Frame(10);
  setU16(f, 18, 31);
  assertDecodeError(
    () => parsePacket(f, 1),
    14,
    "payload_len",
    /payload_len 31 ends at offset 85, past the end of the frame at 84/,
  );
});

Deno.test("parsePacket() rejects an IPv6 extension header running past the packet", () => {
  const f = cat(
    ethernet([], 0x86dd),
    ipv6(6, 20, [{ type: 60, len: 16 }]),
    tcp(),
  );
  f[55] = 4; // Destination Options hdrlen 4 → 40 bytes, only 36 are left in the packet
  assertDecodeError(
    () => parsePacket(f, 1),
    54,
    "hdrlen",
    /^Cannot decode IPv6 Destination Options header at offset 54: hdrlen 4 \(40 bytes\) runs past the end of the packet at offset 90$/,
  );
  const short = cat(
    ethernet([], 0x86dd),
    ipv6(59, 0, [], 4),
    new Uint8Array(4),
  );
  short[20] = 43; // next header Routing, but only 4 bytes follow
  assertDecodeError(
    () => parsePacket(short, 1),
    54,
    "header",
    /IPv6 Routing header at offset 54: needs 8 bytes, 4 remain/,
  );
});

Deno.test("parsePacket() rejects a truncated TCP header", () => {
  const f = cat(ethernet([], 0x0800), ipv4(6, 12), tcp().subarray(0, 12));
  assertDecodeError(
    () => parsePacket(f, 1),
    34,
    "header",
    /TCP header at offset 34: needs 20 bytes, 12 remain before the end of the packet at offset 46/,
  );
});

Deno.test("parsePacket() rejects a TCP data offset below 5", () => {
  const f = tcp4Frame(4);
  f[46] = 0x30;
  assertDecodeError(
    () => parsePacket(f, 1),
    34,
    "doff",
    /data offset 3 is below 5/,
  );
});

Deno.test("parsePacket() rejects a TCP data offset past the packet", () => {
  const f = cat(tcp4Frame(4), new Uint8Array(40)); // room in the frame, not in the packet
  f[46] = 0xf0;
  assertDecodeError(
    () => parsePacket(f, 1),
    34,
    "doff",
    /data offset 15 \(60 bytes\) runs past the end of the packet at offset 58/,
  );
});

Deno.test("parsePacket() rejects a truncated UDP header", () => {
  const f = cat(ethernet([], 0x0800), ipv4(17, 6), udp(8).subarray(0, 6));
  assertDecodeError(
    () => parsePacket(f, 1),
    34,
    "header",
    /UDP header at offset 34: needs 8 bytes, 6 remain/,
  );
});

Deno.test("parsePacket() rejects a UDP length below 8", () => {
  const f = udp4Frame(10);
  setU16(f, 38, 7);
  assertDecodeError(
    () => parsePacket(f, 1),
    34,
    "len",
    /^Cannot decode UDP header at offset 34: len 7 is below 8$/,
  );
});

Deno.test("parsePacket() rejects a UDP length past the IP packet", () => {
  const f = cat(udp4Frame(10), new Uint8Array(10)); // padding does not count
  setU16(f, 38, 19);
  assertDecodeError(
    () => parsePacket(f, 1),
    34,
    "len",
    /len 19 ends at offset 53, past the end of the IP packet at 52/,
  );
});

Deno.test("parsePacket() rejects an IPv4 EtherType carrying a version 6 header", () => {
  const f = tcp4Frame(0);
  f[14] = 0x65;
  assertDecodeError(
    () => parsePacket(f, 1),
    14,
    "version",
    /IPv4 header at offset 14: version 6 does not match EtherType 0x0800/,
  );
});

Deno.test("parsePacket() rejects an IPv6 EtherType carrying a version 4 header", () => {
  const f = tcp6Frame(0);
  f[14] = 0x45;
  assertDecodeError(
    () => parsePacket(f, 1),
    14,
    "version",
    /version 4 does not match EtherType 0x86dd/,
  );
  assertDecodeError(
    () => parsePacket(f.subarray(14), 229),
    0,
    "version",
    /version 4 does not match/,
  );
});

Deno.test("parsePacket() rejects a truncated VXLAN header", () => {
  const f = udp4Frame(4, 4789);
  assertDecodeError(
    () => parsePacket(f, 1),
    42,
    "header",
    /^Cannot decode VXLAN header at offset 42: needs 8 bytes, 4 remain in the UDP datagram$/,
  );
});

Deno.test("parsePacket() rejects a truncated inner Ethernet header", () => {
  const f = udp4Frame(18, 4789);
  f.set(vxlan(7), 42);
  assertDecodeError(
    () => parsePacket(f, 1),
    50,
    "header",
    /Ethernet header at offset 50: needs 14 bytes, 10 remain in the UDP datagram/,
  );
});

Deno.test("parsePacket() rejects an inner IPv4 tot_len past the UDP datagram", () => {
  const f = vxlanFrame(10);
  setU16(f, 66, 100);
  assertDecodeError(
    () => parsePacket(f, 1),
    64,
    "tot_len",
    /past the end of the UDP datagram at 114/,
  );
});

Deno.test("parsePacket() names an unsupported link type", () => {
  assertDecodeError(
    () => parsePacket(tcp4Frame(0), 147),
    0,
    "linktype",
    /link type 147 is not supported/,
  );
});

// --- cross-check against random packets built with the encoders ----------------------------

interface L3Spec {
  v6: boolean;
  optWords: number;
  exts: { type: number; len: number }[];
  tcp: boolean;
  tcpOptWords: number;
  payload: number;
  df: boolean;
}

interface FrameSpec {
  link: number;
  tags: number[];
  l3: L3Spec;
  vxlan: { tags: number[]; l3: L3Spec; vni: number } | null;
  pad: number;
}

const l3Arb: fc.Arbitrary<L3Spec> = fc.record({
  v6: fc.boolean(),
  optWords: fc.integer({ min: 0, max: 10 }),
  exts: fc.array(
    fc.record({
      type: fc.constantFrom(0, 43, 60),
      len: fc.integer({ min: 1, max: 4 }).map((n) => 8 * n),
    }),
    { maxLength: 3 },
  ),
  tcp: fc.boolean(),
  tcpOptWords: fc.integer({ min: 0, max: 10 }),
  payload: fc.integer({ min: 0, max: 400 }),
  df: fc.boolean(),
});

const tpidArb = fc.array(fc.constantFrom(0x8100, 0x88a8, 0x9100), {
  maxLength: 2,
});

const frameArb: fc.Arbitrary<FrameSpec> = fc.record({
  link: fc.constantFrom(1, 1, 1, 101, 113, 276),
  tags: tpidArb,
  l3: l3Arb,
  vxlan: fc.option(
    fc.record({
      tags: tpidArb,
      l3: l3Arb,
      vni: fc.integer({ min: 0, max: 0xffffff }),
    }),
    { freq: 2 },
  ),
  pad: fc.integer({ min: 0, max: 20 }),
});

/** IP + L4 + payload for a spec; `body` replaces the L4 payload when given. */
function buildIp(s: L3Spec, body?: Uint8Array, udpDst = 5000): Uint8Array {
  const proto = s.tcp && body === undefined ? 6 : 17;
  const payload = body ?? new Uint8Array(s.payload).fill(0xab);
  const l4 = proto === 6 ? tcp(s.tcpOptWords) : udp(8 + payload.length, udpDst);
  const l4Len = l4.length + payload.length;
  const ip = s.v6
    ? ipv6(proto, l4Len, s.exts)
    : ipv4(proto, l4Len, { optWords: s.optWords, df: s.df });
  return cat(ip, l4, payload);
}

function linkHeader(link: number, etherType: number): Uint8Array {
  const b = new Uint8Array(link === 113 ? 16 : link === 276 ? 20 : 0);
  if (link === 113) setU16(b, 14, etherType);
  if (link === 276) setU16(b, 0, etherType);
  return b;
}

function ipHeaderLen(s: L3Spec): number {
  return s.v6
    ? 40 + s.exts.reduce((n, e) => n + e.len, 0)
    : 20 + 4 * s.optWords;
}

Deno.test("parsePacket() layout matches the fields of random packets built with the encoders", () => {
  fc.assert(
    fc.property(frameArb, (s) => {
      const et = s.l3.v6 ? 0x86dd : 0x0800;
      const tags = s.link === 1 ? s.tags : [];
      const l2 = s.link === 1 ? ethernet(tags, et) : linkHeader(s.link, et);
      let innerFrame: Uint8Array | undefined;
      let innerL2Len = 0;
      if (s.vxlan) {
        const iet = s.vxlan.l3.v6 ? 0x86dd : 0x0800;
        const ie = ethernet(s.vxlan.tags, iet);
        innerL2Len = ie.length;
        innerFrame = cat(vxlan(s.vxlan.vni), ie, buildIp(s.vxlan.l3));
      }
      const ipPkt = buildIp(s.l3, innerFrame, s.vxlan ? 4789 : 5000);
      const frame = cat(l2, ipPkt, new Uint8Array(s.pad));
      const l = parsePacket(frame, s.link);

      const l2Len = l2.length;
      assert.equal(
        l.linkHeaderLen,
        s.link === 113 ? 16 : s.link === 276 ? 20 : 0,
      );
      assert.equal(l.macOffset, s.link === 1 ? 0 : -1);
      assert.equal(l.l2Len, l2Len);
      assert.equal(l.vlanCount, tags.length);
      assert.equal(l.trailerLen, s.pad);
      assert.equal(l.ipLenZero, false);
      const outer = l.outer!;
      assert.equal(outer.version, s.l3.v6 ? 6 : 4);
      assert.equal(outer.offset, l2Len);
      assert.equal(outer.headerLen, ipHeaderLen(s.l3));
      assert.equal(outer.totalLen, ipPkt.length);
      assert.equal(outer.fragment, false);
      let off = l2Len + 40;
      assert.deepEqual(
        outer.extHeaders,
        s.l3.v6
          ? s.l3.exts.map((e) => ({
            type: e.type,
            offset: (off += e.len) - e.len,
            len: e.len,
          }))
          : [],
      );
      let ip = s.l3;
      let ipOff = l2Len;
      if (s.vxlan) {
        const udpOffset = l2Len + ipHeaderLen(s.l3);
        assert.deepEqual(l.tunnel, {
          udpOffset,
          vxlanOffset: udpOffset + 8,
          vni: s.vxlan.vni,
          innerMacOffset: udpOffset + 16,
          innerL2Len,
          udpChecksum: 0x1234,
        });
        ip = s.vxlan.l3;
        ipOff = udpOffset + 16 + innerL2Len;
        assert.equal(l.inner?.offset, ipOff);
        assert.equal(l.inner?.version, ip.v6 ? 6 : 4);
        assert.equal(l.inner?.headerLen, ipHeaderLen(ip));
        assert.equal(l.inner?.proto, ip.tcp ? 6 : 17);
      } else {
        assert.equal(l.tunnel, null);
        assert.equal(l.inner, null);
      }
      const l4Off = ipOff + ipHeaderLen(ip);
      const l4Len = ip.tcp ? 20 + 4 * ip.tcpOptWords : 8;
      assert.deepEqual(l.l4, {
        proto: ip.tcp ? 6 : 17,
        offset: l4Off,
        headerLen: l4Len,
      });
      assert.equal(l.payloadOffset, l4Off + l4Len);
      assert.equal(l.payloadLen, ip.payload);
    }),
    { seed: 0x7501ab, numRuns: 400 },
  );
});
