import assert from "node:assert/strict";
import { onesSumReference } from "../sw/checksum.ts";
import { allocBeats, OnesAdder } from "../hw/ones_adder.ts";
import { onesAdd32, onesSub32, swap16 } from "../hw/ones_math.ts";

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32;
}

Deno.test("OnesAdder sums every length and alignment like the obvious byte-at-a-time reference, for each bus width", () => {
  const r = rng(1);
  for (const bus of [4, 8, 16, 32, 64, 128]) {
    const adder = new OnesAdder(bus);
    for (let k = 0; k < 300; k++) {
      const len = 1 + Math.floor(r() * 400);
      const buf = allocBeats(len, bus);
      for (let i = 0; i < len; i++) buf[i] = Math.floor(r() * 256);
      const start = Math.floor(r() * len);
      const end = start + Math.floor(r() * (len - start + 1));
      assert.equal(
        adder.sum(buf, start, end),
        end > start ? onesSumReference(buf, start, end) : 0,
        `bus ${bus} len ${len} [${start}, ${end})`,
      );
      // The slow path (an unaligned view) agrees too.
      const view = new Uint8Array(len + 1).subarray(1);
      view.set(buf);
      assert.equal(adder.sum(view, start, end), adder.sum(buf, start, end));
    }
  }
});

Deno.test("OnesAdder with the odd-lane fault sums a trailing odd byte as the low byte", () => {
  const a = new OnesAdder(64);
  const f = allocBeats(3, 64);
  f.set([0, 0, 0x12]);
  assert.equal(a.sum(f, 0, 3), 0x1200);
  a.oddByteWrongLane = true;
  assert.equal(a.sum(f, 0, 3), 0x0012);
});

Deno.test("ones' complement helpers add and remove 32-bit lengths and swap bytes", () => {
  assert.equal(onesSub32(onesAdd32(0xabcd, 70000), 70000), 0xabcd);
  assert.equal(swap16(0xff00), 0x00ff);
});
