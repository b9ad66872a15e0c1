/**
 * A minimal reader of classic pcap files as tcpdump writes them, tolerant of
 * a record still being written at the end (the capture tool polls files
 * while tcpdump runs). Only what the capture tool needs; the project's
 * streaming readers are in `vectors/`.
 *
 * Private to `vectors/capture/`.
 *
 * @module
 */

import { CaptureRunError } from "./errors.ts";

/** One record of a classic pcap file. */
export interface PcapRecord {
  /** 1-based record number. */
  number: number;
  /** The captured bytes. */
  data: Uint8Array;
  /** Original length on the wire. */
  origLen: number;
}

/** A parsed pcap file. */
export interface PcapScan {
  /** LINKTYPE of the file. */
  linkType: number;
  /** The complete records. */
  records: PcapRecord[];
  /** True when bytes of an incomplete record followed the last one. */
  truncatedTail: boolean;
}

/**
 * Parses classic pcap bytes (either byte order, micro- or nanosecond magic).
 *
 * @param bytes The file contents.
 * @param name File name for error messages.
 * @returns The link type and the complete records.
 * @throws {CaptureRunError} When the global header is missing or wrong.
 *
 * @example
 * ```ts
 * import { scanPcap } from "./_pcap_scan.ts";
 * const h = new Uint8Array(24);
 * new DataView(h.buffer).setUint32(0, 0xa1b2c3d4, true);
 * new DataView(h.buffer).setUint32(20, 1, true);
 * scanPcap(h, "empty.pcap").records.length; // 0
 * ```
 */
export function scanPcap(bytes: Uint8Array, name: string): PcapScan {
  if (bytes.length < 24) {
    throw new CaptureRunError(
      `Cannot read ${name}: ${bytes.length} bytes, shorter than the 24-byte pcap header`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, true);
  let le: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
  else {
    throw new CaptureRunError(
      `Cannot read ${name} at offset 0: magic 0x${
        magic.toString(16)
      } is not classic pcap`,
    );
  }
  const linkType = dv.getUint32(20, le) & 0x0fffffff;
  const records: PcapRecord[] = [];
  let off = 24;
  while (off + 16 <= bytes.length) {
    const incl = dv.getUint32(off + 8, le);
    const orig = dv.getUint32(off + 12, le);
    if (off + 16 + incl > bytes.length) break;
    records.push({
      number: records.length + 1,
      data: bytes.subarray(off + 16, off + 16 + incl),
      origLen: orig,
    });
    off += 16 + incl;
  }
  return { linkType, records, truncatedTail: off !== bytes.length };
}

/**
 * Reads and parses a classic pcap file.
 *
 * @param path The file.
 * @returns The link type and records.
 * @throws {CaptureRunError} When the file is not classic pcap.
 *
 * @example
 * ```ts
 * import { readPcap } from "./_pcap_scan.ts";
 * import { createCaptureWriter } from "../capture_writer.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".pcap" });
 * const w = createCaptureWriter(path, { linkType: 1 });
 * w.write({ data: new Uint8Array(60), timestampNs: 0n });
 * w.close();
 * const scan = await readPcap(path);
 * [scan.linkType, scan.records.length]; // [1, 1]
 * Deno.removeSync(path);
 * ```
 */
export async function readPcap(path: string): Promise<PcapScan> {
  return scanPcap(await Deno.readFile(path), path);
}
