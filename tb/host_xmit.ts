/**
 * The host side of the model's transmit path, shared by the segment engine
 * and the lockstep harness: the model's driver is asked first (its checks
 * and fallbacks carry its own names), then for a GSO skb it would take the
 * stack's transmit decision (`validate_xmit_skb` on the Linux view of the
 * model's device). Either refusal means the reference segments the skb in
 * software and the model checksums and transmits the segments.
 *
 * @module
 */

import type { HwEvent, Nic } from "../hw/nic.ts";
import { skbLen } from "../sw/skbuff.ts";
import type { SkBuff } from "../sw/types.ts";
import {
  canChecksumProtocol,
  skbNetworkProtocol,
  xmitDecision,
  type XmitDevice,
} from "../sw/xmit_decision.ts";
import { hostSegments } from "./host_segments.ts";

const ETH_P_IPV6 = 0x86dd;

/**
 * How one skb went out.
 *
 * @example
 * ```ts
 * import type { HostXmit } from "./host_xmit.ts";
 * const x: HostXmit = { events: [], fallback: null, reasons: [] };
 * ```
 */
export interface HostXmit {
  /** The model's events for the skb (or for its software segments). */
  events: Iterable<HwEvent>;
  /** Why the stack segmented it in software, or null when the model did. */
  fallback: string | null;
  /** The stack's reasons, one line each, when it segmented in software. */
  reasons: string[];
}

/**
 * Options of {@linkcode hostXmit}.
 *
 * @example
 * ```ts
 * import type { HostXmitOptions } from "./host_xmit.ts";
 * const o: HostXmitOptions = { csum: true, ufo6FragId: 0 };
 * ```
 */
export interface HostXmitOptions {
  /** The device offloads checksums at all. */
  csum: boolean;
  /** Identification for an IPv6 UFO fragment header (kernel-chosen). */
  ufo6FragId: number;
}

/** Names the gso_features_check limit that sent an skb to software GSO. */
function stackReason(skb: SkBuff, dev: XmitDevice): string {
  if (skb.gsoSegs > dev.gsoMaxSegs) return "gso-max-segs";
  const max = skb.protocol === ETH_P_IPV6 ? dev.gsoMaxSize : dev.gsoIpv4MaxSize;
  if (skbLen(skb) >= max) return "gso-max-size";
  return "stack-software-gso";
}

/**
 * Sends one skb through the host stack and the model's driver.
 *
 * @param nic The model.
 * @param dev The Linux view of the model's device (`presetDevice`).
 * @param skb The skb.
 * @param o Checksum offload and the UFO6 fragment id.
 * @returns The model's events and the fallback taken, if any.
 *
 * @example
 * ```ts
 * import { hostXmit } from "./host_xmit.ts";
 * import { presetDevice } from "./preset_device.ts";
 * import { createNic } from "../hw/nic.ts";
 * import { resolveConfig } from "../hw/resolve_config.ts";
 * import { bulkTcpSkb } from "../hw/workload.ts";
 * const cfg = resolveConfig("82599-10g");
 * const nic = createNic(cfg);
 * // 64 KiB of payload plus headers: skb->len ≥ gso_max_size (65536)
 * const skb = bulkTcpSkb({ sendBytes: 65536, mss: 1448 });
 * const dev = presetDevice(cfg, nic.driverMode);
 * const x = hostXmit(nic, dev, skb, { csum: true, ufo6FragId: 0 });
 * x.fallback; // "gso-max-size"
 * ```
 */
export function hostXmit(
  nic: Nic,
  dev: XmitDevice,
  skb: SkBuff,
  o: HostXmitOptions,
): HostXmit {
  let check = nic.driverCheck(skb);
  let reasons: string[] = [];
  if (check.fallback === null && skb.gsoSize > 0) {
    // validate_xmit_skb: the driver only ever sees what the stack hands it
    const d = xmitDecision(skb, dev);
    if (d.path === "software-gso") {
      const hostChecksum = !o.csum ||
        !canChecksumProtocol(d.features, skbNetworkProtocol(skb));
      check = nic.stackFallback(skb, stackReason(skb, dev), hostChecksum);
      reasons = d.reasons;
    }
  }
  if (check.fallback === null) {
    return { events: nic.transmit(skb), fallback: null, reasons };
  }
  const hostChecksum = check.hostChecksum || !o.csum;
  const segs = [...hostSegments(skb, hostChecksum, o.ufo6FragId)];
  return {
    events: nic.transmitSegments(segs, { hostChecksum }),
    fallback: check.fallback,
    reasons,
  };
}
