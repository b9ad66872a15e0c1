/**
 * Ethernet wire arithmetic (`reference/nic-hw.md` §5): every frame costs
 * preamble + SFD, the frame padded to the minimum, the FCS and the
 * inter-frame gap. The frame the model outputs is the frame handed to the
 * MAC (no padding, no FCS); these functions add what the wire adds.
 *
 * @module
 */
import type { MacConfig } from "./nic_config.ts";

/**
 * Bytes a frame occupies on the wire.
 *
 * @param frameLen Frame length as handed to the MAC (no FCS).
 * @param mac MAC parameters.
 * @returns Preamble + SFD + max(frame, minFrame − FCS) + FCS + IFG.
 *
 * @example
 * ```ts
 * import { wireBytes } from "./ethernet_wire.ts";
 * const mac = { lineGbps: 100, preambleSfd: 8, ifg: 12, fcs: 4, minFrame: 64 };
 * wireBytes(1514, mac); // 1538
 * wireBytes(42, mac); // 84
 * ```
 */
export function wireBytes(frameLen: number, mac: MacConfig): number {
  return mac.preambleSfd + Math.max(frameLen, mac.minFrame - mac.fcs) +
    mac.fcs + mac.ifg;
}

/**
 * Time a frame occupies the wire, IFG included.
 *
 * @param frameLen Frame length as handed to the MAC.
 * @param mac MAC parameters.
 * @returns Nanoseconds.
 *
 * @example
 * ```ts
 * import { wireNs } from "./ethernet_wire.ts";
 * const mac = { lineGbps: 100, preambleSfd: 8, ifg: 12, fcs: 4, minFrame: 64 };
 * wireNs(1514, mac).toFixed(2); // "123.04"
 * ```
 */
export function wireNs(frameLen: number, mac: MacConfig): number {
  return wireBytes(frameLen, mac) * 8 / mac.lineGbps;
}

/**
 * Payload goodput at line rate for back-to-back frames of one shape.
 *
 * @param payload Payload bytes per frame (e.g. the MSS).
 * @param headers Header bytes per frame as handed to the MAC (e.g. 66).
 * @param mac MAC parameters.
 * @returns Gb/s of payload.
 *
 * @example
 * ```ts
 * import { lineGoodputGbps } from "./ethernet_wire.ts";
 * const mac = { lineGbps: 100, preambleSfd: 8, ifg: 12, fcs: 4, minFrame: 64 };
 * lineGoodputGbps(1448, 66, mac).toFixed(2); // "94.15"
 * ```
 */
export function lineGoodputGbps(
  payload: number,
  headers: number,
  mac: MacConfig,
): number {
  return mac.lineGbps * payload / wireBytes(payload + headers, mac);
}

/**
 * Frames per second at line rate.
 *
 * @param frameLen Frame length as handed to the MAC.
 * @param mac MAC parameters.
 * @returns Frames per second.
 *
 * @example
 * ```ts
 * import { framesPerSecond } from "./ethernet_wire.ts";
 * const mac = { lineGbps: 10, preambleSfd: 8, ifg: 12, fcs: 4, minFrame: 64 };
 * Math.round(framesPerSecond(60, mac)); // 14880952
 * ```
 */
export function framesPerSecond(frameLen: number, mac: MacConfig): number {
  return mac.lineGbps * 1e9 / 8 / wireBytes(frameLen, mac);
}
