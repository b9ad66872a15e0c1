// The NIC model against the Linux kernel: for every forward super-packet of
// NAME.in.pcap, the frames the model hands to the MAC equal the frames the
// kernel sent (NAME.out.pcap), for every preset and driver mode. Where the
// driver refuses a packet, the reference's software GSO stands in for the
// host stack and the model checksums and transmits its segments.
import assert from "node:assert/strict";
import { hostSegments } from "./_host_skbs.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { compareCaptures } from "../tb/capture_compare.ts";
import type { Engine } from "../tb/segment_run.ts";
import { formatDivergence } from "../tb/scoreboard.ts";
import { supportedDriverModes } from "../hw/drivers.ts";
import { createNic, type HwEvent, type Nic } from "../hw/nic.ts";
import type { DriverMode } from "../hw/nic_config.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { defaultCapturesDir } from "../tb/verify_command.ts";
import { exists } from "./_tools.ts";

const DIR = defaultCapturesDir();
const SCENARIOS = ["tcp4", "tcp6", "udp4-gso1200", "tcp4-vxlan"];

function* framesOf(events: Iterable<HwEvent>): Generator<Uint8Array> {
  for (const e of events) {
    if (e.kind === "frame") yield e.data;
    else throw new Error(`model event: ${JSON.stringify(e)}`);
  }
}

function hwEngine(nic: Nic, paths: Map<string, number>): Engine {
  return (skb) => {
    const c = nic.driverCheck(skb);
    const path = c.fallback === null ? "model" : `fallback:${c.fallback}`;
    paths.set(path, (paths.get(path) ?? 0) + 1);
    if (c.fallback !== null) {
      const features = c.hostChecksum ? 0n : NETIF_F.SG | NETIF_F.HW_CSUM;
      return {
        frames: framesOf(nic.transmitSegments(hostSegments(skb, features))),
        path,
        reasons: [],
      };
    }
    return { frames: framesOf(nic.transmit(skb)), path, reasons: [] };
  };
}

const have = SCENARIOS.every((s) => exists(`${DIR}/${s}.in.pcap`));
// Without them the comparisons are reported as ignored, never as passed.
if (!have) {
  console.log(`ignoring the comparisons: kernel captures not found in ${DIR}`);
}

for (const preset of ["e810-100g", "82599-10g", "corundum-100g"]) {
  Deno.test({
    name:
      `Nic on ${preset} sends what the kernel sent for every forward super-packet of the kernel captures, in every driver mode`,
    ignore: !have,
    fn() {
      const cfg = resolveConfig(preset);
      for (const mode of supportedDriverModes(cfg) as DriverMode[]) {
        for (const name of SCENARIOS) {
          const nic = createNic(cfg, { driver: mode, reuseFrames: false });
          const paths = new Map<string, number>();
          const r = compareCaptures(
            `${DIR}/${name}.in.pcap`,
            `${DIR}/${name}.out.pcap`,
            () => hwEngine(nic, paths),
          );
          const label = `${preset} ${mode} ${name}`;
          assert.ok(r.superPackets > 0, `${label}: no super-packets`);
          assert.equal(
            r.mismatch,
            null,
            r.mismatch ? `${label}: ${formatDivergence(r.mismatch)}` : "",
          );
          const rep = nic.report();
          assert.deepEqual(rep.errors, {}, label);
          console.log(
            `${label}: ${r.superPackets} super-packets, ${r.segments} segments; ${
              [...paths].map(([k, v]) => `${k} ${v}`).join(", ")
            }`,
          );
          if (mode === "hw-tso" && preset === "e810-100g") {
            assert.deepEqual([...paths.keys()], ["model"], label);
          }
        }
      }
    },
  });
}
