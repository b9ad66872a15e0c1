/**
 * Profiles of documented hardware differences that `check` accepts, each a
 * set of tolerances: TCP flag masks that keep CWR on middle segments
 * (ixgbe's default DTXTCPFLGL), a fixed IPv4 ID (i40e EIP_NOINC, drivers
 * without MANGLEID semantics), Ethernet minimum-frame padding, and a
 * captured FCS.
 *
 * @module
 */

import { getU16, setU16 } from "../sw/bytes.ts";
import { checksumReplace16 } from "../sw/checksum.ts";
import { UsageError } from "./cli_args.ts";
import type { Tolerance } from "./scoreboard.ts";

const CWR = 0x80;

function crc32(b: Uint8Array, end: number): number {
  let c = 0xffffffff;
  for (let i = 0; i < end; i++) {
    c ^= b[i]!;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A captured Ethernet FCS after the frame: strip it when it is the CRC. A
 * short frame carries it after its padding (60 + 4 bytes).
 */
const fcs: Tolerance = {
  name: "fcs",
  apply(expected, actual) {
    const n = actual.length - 4;
    if (n !== expected.length && !(expected.length < 60 && n === 60)) {
      return null;
    }
    const c = crc32(actual, n);
    const stored = actual[n]! | (actual[n + 1]! << 8) | (actual[n + 2]! << 16) |
      (actual[n + 3]! << 24);
    return (stored >>> 0) === c ? actual.subarray(0, n) : null;
  },
};

/** Padding of a short frame to the 60-byte Ethernet minimum. */
const padding: Tolerance = {
  name: "padding",
  apply(expected, actual) {
    if (expected.length >= 60 || actual.length !== 60) return null;
    for (let i = expected.length; i < 60; i++) if (actual[i] !== 0) return null;
    return actual.subarray(0, expected.length);
  },
};

/** CWR kept on middle segments (ixgbe's unverified default middle mask 0xFF6). */
const cwrMiddle: Tolerance = {
  name: "cwr-on-middle-segments",
  apply(expected, actual, ctx) {
    const l4 = ctx.layout.l4;
    if (l4 === null || l4.proto !== 6 || ctx.segment === 0 || ctx.last) {
      return null;
    }
    const f = l4.offset + 13;
    if (f >= actual.length || expected[f] !== (actual[f]! & ~CWR)) return null;
    if ((actual[f]! & CWR) === 0) return null;
    const out = actual.slice();
    const oldWord = getU16(out, l4.offset + 12);
    out[f] = out[f]! & ~CWR;
    setU16(
      out,
      l4.offset + 16,
      checksumReplace16(
        getU16(out, l4.offset + 16),
        oldWord,
        getU16(out, l4.offset + 12),
      ),
    );
    return out;
  },
};

/**
 * The IPv4 ID left as the super-packet's on every segment: segment i may
 * carry the ID Linux gave segment 0, nothing else.
 */
const fixedId: Tolerance = {
  name: "fixed-ip-id",
  apply(expected, actual, ctx) {
    const ip = ctx.layout.tunnel !== null
      ? ctx.layout.outer
      : ctx.layout.inner ?? ctx.layout.outer;
    const ips = [ctx.layout.outer, ctx.layout.inner].filter((x) =>
      x !== null && x!.version === 4
    );
    if (ip === null || ips.length === 0) return null;
    let out: Uint8Array | null = null;
    for (const l of ips) {
      const o = l!.offset;
      const want = getU16(expected, o + 4);
      const got = getU16(actual, o + 4);
      if (want === got) continue;
      // Linux's segment i has the first segment's ID + i (inet_gso_segment).
      if (got !== ((want - ctx.segment) & 0xffff)) return null;
      out ??= actual.slice();
      setU16(out, o + 4, want);
      setU16(out, o + 10, checksumReplace16(getU16(out, o + 10), got, want));
    }
    return out;
  },
};

/**
 * A TCP checksum sent as 0xFFFF where it computes to 0x0000: both are
 * ones'-complement zero and every receiver accepts either. Generic
 * start/offset checksum engines (like `skb_checksum_help`'s
 * CSUM_MANGLED_0) write 0xFFFF for every protocol; Linux's TCP GSO leaves 0.
 *
 * @example
 * ```ts
 * import { zeroChecksumAsFfff } from "./tolerances.ts";
 * zeroChecksumAsFfff.name; // "tcp-checksum-0-as-ffff"
 * ```
 */
export const zeroChecksumAsFfff: Tolerance = {
  name: "tcp-checksum-0-as-ffff",
  apply(expected, actual, ctx) {
    const l4 = ctx.layout.l4;
    if (l4 === null || l4.proto !== 6) return null;
    const f = l4.offset + 16;
    if (getU16(expected, f) !== 0 || getU16(actual, f) !== 0xffff) return null;
    const out = actual.slice();
    setU16(out, f, 0);
    return out;
  },
};

/**
 * The profiles `check --profile` accepts, each the tolerances it applies.
 *
 * @example
 * ```ts
 * import { PROFILES } from "./tolerances.ts";
 * PROFILES["intel-tso"]!.map((t) => t.name);
 * ```
 */
export const PROFILES: Readonly<Record<string, readonly Tolerance[]>> = {
  linux: [],
  "intel-tso": [fcs, padding, cwrMiddle],
  "fixed-id": [fcs, padding, fixedId],
  wire: [fcs, padding],
  "csum-engine": [fcs, padding, zeroChecksumAsFfff],
};

/**
 * Resolves comma-separated profile names to their tolerances.
 *
 * @param names For example `"intel-tso,fixed-id"`.
 * @returns The tolerances, each once.
 * @throws {UsageError} For an unknown profile.
 *
 * @example
 * ```ts
 * import { tolerancesFor } from "./tolerances.ts";
 * tolerancesFor("linux").length; // 0
 * ```
 */
export function tolerancesFor(names: string): Tolerance[] {
  const out: Tolerance[] = [];
  for (const n of names.split(",").map((s) => s.trim()).filter(Boolean)) {
    const p = PROFILES[n];
    if (p === undefined) {
      throw new UsageError(
        `--profile: unknown profile "${n}" (known: ${
          Object.keys(PROFILES).join(", ")
        })`,
      );
    }
    for (const t of p) if (!out.includes(t)) out.push(t);
  }
  return out;
}
