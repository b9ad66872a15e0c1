// Every report of a model run echoes its effective configuration, and what
// --config and --set changed from the preset, in the --set syntax so the
// echo can be pasted back: segment, verify and sweep, as text and JSON.
import assert from "node:assert/strict";
import { configChanges, configEcho } from "../hw/config_echo.ts";
import { PRESETS } from "../hw/presets.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { tsolab } from "./_cli.ts";

const GOLDEN = new URL("../vectors/golden/tcp4.pcapng", import.meta.url)
  .pathname;

Deno.test("configChanges() is empty for every stock preset", () => {
  for (const name of Object.keys(PRESETS)) {
    assert.deepEqual(configChanges(resolveConfig(name)), [], name);
    assert.equal(
      configEcho(resolveConfig(name))[1],
      "changed from preset: none",
    );
  }
});

Deno.test("configChanges() names every key a file and --set changed, and pasting them back as --set rebuilds the configuration", () => {
  const cfg = resolveConfig("82599-10g", {
    config: { pcie: { gen: 3, lanes: 8 }, mac: { ifg: 20 } },
    set: [
      "pcie.lanes=4",
      "tso.ipIdMode=fixed",
      "offload.mssMin=2000",
      "checksum.mode=cut-through",
      "faults.pshOnEverySegment=1,4",
    ],
  });
  const changes = configChanges(cfg);
  assert.deepEqual(changes, [
    "pcie.gen=3",
    "pcie.lanes=4",
    "offload.mssMin=2000",
    "tso.ipIdMode=fixed",
    "checksum.mode=cut-through",
    "mac.ifg=20",
    "faults.pshOnEverySegment=[1,4]",
  ]);
  assert.deepEqual(resolveConfig("82599-10g", { set: changes }), cfg);
});

Deno.test("a --set value equal to the preset's is not a change", () => {
  const gen = PRESETS["e810-100g"].pcie.gen;
  assert.deepEqual(
    configChanges(resolveConfig("e810-100g", { set: [`pcie.gen=${gen}`] })),
    [],
  );
});

Deno.test("a fault list is taken as a report echoes it, with brackets, and [] is no packet", () => {
  const set = (v: string) =>
    resolveConfig("e810-100g", { set: [`faults.mssOffByOne=${v}`] }).faults
      .mssOffByOne;
  assert.deepEqual(set("[2]"), [2]);
  assert.deepEqual(set("[1, 4]"), [1, 4]);
  assert.deepEqual(set("1,4"), [1, 4]);
  assert.deepEqual(set("[]"), []);
  assert.throws(() => set("[a]"), /faults\.mssOffByOne/);
  assert.throws(() => set("[1,"), /faults\.mssOffByOne/);
});

Deno.test("segment --engine hw echoes every --set key it applied, not only the summary's", async () => {
  const out = await Deno.makeTempFile({ suffix: ".pcapng" });
  try {
    const segment = (args: string[]) =>
      tsolab([
        "segment",
        "--engine",
        "hw",
        "--gso-size",
        "1448",
        GOLDEN,
        "-o",
        out,
        ...args,
      ]);
    const r = await segment([
      "--set",
      "pcie.readIssueMtps=5",
      "--set",
      "tso.ipIdMode=fixed",
      "--set",
      "offload.mssMin=2000",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^changed from preset: pcie\.readIssueMtps=5, offload\.mssMin=2000, tso\.ipIdMode=fixed$/m,
    );
    // The change took effect: MSS 1448 is now below the device's minimum.
    assert.match(r.stdout, /^fallbacks .*mss-below-min [1-9]/m);
    const json = await segment(["--set", "offload.mssMin=2000", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout.split("\n")[0]);
    assert.deepEqual(doc.hw.configChanges, ["offload.mssMin=2000"]);
    assert.equal(doc.hw.config.offload.mssMin, 2000);
  } finally {
    await Deno.remove(out);
  }
});

Deno.test("verify heads its rows with the model's configuration and changes, and --json carries them", async () => {
  const args = ["verify", GOLDEN, "--engine", "hw", "--set", "pcie.gen=3"];
  const text = await tsolab(args);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.split("\n");
  assert.equal(lines[0], "model preset e810-100g, driver hw-tso");
  assert.match(lines[1], /^config core 512-bit @ 250 MHz; PCIe Gen3 x16 /);
  assert.equal(lines[2], "changed from preset: pcie.gen=3");
  assert.match(lines[3], /^tcp4 +hw /);
  const json = await tsolab([...args, "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.model.driver, "hw-tso");
  assert.deepEqual(doc.model.changes, ["pcie.gen=3"]);
  assert.equal(doc.model.config.pcie.gen, 3);
  assert.equal(doc.passed, 1);
  // The reference alone runs no model: nothing to echo.
  const sw = await tsolab(["verify", GOLDEN, "--engine", "sw", "--json"]);
  assert.equal(JSON.parse(sw.stdout).model, undefined);
});

Deno.test("sweep echoes the configuration on stdout, in the chart and on the HTML page", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const set = ["--sizes", "65536", "--set", "mac.ifg=20"];
    const svg = await tsolab(["sweep", ...set, "-o", `${dir}/s.svg`]);
    assert.equal(svg.code, 0, svg.stderr);
    assert.match(svg.stdout, /^changed from preset: mac\.ifg=20$/m);
    assert.match(svg.stdout, /^config core .* IFG 20 B;/m);
    const chart = await Deno.readTextFile(`${dir}/s.svg`);
    assert.match(chart, /<desc>config core [^<]*IFG 20 B;/);
    assert.match(chart, />changed from preset: mac\.ifg=20<\/text>/);
    const page = await tsolab(["sweep", ...set, "-o", `${dir}/s.html`]);
    assert.equal(page.code, 0, page.stderr);
    assert.match(
      await Deno.readTextFile(`${dir}/s.html`),
      /<p>changed from preset: mac\.ifg=20<\/p>/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
