/**
 * The `vectors capture` command line and the scenario registry, without
 * touching the network (the end-to-end runs are in capture_test.ts).
 */

import assert from "node:assert/strict";
import { SCENARIOS } from "../vectors/capture/scenarios.ts";
import { denoRun } from "./_cli.ts";

const MAIN =
  new URL("../vectors/capture/capture_main.ts", import.meta.url).pathname;

function cli(permissions: string[], args: string[]) {
  return denoRun(["--quiet", "--no-config", ...permissions], MAIN, args);
}

Deno.test("the registry holds at least 20 uniquely named scenarios of both drivers", () => {
  assert.ok(SCENARIOS.length >= 20);
  assert.equal(new Set(SCENARIOS.map((s) => s.name)).size, SCENARIOS.length);
  assert.ok(SCENARIOS.some((s) => s.driver === "socket"));
  assert.ok(SCENARIOS.some((s) => s.driver === "tap"));
  for (const s of SCENARIOS) {
    assert.match(s.name, /^[a-z0-9-]+$/);
    assert.ok(s.description.length > 10, s.name);
    if (s.driver === "tap") assert.equal(typeof s.gsoSize, "number", s.name);
  }
});

Deno.test("--list prints one line per scenario and exits 0", async () => {
  const r = await cli([], ["--list"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, SCENARIOS.length);
  assert.ok(lines[0]!.startsWith(SCENARIOS[0]!.name));
});

Deno.test("bad usage is refused in one line with exit code 2", async () => {
  for (
    const [args, msg] of [
      [[], /give --scenario NAME or --all/],
      [["--all", "--scenario", "tcp4"], /give --scenario NAME or --all/],
      [["--scenario", "no-such"], /unknown scenario "no-such"/],
      [["--bogus"], /vectors capture: .*bogus/],
    ] as const
  ) {
    const r = await cli(["--allow-all"], [...args]);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

Deno.test("a capture without the needed permissions is refused in one line naming them", async () => {
  const r = await cli(["--allow-read", "--allow-run"], [
    "--scenario",
    "tcp4",
    "-o",
    "/nonexistent",
  ]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /^vectors capture: cannot capture without .*--allow-ffi/,
  );
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
});
