// Reference-made golden vectors: rebuilt byte for byte from their seeds, and
// each shows the behaviour it is named for.
import assert from "node:assert/strict";
import { getU16 } from "../sw/bytes.ts";
import { parsePacket } from "../sw/packet_layout.ts";
import { SKB_GSO } from "../sw/types.ts";
import {
  GEN_SCENARIOS,
  generateScenario,
  genMain,
} from "../vectors/generate.ts";
import {
  type GoldenVector,
  readGoldenVector,
} from "../vectors/golden_vector.ts";

const GOLDEN = new URL("../vectors/golden/", import.meta.url).pathname;

function vector(name: string): GoldenVector {
  return readGoldenVector(`${GOLDEN}${name}.pcapng`);
}

Deno.test("vectors gen rebuilds every committed reference vector byte for byte", () => {
  const dir = Deno.makeTempDirSync();
  try {
    for (const s of GEN_SCENARIOS) {
      const r = generateScenario(s, dir);
      assert.deepEqual(
        Deno.readFileSync(r.path),
        Deno.readFileSync(`${GOLDEN}${s.name}.pcapng`),
        `${s.name} differs from vectors/golden; run vectors gen --all and vectors manifest`,
      );
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("AccECN vectors keep CWR and AE on every segment", () => {
  for (const name of ["accecn-tcp4", "accecn-tcp6"]) {
    for (const c of vector(name).cases) {
      assert.ok((c.meta.superPacket!.gsoType & SKB_GSO.TCP_ACCECN) !== 0);
      const l4 = parsePacket(c.ingress.data, 1).l4!.offset;
      const flags = getU16(c.ingress.data, l4 + 12) & 0x1ff;
      assert.ok((flags & 0x80) !== 0, `${name}: the super-packet has CWR`);
      for (const f of c.expected) {
        assert.equal(getU16(f.data, l4 + 12) & 0x180, flags & 0x180);
      }
    }
  }
});

Deno.test("FIXEDID vectors keep the super-packet's IPv4 ID on every segment", () => {
  for (const c of vector("fixedid-tcp4").cases) {
    const ip = parsePacket(c.ingress.data, 1).outer!.offset;
    const id = getU16(c.ingress.data, ip + 4);
    assert.ok(c.expected.length > 1);
    for (const f of c.expected) assert.equal(getU16(f.data, ip + 4), id);
  }
});

Deno.test("the GSO_PARTIAL vector holds chunks of whole segments, the device finishing each", () => {
  for (const c of vector("gso-partial-vxlan4").cases) {
    const sp = c.meta.superPacket!;
    assert.ok(sp.features.includes("tx-gso-partial"));
    const inLayout = parsePacket(c.ingress.data, 1);
    const total = inLayout.payloadLen;
    assert.ok(c.expected.length < Math.ceil(total / sp.gsoSize));
    let sum = 0;
    c.expected.forEach((f, i) => {
      const pl = parsePacket(f.data, 1).payloadOffset;
      const n = f.data.length - pl;
      sum += n;
      if (i < c.expected.length - 1 || c.expected.length === 1) {
        assert.equal(n % sp.gsoSize, 0, `chunk ${i} is whole segments`);
      }
    });
    assert.equal(sum, total);
  }
});

Deno.test("frag-layout vectors record the layouts they are named for", () => {
  const lay = (n: string) =>
    vector(n).cases.map((c) => ({
      layout: c.meta.superPacket!.layout!,
      headers: parsePacket(c.ingress.data, 1).payloadOffset,
    }));
  for (const { layout } of lay("frags-many-tcp4")) {
    assert.equal(layout.frags.length, 17);
  }
  for (const { layout } of lay("frags-1byte-tcp4")) {
    assert.ok(layout.frags.filter((f) => f === 1).length >= 8);
  }
  for (const n of ["frags-split-header-tcp4", "frags-split-header-tcp6"]) {
    for (const { layout, headers } of lay(n)) {
      assert.ok(
        layout.headLen < headers && layout.headLen + layout.frags[0]! < headers,
        `${n}: headers span the linear part and more than one frag`,
      );
    }
  }
});

Deno.test("vectors gen refuses an unknown scenario and a missing selection with exit 2", async () => {
  const errors: string[] = [];
  const orig = console.error;
  console.error = (m: string) => errors.push(m);
  try {
    assert.equal(await genMain(["--scenario", "nope"]), 2);
    assert.equal(await genMain([]), 2);
    assert.equal(await genMain(["--bogus"]), 2);
  } finally {
    console.error = orig;
  }
  assert.deepEqual(errors.slice(0, 2), [
    'vectors gen: unknown scenario "nope" (see --list)',
    "vectors gen: give --scenario NAME or --all (see --help)",
  ]);
  assert.match(errors[2]!, /^vectors gen: .*bogus/);
});
