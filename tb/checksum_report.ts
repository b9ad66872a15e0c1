/**
 * Classifies every checksum of a frame — the IPv4 header checksums and the
 * TCP/UDP checksums, inner and outer — as good, bad, zero (UDP: none),
 * truncated, or "holds the pseudo-header seed — never completed", so a
 * report can say why a frame differs, not only that it does.
 *
 * @module
 */

import { getU16 } from "../sw/bytes.ts";
import { onesSum } from "../sw/checksum.ts";
import { l4ChecksumStatus } from "../sw/l4_checksum.ts";
import type { IpLayer, PacketLayout } from "../sw/packet_layout.ts";
import { checksumSites } from "./pass_through.ts";

/**
 * One checksum and what it holds.
 *
 * @example
 * ```ts
 * import type { ChecksumReport } from "./checksum_report.ts";
 * const r: ChecksumReport = { field: "tcp.checksum", value: 0x1c46, status: "good" };
 * ```
 */
export interface ChecksumReport {
  /** Wireshark field name (`inner ` first for encapsulated layers). */
  field: string;
  /** The field's value. */
  value: number;
  /** What it holds. */
  status: "good" | "bad" | "zero" | "truncated" | "seed";
}

function ipv4Report(
  b: Uint8Array,
  ip: IpLayer | null,
  prefix: string,
): ChecksumReport[] {
  if (ip === null || ip.version !== 4) return [];
  const end = ip.offset + ip.headerLen;
  if (end > b.length) {
    return [{ field: `${prefix}ip.checksum`, value: 0, status: "truncated" }];
  }
  return [{
    field: `${prefix}ip.checksum`,
    value: getU16(b, ip.offset + 10),
    status: onesSum(b, ip.offset, end) === 0xffff ? "good" : "bad",
  }];
}

/**
 * Every checksum of a frame with its status: outer IPv4 header, outer UDP
 * (tunnels), inner IPv4 header, innermost TCP/UDP.
 *
 * @param b Frame bytes.
 * @param layout Its layout.
 * @returns The reports, outermost first.
 *
 * @example
 * ```ts
 * import { checksumReports } from "./checksum_report.ts";
 * import { parsePacket } from "../sw/packet_layout.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 100, seed: 1 });
 * checksumReports(frame, parsePacket(frame, 1)).map((r) => r.status); // ["good", "seed"]
 * ```
 */
export function checksumReports(
  b: Uint8Array,
  layout: PacketLayout,
): ChecksumReport[] {
  const out: ChecksumReport[] = [];
  const tunnelled = layout.tunnel !== null;
  out.push(...ipv4Report(b, layout.outer, ""));
  const sites = checksumSites(b, layout);
  const t = layout.tunnel;
  if (t !== null) {
    const v = getU16(b, t.udpOffset + 6);
    const outer = sites.find((s) => s.l4Offset === t.udpOffset);
    out.push({
      field: "udp.checksum",
      value: v,
      status: outer === undefined ? "zero" : l4ChecksumStatus(b, outer),
    });
    out.push(...ipv4Report(b, layout.inner, "inner "));
  }
  const l4 = layout.l4;
  const inner = sites[0];
  if (l4 !== null && inner !== undefined) {
    const name = l4.proto === 6 ? "tcp.checksum" : "udp.checksum";
    out.push({
      field: (tunnelled ? "inner " : "") + name,
      value: getU16(b, l4.offset + (l4.proto === 6 ? 16 : 6)),
      status: l4ChecksumStatus(b, inner),
    });
  }
  return out;
}

/**
 * Formats checksum reports as one phrase per checksum, e.g.
 * `tcp.checksum 0x1c46 holds the pseudo-header seed — never completed`.
 *
 * @param reports The reports.
 * @returns One string per report.
 *
 * @example
 * ```ts
 * import { describeChecksums } from "./checksum_report.ts";
 * describeChecksums([{ field: "udp.checksum", value: 0, status: "zero" }]);
 * // ["udp.checksum 0x0000 zero (no checksum)"]
 * ```
 */
export function describeChecksums(
  reports: readonly ChecksumReport[],
): string[] {
  const words: Record<ChecksumReport["status"], string> = {
    good: "good",
    bad: "bad",
    zero: "zero (no checksum)",
    truncated: "not verifiable (frame truncated)",
    seed: "holds the pseudo-header seed — never completed",
  };
  return reports.map((r) =>
    `${r.field} 0x${r.value.toString(16).padStart(4, "0")} ${words[r.status]}`
  );
}
