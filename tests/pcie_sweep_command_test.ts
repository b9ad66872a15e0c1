import assert from "node:assert/strict";
import { pcieMain } from "../tb/pcie_command.ts";
import { sweepMain } from "../tb/sweep_command.ts";
import { UsageError } from "../tb/cli_args.ts";
import { tsolab } from "./_cli.ts";

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

Deno.test("pcie refuses a value the PCIe model cannot take, naming the option and what it takes", () => {
  const base = [
    "--gen",
    "3",
    "--lanes",
    "8",
    "--size",
    "1500",
    "--dir",
    "read",
  ];
  const cases: [string[], RegExp][] = [
    [["--issue-mtps=-5"], /^--issue-mtps must be a number >= 0, got "-5"$/],
    [["--issue-mtps=abc"], /^--issue-mtps must be a number >= 0, got "abc"$/],
    [["--issue-mtps", ""], /^--issue-mtps must be a number >= 0, got ""$/],
    [
      ["--mrrs", "300"],
      /^--mrrs must be one of 128, 256, 512, 1024, 2048, 4096, got "300"$/,
    ],
    [["--mrrs", "8192"], /^--mrrs must be one of 128, /],
    [["--mps", "300"], /^--mps must be one of 128, /],
    [["--rcb", "100"], /^--rcb must be one of 64, 128, got "100"$/],
    [["--rcb", "256"], /^--rcb must be one of 64, 128, got "256"$/],
    [["--gen", "0"], /^--gen must be one of 1, 2, 3, 4, 5, 6, got "0"$/],
    [["--gen", "7"], /^--gen must be one of 1, 2, 3, 4, 5, 6, got "7"$/],
    [["--lanes", "3"], /^--lanes must be one of 1, 2, 4, 8, 16, 32, got "3"$/],
  ];
  for (const [extra, re] of cases) {
    assert.throws(
      () => pcieMain([...base, ...extra]),
      (e: unknown) => e instanceof UsageError && re.test(e.message),
      extra.join(" "),
    );
  }
});

Deno.test("pcie takes every generation the model has, RCB 128 and a fractional issue rate", async () => {
  for (const gen of ["1", "6"]) {
    const r = await capture(() =>
      pcieMain(["--gen", gen, "--lanes", "8", "--size", "64", "--dir", "read"])
    );
    assert.equal(r.code, 0);
  }
  const r = await capture(() =>
    pcieMain([
      "--gen",
      "3",
      "--lanes",
      "8",
      "--size",
      "64",
      "--dir",
      "read",
      "--rcb",
      "128",
      "--issue-mtps",
      "2.5",
      "--json",
    ])
  );
  const j = JSON.parse(r.out[0]!);
  assert.equal(j.issueMtps, 2.5);
  assert.equal(j.limitedBy, "issue-rate");
});

Deno.test("an option value that starts with '-' is one line on stderr naming the option, exit 2", async () => {
  const cases: [string[], string][] = [
    [
      [
        "pcie",
        "--gen",
        "3",
        "--lanes",
        "8",
        "--size",
        "64",
        "--dir",
        "read",
        "--issue-mtps",
        "-5",
      ],
      'tsolab pcie: --issue-mtps needs a value, got "-5", which looks like an option; to pass a value that starts with "-", write --issue-mtps=-5',
    ],
    [
      ["segment", "--gso-size", "-1", "in.pcap", "-o", "out.pcap"],
      'tsolab segment: --gso-size needs a value, got "-1", which looks like an option; to pass a value that starts with "-", write --gso-size=-1',
    ],
    [
      ["segment", "--gso-size", "1448", "in.pcap", "-o", "-x.pcap"],
      'tsolab segment: -o needs a value, got "-x.pcap", which looks like an option; to pass a value that starts with "-", write -o-x.pcap',
    ],
  ];
  for (const [args, line] of cases) {
    const out = await tsolab(args);
    assert.equal(out.code, 2, args.join(" "));
    assert.equal(out.stderr, line + "\n");
  }
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
