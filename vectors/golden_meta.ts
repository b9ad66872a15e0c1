/**
 * What a golden vector says about itself, as text: the `key=value` comment
 * of each ingress frame (gso_size, gso_type, checksum offsets, the egress
 * device's features, origin, and the number of expected frames that
 * follow) and the provenance in the section header.
 *
 * @module
 */

import config from "../deno.json" with { type: "json" };
import { gsoTypeNames, parseGsoTypeNames } from "../sw/types.ts";
import { GoldenVectorError } from "./golden_error.ts";

/**
 * `tsolab 0.1.0`: the tool and version that write golden vectors.
 *
 * @example
 * ```ts
 * import { TSOLAB_VERSION } from "./golden_meta.ts";
 * TSOLAB_VERSION.startsWith("tsolab "); // true
 * ```
 */
export const TSOLAB_VERSION = `tsolab ${config.version}`;

/**
 * The format tag in every golden vector's section header.
 *
 * @example
 * ```ts
 * import { GOLDEN_FORMAT } from "./golden_meta.ts";
 * GOLDEN_FORMAT; // "tsolab-golden/1"
 * ```
 */
export const GOLDEN_FORMAT = "tsolab-golden/1";

/**
 * Who made the expected frames: a Linux kernel (captured) or the project's
 * software reference (generated where the kernel cannot be driven).
 *
 * @example
 * ```ts
 * import type { GoldenOrigin } from "./golden_meta.ts";
 * const o: GoldenOrigin = "kernel";
 * ```
 */
export type GoldenOrigin = "kernel" | "reference";

/**
 * How the super-packets reached the egress device: from a socket of the
 * stack, or injected through a tap with a virtio_net_hdr.
 *
 * @example
 * ```ts
 * import type { GoldenSource } from "./golden_meta.ts";
 * const s: GoldenSource = "tap";
 * ```
 */
export type GoldenSource = "socket" | "tap";

/**
 * How a reference-made super-packet's bytes are spread over its skb: the
 * linear part, then page fragments of these sizes (the last one runs to
 * the end). Written `layout=HEADLEN:F1,F2,…`.
 *
 * @example
 * ```ts
 * import type { SkbLayoutSpec } from "./golden_meta.ts";
 * const l: SkbLayoutSpec = { headLen: 40, frags: [26, 1, 1, 1000] };
 * ```
 */
export interface SkbLayoutSpec {
  /** Bytes in the linear area, from the start of the frame. */
  headLen: number;
  /** Sizes of the page fragments, in order. */
  frags: number[];
}

/**
 * The metadata of one super-packet: what the skb carried besides its bytes,
 * and the egress device that segmented it.
 *
 * @example
 * ```ts
 * import type { SuperPacketMeta } from "./golden_meta.ts";
 * import { SKB_GSO } from "../sw/types.ts";
 * const m: SuperPacketMeta = {
 *   gsoSize: 1448, gsoType: SKB_GSO.TCPV4, csumStart: 34, csumOffset: 16,
 *   features: ["tx-scatter-gather", "tx-generic-segmentation"],
 *   origin: "kernel", source: "socket",
 * };
 * ```
 */
export interface SuperPacketMeta {
  /** `gso_size`: payload bytes per segment. */
  gsoSize: number;
  /** `gso_type`: SKB_GSO_* bits. */
  gsoType: number;
  /** `csum_start`, from the start of the frame. */
  csumStart: number;
  /** `csum_offset`, from csum_start. */
  csumOffset: number;
  /** Enabled ethtool features of the egress device (`dev->features`). */
  features: string[];
  /** Who made the expected frames. */
  origin: GoldenOrigin;
  /** How the super-packet reached the device. */
  source: GoldenSource;
  /** The skb's linear/frag layout (reference-made vectors). */
  layout?: SkbLayoutSpec;
  /** Seed the super-packet was built from (reference-made vectors). */
  seed?: number;
  /** `dev->hw_enc_features` when it differs from `features`. */
  encFeatures?: string[];
  /** `dev->gso_partial_features`, for a GSO_PARTIAL device. */
  partialFeatures?: string[];
  /**
   * Identification of the Fragment header of IPv6 UFO fragments (the
   * kernel draws it from a keyed hash, so a reproduction must be told).
   */
  ufo6FragId?: number;
}

/**
 * The parsed comment of one ingress frame.
 *
 * @example
 * ```ts
 * import type { GoldenMeta } from "./golden_meta.ts";
 * const passThrough: GoldenMeta = { segments: 1, superPacket: null, extra: {} };
 * ```
 */
export interface GoldenMeta {
  /** How many expected egress frames follow the ingress frame. */
  segments: number;
  /** The super-packet's metadata, or null for a frame that passes through. */
  superPacket: SuperPacketMeta | null;
  /** Keys this version does not know, kept as they were. */
  extra: Record<string, string>;
}

/**
 * Where a vector came from, as its section header records it.
 *
 * @example
 * ```ts
 * import type { GoldenProvenance } from "./golden_meta.ts";
 * const p: GoldenProvenance = {
 *   scenario: "tcp4", origin: "kernel", source: "socket", kernelRelease: "6.18",
 *   command: "tcpdump -i p2 -w tcp4.out.pcap", toolVersion: "tsolab 0.1.0",
 *   extra: {},
 * };
 * ```
 */
export interface GoldenProvenance {
  /** Scenario name (the file is `SCENARIO.pcapng`). */
  scenario: string;
  /** Who made the expected frames. */
  origin: GoldenOrigin;
  /** How the super-packets reached the device. */
  source: GoldenSource;
  /** `uname -r` of the kernel that made them (kernel vectors). */
  kernelRelease?: string;
  /** The command (or steps) that made the frames. */
  command: string;
  /** Tool and version that wrote the file, e.g. `tsolab 0.1.0`. */
  toolVersion: string;
  /** One sentence on the traffic. */
  description?: string;
  /** Further `key=value` comments, kept as they were. */
  extra: Record<string, string>;
}

const SUPER_KEYS = [
  "gso_size",
  "gso_type",
  "csum_start",
  "csum_offset",
  "features",
  "origin",
  "source",
] as const;
const KNOWN_KEYS = new Set<string>([
  "segments",
  ...SUPER_KEYS,
  "layout",
  "seed",
  "enc_features",
  "partial_features",
  "ufo6_frag_id",
]);

function checkToken(key: string, value: string): string {
  if (/\s/.test(value) || value.includes("=")) {
    throw new GoldenVectorError(
      `Cannot write ${key}="${value}": values may not hold spaces or "="`,
    );
  }
  return value;
}

/**
 * Formats an skb layout as `HEADLEN:F1,F2,…`.
 *
 * @param l The layout.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatSkbLayout } from "./golden_meta.ts";
 * formatSkbLayout({ headLen: 66, frags: [1, 1, 500] }); // "66:1,1,500"
 * ```
 */
export function formatSkbLayout(l: SkbLayoutSpec): string {
  return `${l.headLen}:${l.frags.join(",")}`;
}

/**
 * Formats the comment of an ingress frame: `segments=N`, then for a
 * super-packet `gso_size`, `gso_type`, `csum_start`, `csum_offset`,
 * `features`, `origin`, `source` and the optional keys, separated by
 * spaces.
 *
 * @param meta The metadata.
 * @returns The comment.
 * @throws {GoldenVectorError} When a value holds a space or `=`.
 *
 * @example
 * ```ts
 * import { formatGoldenMeta } from "./golden_meta.ts";
 * import { SKB_GSO } from "../sw/types.ts";
 * formatGoldenMeta({
 *   segments: 3, extra: {},
 *   superPacket: {
 *     gsoSize: 1448, gsoType: SKB_GSO.TCPV4, csumStart: 34, csumOffset: 16,
 *     features: ["tx-scatter-gather"], origin: "kernel", source: "socket",
 *   },
 * });
 * // "segments=3 gso_size=1448 gso_type=TCPV4 csum_start=34 csum_offset=16
 * //  features=tx-scatter-gather origin=kernel source=socket" (one line)
 * ```
 */
export function formatGoldenMeta(meta: GoldenMeta): string {
  const parts = [`segments=${meta.segments}`];
  const s = meta.superPacket;
  if (s !== null) {
    parts.push(
      `gso_size=${s.gsoSize}`,
      `gso_type=${gsoTypeNames(s.gsoType)}`,
      `csum_start=${s.csumStart}`,
      `csum_offset=${s.csumOffset}`,
      `features=${checkToken("features", s.features.join(","))}`,
      `origin=${s.origin}`,
      `source=${s.source}`,
    );
    if (s.layout !== undefined) {
      parts.push(`layout=${formatSkbLayout(s.layout)}`);
    }
    if (s.seed !== undefined) parts.push(`seed=${s.seed}`);
    if (s.encFeatures !== undefined) {
      parts.push(
        `enc_features=${checkToken("enc_features", s.encFeatures.join(","))}`,
      );
    }
    if (s.partialFeatures !== undefined) {
      parts.push(
        `partial_features=${
          checkToken("partial_features", s.partialFeatures.join(","))
        }`,
      );
    }
    if (s.ufo6FragId !== undefined) parts.push(`ufo6_frag_id=${s.ufo6FragId}`);
  }
  for (const [k, v] of Object.entries(meta.extra)) {
    parts.push(`${checkToken("key", k)}=${checkToken(k, v)}`);
  }
  return parts.join(" ");
}

/**
 * Parses an ingress frame's comment. A comment with `gso_size` describes a
 * super-packet and must have every super-packet key; one without describes
 * a frame that passes through.
 *
 * @param text The comment.
 * @param where Where it was found, for messages (`tcp4.pcapng: frame 3 at
 *   offset 120`).
 * @returns The metadata.
 * @throws {GoldenVectorError} When a pair is not `key=value`, a key repeats
 *   or is missing, a number is not a non-negative integer, a gso_type name
 *   is unknown, or origin/source/layout are malformed.
 *
 * @example
 * ```ts
 * import { parseGoldenMeta } from "./golden_meta.ts";
 * const m = parseGoldenMeta(
 *   "segments=2 gso_size=1200 gso_type=UDP_L4 csum_start=34 csum_offset=6 features= origin=kernel source=socket",
 *   "udp4.pcapng: frame 1",
 * );
 * m.superPacket?.gsoSize; // 1200
 * ```
 */
export function parseGoldenMeta(text: string, where: string): GoldenMeta {
  const kv = new Map<string, string>();
  for (const part of text.trim().split(/\s+/)) {
    const eq = part.indexOf("=");
    if (eq <= 0) {
      throw new GoldenVectorError(
        `${where}: comment item "${part}" is not key=value`,
      );
    }
    const key = part.slice(0, eq);
    if (kv.has(key)) {
      throw new GoldenVectorError(`${where}: comment repeats key ${key}`);
    }
    kv.set(key, part.slice(eq + 1));
  }
  const int = (key: string): number => {
    const v = kv.get(key);
    if (v === undefined) {
      throw new GoldenVectorError(`${where}: comment lacks ${key}=`);
    }
    if (!/^\d{1,15}$/.test(v)) {
      throw new GoldenVectorError(
        `${where}: ${key}=${v} is not a non-negative integer`,
      );
    }
    return Number(v);
  };
  const names = (key: string): string[] =>
    (kv.get(key) ?? "").split(",").filter((s) => s !== "");
  const extra: Record<string, string> = {};
  for (const [k, v] of kv) if (!KNOWN_KEYS.has(k)) extra[k] = v;
  const segments = int("segments");
  if (!kv.has("gso_size")) {
    for (const k of [...SUPER_KEYS, "layout", "seed", "ufo6_frag_id"]) {
      if (kv.has(k)) {
        throw new GoldenVectorError(
          `${where}: comment has ${k}= but no gso_size= (a super-packet needs both)`,
        );
      }
    }
    return { segments, superPacket: null, extra };
  }
  for (const k of SUPER_KEYS) {
    if (!kv.has(k)) {
      throw new GoldenVectorError(
        `${where}: super-packet comment lacks ${k}=`,
      );
    }
  }
  let gsoType: number;
  try {
    gsoType = parseGsoTypeNames(kv.get("gso_type")!);
  } catch (e) {
    throw new GoldenVectorError(
      `${where}: gso_type=${kv.get("gso_type")}: ${(e as Error).message}`,
    );
  }
  const origin = kv.get("origin")!;
  if (origin !== "kernel" && origin !== "reference") {
    throw new GoldenVectorError(
      `${where}: origin=${origin} is neither kernel nor reference`,
    );
  }
  const source = kv.get("source")!;
  if (source !== "socket" && source !== "tap") {
    throw new GoldenVectorError(
      `${where}: source=${source} is neither socket nor tap`,
    );
  }
  const sp: SuperPacketMeta = {
    gsoSize: int("gso_size"),
    gsoType,
    csumStart: int("csum_start"),
    csumOffset: int("csum_offset"),
    features: names("features"),
    origin,
    source,
  };
  if (kv.has("layout")) sp.layout = parseSkbLayout(kv.get("layout")!, where);
  if (kv.has("seed")) sp.seed = int("seed");
  if (kv.has("enc_features")) sp.encFeatures = names("enc_features");
  if (kv.has("partial_features")) {
    sp.partialFeatures = names("partial_features");
  }
  if (kv.has("ufo6_frag_id")) sp.ufo6FragId = int("ufo6_frag_id");
  return { segments, superPacket: sp, extra };
}

/**
 * Parses `HEADLEN:F1,F2,…`.
 *
 * @param text The layout text.
 * @param where Where it was found, for messages.
 * @returns The layout.
 * @throws {GoldenVectorError} When it is not of that form.
 *
 * @example
 * ```ts
 * import { parseSkbLayout } from "./golden_meta.ts";
 * parseSkbLayout("54:1,1,1000", "x").frags; // [1, 1, 1000]
 * ```
 */
export function parseSkbLayout(text: string, where: string): SkbLayoutSpec {
  const m = /^(\d{1,9}):(\d{1,9}(?:,\d{1,9})*)?$/.exec(text);
  if (m === null) {
    throw new GoldenVectorError(
      `${where}: layout=${text} is not HEADLEN:F1,F2,… (byte counts)`,
    );
  }
  return {
    headLen: Number(m[1]),
    frags: m[2] === undefined ? [] : m[2].split(",").map(Number),
  };
}

/**
 * Formats the provenance as section-header comments, one `key=value` each
 * (values may hold spaces here), the format tag first.
 *
 * @param p The provenance.
 * @returns The comments.
 *
 * @example
 * ```ts
 * import { formatProvenance } from "./golden_meta.ts";
 * formatProvenance({
 *   scenario: "tcp4", origin: "kernel", source: "socket", kernelRelease: "6.18",
 *   command: "tcpdump -i p2", toolVersion: "tsolab 0.1.0", extra: {},
 * })[0]; // "format=tsolab-golden/1"
 * ```
 */
export function formatProvenance(p: GoldenProvenance): string[] {
  const out = [
    `format=${GOLDEN_FORMAT}`,
    `scenario=${p.scenario}`,
    `origin=${p.origin}`,
    `source=${p.source}`,
  ];
  if (p.kernelRelease !== undefined) {
    out.push(`kernel_release=${p.kernelRelease}`);
  }
  out.push(`command=${p.command}`, `tool_version=${p.toolVersion}`);
  if (p.description !== undefined) out.push(`description=${p.description}`);
  for (const [k, v] of Object.entries(p.extra)) out.push(`${k}=${v}`);
  for (const c of out) {
    if (/[\r\n]/.test(c)) {
      throw new GoldenVectorError(
        `Cannot write provenance "${
          c.split(/[\r\n]/)[0]
        }…": a value holds a line break`,
      );
    }
  }
  return out;
}

/**
 * Parses section-header comments back into the provenance.
 *
 * @param comments The comments, in order.
 * @param where The file, for messages.
 * @returns The provenance.
 * @throws {GoldenVectorError} When the format tag is missing or different,
 *   or scenario, origin, source, command or tool_version are missing.
 *
 * @example
 * ```ts
 * import { formatProvenance, parseProvenance } from "./golden_meta.ts";
 * const p = {
 *   scenario: "gso-partial-vxlan4", origin: "reference" as const,
 *   source: "socket" as const, command: "vectors gen --all",
 *   toolVersion: "tsolab 0.1.0", extra: {},
 * };
 * parseProvenance(formatProvenance(p), "x.pcapng").scenario; // "gso-partial-vxlan4"
 * ```
 */
export function parseProvenance(
  comments: readonly string[],
  where: string,
): GoldenProvenance {
  const kv = new Map<string, string>();
  for (const c of comments) {
    const eq = c.indexOf("=");
    if (eq > 0 && !kv.has(c.slice(0, eq))) {
      kv.set(c.slice(0, eq), c.slice(eq + 1));
    }
  }
  const format = kv.get("format");
  if (format !== GOLDEN_FORMAT) {
    throw new GoldenVectorError(
      `${where}: not a golden vector (section header says format=${
        format ?? "nothing"
      }, expected ${GOLDEN_FORMAT})`,
      { path: where },
    );
  }
  const need = (k: string): string => {
    const v = kv.get(k);
    if (v === undefined) {
      throw new GoldenVectorError(
        `${where}: section header lacks ${k}=`,
        { path: where },
      );
    }
    return v;
  };
  const origin = need("origin");
  const source = need("source");
  if (origin !== "kernel" && origin !== "reference") {
    throw new GoldenVectorError(
      `${where}: section header origin=${origin} is neither kernel nor reference`,
      { path: where },
    );
  }
  if (source !== "socket" && source !== "tap") {
    throw new GoldenVectorError(
      `${where}: section header source=${source} is neither socket nor tap`,
      { path: where },
    );
  }
  const known = new Set([
    "format",
    "scenario",
    "origin",
    "source",
    "kernel_release",
    "command",
    "tool_version",
    "description",
  ]);
  const extra: Record<string, string> = {};
  for (const [k, v] of kv) if (!known.has(k)) extra[k] = v;
  const p: GoldenProvenance = {
    scenario: need("scenario"),
    origin,
    source,
    command: need("command"),
    toolVersion: need("tool_version"),
    extra,
  };
  if (kv.has("kernel_release")) p.kernelRelease = kv.get("kernel_release")!;
  if (kv.has("description")) p.description = kv.get("description")!;
  return p;
}
