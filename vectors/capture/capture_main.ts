/**
 * The `vectors capture` command: makes the running Linux kernel produce
 * golden in/out pcap pairs for the registered scenarios.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { cString, libc } from "./_libc.ts";
import type { ScenarioRecord } from "./capture_scenario.ts";
import { captureScenario } from "./capture_scenario.ts";
import type { Scenario } from "./scenario.ts";
import { findScenario, SCENARIOS } from "./scenarios.ts";

/** Help text of `vectors capture`. */
export const CAPTURE_USAGE =
  `Usage: tsolab vectors capture --scenario NAME [--scenario NAME …] [-o DIR]
       tsolab vectors capture --all [-o DIR]
       tsolab vectors capture --list

Captures what the running Linux kernel makes of GSO super-packets: for each
scenario DIR/NAME.in.pcap (the super-packets, captured on p1 or the tap),
DIR/NAME.out.pcap (the kernel's software segments, captured on p2) and
DIR/NAME.json (kernel release, commands, egress features, gso_size, status).
Needs root, ip/bridge (iproute2), ethtool, tcpdump and /dev/net/tun.

Options:
  -s, --scenario NAME   capture this scenario (repeatable)
  -a, --all             capture every scenario
  -o, --output DIR      output directory (default vectors/captures-raw)
  -l, --list            list the scenarios and exit
  -h, --help            show this help

Exit status: 0 all captured or skipped, 1 a scenario failed, 2 bad usage or
missing requirements.

Example:
  sudo deno task capture --scenario tcp4 -o /tmp/caps`;

async function hasTool(argv: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return out.code === 0;
  } catch {
    return false;
  }
}

/**
 * What this process lacks to capture: root, permissions, tools, the tun
 * device. Empty when everything is there.
 *
 * @param needTap Whether a selected scenario uses the tap driver.
 * @returns Human-readable names of what is missing.
 *
 * @example
 * ```ts ignore
 * import { missingRequirements } from "./capture_main.ts";
 * const missing = await missingRequirements(true);
 * if (missing.length) console.error(`needs ${missing.join(", ")}`);
 * ```
 */
export async function missingRequirements(needTap: boolean): Promise<string[]> {
  const missing: string[] = [];
  for (const name of ["run", "ffi", "sys", "read", "write"] as const) {
    if (Deno.permissions.querySync({ name }).state !== "granted") {
      missing.push(`--allow-${name}`);
    }
  }
  if (missing.length) return missing;
  if (Deno.uid() !== 0) missing.push("root");
  const tools: Array<[string, string[]]> = [
    ["ip (iproute2)", ["ip", "-V"]],
    ["bridge (iproute2)", ["bridge", "-V"]],
    ["ethtool", ["ethtool", "--version"]],
    ["tcpdump", ["tcpdump", "--version"]],
  ];
  for (const [name, argv] of tools) {
    if (!(await hasTool(argv))) missing.push(name);
  }
  if (needTap) {
    // Through libc: Deno wants --allow-all to stat a device file.
    const R_OK_W_OK = 6;
    if (libc().access(cString("/dev/net/tun"), R_OK_W_OK) !== 0) {
      missing.push("/dev/net/tun");
    }
  }
  return missing;
}

function resultLine(r: ScenarioRecord): string {
  if (r.status !== "ok") {
    return `${r.status.padEnd(7)} ${r.scenario}: ${r.reason}`;
  }
  const f = r.frames!;
  const warn = r.notes.length
    ? `  (${r.notes.length} note${r.notes.length > 1 ? "s" : ""})`
    : "";
  return `ok      ${r.scenario}  gso_size ${r.gso_size}  in ${f.in_forward} forward (${f.super_packets} super-packets)  out ${f.out_forward} forward${warn}`;
}

/**
 * Runs `vectors capture` with the arguments after the command name.
 *
 * @param args For example `["--scenario", "tcp4", "-o", "/tmp/caps"]`.
 * @returns The exit code: 0 ok (skips included), 1 a scenario failed, 2 bad
 *   usage or missing requirements (one line on stderr).
 *
 * @example
 * ```ts ignore
 * import { captureMain } from "./capture_main.ts";
 * Deno.exit(await captureMain(["--all", "-o", "vectors/captures-raw"]));
 * ```
 */
export async function captureMain(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        scenario: { type: "string", short: "s", multiple: true },
        all: { type: "boolean", short: "a" },
        output: { type: "string", short: "o" },
        list: { type: "boolean", short: "l" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(
      `vectors capture: ${e instanceof Error ? e.message : String(e)}`,
    );
    return 2;
  }
  if (values.help) {
    console.log(CAPTURE_USAGE);
    return 0;
  }
  if (values.list) {
    for (const s of SCENARIOS) {
      const gso = typeof s.gsoSize === "number"
        ? `gso_size ${s.gsoSize}`
        : "gso_size inferred";
      console.log(
        `${s.name.padEnd(18)} ${s.driver.padEnd(6)} ${
          gso.padEnd(18)
        } ${s.description}`,
      );
    }
    return 0;
  }
  const names = values.scenario ?? [];
  if (Boolean(values.all) === (names.length > 0)) {
    console.error(
      "vectors capture: give --scenario NAME or --all (see --help)",
    );
    return 2;
  }
  const selected: Scenario[] = [];
  for (const n of names) {
    const s = findScenario(n);
    if (!s) {
      console.error(`vectors capture: unknown scenario "${n}" (see --list)`);
      return 2;
    }
    selected.push(s);
  }
  if (values.all) selected.push(...SCENARIOS);
  const missing = await missingRequirements(
    selected.some((s) => s.driver === "tap"),
  );
  if (missing.length) {
    console.error(
      `vectors capture: cannot capture without ${
        missing.join(", ")
      }: run it as "deno task capture …", which grants them (it runs ip, ethtool, tcpdump and deno in network namespaces, and opens /dev/net/tun through libc)`,
    );
    return 2;
  }
  const dir = values.output ?? "vectors/captures-raw";
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (e) {
    console.error(
      `vectors capture: cannot create output directory ${dir}: ${
        e instanceof Error ? e.message : e
      }`,
    );
    return 2;
  }
  const counts = { ok: 0, skipped: 0, failed: 0 };
  for (const s of selected) {
    const r = await captureScenario(s, dir);
    counts[r.status]++;
    console.log(resultLine(r));
  }
  console.log(
    `${counts.ok} ok, ${counts.skipped} skipped, ${counts.failed} failed; files in ${dir}`,
  );
  return counts.failed > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await captureMain(Deno.args));
