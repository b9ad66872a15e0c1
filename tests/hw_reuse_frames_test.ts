// `reuseFrames` (what bench/hw_bench.ts measures) must change only where
// the frames live, never what they are: every event, bytes and timing, equals
// the one the default mode yields, for each preset and driver mode.
import assert from "node:assert/strict";
import { supportedDriverModes } from "../hw/drivers.ts";
import { createNic, type HwEvent, type Nic } from "../hw/nic.ts";
import type { DriverMode } from "../hw/nic_config.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { bulkTcpSkb, syntheticHostSegments } from "../hw/workload.ts";
import type { SkBuff } from "../sw/types.ts";

// A copy that outlives the next pull, whatever the mode lent out.
function snapshot(e: HwEvent): HwEvent {
  return e.kind === "frame" ? { ...e, data: e.data.slice() } : { ...e };
}

// Where the driver refuses a send (gso and none modes, software
// fallbacks), the host stack segments it, as bulkRun does.
function run(nic: Nic, skb: SkBuff): Iterable<HwEvent> {
  return nic.driverCheck(skb).fallback !== null
    ? nic.transmitSegments(syntheticHostSegments(skb))
    : nic.transmit(skb);
}

function sends(): SkBuff[] {
  return [
    bulkTcpSkb({ sendBytes: 65536, mss: 1448, seq: 0xffff0000, id: 0xfff0 }),
    bulkTcpSkb({ sendBytes: 1000, mss: 1448 }),
    bulkTcpSkb({ sendBytes: 9001, mss: 536, ipv6: true, fragBytes: 1000 }),
    bulkTcpSkb({ sendBytes: 65536, mss: 1448, ipv6: true, tcpOptions: 0 }),
    bulkTcpSkb({ sendBytes: 4345, mss: 1448, fragBytes: 333 }),
  ];
}

for (const preset of ["e810-100g", "82599-10g", "corundum-100g"]) {
  Deno.test(`Nic on ${preset} yields the same events with reuseFrames as without, in every driver mode`, () => {
    const cfg = resolveConfig(preset);
    for (const mode of supportedDriverModes(cfg) as DriverMode[]) {
      const fresh = createNic(cfg, { driver: mode });
      const reused = createNic(cfg, { driver: mode, reuseFrames: true });
      let frames = 0;
      for (const [k, skb] of sends().entries()) {
        const want = [...run(fresh, skb)];
        const got: HwEvent[] = [];
        for (const e of run(reused, skb)) got.push(snapshot(e));
        assert.deepEqual(got, want, `${preset} ${mode} send ${k}`);
        frames += want.filter((e) => e.kind === "frame").length;
      }
      assert.ok(frames > 100, `${preset} ${mode}: only ${frames} frames`);
      assert.deepEqual(reused.report(), fresh.report(), `${preset} ${mode}`);
    }
  });
}
