import assert from "node:assert/strict";
import { HwConfigError } from "../hw/errors.ts";
import { DEFAULT_PRESET, PRESETS } from "../hw/presets.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { formatHwReport } from "../hw/hw_report.ts";
import { createNic } from "../hw/nic.ts";

Deno.test("resolveConfig() defaults to e810-100g with Gen4 x16 and TSO, TSO6, USO, VXLAN", () => {
  const c = resolveConfig();
  assert.equal(c.preset, "e810-100g");
  assert.equal(DEFAULT_PRESET, "e810-100g");
  assert.equal(c.family, "ice");
  assert.equal(c.pcie.gen, 4);
  assert.equal(c.pcie.lanes, 16);
  for (
    const k of ["tso", "tso6", "uso", "vxlan", "vxlanCsum", "csum"] as const
  ) {
    assert.equal(c.offload[k], true, k);
  }
  assert.equal(c.ring.writeback, "dd");
});

Deno.test("resolveConfig() gives 82599-10g ixgbe descriptors, Gen2 x8, no tunnel segmentation, batched write-back", () => {
  const c = resolveConfig("82599-10g");
  assert.equal(c.family, "ixgbe");
  assert.deepEqual([c.pcie.gen, c.pcie.lanes], [2, 8]);
  assert.equal(c.offload.tso && c.offload.tso6, true);
  assert.equal(c.offload.vxlan || c.offload.uso, false);
  assert.equal(c.ring.writebackBatch, 8);
  assert.equal(c.ring.cacheEntries, 40);
});

Deno.test("resolveConfig() gives corundum-100g a 512-bit 250 MHz datapath, Gen3 x16, checksum only", () => {
  const c = resolveConfig("corundum-100g");
  assert.equal(c.family, "mqnic");
  assert.equal(c.core.busBytes * 8, 512);
  assert.equal(c.core.clockMHz, 250);
  assert.deepEqual([c.pcie.gen, c.pcie.lanes], [3, 16]);
  assert.equal(c.offload.tso || c.offload.tso6 || c.offload.uso, false);
  assert.equal(c.offload.csum, true);
});

Deno.test("resolveConfig() applies a JSON config then --set overrides in order", () => {
  const c = resolveConfig("e810-100g", {
    config: { pcie: { gen: 3, lanes: 8 }, faults: { pshOnEverySegment: true } },
    set: [
      "pcie.mps=128",
      "offload.uso=false",
      "faults.mssOffByOne=1,3",
      "checksum.mode=cut-through",
    ],
  });
  assert.equal(c.pcie.gen, 3);
  assert.equal(c.pcie.lanes, 8);
  assert.equal(c.pcie.mps, 128);
  assert.equal(c.offload.uso, false);
  assert.equal(c.faults.pshOnEverySegment, true);
  assert.deepEqual(c.faults.mssOffByOne, [1, 3]);
  assert.equal(c.checksum.mode, "cut-through");
});

Deno.test("resolveConfig() does not modify the preset", () => {
  resolveConfig("e810-100g", { set: ["pcie.gen=3"] });
  assert.equal(PRESETS["e810-100g"]!.pcie.gen, 4);
  assert.throws(() => {
    (PRESETS["e810-100g"]!.pcie as { gen: number }).gen = 1;
  }, TypeError);
});

Deno.test("resolveConfig() rejects unknown presets, keys and values with typed errors that name them", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => resolveConfig("e1000"), /Unknown preset "e1000"/],
    [
      () => resolveConfig(undefined, { set: ["pcie.foo=1"] }),
      /Unknown config key "pcie.foo" from --set/,
    ],
    [
      () => resolveConfig(undefined, { config: { pcie: { bar: 1 } } }),
      /Unknown config key "pcie.bar" from the config file/,
    ],
    [
      () => resolveConfig(undefined, { config: { nope: { bar: 1 } } }),
      /Unknown config key "nope"/,
    ],
    [
      () => resolveConfig(undefined, { set: ["pcie.gen=7"] }),
      /Invalid value "7" for pcie.gen from --set: expected one of/,
    ],
    [() => resolveConfig(undefined, { set: ["pcie.mps=300"] }), /pcie.mps/],
    [
      () => resolveConfig(undefined, { set: ["checksum.mode=magic"] }),
      /Invalid value "magic" for checksum.mode/,
    ],
    [
      () => resolveConfig(undefined, { set: ["offload.tso=maybe"] }),
      /expected true or false/,
    ],
    [
      () => resolveConfig(undefined, { set: ["core.clockMHz=abc"] }),
      /expected a number/,
    ],
    [
      () => resolveConfig(undefined, { set: ["core.clockMHz=0"] }),
      /expected a number > 0/,
    ],
    [() => resolveConfig(undefined, { set: ["pcie"] }), /expected key=value/],
    [() => resolveConfig(undefined, { set: ["pcie=3"] }), /it is a group/],
    [
      () => resolveConfig(undefined, { set: ["faults.mssOffByOne=x"] }),
      /list of packet indices/,
    ],
    [
      () => resolveConfig("corundum-100g", { set: ["offload.tso=true"] }),
      /no TSO descriptor/,
    ],
  ];
  for (const [f, re] of cases) {
    assert.throws(
      f,
      (e: unknown) => e instanceof HwConfigError && re.test(e.message),
    );
  }
});

Deno.test("resolveConfig() refuses preset from --set and from a config file: it would relabel the run, not load the preset", () => {
  for (
    const f of [
      () => resolveConfig(undefined, { set: ["preset=82599-10g"] }),
      () => resolveConfig(undefined, { config: { preset: "82599-10g" } }),
    ]
  ) {
    assert.throws(
      f,
      (e: unknown) =>
        e instanceof HwConfigError && /^Cannot set preset /.test(e.message) &&
        e.message.includes("use --preset"),
    );
  }
});

Deno.test("resolveConfig() takes an RCB of 64 or 128 only, and whole numbers for counts and sizes", () => {
  assert.equal(
    resolveConfig(undefined, { set: ["pcie.rcb=128"] }).pcie.rcb,
    128,
  );
  const cases: [string, RegExp][] = [
    ["pcie.rcb=512", /pcie.rcb from --set: expected one of 64, 128$/],
    ["pcie.rcb=256", /pcie.rcb/],
    ["pcie.tags=0.5", /"0.5" for pcie.tags from --set: expected an integer/],
    ["ring.entries=255.5", /ring.entries .*expected an integer/],
  ];
  for (const [set, re] of cases) {
    assert.throws(
      () => resolveConfig(undefined, { set: [set] }),
      (e: unknown) => e instanceof HwConfigError && re.test(e.message),
      set,
    );
  }
  // Clocks, rates and latencies may have a fraction.
  const c = resolveConfig(undefined, {
    set: ["core.clockMHz=156.25", "mac.lineGbps=2.5"],
  });
  assert.equal(c.core.clockMHz, 156.25);
  assert.equal(c.mac.lineGbps, 2.5);
});

Deno.test("the text report's config line echoes read latency, preamble and IFG as set", () => {
  const cfg = resolveConfig("e810-100g", {
    set: ["pcie.readLatencyNs=100", "mac.ifg=8"],
  });
  const line = formatHwReport(createNic(cfg).report()).split("\n")[2]!;
  assert.match(line, /^config /);
  assert.match(line, /read latency 100 ns \+ [\d.]+ ns\/B/);
  assert.match(line, /preamble\+SFD 8 B, IFG 8 B/);
});
