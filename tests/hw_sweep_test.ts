import assert from "node:assert/strict";
import {
  driverModeTable,
  driverModeTableMarkdown,
} from "../hw/driver_mode_table.ts";
import { defaultSweepSizes, sweep } from "../hw/sweep.ts";
import { sweepSvg } from "../hw/sweep_svg.ts";

Deno.test("sweep() runs every driver mode the preset supports over the default sizes 64..65536", () => {
  assert.deepEqual(defaultSweepSizes(), [
    64,
    128,
    256,
    512,
    1024,
    2048,
    4096,
    8192,
    16384,
    32768,
    65536,
  ]);
  const pts = sweep({
    preset: "corundum-100g",
    sizes: [256, 65536],
    bytesPerPoint: 1 << 17,
  });
  assert.deepEqual(
    pts.map((p) => `${p.driver}@${p.size}`),
    [
      "tso-helper@256",
      "tso-helper@65536",
      "gso@256",
      "gso@65536",
      "none@256",
      "none@65536",
    ],
  );
  for (const p of pts) {
    assert.ok(
      p.goodputGbps > 0 && p.goodputGbps <= 100,
      `${p.driver} ${p.size}`,
    );
  }
  // Larger sends amortise per-packet costs.
  assert.ok(pts[1]!.goodputGbps > pts[0]!.goodputGbps);
});

Deno.test("sweepSvg() draws a self-contained chart with one line per driver mode", () => {
  const pts = sweep({
    preset: "82599-10g",
    sizes: [1024, 65536],
    bytesPerPoint: 1 << 17,
  });
  const svg = sweepSvg(pts, { title: "82599 <test>" });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /82599 &lt;test&gt;/);
  assert.equal((svg.match(/<polyline/g) ?? []).length, 4);
  assert.doesNotMatch(svg, /href=|<script/);
  assert.match(svg, /<\/svg>\n$/);
});

Deno.test("driverModeTable() gives the 2008 comparison per 64 KiB send: hardware TSO needs the fewest descriptors and PCIe bytes, tso.c keeps DMA mappings at the TSO count", () => {
  const rows = driverModeTable({ sends: 8 });
  console.log(driverModeTableMarkdown(rows));
  const get = (preset: string, driver: string) =>
    rows.find((r) => r.preset === preset && r.driver === driver)!;
  const tso = get("e810-100g", "hw-tso");
  const helper = get("corundum-100g", "tso-helper");
  const gso = get("corundum-100g", "gso");
  const none = get("corundum-100g", "none");
  assert.equal(tso.descriptors, 18); // context + linear + 16 page fragments
  assert.equal(tso.dmaMappings, 17);
  assert.ok(helper.dmaMappings <= tso.dmaMappings); // Miller's 2008 goal
  assert.ok(gso.dmaMappings > 5 * helper.dmaMappings);
  assert.equal(none.descriptors, 46); // one linear copy per segment
  assert.ok(none.hostChecksumBytes > 65536);
  // Headers are read once under TSO, 46 times otherwise: 45 × 66 B more.
  assert.ok(helper.pcieToDevice - tso.pcieToDevice > 45 * 66);
  for (const r of rows) assert.ok(r.gbps > 90, `${r.preset} ${r.driver}`);
});
