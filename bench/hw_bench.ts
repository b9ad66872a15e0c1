// The NIC model's speed: simulated payload per wall second.
import { createNic } from "../hw/nic.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { bulkTcpSkb } from "../hw/workload.ts";

const cfg = resolveConfig("e810-100g");
const skbs = Array.from(
  { length: 4 },
  (_, i) => bulkTcpSkb({ sendBytes: 65536, mss: 1448, seq: i * 65536 }),
);
let nic = createNic(cfg, { driver: "hw-tso", reuseFrames: true });
let sent = 0;

// One 64 KiB send at MSS 1448 through hardware TSO: 46 segments of bytes.
function send(): void {
  if (sent === 4096) {
    nic = createNic(cfg, { driver: "hw-tso", reuseFrames: true });
    sent = 0;
  }
  for (const _ of nic.transmit(skbs[sent++ % skbs.length]!)) { /* pull */ }
}

// The model's code reaches its optimized steady state after about a
// thousand sends, while Deno.bench warms up for 10 ms (two sends here; its
// `warmup` option is not honoured by this Deno): send those first, so the
// bench measures sends rather than the JIT tiering up. The warm-up also
// crosses the first NIC replacement: the fresh NIC's small values (Smis
// where the old NIC's times and addresses had grown to doubles) deoptimize a
// few hot functions once per process (`--trace-deopt`), and the ~100 slow
// sends while they re-optimize (14 ms) added ~7% to the mean (A/B, 6 runs).
for (let i = 0; i < 4096 + 2000; i++) send();

Deno.bench({
  name: "hw/tso-65536-1448",
  group: "hw",
  baseline: true,
  fn() {
    send();
  },
});

Deno.bench({
  name: "hw/tso-helper-65536-1448 (corundum-100g)",
  group: "hw",
  fn() {
    const n = createNic(resolveConfig("corundum-100g"), {
      driver: "tso-helper",
    });
    for (const _ of n.transmit(skbs[0]!)) { /* pull */ }
  },
});
