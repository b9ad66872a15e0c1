import assert from "node:assert/strict";
import { pcieMain } from "../tb/pcie_command.ts";
import { sweepMain } from "../tb/sweep_command.ts";
import { UsageError } from "../tb/cli_args.ts";

async function capture(
  f: () => Promise<number>,
): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  try {
    return { code: await f(), out };
  } finally {
    console.log = orig;
  }
}

Deno.test("pcie reports pcie-bench's Gen3 x8 figures", async () => {
  const r = await capture(() =>
    pcieMain([
      "--gen",
      "3",
      "--lanes",
      "8",
      "--mps",
      "256",
      "--mrrs",
      "512",
      "--size",
      "1500",
      "--dir",
      "read",
      "--json",
    ])
  );
  const j = JSON.parse(r.out[0]!);
  assert.equal(j.rawGbps.toFixed(2), "63.02");
  assert.equal(j.tlpGbps.toFixed(2), "57.88");
  assert.equal(j.wireBytes, 6 * 20 + 1500); // ceil(1500/256) completions
  assert.ok(j.gbps < j.tlpGbps);
});

Deno.test("pcie write bandwidth steps down just above a multiple of MPS", async () => {
  const at = async (size: number) =>
    JSON.parse(
      (await capture(() =>
        pcieMain([
          "--gen",
          "4",
          "--lanes",
          "16",
          "--size",
          String(size),
          "--dir",
          "write",
          "--json",
        ])
      )).out[0]!,
    ).gbps as number;
  assert.ok(await at(257) < await at(256));
  assert.ok(await at(513) < await at(512));
});

Deno.test("pcie and sweep refuse bad usage as UsageError", () => {
  assert.throws(
    () =>
      pcieMain([
        "--gen",
        "3",
        "--lanes",
        "8",
        "--size",
        "64",
        "--dir",
        "sideways",
      ]),
    UsageError,
  );
  assert.throws(() => sweepMain(["-o", "/tmp/x.png"]), UsageError);
  assert.throws(
    () =>
      sweepMain([
        "--preset",
        "corundum-100g",
        "--driver",
        "hw-tso",
        "-o",
        "/tmp/x.svg",
      ]),
    UsageError,
  );
});

Deno.test("sweep writes an SVG with every driver mode of the preset", async () => {
  const f = await Deno.makeTempFile({ suffix: ".svg" });
  try {
    const r = await capture(() =>
      sweepMain(["--preset", "corundum-100g", "--sizes", "1024,65536", "-o", f])
    );
    assert.equal(r.code, 0);
    const svg = Deno.readTextFileSync(f);
    assert.ok(svg.startsWith("<svg"));
    for (const m of ["tso-helper", "gso", "none"]) {
      assert.ok(svg.includes(m), m);
    }
  } finally {
    await Deno.remove(f);
  }
});
