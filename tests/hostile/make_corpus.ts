/**
 * Builds the hostile-capture corpus of `tests/hostile/` from bytes, so that
 * every file can be regenerated and reviewed: truncated and oversized
 * pcap/pcapng headers and records, bad block lengths, trailer mismatches,
 * unusual but valid layouts, malformed headers inside frames, and
 * super-packets at the edges of gso_size. What `tsolab segment` must do
 * with each file is written by hand in `EXPECTED.json` beside them.
 *
 * Run it to (re)write the files:
 *
 * ```sh
 * deno run --allow-read --allow-write tests/hostile/make_corpus.ts
 * ```
 *
 * @module
 */

import { setU16 } from "../../sw/bytes.ts";
import { buildFrame, buildVxlan } from "../_build.ts";

/** First timestamp of every corpus capture, in seconds (2023-11-14). */
const T0 = 1_700_000_000;

// --- byte helpers -----------------------------------------------------------

/** A growable byte array written in one byte order. */
class Bytes {
  #buf = new Uint8Array(256);
  #len = 0;
  constructor(readonly le: boolean) {}

  get length(): number {
    return this.#len;
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let cap = this.#buf.length;
    while (cap < this.#len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.#buf.subarray(0, this.#len));
    this.#buf = b;
  }

  u8(v: number): this {
    this.#room(1);
    this.#buf[this.#len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.#room(2);
    new DataView(this.#buf.buffer).setUint16(this.#len, v, this.le);
    this.#len += 2;
    return this;
  }

  u32(v: number): this {
    this.#room(4);
    new DataView(this.#buf.buffer).setUint32(this.#len, v >>> 0, this.le);
    this.#len += 4;
    return this;
  }

  u64(v: bigint): this {
    this.#room(8);
    new DataView(this.#buf.buffer).setBigUint64(
      this.#len,
      BigInt.asUintN(64, v),
      this.le,
    );
    this.#len += 8;
    return this;
  }

  raw(b: Uint8Array): this {
    this.#room(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  pad4(): this {
    while (this.#len % 4 !== 0) this.u8(0);
    return this;
  }

  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// --- pcap -------------------------------------------------------------------

interface PcapHeaderOptions {
  le?: boolean;
  ns?: boolean;
  snapLen?: number;
  linkWord?: number;
  major?: number;
  minor?: number;
}

function pcapHeader(o: PcapHeaderOptions = {}): Uint8Array {
  const b = new Bytes(o.le ?? true);
  b.u32(o.ns ? 0xa1b23c4d : 0xa1b2c3d4);
  b.u16(o.major ?? 2).u16(o.minor ?? 4).u32(0).u32(0);
  b.u32(o.snapLen ?? 262144).u32(o.linkWord ?? 1);
  return b.bytes();
}

interface PcapRecordOptions {
  le?: boolean;
  ns?: boolean;
  capLen?: number;
  origLen?: number;
  second?: number;
}

function pcapRecord(data: Uint8Array, o: PcapRecordOptions = {}): Uint8Array {
  const b = new Bytes(o.le ?? true);
  b.u32(T0 + (o.second ?? 0)).u32(o.ns ? 123_456_789 : 123_456);
  b.u32(o.capLen ?? data.length).u32(o.origLen ?? data.length);
  return b.raw(data).bytes();
}

/** A pcap file (little-endian, µs, Ethernet) holding `frames`. */
function pcap(frames: Uint8Array[], o: PcapHeaderOptions = {}): Uint8Array {
  return concat(
    pcapHeader(o),
    ...frames.map((f, i) =>
      pcapRecord(f, { le: o.le ?? true, ns: o.ns ?? false, second: i })
    ),
  );
}

// --- pcapng -----------------------------------------------------------------

/** A block: type, body, and optionally wrong lengths. */
function block(
  le: boolean,
  type: number,
  body: Uint8Array,
  o: { total?: number; trailer?: number } = {},
): Uint8Array {
  const total = 12 + body.length;
  const b = new Bytes(le);
  b.u32(type).u32(o.total ?? total).raw(body).u32(
    o.trailer ?? o.total ?? total,
  );
  return b.bytes();
}

function shb(
  le = true,
  o: { major?: number; bom?: number; total?: number } = {},
): Uint8Array {
  const body = new Bytes(le);
  if (o.bom !== undefined) {
    // Written big-endian so the odd value is what a reader sees first.
    body.raw(new Uint8Array([o.bom >>> 24, o.bom >>> 16, o.bom >>> 8, o.bom]));
  } else body.u32(0x1a2b3c4d);
  body.u16(o.major ?? 1).u16(0).u64(-1n);
  return block(le, 0x0a0d0d0a, body.bytes(), { total: o.total });
}

interface IdbOptions {
  linkType?: number;
  snapLen?: number;
  /** Raw option list (code, value) pairs, endofopt added. */
  options?: [number, Uint8Array][];
  /** Options appended as given (no endofopt), for broken lists. */
  rawOptions?: Uint8Array;
}

function idb(le = true, o: IdbOptions = {}): Uint8Array {
  const body = new Bytes(le);
  body.u16(o.linkType ?? 1).u16(0).u32(o.snapLen ?? 262144);
  if (o.rawOptions !== undefined) body.raw(o.rawOptions);
  else if (o.options !== undefined) {
    for (const [code, v] of o.options) {
      body.u16(code).u16(v.length).raw(v).pad4();
    }
    body.u32(0);
  }
  return block(le, 1, body.bytes());
}

interface EpbOptions {
  iface?: number;
  units?: bigint;
  capLen?: number;
  origLen?: number;
  total?: number;
  trailer?: number;
}

function epb(le: boolean, data: Uint8Array, o: EpbOptions = {}): Uint8Array {
  const body = new Bytes(le);
  const units = o.units ?? BigInt(T0) * 1_000_000n;
  body.u32(o.iface ?? 0).u32(Number(units >> 32n)).u32(
    Number(units & 0xffffffffn),
  );
  body.u32(o.capLen ?? data.length).u32(o.origLen ?? data.length);
  body.raw(data).pad4();
  return block(le, 6, body.bytes(), o);
}

function spb(le: boolean, data: Uint8Array): Uint8Array {
  const body = new Bytes(le).u32(data.length).raw(data).pad4();
  return block(le, 3, body.bytes());
}

function obsoletePb(le: boolean, data: Uint8Array): Uint8Array {
  const body = new Bytes(le);
  const units = BigInt(T0) * 1_000_000n;
  body.u16(0).u16(0).u32(Number(units >> 32n)).u32(Number(units & 0xffffffffn));
  body.u32(data.length).u32(data.length).raw(data).pad4();
  return block(le, 2, body.bytes());
}

/** A pcapng file: one little-endian section, one Ethernet interface. */
function pcapng(frames: Uint8Array[], le = true): Uint8Array {
  return concat(
    shb(le),
    idb(le),
    ...frames.map((f, i) =>
      epb(le, f, { units: BigInt(T0 + i) * 1_000_000n + 123_456n })
    ),
  );
}

// --- frames -----------------------------------------------------------------

/** A TCP/IPv4 frame with `payloadLen` bytes of payload and a seeded checksum. */
function tcp4(payloadLen: number, seq = 1000): Uint8Array {
  return buildFrame({ payloadLen, seq, tcpOptionsLen: 12 }).frame;
}

function tcp6(payloadLen: number): Uint8Array {
  return buildFrame({ ipv6: true, payloadLen, tcpOptionsLen: 12 }).frame;
}

function udp4(payloadLen: number): Uint8Array {
  return buildFrame({ udp: true, payloadLen }).frame;
}

/** A 42-byte ARP request (not IP: passes through untouched). */
function arp(): Uint8Array {
  const f = new Uint8Array(42);
  f.fill(0xff, 0, 6);
  f.set([2, 0, 0, 0, 0, 1], 6);
  setU16(f, 12, 0x0806);
  f.set([0, 1, 8, 0, 6, 4, 0, 1], 14);
  f.set([2, 0, 0, 0, 0, 1, 10, 77, 0, 1], 22);
  f.set([0, 0, 0, 0, 0, 0, 10, 77, 0, 2], 32);
  return f;
}

/** Returns a copy of `f` changed by `edit`. */
function edited(f: Uint8Array, edit: (g: Uint8Array) => void): Uint8Array {
  const g = f.slice();
  edit(g);
  return g;
}

/** TCP/IPv6 with a 0 payload_len and no jumbo option: BIG TCP as Linux sends it. */
function bigTcp6(payloadLen: number): Uint8Array {
  const f = tcp6(payloadLen);
  setU16(f, 14 + 4, 0);
  return f;
}

/** TCP/IPv4 with tot_len 0: BIG TCP IPv4 (Linux 6.3+). */
function bigTcp4(payloadLen: number): Uint8Array {
  const f = tcp4(payloadLen);
  setU16(f, 14 + 2, 0);
  // IPv4 header checksum over the header as sent.
  setU16(f, 14 + 10, 0);
  let s = 0;
  for (let i = 0; i < 20; i += 2) s += (f[14 + i]! << 8) | f[14 + i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  setU16(f, 14 + 10, ~s & 0xffff);
  return f;
}

/** A TCP/IPv4 frame behind `n` 802.1Q tags. */
function vlanTcp4(n: number, payloadLen: number): Uint8Array {
  return buildFrame({ vlanTags: n, payloadLen, tcpOptionsLen: 12 }).frame;
}

// --- the corpus -------------------------------------------------------------

/**
 * Every corpus file by name, built from bytes. Deterministic: the same
 * bytes on every run.
 *
 * @returns Map from file name to contents, in a stable order.
 *
 * @example
 * ```ts ignore
 * import { hostileCorpus } from "./make_corpus.ts";
 * for (const [name, bytes] of hostileCorpus()) console.log(name, bytes.length);
 * ```
 */
export function hostileCorpus(): Map<string, Uint8Array> {
  const c = new Map<string, Uint8Array>();
  const good = [arp(), tcp4(200), tcp4(4000, 2000)];

  // Container: file level.
  c.set("empty.pcap", new Uint8Array(0));
  c.set("zeros.pcap", new Uint8Array(4096));
  c.set("magic_only_3_bytes.pcap", new Uint8Array([0xd4, 0xc3, 0xb2]));
  c.set("pcap_header_truncated.pcap", pcapHeader().subarray(0, 20));
  c.set("pcap_version_3_0.pcap", pcap(good, { major: 3, minor: 0 }));
  c.set(
    "pcap_linktype_reserved_bits.pcap",
    pcap(good, { linkWord: 0x00010001 }),
  );
  c.set(
    "pcap_record_header_truncated.pcap",
    concat(pcap(good), pcapRecord(arp()).subarray(0, 9)),
  );
  c.set(
    "pcap_final_record_truncated.pcap",
    concat(pcap(good), pcapRecord(tcp4(100), { second: 3 }).subarray(0, 60)),
  );
  c.set(
    "pcap_caplen_over_snaplen.pcap",
    concat(pcap([arp()], { snapLen: 96 }), pcapRecord(tcp4(200))),
  );
  c.set(
    "pcap_caplen_4gib.pcap",
    concat(
      pcap([arp()], { snapLen: 0 }),
      pcapRecord(arp(), { capLen: 0xffffffff }),
    ),
  );
  c.set(
    "pcap_origlen_below_caplen.pcap",
    concat(pcapHeader(), pcapRecord(tcp4(200), { origLen: 10 })),
  );
  c.set(
    "pcap_snapped_super_packet.pcap",
    concat(
      pcapHeader({ snapLen: 128 }),
      pcapRecord(tcp4(4000).subarray(0, 128), { origLen: 4066 }),
      pcapRecord(arp(), { second: 1 }),
    ),
  );
  c.set("pcap_big_endian_ns.pcap", pcap(good, { le: false, ns: true }));
  c.set("pcap_unknown_linktype.pcap", pcap(good, { linkWord: 147 }));
  c.set("pcap_zero_length_record.pcap", pcap([new Uint8Array(0), tcp4(100)]));
  c.set(
    "pcap_linktype_ipv4_no_ethernet.pcap",
    pcap([tcp4(4000).subarray(14), tcp4(100).subarray(14)], { linkWord: 228 }),
  );
  c.set(
    "pcap_snaplen0_300k_frame.pcap",
    pcap([
      edited(new Uint8Array(300_000), (f) => {
        f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
        setU16(f, 12, 0x88b5); // IEEE local experimental EtherType
      }),
    ], { snapLen: 0 }),
  );

  // Container: pcapng.
  c.set("pcapng_shb_truncated.pcapng", shb().subarray(0, 10));
  c.set(
    "pcapng_bad_byte_order_magic.pcapng",
    concat(shb(true, { bom: 0x12345678 }), idb()),
  );
  c.set(
    "pcapng_shb_version_2.pcapng",
    concat(shb(true, { major: 2 }), idb(), epb(true, arp())),
  );
  c.set(
    "pcapng_block_length_8.pcapng",
    concat(shb(), idb(), epb(true, arp()), epb(true, arp(), { total: 8 })),
  );
  c.set(
    "pcapng_block_length_not_multiple_of_4.pcapng",
    concat(shb(), idb(), epb(true, arp(), { total: 86 })),
  );
  c.set(
    "pcapng_trailer_mismatch.pcapng",
    concat(
      pcapng(good),
      epb(true, tcp4(100), { trailer: 0x0bad }),
    ),
  );
  c.set(
    "pcapng_skipped_block_trailer_mismatch.pcapng",
    concat(
      pcapng([arp()]),
      block(true, 0x00000bad, new Uint8Array(20), { trailer: 36 }),
      epb(true, arp()),
    ),
  );
  c.set("pcapng_packet_before_idb.pcapng", concat(shb(), epb(true, arp())));
  c.set(
    "pcapng_unknown_interface_id.pcapng",
    concat(shb(), idb(), epb(true, arp()), epb(true, arp(), { iface: 3 })),
  );
  c.set(
    "pcapng_caplen_over_snaplen.pcapng",
    concat(shb(), idb(true, { snapLen: 64 }), epb(true, tcp4(100))),
  );
  c.set(
    "pcapng_caplen_past_block.pcapng",
    concat(shb(), idb(), epb(true, arp(), { capLen: 5000 })),
  );
  c.set(
    "pcapng_block_length_4gib.pcapng",
    concat(shb(), idb(), epb(true, arp(), { total: 0xfffffffc })),
  );
  c.set(
    "pcapng_option_past_block.pcapng",
    concat(
      shb(),
      idb(true, {
        // if_name with a length of 200 in a block that has 4 bytes left.
        rawOptions: new Uint8Array([2, 0, 200, 0, 0x65, 0x74, 0x68, 0x30]),
      }),
      epb(true, arp()),
    ),
  );
  c.set(
    "pcapng_tsresol_power_of_2.pcapng",
    concat(
      shb(),
      idb(true, { options: [[9, new Uint8Array([0x80 | 10])]] }),
      epb(true, tcp4(4000), { units: BigInt(T0) * 1024n + 512n }),
      epb(true, arp(), { units: BigInt(T0) * 1024n + 1023n }),
    ),
  );
  c.set(
    "pcapng_tsresol_2_pow_minus_127.pcapng",
    concat(
      shb(),
      idb(true, { options: [[9, new Uint8Array([0xff])]] }),
      epb(true, tcp4(4000), { units: 0xffffffff_ffffffffn }),
    ),
  );
  c.set(
    "pcapng_timestamp_beyond_pcap.pcapng",
    concat(
      shb(),
      idb(true, { options: [[9, new Uint8Array([0])]] }),
      epb(true, arp(), { units: 1n << 40n }),
    ),
  );
  c.set(
    "pcapng_sections_both_byte_orders.pcapng",
    concat(
      shb(true),
      idb(true),
      epb(true, arp()),
      epb(true, tcp4(4000)),
      shb(false),
      idb(false),
      epb(false, tcp6(3000)),
      epb(false, tcp6(100)),
    ),
  );
  c.set(
    "pcapng_sections_different_linktypes.pcapng",
    concat(
      shb(true),
      idb(true),
      epb(true, tcp4(4000)),
      shb(false),
      idb(false, { linkType: 101 }),
      epb(false, tcp4(4000).subarray(14)),
    ),
  );
  c.set(
    "pcapng_unknown_linktype_after_good_frames.pcapng",
    concat(
      shb(),
      idb(),
      epb(true, arp()),
      epb(true, tcp4(4000)),
      idb(true, { linkType: 147 }),
      epb(true, new Uint8Array(64).fill(0x5a), { iface: 1 }),
    ),
  );
  c.set(
    "pcapng_simple_packet_blocks.pcapng",
    concat(
      shb(),
      idb(true, { snapLen: 0 }),
      spb(true, tcp4(4000)),
      spb(true, arp()),
    ),
  );
  c.set(
    "pcapng_obsolete_packet_block.pcapng",
    concat(shb(), idb(), obsoletePb(true, tcp4(4000))),
  );
  c.set(
    "pcapng_unknown_blocks_skipped.pcapng",
    concat(
      shb(),
      block(true, 4, new Uint8Array([0, 0, 0, 0])), // empty NRB
      idb(),
      block(true, 0x00000bad, new Uint8Array(32)), // a type nobody knows
      epb(true, tcp4(4000)),
      block(true, 5, new Uint8Array(12)), // ISB for interface 0
      block(true, 0x80000001, new Uint8Array(8)), // local use
      epb(true, arp()),
    ),
  );

  // Frames: malformed headers (each after one good frame).
  const bad = (name: string, frame: Uint8Array) =>
    c.set(name, pcap([arp(), frame]));
  bad("ethernet_runt_10_bytes.pcap", tcp4(100).subarray(0, 10));
  bad("ipv4_ihl_4.pcap", edited(tcp4(100), (f) => f[14] = 0x44));
  bad(
    "ipv4_ihl_15_past_frame.pcap",
    edited(tcp4(100), (f) => f[14] = 0x4f).subarray(0, 14 + 40),
  );
  bad(
    "ipv4_tot_len_past_frame.pcap",
    edited(tcp4(100), (f) => setU16(f, 16, 1500)),
  );
  bad(
    "ipv4_tot_len_below_ihl.pcap",
    edited(tcp4(100), (f) => setU16(f, 16, 12)),
  );
  bad("tcp_doff_4.pcap", edited(tcp4(100), (f) => f[14 + 20 + 12] = 0x40));
  bad(
    "tcp_doff_15_past_packet.pcap",
    edited(tcp4(10), (f) => f[14 + 20 + 12] = 0xf0),
  );
  bad("udp_len_7.pcap", edited(udp4(100), (f) => setU16(f, 14 + 20 + 4, 7)));
  bad(
    "udp_len_past_ip_packet.pcap",
    edited(udp4(4000), (f) => setU16(f, 14 + 20 + 4, 4100)),
  );
  bad(
    "ipv6_payload_len_past_frame.pcap",
    edited(tcp6(100), (f) => setU16(f, 14 + 4, 200)),
  );
  bad(
    "ipv6_ext_header_past_packet.pcap",
    edited(
      buildFrame({
        ipv6: true,
        payloadLen: 0,
        extHeaders: [{ type: 60, len: 16 }],
      })
        .frame,
      (f) => f[14 + 40 + 1] = 200,
    ),
  );
  {
    // VXLAN whose inner Ethernet frame is 6 bytes long.
    const v = buildVxlan({ payloadLen: 4000, gsoSize: 1448 }).frame;
    const cut = v.slice(0, 14 + 20 + 16 + 6);
    setU16(cut, 16, 20 + 16 + 6);
    setU16(cut, 14 + 20 + 4, 16 + 6);
    bad("vxlan_inner_frame_6_bytes.pcap", cut);
    // VXLAN whose inner IPv4 tot_len runs past the UDP datagram.
    bad(
      "vxlan_inner_ipv4_tot_len_past_datagram.pcap",
      edited(v, (f) => setU16(f, 14 + 20 + 16 + 14 + 2, 9000)),
    );
  }
  {
    // A chain of Destination Options headers that never ends within the frame.
    const f = buildFrame({
      ipv6: true,
      payloadLen: 0,
      extHeaders: Array.from({ length: 64 }, () => ({ type: 60, len: 8 })),
    }).frame;
    f[14 + 40 + 63 * 8] = 60; // the last one says another follows
    bad("ipv6_ext_chain_runs_off_the_end.pcap", f);
  }

  // Frames: unusual but valid.
  c.set(
    "ipv6_ext_chain_300_headers.pcap",
    pcap([
      buildFrame({
        ipv6: true,
        payloadLen: 4000,
        tcpOptionsLen: 12,
        extHeaders: [
          { type: 0, len: 8 },
          ...Array.from({ length: 299 }, () => ({ type: 60, len: 8 })),
        ],
      }).frame,
    ]),
  );
  c.set(
    "ipv4_fragments_above_gso_size.pcap",
    pcap([
      edited(tcp4(4000), (f) => setU16(f, 14 + 6, 0x2000)), // MF
      edited(udp4(3000), (f) => setU16(f, 14 + 6, 0x01f4)), // offset 4000
    ]),
  );
  c.set(
    "ipv6_fragment_header_above_gso_size.pcap",
    pcap([
      buildFrame({
        ipv6: true,
        payloadLen: 4000,
        extHeaders: [{ type: 44, len: 8 }],
      }).frame,
    ]),
  );
  c.set("vlan_20_tags_super_packet.pcap", pcap([vlanTcp4(20, 4000)]));
  c.set(
    "ipv4_trailing_bytes_super_packet.pcap",
    pcap([concat(tcp4(4000), new Uint8Array(100).fill(0xee))]),
  );
  c.set(
    "tcp_bad_checksum_pass_through.pcap",
    pcap([edited(tcp4(100), (f) => f[14 + 20 + 16] ^= 0x55)]),
  );
  c.set(
    "ipv4_options_40_bytes_super_packet.pcap",
    pcap([buildFrame({ payloadLen: 4000, ipOptionsLen: 40 }).frame]),
  );
  c.set(
    "vxlan_ipv6_in_ipv6_outer_checksum.pcap",
    pcap([
      buildVxlan({
        outerV6: true,
        innerV6: true,
        outerCsum: true,
        payloadLen: 4000,
        gsoSize: 1448,
      }).frame,
    ]),
  );
  c.set(
    "payload_at_gso_size_edges.pcap",
    pcap([tcp4(1448), udp4(1448), tcp4(1449), udp4(1449)]),
  );
  c.set("tcp4_3000_bytes.pcap", pcap([tcp4(3000), arp()]));
  c.set("big_tcp6_70000_bytes.pcap", pcap([bigTcp6(70_000), arp()]));
  c.set("big_tcp4_tot_len_0.pcap", pcap([bigTcp4(70_000), arp()]));
  c.set(
    "all_frames_malformed.pcap",
    pcap([tcp4(100).subarray(0, 10), edited(tcp4(100), (f) => f[14] = 0x44)]),
  );
  return c;
}

/**
 * Writes the corpus into a directory.
 *
 * @param dir Where to write (the folder of this script by default).
 * @returns The names written.
 *
 * @example
 * ```ts ignore
 * import { writeHostileCorpus } from "./make_corpus.ts";
 * writeHostileCorpus("/tmp/hostile");
 * ```
 */
export function writeHostileCorpus(
  dir: string = new URL(".", import.meta.url).pathname,
): string[] {
  const names: string[] = [];
  for (const [name, bytes] of hostileCorpus()) {
    Deno.writeFileSync(`${dir}/${name}`, bytes);
    names.push(name);
  }
  return names;
}

if (import.meta.main) {
  const names = writeHostileCorpus(Deno.args[0]);
  console.log(`wrote ${names.length} files`);
}
