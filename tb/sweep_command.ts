/**
 * `tsolab sweep`: the NIC model's throughput against send size for the
 * driver modes a preset supports, written as an SVG chart or an HTML page
 * holding it (and a table).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { supportedDriverModes } from "../hw/drivers.ts";
import { configChanges, configEcho } from "../hw/config_echo.ts";
import type { DriverMode, NicConfig } from "../hw/nic_config.ts";
import { sweep, type SweepPoint } from "../hw/sweep.ts";
import { sweepSvg } from "../hw/sweep_svg.ts";
import { TsolabError } from "../sw/types.ts";
import { intOption, UsageError } from "./cli_args.ts";
import { hostSegments } from "./host_segments.ts";
import { loadModelConfig } from "./model_config.ts";
import { escapeXml } from "./svg_axis.ts";

/**
 * Help text of `sweep`.
 *
 * @example
 * ```ts
 * import { SWEEP_HELP } from "./sweep_command.ts";
 * console.log(SWEEP_HELP);
 * ```
 */
export const SWEEP_HELP = `tsolab sweep — NIC model throughput against send size

Usage:
  tsolab sweep [--preset P] [--driver MODE …] [--sizes a,b,…] [--mss N]
               [--config FILE.json] [--set key=value …]
               -o FILE.svg|FILE.html [--json]

Runs bulk sends of each size (default powers of two, 64..65536) through the
model for each driver mode the preset supports (or the ones given) and
plots goodput in Gb/s against send size. Where the host segments (gso,
none, driver fallbacks) the reference makes the segments. A send is one
super-packet handed straight to the driver: the stack's gso_max_size check
is not applied here. With headers, a 65536-byte send is already past a stock
Linux gso_max_size (65536), which keeps TCP super-packets near 65160 bytes
at MSS 1448; larger sizes model a BIG TCP host. segment --engine hw applies
the check. The bottleneck column says "none" where no stage is saturated
(latency-bound).

The effective configuration is echoed on stdout, in the chart (its <desc>,
and what --config and --set changed under the title) and in the HTML page.
--json prints { model: { preset, changes, config }, points }.

Example:
  deno task tsolab sweep --preset corundum-100g -o sweep.html
`;

function html(
  points: readonly SweepPoint[],
  svg: string,
  echo: readonly string[],
): string {
  const rows = points.map((p) =>
    `<tr><td>${p.driver}</td><td>${p.size}</td><td>${
      p.goodputGbps.toFixed(2)
    }</td><td>${p.cyclesPerByte.toFixed(4)}</td><td>${
      p.descriptorsPerSend.toFixed(1)
    }</td><td>${p.saturated ? p.bottleneck : "none"}</td></tr>`
  ).join("\n");
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>tsolab sweep</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style>
</head><body>
<h1>Throughput against send size: ${points[0]?.preset ?? ""}</h1>
${echo.map((l) => `<p>${escapeXml(l)}</p>`).join("\n")}
${svg}
<table><tr><th>driver</th><th>send bytes</th><th>goodput Gb/s</th><th>cycles/byte</th><th>descriptors/send</th><th>bottleneck</th></tr>
${rows}
</table></body></html>
`;
}

/**
 * Runs `sweep` with command-line arguments.
 *
 * @param args Arguments after `sweep`.
 * @returns The exit status.
 * @throws {UsageError} For bad usage.
 *
 * @example
 * ```ts ignore
 * await sweepMain(["--preset", "e810-100g", "-o", "sweep.svg"]);
 * ```
 */
export function sweepMain(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      preset: { type: "string" },
      driver: { type: "string", multiple: true },
      sizes: { type: "string" },
      mss: { type: "string" },
      config: { type: "string" },
      set: { type: "string", multiple: true },
      output: { type: "string", short: "o" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(SWEEP_HELP);
    return Promise.resolve(0);
  }
  const out = values.output;
  if (out === undefined && !values.json) {
    throw new UsageError("-o FILE.svg|FILE.html is required (or --json)");
  }
  if (out !== undefined && !/\.(svg|html?)$/i.test(out)) {
    throw new UsageError(`-o ${out}: the file must end in .svg or .html`);
  }
  const sizes = values.sizes?.split(",").map((s) =>
    intOption("--sizes", s.trim(), 1, 262143)
  );
  let points: SweepPoint[];
  let config: NicConfig;
  try {
    config = loadModelConfig({
      ...(values.preset !== undefined ? { preset: values.preset } : {}),
      ...(values.config !== undefined ? { config: values.config } : {}),
      set: values.set ?? [],
    });
    const modes = supportedDriverModes(config);
    const drivers = (values.driver ?? modes) as DriverMode[];
    for (const d of drivers) {
      if (!modes.includes(d)) {
        throw new UsageError(
          `--driver ${d}: ${config.preset} supports ${modes.join(", ")}`,
        );
      }
    }
    points = sweep({
      config,
      drivers,
      ...(sizes !== undefined ? { sizes } : {}),
      ...(values.mss !== undefined
        ? { mss: intOption("--mss", values.mss, 1, 9000) }
        : {}),
      segment: (skb, hostChecksum) => hostSegments(skb, hostChecksum),
    });
  } catch (e) {
    if (e instanceof TsolabError && !(e instanceof UsageError)) {
      throw new UsageError(e.message, { cause: e });
    }
    throw e;
  }
  // Every output says what the points were run with.
  const echo = configEcho(config);
  if (values.json) {
    console.log(JSON.stringify({
      model: {
        preset: config.preset,
        changes: configChanges(config),
        config,
      },
      points,
    }));
  }
  if (out !== undefined) {
    const svg = sweepSvg(points, {
      title: `${points[0]?.preset ?? ""}: goodput against send size`,
      config: echo,
    });
    Deno.writeTextFileSync(
      out,
      /\.svg$/i.test(out) ? svg : html(points, svg, echo),
    );
    if (!values.json) {
      console.log(`model preset ${config.preset}`);
      for (const line of echo) console.log(line);
      console.log(`sweep: ${points.length} points written to ${out}`);
    }
  }
  return Promise.resolve(0);
}
