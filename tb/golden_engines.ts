/**
 * The two engines over one golden vector, as `verify` and `report` run
 * them: the software reference on the vector's own egress device, and the
 * NIC model in lockstep with the reference (its frames also compared with
 * the golden ones, its cycles per payload byte measured).
 *
 * @module
 */

import type { DriverMode } from "../hw/nic_config.ts";
import { goldenDevice } from "../vectors/golden_device.ts";
import { GoldenVectorReader } from "../vectors/golden_vector.ts";
import type { CompareResult } from "./capture_compare.ts";
import { compareGolden } from "./golden_compare.ts";
import { Lockstep } from "./lockstep.ts";
import type { Divergence } from "./scoreboard.ts";
import { swTransmit } from "./sw_engine.ts";

/**
 * Runs the software reference over a golden vector.
 *
 * @param path The vector.
 * @param o Whether to report every divergence.
 * @returns The comparison with the golden frames.
 *
 * @example
 * ```ts ignore
 * verifyGoldenSw("vectors/golden/tcp4.pcapng").mismatch; // null
 * ```
 */
export function verifyGoldenSw(
  path: string,
  o: { keepGoing?: boolean } = {},
): CompareResult {
  return compareGolden(path, (meta) => {
    const dev = goldenDevice(meta);
    return (skb) =>
      swTransmit(
        skb,
        dev,
        meta.ufo6FragId !== undefined ? { ufo6FragId: meta.ufo6FragId } : {},
      );
  }, { keepGoing: o.keepGoing ?? false });
}

/**
 * What the model did on one vector.
 *
 * @example
 * ```ts ignore
 * const r = verifyGoldenHw(path, {});
 * if (r !== null) console.log(r.cyclesPerByte);
 * ```
 */
export interface GoldenHwResult {
  /** Comparison of the model's frames with the golden ones; lockstep divergences first. */
  result: CompareResult;
  /** Where model and reference diverged in lockstep. */
  lockstep: Divergence[];
  /** Model cycles per payload byte over the vector, or null without payload. */
  cyclesPerByte: number | null;
}

/**
 * Runs the NIC model over a golden vector in lockstep with the reference.
 * Returns null for a vector whose expected frames are the stack's
 * GSO_PARTIAL hand-off to a device that finishes them (not wire frames).
 *
 * @param path The vector.
 * @param o Preset, driver mode, keep going, configuration and overrides.
 * @returns The result, or null when the comparison does not apply.
 *
 * @example
 * ```ts ignore
 * verifyGoldenHw("vectors/golden/tcp4.pcapng", { driver: "hw-tso" });
 * ```
 */
export function verifyGoldenHw(
  path: string,
  o: {
    preset?: string;
    driver?: DriverMode;
    keepGoing?: boolean;
    config?: Record<string, unknown>;
    set?: string[];
  } = {},
): GoldenHwResult | null {
  if (handsOffToDevice(path)) return null;
  const name = path.slice(path.lastIndexOf("/") + 1).replace(/\.pcapng$/, "");
  const harnesses: Lockstep[] = [];
  let result = compareGolden(path, (meta) => {
    const ls = new Lockstep({
      ...(o.preset !== undefined ? { preset: o.preset } : {}),
      ...(o.driver !== undefined ? { driver: o.driver } : {}),
      ...(o.config !== undefined ? { config: o.config } : {}),
      ...(o.set !== undefined ? { set: o.set } : {}),
      keepGoing: o.keepGoing ?? false,
      ...(meta.ufo6FragId !== undefined ? { ufo6FragId: meta.ufo6FragId } : {}),
    });
    harnesses.push(ls);
    return ls.engine(name);
  }, { keepGoing: o.keepGoing ?? false });
  const lockstep = harnesses.flatMap((h) => h.scoreboard.divergences);
  if (lockstep.length > 0 && result.mismatch === null) {
    result = { ...result, mismatch: lockstep[0]!, divergences: lockstep };
  }
  let cycles = 0;
  let bytes = 0;
  for (const h of harnesses) {
    const rep = h.nic.report();
    cycles += rep.cycles;
    bytes += rep.payloadBytes;
  }
  return { result, lockstep, cyclesPerByte: bytes > 0 ? cycles / bytes : null };
}

// A vector whose egress device does GSO_PARTIAL expects what the stack
// hands that device (chunks to finish), which no NIC model puts on a wire.
function handsOffToDevice(path: string): boolean {
  using r = GoldenVectorReader.open(path);
  for (const c of r.cases()) {
    const sp = c.meta.superPacket;
    if (sp !== null) return sp.features.includes("tx-gso-partial");
  }
  return false;
}
