// compareGolden finds and names a difference between an engine and a golden
// vector, case by case.
import assert from "node:assert/strict";
import { compareGolden } from "../tb/golden_compare.ts";
import { swTransmit } from "../tb/sw_engine.ts";
import type { Engine } from "../tb/segment_run.ts";
import { goldenDevice } from "../vectors/golden_device.ts";
import type { SuperPacketMeta } from "../vectors/golden_meta.ts";
import {
  createGoldenVector,
  type GoldenFrame,
  readGoldenVector,
} from "../vectors/golden_vector.ts";

const GOLDEN = new URL("../vectors/golden/", import.meta.url).pathname;

const sw = (meta: SuperPacketMeta): Engine => {
  const dev = goldenDevice(meta);
  return (skb) => swTransmit(skb, dev);
};

/** Rewrites tcp4.pcapng with the first super-packet's expected frames changed. */
function mutated(
  change: (expected: GoldenFrame[]) => GoldenFrame[],
): { path: string; dir: string; frame: number } {
  const dir = Deno.makeTempDirSync();
  const v = readGoldenVector(`${GOLDEN}tcp4.pcapng`);
  const w = createGoldenVector(`${dir}/tcp4.pcapng`, v.provenance);
  let frame = 0;
  for (const c of v.cases) {
    let exp: GoldenFrame[] = c.expected.map((f) => ({
      data: f.data.slice(),
      timestampNs: f.timestampNs,
    }));
    if (c.meta.superPacket !== null && frame === 0) {
      frame = c.ingress.number;
      exp = change(exp);
    }
    w.writeCase(c.ingress, c.meta.superPacket, exp);
  }
  w.close();
  return { path: `${dir}/tcp4.pcapng`, dir, frame };
}

Deno.test("compareGolden names the field of the first differing byte", () => {
  const m = mutated((exp) => {
    exp[1]!.data[19]! ^= 1; // ip.id of segment 1
    return exp;
  });
  try {
    const r = compareGolden(m.path, sw);
    assert.ok(r.mismatch !== null);
    assert.deepEqual(
      [
        r.mismatch.frame,
        r.mismatch.segment,
        r.mismatch.field,
        r.mismatch.offset,
      ],
      [m.frame, 1, "ip.id", 19],
    );
  } finally {
    Deno.removeSync(m.dir, { recursive: true });
  }
});

Deno.test("compareGolden reports an extra segment when the vector expects fewer", () => {
  const m = mutated((exp) => exp.slice(0, -1));
  try {
    const r = compareGolden(m.path, sw);
    assert.ok(r.mismatch !== null);
    assert.equal(r.mismatch.field, "frame");
    assert.equal(r.mismatch.frame, m.frame);
    assert.match(r.mismatch.actual, /extra/);
  } finally {
    Deno.removeSync(m.dir, { recursive: true });
  }
});

Deno.test("compareGolden builds one engine per egress device and passes every frame through the frame contract", () => {
  let made = 0;
  const r = compareGolden(`${GOLDEN}tcp4.pcapng`, (meta) => {
    made++;
    return sw(meta);
  });
  assert.equal(made, 1);
  assert.equal(r.mismatch, null);
  assert.deepEqual(
    [r.sender, r.gsoSize, r.superPackets, r.segments, r.frames],
    ["10.77.0.1", 1448, 7, 104, 108],
  );
});
