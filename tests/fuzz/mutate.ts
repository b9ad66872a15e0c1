/**
 * Makes one fuzz input from the seed captures: a window of a few records
 * of one seed, then record-level edits (length fields of the record or
 * block and of the IP/TCP/UDP headers inside it, splices from other seeds,
 * duplicates, deletions), then byte-level edits (bit flips, interesting
 * bytes, a truncation). Deterministic for a given random stream.
 *
 * @module
 */

import type { Rng } from "./rng.ts";
import type { SeedCapture } from "./seed_pool.ts";

/**
 * One fuzz input and how it was made.
 *
 * @example
 * ```ts ignore
 * const input = buildCase(pool, caseRng(1, 0));
 * console.log(input.mutations.join("; "));
 * ```
 */
export interface FuzzInput {
  /** The capture file's bytes. */
  bytes: Uint8Array;
  /** `--gso-size` for the segment stage. */
  gsoSize: number;
  /** UDP ports taken as VXLAN. */
  vxlanPorts: number[];
  /** Which egress device (see `fuzz_case.ts`): 0 is the kernel captures'. */
  device: number;
  /** SKB_GSO_TCP_FIXEDID, SKB_GSO_TCP_ACCECN, legacy UFO. */
  fixedId: boolean;
  accecn: boolean;
  ufo: boolean;
  /** The seed and each edit, in order, for the failure report. */
  mutations: string[];
}

/** Largest input made, in bytes: keeps every case bounded. */
export const MAX_INPUT_BYTES = 512 * 1024;
/** Largest window of records taken from a seed. */
export const MAX_WINDOW_RECORDS = 6;

const INTERESTING_32 = [
  0,
  1,
  7,
  8,
  11,
  12,
  13,
  16,
  28,
  31,
  32,
  0x7f,
  0x80,
  0xff,
  0x100,
  0xffff,
  0x10000,
  0x40000,
  0x7fffffff,
  0x80000000,
  0xfffffff0,
  0xffffffff,
];
const INTERESTING_16 = [0, 1, 7, 8, 19, 20, 39, 40, 0x5dc, 0x7fff, 0xffff];
const INTERESTING_8 = [0, 1, 0x40, 0x45, 0x4f, 0x50, 0x60, 0x7f, 0x80, 0xff];

/** A length-like field of a record: offset from the record start, size, order. */
interface Field {
  name: string;
  at: number;
  size: 1 | 2 | 4;
  le: boolean;
}

function u(b: Uint8Array, f: Field): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (f.size === 1) return v.getUint8(f.at);
  if (f.size === 2) return v.getUint16(f.at, f.le);
  return v.getUint32(f.at, f.le);
}

function put(b: Uint8Array, f: Field, x: number): void {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (f.size === 1) v.setUint8(f.at, x & 0xff);
  else if (f.size === 2) v.setUint16(f.at, x & 0xffff, f.le);
  else v.setUint32(f.at, x >>> 0, f.le);
}

/** The fields worth editing in a record of the given format. */
function recordFields(
  rec: Uint8Array,
  format: "pcap" | "pcapng" | "raw",
  le: boolean,
): Field[] {
  const out: Field[] = [];
  let data = 0;
  if (format === "pcap") {
    out.push({ name: "caplen", at: 8, size: 4, le });
    out.push({ name: "origlen", at: 12, size: 4, le });
    data = 16;
  } else if (format === "pcapng") {
    out.push({ name: "block_total_length", at: 4, size: 4, le });
    out.push({ name: "block_trailer", at: rec.length - 4, size: 4, le });
    out.push({ name: "block_type", at: 0, size: 4, le });
    out.push({ name: "interface_id", at: 8, size: 4, le });
    out.push({ name: "epb_caplen", at: 20, size: 4, le });
    out.push({ name: "epb_origlen", at: 24, size: 4, le });
    data = 28;
  }
  // Ethernet + IPv4/IPv6 + TCP/UDP fields, assuming no VLAN tag and no IP
  // options: most seed frames look like that, and when they do not the
  // edit is just another corruption.
  const eth = data;
  const ip = eth + 14;
  const big = false;
  const ver = rec[ip] !== undefined ? rec[ip]! >>> 4 : 0;
  out.push({ name: "eth.type", at: eth + 12, size: 2, le: big });
  if (ver === 6) {
    out.push({ name: "ipv6.plen", at: ip + 4, size: 2, le: big });
    out.push({ name: "ipv6.nxt", at: ip + 6, size: 1, le: big });
    const l4 = ip + 40;
    out.push({ name: "tcp.doff", at: l4 + 12, size: 1, le: big });
    out.push({ name: "udp.length", at: l4 + 4, size: 2, le: big });
    out.push({ name: "ipv6.ext.len", at: l4 + 1, size: 1, le: big });
  } else {
    out.push({ name: "ip.ver_ihl", at: ip, size: 1, le: big });
    out.push({ name: "ip.len", at: ip + 2, size: 2, le: big });
    out.push({ name: "ip.frag", at: ip + 6, size: 2, le: big });
    out.push({ name: "ip.proto", at: ip + 9, size: 1, le: big });
    const l4 = ip + 20;
    out.push({ name: "tcp.doff", at: l4 + 12, size: 1, le: big });
    out.push({ name: "udp.length", at: l4 + 4, size: 2, le: big });
    out.push({ name: "udp.dstport", at: l4 + 2, size: 2, le: big });
    // VXLAN inner IPv4 of a plain outer IPv4/UDP frame.
    const inner = l4 + 8 + 8 + 14;
    out.push({ name: "inner.ip.len", at: inner + 2, size: 2, le: big });
    out.push({ name: "inner.ip.ver_ihl", at: inner, size: 1, le: big });
  }
  return out.filter((f) => f.at >= 0 && f.at + f.size <= rec.length);
}

/** The fields of a file header (pcap) or of the leading blocks (pcapng). */
function headFields(
  head: Uint8Array,
  format: "pcap" | "pcapng" | "raw",
  le: boolean,
): Field[] {
  if (format === "pcap") {
    return [
      { name: "pcap.version_major", at: 4, size: 2, le },
      { name: "pcap.snaplen", at: 16, size: 4, le },
      { name: "pcap.linktype", at: 20, size: 4, le },
    ].filter((f) => f.at + f.size <= head.length) as Field[];
  }
  if (format !== "pcapng") return [];
  const out: Field[] = [];
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let p = 0;
  while (p + 12 <= head.length) {
    const type = v.getUint32(p, le);
    const total = v.getUint32(p + 4, le);
    out.push({ name: `head@${p}.total`, at: p + 4, size: 4, le });
    if (type === 0x0a0d0d0a) {
      out.push({ name: `shb@${p}.bom`, at: p + 8, size: 4, le });
      out.push({ name: `shb@${p}.major`, at: p + 12, size: 2, le });
    } else if (type === 1) {
      out.push({ name: `idb@${p}.linktype`, at: p + 8, size: 2, le });
      out.push({ name: `idb@${p}.snaplen`, at: p + 12, size: 4, le });
      out.push({ name: `idb@${p}.opt`, at: p + 16, size: 4, le });
    }
    if (total < 12 || total % 4 !== 0) break;
    p += total;
  }
  return out.filter((f) => f.at + f.size <= head.length);
}

function interestingValue(rng: Rng, f: Field, old: number): number {
  switch (rng.int(5)) {
    case 0:
      return rng.pick(
        f.size === 4
          ? INTERESTING_32
          : f.size === 2
          ? INTERESTING_16
          : INTERESTING_8,
      );
    case 1:
      return old + rng.range(-8, 8);
    case 2:
      return old ^ (1 << rng.int(f.size * 8));
    case 3:
      return old * 2 + rng.int(2);
    default:
      return rng.u32();
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function pickGsoSize(rng: Rng): number {
  const r = rng.int(100);
  if (r < 30) return 1448;
  if (r < 40) return 1200;
  if (r < 45) return 536;
  if (r < 50) return 9000;
  if (r < 53) return 65535;
  if (r < 56) return rng.range(1, 63);
  return rng.range(64, 4000);
}

/**
 * Builds one input from the pool with the random stream `rng`.
 *
 * @param pool The seeds (not modified).
 * @param rng The case's random stream.
 * @returns The input, at most {@linkcode MAX_INPUT_BYTES} long.
 *
 * @example
 * ```ts ignore
 * import { caseRng } from "./rng.ts";
 * import { loadSeedPool } from "./seed_pool.ts";
 * const input = buildCase(loadSeedPool(), caseRng(42, 0));
 * ```
 */
export function buildCase(pool: readonly SeedCapture[], rng: Rng): FuzzInput {
  // Real traffic (multi-record seeds) most of the time; the hostile corpus,
  // mostly broken already, the rest.
  const rich = pool.filter((c) => c.pieces.records.length >= 8);
  const seed = rich.length > 0 && rng.chance(0.7)
    ? rng.pick(rich)
    : rng.pick(pool);
  const p = seed.pieces;
  const gsoSize = pickGsoSize(rng);
  const mutations: string[] = [`seed ${seed.name}`];
  // Tiny gso sizes make up to 65535 segments per frame: keep those windows short.
  const maxWindow = gsoSize < 64 ? 2 : MAX_WINDOW_RECORDS;
  const head = p.head.slice();
  let records: Uint8Array[] = [];
  let tail = new Uint8Array(0);
  if (p.records.length > 0) {
    const k = rng.range(1, Math.min(maxWindow, p.records.length));
    const start = rng.int(p.records.length - k + 1);
    records = p.records.slice(start, start + k).map((r) => r.slice());
    if (start + k === p.records.length) tail = p.tail.slice();
    mutations.push(`records ${start}..${start + k - 1} of ${p.records.length}`);
  } else {
    tail = p.tail.slice();
    mutations.push("whole file");
  }
  // Record-level edits.
  const edits = rng.int(4);
  for (let e = 0; e < edits; e++) {
    const kind = rng.int(100);
    if (kind < 45 && records.length > 0) {
      const i = rng.int(records.length);
      const fields = recordFields(records[i]!, p.format, p.le);
      if (fields.length === 0) continue;
      // Record and block lengths a third of the time, header fields of the
      // frame inside the rest.
      const framing = fields.filter((f) => !f.name.includes("."));
      const inner = fields.filter((f) => f.name.includes("."));
      const f = rng.pick(
        inner.length > 0 && (framing.length === 0 || rng.chance(0.67))
          ? inner
          : framing,
      );
      const old = u(records[i]!, f);
      const x = interestingValue(rng, f, old);
      put(records[i]!, f, x);
      mutations.push(`record ${i} ${f.name} ${old} -> ${u(records[i]!, f)}`);
    } else if (kind < 52 && head.length > 0) {
      const fields = headFields(head, p.format, p.le);
      if (fields.length === 0) continue;
      const f = rng.pick(fields);
      const old = u(head, f);
      put(head, f, interestingValue(rng, f, old));
      mutations.push(`${f.name} ${old} -> ${u(head, f)}`);
    } else if (kind < 75) {
      const other = rng.pick(pool);
      if (other.pieces.records.length === 0) continue;
      const r = rng.pick(other.pieces.records).slice();
      const at = rng.int(records.length + 1);
      records.splice(at, 0, r);
      mutations.push(`splice a record of ${other.name} at ${at}`);
    } else if (kind < 85 && records.length > 0) {
      const i = rng.int(records.length);
      const n = rng.range(1, gsoSize < 64 ? 1 : 8);
      for (let j = 0; j < n; j++) records.splice(i, 0, records[i]!.slice());
      mutations.push(`duplicate record ${i} ${n} times`);
    } else if (kind < 92 && records.length > 1) {
      const i = rng.int(records.length);
      records.splice(i, 1);
      mutations.push(`delete record ${i}`);
    } else if (records.length > 0) {
      // Splice a raw chunk of another seed over a record's bytes.
      const other = rng.pick(pool).bytes;
      const i = rng.int(records.length);
      const r = records[i]!;
      const len = Math.min(r.length, other.length, rng.range(1, 64));
      const from = rng.int(other.length - len + 1);
      const to = rng.int(r.length - len + 1);
      r.set(other.subarray(from, from + len), to);
      mutations.push(`overwrite ${len} bytes of record ${i} at ${to}`);
    }
  }
  let bytes = concat([head, ...records, tail]);
  // Byte-level edits.
  const flips = rng.chance(0.5) ? 0 : rng.range(1, 3);
  for (let e = 0; e < flips && bytes.length > 0; e++) {
    let at: number;
    if (rng.chance(0.6) && records.length > 0) {
      // Near the start of a record, where the headers are.
      let o = head.length;
      const i = rng.int(records.length);
      for (let j = 0; j < i; j++) o += records[j]!.length;
      at = Math.min(bytes.length - 1, o + rng.int(96));
    } else at = rng.int(bytes.length);
    if (rng.chance(0.5)) {
      const bit = rng.int(8);
      bytes[at]! ^= 1 << bit;
      mutations.push(`flip bit ${bit} of byte ${at}`);
    } else {
      const x = rng.pick(INTERESTING_8);
      bytes[at] = x;
      mutations.push(`byte ${at} = ${x}`);
    }
  }
  if (bytes.length > MAX_INPUT_BYTES) {
    bytes = bytes.slice(0, MAX_INPUT_BYTES);
    mutations.push(`cut to ${MAX_INPUT_BYTES} bytes`);
  }
  if (rng.chance(0.1) && bytes.length > 0) {
    const n = rng.int(bytes.length);
    bytes = bytes.slice(0, n);
    mutations.push(`truncate to ${n} bytes`);
  }
  const vxlanPorts = rng.chance(0.9) ? [4789] : [4789, rng.range(1, 65535)];
  const device = rng.chance(0.6) ? 0 : rng.range(1, 4);
  const fixedId = rng.chance(0.1);
  const accecn = rng.chance(0.1);
  const ufo = rng.chance(0.1);
  mutations.push(
    `gso-size ${gsoSize} device ${device}${fixedId ? " fixed-id" : ""}${
      accecn ? " accecn" : ""
    }${ufo ? " ufo" : ""}`,
  );
  return {
    bytes,
    gsoSize,
    vxlanPorts,
    device,
    fixedId,
    accecn,
    ufo,
    mutations,
  };
}
