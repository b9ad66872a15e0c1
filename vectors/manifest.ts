/**
 * `vectors/golden/MANIFEST.json`: one entry per golden vector with its
 * scenario, origin, source, kernel release, SHA-256 and counts, rebuilt
 * from the files themselves so it can be checked against them.
 *
 * @module
 */

import { GoldenVectorError } from "./golden_error.ts";
import type { GoldenOrigin, GoldenSource } from "./golden_meta.ts";
import { readGoldenVector } from "./golden_vector.ts";

/**
 * Name of the manifest file in a golden-vector folder.
 *
 * @example
 * ```ts
 * import { MANIFEST_NAME } from "./manifest.ts";
 * const path = `vectors/golden/${MANIFEST_NAME}`; // "vectors/golden/MANIFEST.json"
 * ```
 */
export const MANIFEST_NAME = "MANIFEST.json";

/**
 * Format tag of the manifest.
 *
 * @example
 * ```ts
 * import { MANIFEST_FORMAT } from "./manifest.ts";
 * MANIFEST_FORMAT; // "tsolab-golden-manifest/1"
 * ```
 */
export const MANIFEST_FORMAT = "tsolab-golden-manifest/1";

/**
 * One golden vector in the manifest.
 *
 * @example
 * ```ts
 * import type { ManifestEntry } from "./manifest.ts";
 * const e: ManifestEntry = {
 *   file: "tcp4.pcapng", scenario: "tcp4", origin: "kernel", source: "socket",
 *   kernel_release: "6.18", bytes: 316008, sha256: "72248e…",
 *   super_packets: 7, segments: 104, pass_through: 4,
 * };
 * ```
 */
export interface ManifestEntry {
  /** File name in the folder. */
  file: string;
  /** Scenario from the section header. */
  scenario: string;
  /** Who made the expected frames. */
  origin: GoldenOrigin;
  /** How the super-packets reached the device. */
  source: GoldenSource;
  /** Kernel release of a kernel-made vector, else null. */
  kernel_release: string | null;
  /** File size. */
  bytes: number;
  /** SHA-256 of the file, lowercase hex. */
  sha256: string;
  /** Super-packets. */
  super_packets: number;
  /** Expected frames of the super-packets. */
  segments: number;
  /** Frames that pass through. */
  pass_through: number;
}

/**
 * The manifest.
 *
 * @example
 * ```ts
 * import type { Manifest } from "./manifest.ts";
 * const m: Manifest = { format: "tsolab-golden-manifest/1", total_bytes: 0, files: [] };
 * ```
 */
export interface Manifest {
  /** `tsolab-golden-manifest/1`. */
  format: string;
  /** Sum of the files' sizes. */
  total_bytes: number;
  /** One entry per `.pcapng` file, sorted by name. */
  files: ManifestEntry[];
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Builds the manifest of a folder from its `.pcapng` files (each read as a
 * golden vector).
 *
 * @param dir The folder.
 * @returns The manifest.
 * @throws {GoldenVectorError} When a file is not a valid golden vector.
 *
 * @example
 * ```ts
 * import { buildManifest } from "./manifest.ts";
 * import { findGenScenario, generateScenario } from "./generate.ts";
 * const dir = Deno.makeTempDirSync();
 * generateScenario(findGenScenario("accecn-tcp4")!, dir);
 * const m = await buildManifest(dir);
 * m.files.map((f) => [f.file, f.segments]); // [["accecn-tcp4.pcapng", 57]]
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function buildManifest(dir: string): Promise<Manifest> {
  const names = [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && e.name.endsWith(".pcapng"))
    .map((e) => e.name)
    .sort();
  const files: ManifestEntry[] = [];
  for (const file of names) {
    const path = `${dir}/${file}`;
    const bytes = Deno.readFileSync(path);
    const v = readGoldenVector(path);
    files.push({
      file,
      scenario: v.provenance.scenario,
      origin: v.provenance.origin,
      source: v.provenance.source,
      kernel_release: v.provenance.kernelRelease ?? null,
      bytes: bytes.length,
      sha256: await sha256(bytes),
      super_packets: v.superPackets,
      segments: v.segments,
      pass_through: v.passThrough,
    });
  }
  return {
    format: MANIFEST_FORMAT,
    total_bytes: files.reduce((n, f) => n + f.bytes, 0),
    files,
  };
}

/**
 * The manifest as written: JSON with two-space indent and a final newline.
 *
 * @param m The manifest.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatManifest } from "./manifest.ts";
 * formatManifest({ format: "tsolab-golden-manifest/1", total_bytes: 0, files: [] });
 * ```
 */
export function formatManifest(m: Manifest): string {
  return JSON.stringify(m, null, 2) + "\n";
}

/**
 * Rebuilds `DIR/MANIFEST.json` from the files.
 *
 * @param dir The golden-vector folder.
 * @returns The manifest written.
 * @throws {GoldenVectorError} When a file is not a valid golden vector.
 *
 * @example
 * ```ts
 * import { updateManifest } from "./manifest.ts";
 * import { findGenScenario, generateScenario } from "./generate.ts";
 * const dir = Deno.makeTempDirSync();
 * generateScenario(findGenScenario("accecn-tcp4")!, dir);
 * (await updateManifest(dir)).files.length; // 1
 * Deno.statSync(`${dir}/MANIFEST.json`).isFile; // true
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function updateManifest(dir: string): Promise<Manifest> {
  const m = await buildManifest(dir);
  Deno.writeTextFileSync(`${dir}/${MANIFEST_NAME}`, formatManifest(m));
  return m;
}

/**
 * Reads `DIR/MANIFEST.json`.
 *
 * @param dir The golden-vector folder.
 * @returns The manifest.
 * @throws {GoldenVectorError} When it is missing or not a manifest.
 *
 * @example
 * ```ts
 * import { readManifest, updateManifest } from "./manifest.ts";
 * import { findGenScenario, generateScenario } from "./generate.ts";
 * const dir = Deno.makeTempDirSync();
 * generateScenario(findGenScenario("accecn-tcp4")!, dir);
 * await updateManifest(dir);
 * readManifest(dir).files.map((f) => f.file); // ["accecn-tcp4.pcapng"]
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function readManifest(dir: string): Manifest {
  const path = `${dir}/${MANIFEST_NAME}`;
  let m: Manifest;
  try {
    m = JSON.parse(Deno.readTextFileSync(path));
  } catch (e) {
    throw new GoldenVectorError(
      `${path}: cannot read the manifest (${(e as Error).message})`,
      { path },
    );
  }
  if (m?.format !== MANIFEST_FORMAT || !Array.isArray(m.files)) {
    throw new GoldenVectorError(
      `${path}: not a golden-vector manifest (format ${
        JSON.stringify(m?.format)
      }, expected ${MANIFEST_FORMAT})`,
      { path },
    );
  }
  return m;
}

/**
 * Compares `DIR/MANIFEST.json` with the files: one line per difference
 * (a file missing from either side, a field that differs).
 *
 * @param dir The golden-vector folder.
 * @returns The differences; empty when the manifest matches.
 * @throws {GoldenVectorError} When the manifest or a file cannot be read.
 *
 * @example
 * ```ts
 * import { checkManifest, updateManifest } from "./manifest.ts";
 * import { findGenScenario, generateScenario } from "./generate.ts";
 * const dir = Deno.makeTempDirSync();
 * generateScenario(findGenScenario("accecn-tcp4")!, dir);
 * await updateManifest(dir);
 * generateScenario(findGenScenario("fixedid-tcp4")!, dir);
 * (await checkManifest(dir))[0]; // "fixedid-tcp4.pcapng: in the folder but not in MANIFEST.json"
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function checkManifest(dir: string): Promise<string[]> {
  const written = readManifest(dir);
  const actual = await buildManifest(dir);
  const out: string[] = [];
  const byName = new Map(written.files.map((f) => [f.file, f]));
  for (const a of actual.files) {
    const w = byName.get(a.file);
    if (w === undefined) {
      out.push(`${a.file}: in the folder but not in ${MANIFEST_NAME}`);
      continue;
    }
    byName.delete(a.file);
    for (const k of Object.keys(a) as (keyof ManifestEntry)[]) {
      if (w[k] !== a[k]) {
        out.push(
          `${a.file}: ${k} is ${JSON.stringify(w[k])} in ${MANIFEST_NAME}, ${
            JSON.stringify(a[k])
          } in the file`,
        );
      }
    }
  }
  for (const name of byName.keys()) {
    out.push(`${name}: in ${MANIFEST_NAME} but not in the folder`);
  }
  if (written.total_bytes !== actual.total_bytes) {
    out.push(
      `total_bytes is ${written.total_bytes} in ${MANIFEST_NAME}, ${actual.total_bytes} in the folder`,
    );
  }
  return out;
}
