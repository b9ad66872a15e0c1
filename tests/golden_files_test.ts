// The committed golden vectors: each opens in tshark with its comments, the
// manifest matches the files, and the set stays small.
import assert from "node:assert/strict";
import { checkManifest, readManifest } from "../vectors/manifest.ts";
import { readGoldenVector } from "../vectors/golden_vector.ts";
import { available, onPath } from "./_tools.ts";

const GOLDEN = new URL("../vectors/golden/", import.meta.url).pathname;

function goldenFiles(): string[] {
  return [...Deno.readDirSync(GOLDEN)]
    .filter((e) => e.name.endsWith(".pcapng"))
    .map((e) => e.name)
    .sort();
}

const TSHARK = available(
  onPath("tshark"),
  "the tshark check: tshark is not on PATH",
);

Deno.test(
  "every golden vector opens in tshark with gso_size= in its super-packets' comments",
  {
    ignore: !TSHARK,
  },
  async () => {
    const manifest = readManifest(GOLDEN);
    const files = goldenFiles();
    assert.ok(files.length > 0, "vectors/golden holds no .pcapng file");
    // Two at a time: tshark starts slowly and the machine is shared.
    for (let i = 0; i < files.length; i += 2) {
      await Promise.all(
        files.slice(i, i + 2).map(async (name) => {
          const r = await new Deno.Command("tshark", {
            args: ["-r", GOLDEN + name, "-T", "fields", "-e", "frame.comment"],
            stdout: "piped",
            stderr: "piped",
          }).output();
          const err = new TextDecoder().decode(r.stderr)
            .split("\n").filter((l) => l && !l.startsWith("Running as user"));
          assert.ok(r.success, `tshark cannot read ${name}: ${err.join(" ")}`);
          const lines = new TextDecoder().decode(r.stdout).split("\n");
          const entry = manifest.files.find((f) => f.file === name)!;
          assert.ok(entry, `${name} is not in the manifest`);
          assert.equal(
            lines.filter((l) => /(^|\s)gso_size=\d+/.test(l)).length,
            entry.super_packets,
            `${name}: comments with gso_size= as tshark shows them`,
          );
          assert.equal(
            lines.filter((l) => /^segments=\d+/.test(l)).length,
            entry.super_packets + entry.pass_through,
            `${name}: ingress comments as tshark shows them`,
          );
        }),
      );
    }
  },
);

Deno.test("MANIFEST.json matches the golden vectors (sha256, counts, provenance)", async () => {
  assert.deepEqual(await checkManifest(GOLDEN), []);
});

Deno.test("the golden set stays under 20 MB and every file is a golden vector", () => {
  const m = readManifest(GOLDEN);
  assert.ok(
    m.total_bytes < 20 * 1024 * 1024,
    `golden set is ${m.total_bytes} bytes`,
  );
  for (const f of m.files) {
    const v = readGoldenVector(GOLDEN + f.file);
    assert.equal(v.provenance.scenario + ".pcapng", f.file);
    assert.ok(v.superPackets > 0, `${f.file} has no super-packet`);
    if (v.provenance.origin === "kernel") {
      assert.ok(v.provenance.kernelRelease, `${f.file} lacks kernel_release`);
    } else {
      for (const c of v.cases) {
        const sp = c.meta.superPacket!;
        assert.ok(
          sp.layout !== undefined && sp.seed !== undefined,
          `${f.file} frame ${c.ingress.number}: a reference vector records layout and seed`,
        );
      }
    }
  }
});
