/**
 * `tsolab verify`: the main job. Runs each available engine over the golden
 * inputs and compares what it sends with what the Linux kernel sent, byte
 * for byte, printing one line per file and, for a failure, the frame,
 * segment, field, expected and actual values.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  DRIVER_MODES,
  type DriverMode,
  type NicConfig,
} from "../hw/nic_config.ts";
import { defaultDriverMode, supportedDriverModes } from "../hw/drivers.ts";
import { configChanges, configEcho } from "../hw/config_echo.ts";
import { kernelCaptureEgressDevice } from "../sw/net_device.ts";
import { TsolabError } from "../sw/types.ts";
import {
  type GoldenHwResult,
  verifyGoldenHw,
  verifyGoldenSw,
} from "./golden_engines.ts";
import { type HwEngine, makeHwEngine } from "./hw_engine.ts";
import { loadModelConfig, lockstepOverrides } from "./model_config.ts";
import { extractFeatureArgs, intOption, UsageError } from "./cli_args.ts";
import { applyFeatureChanges } from "./device_setup.ts";
import { GsoSizeNotInferredError } from "./gso_size_not_inferred_error.ts";
import { NothingToCompareError } from "./nothing_to_compare_error.ts";
import { CaptureTruncatedError } from "./capture_truncated_error.ts";
import {
  compareCaptures,
  type CompareResult,
  inferredGsoSizeNote,
} from "./capture_compare.ts";
import { formatDivergence } from "./scoreboard.ts";
import { swTransmit } from "./sw_engine.ts";

/**
 * Help text of `verify`.
 *
 * @example
 * ```ts
 * import { VERIFY_HELP } from "./verify_command.ts";
 * console.log(VERIFY_HELP);
 * ```
 */
export const VERIFY_HELP =
  `tsolab verify — check the engines against what the Linux kernel sent

Usage:
  tsolab verify [FILE.pcapng …] [--golden DIR] [--engine sw|hw|all]
                [--preset P] [--driver MODE] [--config FILE.json]
                [--set key=value …] [--keep-going] [--json]
  tsolab verify --captures DIR [PAIR …] [--engine sw|hw|all] [--preset P]
                [--driver MODE] [--config FILE.json] [--set key=value …]
                [--vxlan-port P …] [-K name on|off … (with --engine sw)]
                [--keep-going] [--json]

With no arguments, verifies every golden vector in vectors/golden (each a
pcapng: ingress super-packets and pass-through frames on interface 0, the
kernel's frames on interface 1, per-packet gso_size, gso_type and egress
features in EPB comments). Two engines run over every vector:

  sw  the software reference, on the vector's egress device
  hw  the NIC model (default preset e810-100g, its default driver mode,
      changed by --config and --set), in lockstep with the reference segment
      by segment; its frames are also compared with the kernel's, and its
      cycles per payload byte printed

--captures DIR instead takes capture pairs NAME.in.pcap / NAME.out.pcap (the
sender's frames are compared; gso_size is inferred from the egress side). A
pair with no TCP/UDP frame from a sender, with no TCP/UDP payload of the
sender on the egress side to infer gso_size from, or with a frame cut by the
snap length, is skipped with the reason; when no pair is left, that is an
error (exit 2). The reference's egress device is the one the pairs of
../shared/kernel-captures were taken on (tso off, gso on, tx-checksumming
off, sg on); -K changes it by ethtool names, as segment's does, for pairs
captured with other features. --vxlan-port P (repeatable; default 4789)
names the UDP ports carrying VXLAN. Cooked captures (LINUX_SLL/SLL2) are
compared from the network header, and a pair's hw line names the packets the
model dropped.

When the model runs, three lines first echo its effective configuration:
preset and driver, the figures that set its pace, and what --config and --set
changed from the preset (as key=value, the --set syntax). Then one line per
vector and engine: super-packets, segments, frames, pass/FAIL (and for hw:
lockstep, cycles/byte); a failure names the ingress frame, the segment, the
field (Wireshark names), expected and actual values, with a hex diff. A
lockstep divergence fails the row. --json prints one JSON document instead
({ model, results, passed, failed, skipped }; model holds the preset, driver,
changes and the whole configuration). --preset, --driver,
--config and --set configure the model and are refused with --engine sw;
they are checked before anything runs.

Exit status: 0 all pass; 1 any mismatch; 2 usage or unusable input.

Example:
  deno task verify
`;

/**
 * Where the golden vectors live: `vectors/golden` in the project.
 *
 * @returns The folder path.
 *
 * @example
 * ```ts ignore
 * defaultGoldenDir(); // "/work/main/vectors/golden"
 * ```
 */
export function defaultGoldenDir(): string {
  return new URL("../vectors/golden", import.meta.url).pathname;
}

/**
 * The golden vector files of a folder, sorted.
 *
 * @param dir The folder.
 * @returns Paths of its `.pcapng` files.
 * @throws {UsageError} When the folder cannot be read.
 *
 * @example
 * ```ts ignore
 * goldenFiles(defaultGoldenDir()).length; // 45
 * ```
 */
export function goldenFiles(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && e.name.endsWith(".pcapng"))
      .map((e) => `${dir}/${e.name}`)
      .sort();
  } catch (e) {
    throw new UsageError(
      `${dir}: cannot read folder (${(e as Error).message})`,
    );
  }
}

/**
 * Where the kernel captures live: `../shared/kernel-captures` beside the
 * project folder.
 *
 * @returns The folder path.
 *
 * @example
 * ```ts ignore
 * defaultCapturesDir(); // "/work/shared/kernel-captures"
 * ```
 */
export function defaultCapturesDir(): string {
  return new URL("../../shared/kernel-captures", import.meta.url).pathname;
}

/**
 * Lists the capture pairs of a folder: names with both `.in.pcap` and
 * `.out.pcap` files, sorted.
 *
 * @param dir The folder.
 * @returns Pair names.
 * @throws {UsageError} When the folder cannot be read.
 *
 * @example
 * ```ts ignore
 * capturePairs("/work/shared/kernel-captures"); // ["tcp4", "tcp4-vxlan", …]
 * ```
 */
export function capturePairs(dir: string): string[] {
  const names = new Set<string>();
  try {
    for (const e of Deno.readDirSync(dir)) names.add(e.name);
  } catch (e) {
    throw new UsageError(
      `${dir}: cannot read folder (${(e as Error).message})`,
    );
  }
  return [...names]
    .filter((n) => n.endsWith(".in.pcap"))
    .map((n) => n.slice(0, -".in.pcap".length))
    .filter((n) => names.has(`${n}.out.pcap`))
    .sort();
}

/** The least width of the report's name column. */
const NAME_WIDTH = 16;

/** Width of the name column for these names. */
function nameColumn(names: string[]): number {
  return names.reduce((w, n) => Math.max(w, n.length), NAME_WIDTH);
}

/**
 * Formats one comparison as a report line.
 *
 * @param name Pair name.
 * @param engine Engine name.
 * @param r The result.
 * @param nameWidth Width of the name column (the run's longest name, so the
 *   engine columns line up).
 * @returns The line.
 *
 * @example
 * ```ts ignore
 * formatCompare("tcp4", "sw", result); // "tcp4  sw  super_packets=30 … pass"
 * ```
 */
export function formatCompare(
  name: string,
  engine: string,
  r: CompareResult,
  nameWidth = NAME_WIDTH,
): string {
  const head =
    `${name.padEnd(nameWidth)} ${engine.padEnd(3)} gso_size=${r.gsoSize} ` +
    `super_packets=${r.superPackets} segments=${r.segments} frames=${r.frames}`;
  if (r.mismatch === null) return `${head} pass`;
  const note = inferredGsoSizeNote(r);
  return `${head} FAIL\n` +
    r.divergences.map((d) => formatDivergence(d).replace(/^/gm, "  ")).join(
      "\n",
    ) + (note === null ? "" : `\n  ${note}`);
}

/**
 * Runs `verify` with command-line arguments.
 *
 * @param args Arguments after `verify`.
 * @returns The exit status.
 * @throws {UsageError} For bad usage.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await verifyMain([]));
 * ```
 */
export function verifyMain(args: string[]): Promise<number> {
  const { rest, changes } = extractFeatureArgs(args);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      captures: { type: "string" },
      "vxlan-port": { type: "string", multiple: true },
      golden: { type: "string" },
      engine: { type: "string", default: "all" },
      preset: { type: "string" },
      config: { type: "string" },
      set: { type: "string", multiple: true },
      driver: { type: "string" },
      "keep-going": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(VERIFY_HELP);
    return Promise.resolve(0);
  }
  if (!["sw", "hw", "all"].includes(values.engine)) {
    throw new UsageError(
      `--engine must be sw, hw or all, got "${values.engine}"`,
    );
  }
  const useSw = values.engine !== "hw";
  const useHw = values.engine !== "sw";
  if (values.captures === undefined) {
    // A golden vector carries its egress device and tunnel ports.
    if (changes.length > 0) {
      throw new UsageError(
        "-K applies to --captures: a golden vector carries its egress features",
      );
    }
    if (values["vxlan-port"] !== undefined) {
      throw new UsageError(
        "--vxlan-port applies to --captures: a golden vector carries its own",
      );
    }
  }
  if (changes.length > 0 && useHw) {
    throw new UsageError(
      "-K changes the Linux reference's egress device, not the NIC model: use it with --engine sw (the model's offloads are set with --set)",
    );
  }
  const vxlanPorts = (values["vxlan-port"] ?? ["4789"]).map((p) =>
    intOption("--vxlan-port", p, 1, 65535)
  );
  const captureDevice = kernelCaptureEgressDevice();
  for (const c of applyFeatureChanges(captureDevice, changes)) {
    console.error(`features: ${c}`);
  }
  let cfg: NicConfig | undefined;
  if (!useHw) {
    // The reference has no model to configure: refuse, never ignore.
    for (const name of ["preset", "driver", "config", "set"] as const) {
      if (values[name] !== undefined) {
        throw new UsageError(
          `--${name} configures the NIC model: it does not apply to --engine sw`,
        );
      }
    }
  } else {
    // A bad preset, file, key or driver is one usage line before any run.
    cfg = loadModelConfig({
      ...(values.preset !== undefined ? { preset: values.preset } : {}),
      ...(values.config !== undefined ? { config: values.config } : {}),
      ...(values.set !== undefined ? { set: values.set } : {}),
    });
    const driver = values.driver;
    if (driver !== undefined) {
      if (!(DRIVER_MODES as readonly string[]).includes(driver)) {
        throw new UsageError(
          `--driver must be one of ${DRIVER_MODES.join(", ")}, got "${driver}"`,
        );
      }
      if (!supportedDriverModes(cfg).includes(driver as DriverMode)) {
        throw new UsageError(
          `--driver ${driver} cannot run on preset "${cfg.preset}": the device lacks the offload it needs`,
        );
      }
    }
  }
  // Read and checked once: a bad file or key is one usage line, at once.
  const overrides = lockstepOverrides({
    ...(values.preset !== undefined ? { preset: values.preset } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
    ...(values.set !== undefined ? { set: values.set } : {}),
  });
  // The model's effective configuration heads the report, as every report
  // of a model run echoes it.
  const model = cfg === undefined ? undefined : {
    preset: cfg.preset,
    driver: (values.driver as DriverMode | undefined) ?? defaultDriverMode(cfg),
    changes: configChanges(cfg),
    config: cfg,
  };
  if (model !== undefined && !values.json) {
    console.log(`model preset ${model.preset}, driver ${model.driver}`);
    for (const line of configEcho(model.config)) console.log(line);
  }
  const keepGoing = values["keep-going"] ?? false;
  const results: unknown[] = [];
  let total = 0;
  let failed = 0;
  let skipped = 0;
  // Set once the run's names are known: the engine columns line up.
  let width = NAME_WIDTH;
  const report = (
    name: string,
    engine: string,
    r: CompareResult,
    extra = "",
    extraJson: Record<string, unknown> = {},
    otherFailure = false,
  ) => {
    total++;
    // A lockstep divergence fails the row even where both engines matched
    // the vector under its tolerances.
    if (r.mismatch !== null || otherFailure) failed++;
    if (values.json) results.push({ name, engine, ...r, ...extraJson });
    else {
      const line = formatCompare(name, engine, r, width);
      const [first, ...rest] = line.split("\n");
      console.log([first + extra, ...rest].join("\n"));
    }
  };
  if (values.captures !== undefined) {
    const dir = values.captures;
    const pairs = positionals.length > 0 ? positionals : capturePairs(dir);
    if (pairs.length === 0) {
      throw new UsageError(`${dir}: no capture pairs found`);
    }
    width = nameColumn(pairs);
    // A pair with no frame from a sender, or none on egress to infer
    // gso_size from, is skipped with the reason, not passed: nothing was
    // compared.
    const pair = (
      name: string,
      engine: string,
      run: () => CompareResult,
      extra: () => string = () => "",
    ) => {
      try {
        const r = run();
        report(name, engine, r, extra());
      } catch (e) {
        if (
          !(e instanceof NothingToCompareError) &&
          !(e instanceof GsoSizeNotInferredError) &&
          !(e instanceof CaptureTruncatedError)
        ) throw e;
        skipped++;
        if (values.json) results.push({ name, engine, skipped: e.message });
        else console.log(`${name.padEnd(width)} ${engine}  n/a: ${e.message}`);
      }
    };
    for (const name of pairs) {
      const ingress = `${dir}/${name}.in.pcap`;
      const egress = `${dir}/${name}.out.pcap`;
      if (useSw) {
        pair(name, "sw", () =>
          compareCaptures(
            ingress,
            egress,
            (h) => (skb) => swTransmit(skb, captureDevice, h),
            { keepGoing, vxlanPorts, device: captureDevice },
          ));
      }
      if (useHw) {
        let hw: HwEngine | undefined;
        pair(
          name,
          "hw",
          () =>
            compareCaptures(
              ingress,
              egress,
              (h) => {
                hw = makeHwEngine(undefined, {
                  ...(values.preset !== undefined
                    ? { preset: values.preset }
                    : {}),
                  ...(values.driver !== undefined
                    ? { driver: values.driver }
                    : {}),
                  ...(values.config !== undefined
                    ? { config: values.config }
                    : {}),
                  set: values.set ?? [],
                  hints: h,
                });
                return hw.engine;
              },
              { keepGoing, vxlanPorts },
            ),
          // Packets the model dropped explain missing frames: say which.
          () => {
            const errors = Object.entries(hw?.nic.report().errors ?? {});
            return errors.length === 0
              ? ""
              : ` model errors: ${
                errors.map(([k, v]) => `${k} ${v}`).join(", ")
              }`;
          },
        );
      }
    }
    if (total === 0) {
      throw new UsageError(
        `${dir}: no pair holds frames from a sender to compare`,
      );
    }
  } else {
    const files = positionals.length > 0
      ? positionals
      : goldenFiles(values.golden ?? defaultGoldenDir());
    if (files.length === 0) throw new UsageError("no golden vectors to verify");
    width = nameColumn(files.map((f) => basename(f)));
    for (const path of files) {
      const name = basename(path);
      if (useSw) report(name, "sw", verifyGoldenSw(path, { keepGoing }));
      if (!useHw) continue;
      let hw: GoldenHwResult | null;
      try {
        hw = verifyGoldenHw(path, {
          ...(values.preset !== undefined ? { preset: values.preset } : {}),
          ...(values.driver !== undefined
            ? { driver: values.driver as DriverMode }
            : {}),
          ...overrides,
          keepGoing,
        });
      } catch (e) {
        if (e instanceof TsolabError && !(e instanceof UsageError)) {
          throw new UsageError(e.message, { cause: e });
        }
        throw e;
      }
      if (hw === null) {
        skipped++;
        const why =
          "the expected frames are the stack's GSO_PARTIAL hand-off to a device that finishes them, not wire frames";
        if (values.json) results.push({ name, engine: "hw", skipped: why });
        else console.log(`${name.padEnd(width)} hw  n/a: ${why}`);
        continue;
      }
      const lockstepPass = hw.lockstep.length === 0;
      report(
        name,
        "hw",
        hw.result,
        ` lockstep=${lockstepPass ? "pass" : "FAIL"} cycles/byte=${
          hw.cyclesPerByte !== null ? hw.cyclesPerByte.toFixed(4) : "n/a"
        }`,
        {
          lockstep: lockstepPass ? "pass" : "FAIL",
          cyclesPerByte: hw.cyclesPerByte,
        },
        !lockstepPass,
      );
    }
  }
  if (values.json) {
    // One JSON document and nothing else on stdout, as `check --json`.
    console.log(
      JSON.stringify({
        ...(model !== undefined ? { model } : {}),
        results,
        passed: total - failed,
        failed,
        skipped,
      }),
    );
  } else {
    console.log(
      `verify: ${total - failed} passed, ${failed} failed${
        skipped > 0 ? `, ${skipped} skipped` : ""
      }`,
    );
  }
  return Promise.resolve(failed > 0 ? 1 : 0);
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1).replace(/\.pcapng$/, "");
}
