// Descriptor ring timing and accounting: fetch batches bounded by the
// on-chip cache, when fetched descriptors are ready, cache-slot reuse
// inside one packet, write-back batching and interrupt moderation.
import assert from "node:assert/strict";
import { descriptorFormat } from "../hw/descriptor_formats.ts";
import { HostMemory } from "../hw/host_memory.ts";
import { createNic } from "../hw/nic.ts";
import type { NicConfig } from "../hw/nic_config.ts";
import { PcieLinkModel } from "../hw/pcie_link_model.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { DescFetchStage } from "../hw/stage_desc_fetch.ts";
import { TxRing } from "../hw/tx_ring.ts";
import { bulkTcpSkb, syntheticHostSegments } from "../hw/workload.ts";
import { supportedDriverModes } from "../hw/drivers.ts";
import { pcieBudget } from "./_pcie_budget.ts";

const near = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

function fetchStage(set: string[]) {
  const cfg = resolveConfig("e810-100g", { set });
  const mem = new HostMemory();
  const ring = new TxRing(
    mem,
    descriptorFormat(cfg.family, cfg.ring.descBlock),
    cfg.ring.entries,
  );
  const link = new PcieLinkModel(cfg);
  return { cfg, link, stage: new DescFetchStage(cfg, link, mem, ring) };
}

/** Arrival of a lone, page-aligned descriptor read of `bytes` (≤ MPS) on an idle link. */
function loneReadArrival(cfg: NicConfig, link: PcieLinkModel, bytes: number) {
  const nsPerByte = 8 / link.tlpGbps;
  const p = cfg.pcie;
  // 24 B MRd + propagation + host latency (548 + 0.293/B) + 20 B CplD with
  // the data + propagation (nic-hw.md §4.1, §4.3).
  return 24 * nsPerByte + p.propagationNs + p.readLatencyNs +
    p.readLatencyNsPerByte * bytes + (20 + bytes) * nsPerByte +
    p.propagationNs;
}

Deno.test("DescFetchStage never fetches more descriptors than the cache holds", () => {
  const { stage } = fetchStage([
    "ring.fetchBatch=64",
    "ring.cacheEntries=8",
  ]);
  stage.post(0, 18, 0);
  const { descs } = stage.obtain(0, 18);
  assert.equal(descs.length, 18);
  // 18 entries through an 8-entry cache: ceil(18 / 8) = 3 fetches.
  assert.equal(stage.fetches, 3);
  assert.equal(stage.entriesFetched, 18);
});

Deno.test("DescFetchStage makes a fetched descriptor ready fetch-depth + 1 cycles after its read arrives", () => {
  const { cfg, link, stage } = fetchStage([]);
  stage.post(0, 1, 0);
  const { readyNs } = stage.obtain(0, 1);
  const period = 1000 / cfg.core.clockMHz; // 250 MHz → 4 ns
  // Entry k of a batch is decoded (k + 1 + fetchDepth) cycles after the
  // read's last byte arrives: k = 0, fetchDepth 4 → 5 cycles = 20 ns.
  near(
    readyNs,
    loneReadArrival(cfg, link, 16) + (0 + 1 + cfg.core.fetchDepth) * period,
  );
});

Deno.test("DescFetchStage reuses a cache slot of the same packet once its entry is decoded", () => {
  const { cfg, link, stage } = fetchStage([
    "ring.fetchBatch=4",
    "ring.cacheEntries=4",
  ]);
  const period = 1000 / cfg.core.clockMHz;
  const depth = cfg.core.fetchDepth;
  stage.post(0, 5, 0);
  const { readyNs } = stage.obtain(0, 5);
  assert.equal(stage.fetches, 2);
  // Fetch 1: entries 0..3 (64 B) issued at 0; entry 0 ready 1 + depth
  // cycles after arrival.
  const ready0 = loneReadArrival(cfg, link, 64) + (1 + depth) * period;
  // Fetch 2: entry 4 needs entry 0's slot (4 − cacheEntries = 0, same
  // packet), so it issues when entry 0 is decoded, not one cycle after
  // fetch 1; entry 4 is ready 1 + depth cycles after its 16 B read arrives.
  const ready4 = ready0 + loneReadArrival(cfg, link, 16) + (1 + depth) * period;
  near(readyNs, ready4);
});

function sendSmall(set: string[], sends: number) {
  const nic = createNic(resolveConfig("e810-100g", { set }), {
    driver: "hw-tso",
  });
  for (let i = 0; i < sends; i++) {
    for (
      const _ of nic.transmit(
        bulkTcpSkb({ sendBytes: 1448, mss: 1448, seq: i * 1448 }),
      )
    ) {
      // pull every event
    }
  }
  return nic.report();
}

Deno.test("Nic writes back completions in batches of ring.writebackBatch, the rest when the report flushes", () => {
  const r = sendSmall(["ring.writebackBatch=4"], 9);
  assert.equal(r.ringPackets, 9);
  // Nine packets, batches of 4: writes of 4, 4 and (flushed by report) 1
  // descriptors of 16 B, one MWr TLP (24 B) each: 3 × 24 + 9 × 16 = 216.
  assert.equal(r.pcie.byKind.writeback.toHost, 3 * 24 + 9 * 16);
  assert.equal(r.pcie.byKind.writeback.toDevice, 0);
});

Deno.test("Nic raises an MSI every irqModeration completed packets", () => {
  const r = sendSmall(["ring.writebackBatch=1", "ring.irqModeration=2"], 4);
  // Four completions, moderation 2: MSIs after the 2nd and 4th, 28 B each.
  assert.equal(r.pcie.byKind.msi.toHost, 2 * 28);
  // One write-back per packet: 4 × (24 + 16).
  assert.equal(r.pcie.byKind.writeback.toHost, 4 * (24 + 16));
});

Deno.test("a queue stopped on a full ring wakes only once ring.wakeThreshold entries are free, so it rings fewer doorbells", () => {
  const doorbells = (wake: number) => {
    const cfg = resolveConfig("e810-100g", {
      set: ["ring.entries=160", `ring.wakeThreshold=${wake}`],
    });
    const nic = createNic(cfg, { driver: "tso-helper" });
    for (let i = 0; i < 4; i++) {
      for (
        const _ of nic.transmit(
          bulkTcpSkb({ sendBytes: 65536, mss: 1448, seq: i * 65536 }),
        )
      ) {
        // pull every event
      }
    }
    const r = nic.report();
    // A 4-byte tail write is one 28-byte MWr TLP.
    assert.equal(r.pcie.byKind.doorbell.toDevice % 28, 0);
    const n = r.pcie.byKind.doorbell.toDevice / 28;
    // The analytic walk of the same ring (tests/_pcie_budget.ts) agrees.
    const b = pcieBudget(cfg, "tso-helper", {
      sendBytes: 65536,
      mss: 1448,
      hdrLen: 66,
      fragBytes: 4096,
    }, 4);
    assert.equal(n, b.doorbells, `wake ${wake}`);
    return n;
  };
  // 46 segments of 2 or 3 entries (header, one or two payload slices) a
  // send, 107 entries, through a 160-entry ring: from the second send on it
  // fills. Waking on one packet's worth rings about one doorbell in two packets.
  const one = doorbells(3);
  const some = doorbells(24);
  const most = doorbells(159);
  assert.ok(one > some && some > most, `${one} > ${some} > ${most}`);
  assert.ok(one > 10 * most, `${one} vs ${most}`);
  // Waking on an empty ring: the send's own doorbell and at most one stop.
  assert.ok(most <= 2 * 4, `${most}`);
});

Deno.test("the model's PCIe bytes per traffic kind equal the analytic budget on small rings, write-back batches and interrupt moderations", () => {
  const workload = { sendBytes: 65536, mss: 1448, hdrLen: 66, fragBytes: 4096 };
  let cases = 0;
  for (const preset of ["e810-100g", "82599-10g", "corundum-100g"]) {
    for (const entries of [128, 160, 512]) {
      for (const [batch, irq] of [[1, 32], [3, 7], [8, 32], [5, 0]]) {
        // mqnic reports one completion record per packet, unbatched.
        if (preset === "corundum-100g" && batch !== 1) continue;
        const cfg = resolveConfig(preset, {
          set: [
            `ring.entries=${entries}`,
            `ring.cacheEntries=${Math.min(entries, 32)}`,
            `ring.writebackBatch=${batch}`,
            `ring.irqModeration=${irq}`,
          ],
        });
        for (const mode of supportedDriverModes(cfg)) {
          if (mode === "hw-tso") continue; // one ring packet a send: no stops
          const nic = createNic(cfg, { driver: mode });
          for (let i = 0; i < 6; i++) {
            const skb = bulkTcpSkb({
              sendBytes: 65536,
              mss: 1448,
              seq: i * 65536,
            });
            const events = nic.driverCheck(skb).fallback !== null
              ? nic.transmitSegments(syntheticHostSegments(skb))
              : nic.transmit(skb);
            for (const e of events) assert.equal(e.kind, "frame");
          }
          const got = nic.report().pcie.byKind;
          const want = pcieBudget(cfg, mode, workload, 6).byKind;
          assert.deepEqual(
            got,
            want,
            `${preset} ${mode} entries ${entries} batch ${batch} irq ${irq}`,
          );
          cases++;
        }
      }
    }
  }
  assert.ok(cases >= 40, `${cases} cases`);
});
