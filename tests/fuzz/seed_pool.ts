/**
 * The captures the fuzzer mutates: the Linux kernel captures (as recorded,
 * and rewritten as little- and big-endian pcapng by the project's writer so
 * that real traffic also reaches the pcapng reader) and the hostile corpus.
 *
 * @module
 */

import { bytesSink } from "../../vectors/byte_sink.ts";
import { CaptureReader } from "../../vectors/capture_reader.ts";
import { PcapngWriter } from "../../vectors/pcapng_writer.ts";
import { type CapturePieces, splitCapture } from "./capture_pieces.ts";

/**
 * One seed capture, whole and cut into pieces.
 *
 * @example
 * ```ts ignore
 * const s: SeedCapture = { name: "tcp4.in.pcap", bytes, pieces: splitCapture(bytes) };
 * ```
 */
export interface SeedCapture {
  /** Where it came from (file name, plus `>pcapng-le` for rewrites). */
  name: string;
  /** The file. */
  bytes: Uint8Array;
  /** Its header, records and tail. */
  pieces: CapturePieces;
}

/** The kernel captures of the shared folder. */
export const KERNEL_CAPTURES_DIR: string =
  new URL("../../../shared/kernel-captures/", import.meta.url).pathname;

/** The hostile corpus of `tests/hostile/`. */
export const HOSTILE_DIR: string =
  new URL("../hostile/", import.meta.url).pathname;

function capturesIn(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && /\.pcap(ng)?$/.test(e.name))
      .map((e) => `${dir}${dir.endsWith("/") ? "" : "/"}${e.name}`)
      .sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/** Rewrites a readable capture as pcapng in the given byte order. */
function asPcapng(bytes: Uint8Array, littleEndian: boolean): Uint8Array {
  const sink = bytesSink();
  const w = new PcapngWriter(sink, { littleEndian });
  const r = CaptureReader.fromBytes(bytes);
  const ids = new Map<number, number>();
  for (const f of r.frames()) {
    let id = ids.get(f.linkType);
    if (id === undefined) {
      id = w.addInterface({ linkType: f.linkType, tsresolNs: true });
      ids.set(f.linkType, id);
    }
    w.write({
      data: f.data,
      origLen: f.origLen,
      timestampNs: f.timestampNs,
      interfaceId: id,
    });
  }
  return sink.bytes();
}

/**
 * Loads the seed captures: every `.pcap`/`.pcapng` of the given folders,
 * in name order, and a little- and a big-endian pcapng rewrite of each
 * kernel capture.
 *
 * @param dirs Folders to read (default: the kernel captures and the
 *   hostile corpus).
 * @returns The seeds, in a stable order (the fuzzer's cases depend on it).
 * @throws {Error} When no seed was found.
 *
 * @example
 * ```ts ignore
 * const pool = loadSeedPool();
 * pool.length; // 8 kernel captures × 3 + 66 hostile files
 * ```
 */
export function loadSeedPool(
  dirs: readonly string[] = [KERNEL_CAPTURES_DIR, HOSTILE_DIR],
): SeedCapture[] {
  const pool: SeedCapture[] = [];
  for (const dir of dirs) {
    for (const path of capturesIn(dir)) {
      const bytes = Deno.readFileSync(path);
      const name = path.slice(path.lastIndexOf("/") + 1);
      pool.push({ name, bytes, pieces: splitCapture(bytes) });
      if (dir === KERNEL_CAPTURES_DIR) {
        for (const le of [true, false]) {
          const ng = asPcapng(bytes, le);
          pool.push({
            name: `${name}>pcapng-${le ? "le" : "be"}`,
            bytes: ng,
            pieces: splitCapture(ng),
          });
        }
      }
    }
  }
  if (pool.length === 0) {
    throw new Error(`no seed captures in ${dirs.join(", ")}`);
  }
  return pool;
}
