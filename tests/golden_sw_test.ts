// The software reference against every golden vector, through the frame
// contract, on the egress device each vector records.
import assert from "node:assert/strict";
import { compareGolden } from "../tb/golden_compare.ts";
import { formatDivergence } from "../tb/scoreboard.ts";
import { swTransmit } from "../tb/sw_engine.ts";
import { goldenDevice } from "../vectors/golden_device.ts";
import { openGoldenVector } from "../vectors/golden_vector.ts";

const GOLDEN = new URL("../vectors/golden/", import.meta.url).pathname;

/**
 * Vectors the reference is known not to reproduce yet, with the reason.
 * `swTransmit` hands `segment()` the skb's features without the device's
 * gso_partial_features, so `segment()` drops GSO_PARTIAL and sends full
 * segments where `__skb_gso_segment` keeps the chunks.
 */
const KNOWN_GAPS: Record<string, string> = {};

Deno.test("the sw engine sends exactly the expected frames of every golden vector", async (t) => {
  const files = [...Deno.readDirSync(GOLDEN)]
    .filter((e) => e.name.endsWith(".pcapng"))
    .map((e) => e.name)
    .sort();
  assert.ok(files.length > 0);
  for (const name of files) {
    const gap = KNOWN_GAPS[name];
    await t.step({
      name: gap === undefined ? name : `${name} (known gap: ${gap})`,
      ignore: gap !== undefined,
      fn: () => {
        const r = compareGolden(GOLDEN + name, (meta) => {
          const dev = goldenDevice(meta, name);
          return (skb) =>
            swTransmit(skb, dev, { ufo6FragId: meta.ufo6FragId ?? 0 });
        });
        assert.equal(
          r.mismatch,
          null,
          r.mismatch ? formatDivergence(r.mismatch) : "",
        );
        using v = openGoldenVector(GOLDEN + name);
        let superPackets = 0;
        let segments = 0;
        for (const c of v.cases()) {
          if (c.meta.superPacket !== null) {
            superPackets++;
            segments += c.expected.length;
          }
        }
        assert.deepEqual([r.superPackets, r.segments], [
          superPackets,
          segments,
        ]);
      },
    });
  }
});
