/**
 * Splits a capture file into its header and its records (pcap) or blocks
 * (pcapng), leniently, so the fuzzer can cut windows of records, splice
 * records between files and find the length fields to edit. Whatever does
 * not split cleanly is kept as a tail.
 *
 * @module
 */

/**
 * A capture cut into pieces.
 *
 * @example
 * ```ts
 * import { splitCapture } from "./capture_pieces.ts";
 * const p = splitCapture(new Uint8Array([1, 2, 3]));
 * p.format; // "raw"
 * p.tail.length; // 3
 * ```
 */
export interface CapturePieces {
  /** What the magic number says; "raw" when it says neither. */
  format: "pcap" | "pcapng" | "raw";
  /** Byte order of the file header or first section. */
  le: boolean;
  /** pcap: the 24-byte file header. pcapng: every block before the first packet block. */
  head: Uint8Array;
  /** pcap records, or the pcapng blocks after `head`, each whole. */
  records: Uint8Array[];
  /** Bytes after the last whole record. */
  tail: Uint8Array;
}

const PCAPNG_PACKET_TYPES = [2, 3, 6];

/**
 * Cuts a capture into header, records and tail.
 *
 * @param b The file's bytes.
 * @returns The pieces (views into `b`).
 *
 * @example
 * ```ts ignore
 * import { splitCapture } from "./capture_pieces.ts";
 * const p = splitCapture(Deno.readFileSync("tcp4.in.pcap"));
 * p.records.length; // 48
 * ```
 */
export function splitCapture(b: Uint8Array): CapturePieces {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const empty = b.subarray(0, 0);
  if (b.length < 4) {
    return { format: "raw", le: true, head: empty, records: [], tail: b };
  }
  const magic = v.getUint32(0, false);
  if (
    (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d ||
      magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) && b.length >= 24
  ) {
    const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
    const records: Uint8Array[] = [];
    let p = 24;
    while (p + 16 <= b.length) {
      const cap = v.getUint32(p + 8, le);
      if (p + 16 + cap > b.length) break;
      records.push(b.subarray(p, p + 16 + cap));
      p += 16 + cap;
    }
    return {
      format: "pcap",
      le,
      head: b.subarray(0, 24),
      records,
      tail: b.subarray(p),
    };
  }
  if (magic === 0x0a0d0d0a && b.length >= 12) {
    let le = v.getUint32(8, true) === 0x1a2b3c4d;
    const firstLe = le;
    let p = 0;
    let headEnd = -1;
    const records: Uint8Array[] = [];
    while (p + 12 <= b.length) {
      const type = v.getUint32(p, le);
      if (type === 0x0a0d0d0a) le = v.getUint32(p + 8, true) === 0x1a2b3c4d;
      const total = v.getUint32(p + 4, le);
      if (total < 12 || total % 4 !== 0 || p + total > b.length) break;
      if (headEnd < 0 && PCAPNG_PACKET_TYPES.includes(type)) headEnd = p;
      if (headEnd >= 0) records.push(b.subarray(p, p + total));
      p += total;
    }
    if (headEnd < 0) headEnd = p;
    return {
      format: "pcapng",
      le: firstLe,
      head: b.subarray(0, headEnd),
      records,
      tail: b.subarray(p),
    };
  }
  return { format: "raw", le: true, head: empty, records: [], tail: b };
}
