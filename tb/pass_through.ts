/**
 * What happens to a frame that is not segmented: its TCP/UDP checksums —
 * the innermost first, then a non-zero outer UDP checksum — are left alone
 * when they verify, completed when they hold the pseudo-header seed (as a
 * sending host's capture shows CHECKSUM_PARTIAL packets), and otherwise left
 * unchanged and counted as bad.
 *
 * @module
 */

import { getU16 } from "../sw/bytes.ts";
import {
  l4ChecksumComplete,
  l4ChecksumStatus,
  type L4Site,
} from "../sw/l4_checksum.ts";
import type { PacketLayout } from "../sw/packet_layout.ts";

/**
 * The checksum sites of a frame, innermost first: the innermost TCP/UDP
 * header, then the outer UDP header of a tunnel when its checksum is
 * non-zero.
 *
 * @param data Frame bytes.
 * @param layout Its layout.
 * @returns The sites, in the order they must be completed.
 *
 * @example
 * ```ts
 * import { checksumSites } from "./pass_through.ts";
 * import { parsePacket } from "../sw/packet_layout.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 100, seed: 1 });
 * checksumSites(frame, parsePacket(frame, 1)).map((s) => s.l4Offset); // [34]
 * ```
 */
export function checksumSites(
  data: Uint8Array,
  layout: PacketLayout,
): L4Site[] {
  const sites: L4Site[] = [];
  const l4 = layout.l4;
  const ip = layout.inner ?? layout.outer;
  if (l4 === null || ip === null) return sites;
  sites.push({
    ipv6: ip.version === 6,
    ipOffset: ip.offset,
    l4Offset: l4.offset,
    l4Len: layout.payloadOffset + layout.payloadLen - l4.offset,
    proto: l4.proto,
  });
  const t = layout.tunnel;
  const o = layout.outer;
  if (t !== null && o !== null && getU16(data, t.udpOffset + 6) !== 0) {
    sites.push({
      ipv6: o.version === 6,
      ipOffset: o.offset,
      l4Offset: t.udpOffset,
      l4Len: layout.payloadOffset + layout.payloadLen - t.udpOffset,
      proto: 17,
    });
  }
  return sites;
}

/**
 * Completes seeded checksums of a pass-through frame in place.
 *
 * @param data Frame bytes (a copy the caller may modify).
 * @param layout Its layout.
 * @param deviceChecksums True when the egress device inserts the innermost
 *   checksum of this frame itself (`validate_xmit_skb` leaves its seed).
 * @returns How many checksums were neither good, seeded, zero nor
 *   truncated (left unchanged and counted as bad).
 *
 * @example
 * ```ts
 * import { completePassThrough } from "./pass_through.ts";
 * import { checksumReports } from "./checksum_report.ts";
 * import { parsePacket } from "../sw/packet_layout.ts";
 * import { buildSuperPacket } from "../vectors/build_super_packet.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 100, seed: 1 }); // TCP seed
 * const layout = parsePacket(frame, 1);
 * completePassThrough(frame, layout); // 0
 * checksumReports(frame, layout).map((r) => r.status); // ["good", "good"]
 * ```
 */
export function completePassThrough(
  data: Uint8Array,
  layout: PacketLayout,
  deviceChecksums = false,
): number {
  let bad = 0;
  const sites = checksumSites(data, layout);
  for (let i = 0; i < sites.length; i++) {
    const s = sites[i]!;
    const st = l4ChecksumStatus(data, s);
    // skb_csum_hwoffload_help: the innermost seed is the CHECKSUM_PARTIAL
    // one; a device that can insert it gets it as it is.
    if (st === "seed" && !(i === 0 && deviceChecksums)) {
      l4ChecksumComplete(data, s);
    } else if (st === "bad") bad++;
  }
  return bad;
}
