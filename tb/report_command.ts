/**
 * `tsolab report`: one self-contained HTML file (inline CSS, inline SVG
 * charts, no scripts, nothing fetched) with the verify results over the
 * golden vectors, the NIC model's per-stage utilisation, its throughput
 * against send size, and the PCIe effective-bandwidth curves.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { STAGE_NAMES } from "../hw/stage.ts";
import { UsageError } from "./cli_args.ts";
import type { GoldenVerifyRow } from "./golden_verify_rows.ts";
import { collectReport, type ReportData } from "./report_data.ts";
import { escapeXml } from "./svg_axis.ts";
import { barChartSvg } from "./svg_bar_chart.ts";
import { lineChartSvg, type LineSeries } from "./svg_line_chart.ts";
import { defaultGoldenDir, goldenFiles } from "./verify_command.ts";

/**
 * Help text of `report`.
 *
 * @example
 * ```ts
 * import { REPORT_HELP } from "./report_command.ts";
 * console.log(REPORT_HELP);
 * ```
 */
export const REPORT_HELP =
  `tsolab report — one self-contained HTML page of results and charts

Usage:
  tsolab report [-o FILE.html] [--golden DIR] [--config FILE.json]
                [--set key=value …] [--json]

Writes FILE.html (default: report.html in the current folder), a single file
with inline CSS and SVG that opens offline in any browser, with:

  1. verify results over the golden vectors (default vectors/golden, or
     --golden DIR): per vector super-packets, segments, the software
     reference pass/FAIL, the NIC model pass/FAIL, lockstep and cycles/byte
  2. per-stage utilisation (busy %) of every preset and driver mode for a
     bulk stream of 64 KiB sends at MSS 1448, the default preset first
  3. goodput against send size for each preset's driver modes (the sweep)
  4. PCIe effective bandwidth against transfer size, DMA reads and writes,
     Gen3 x8, Gen3 x16 and Gen4 x16 at MPS 256, MRRS 512

--config and --set change the model's configuration for every preset and
for the verify runs (e.g. --set pcie.gen=3); the page echoes them, and each
preset's effective configuration with what they changed from it.

Prints one line naming the file, its size and the verify counts (--json: a
JSON object with those and all the data behind the charts).

Exit status: 0 written and every vector passes; 1 written, but a vector
fails; 2 usage or unusable input.

Example:
  deno task tsolab report -o /tmp/tsolab-report.html
`;

function overridesText(o: { config?: string; set?: string[] }): string {
  const parts = [
    ...(o.config !== undefined ? [`--config ${o.config}`] : []),
    ...(o.set ?? []).map((kv) => `--set ${kv}`),
  ];
  return parts.length > 0 ? `; model overrides ${parts.join(" ")}` : "";
}

const MODE_COLORS: Record<string, string> = {
  "hw-tso": "#1f77b4",
  "tso-helper": "#d62728",
  "gso": "#2ca02c",
  "none": "#9467bd",
};
// Overlapping lines (where the MAC limits every mode) stay apart by dash.
const MODE_STYLE: Record<string, { dash?: string; strokeWidth: number }> = {
  "hw-tso": { strokeWidth: 4 },
  "tso-helper": { dash: "9 5", strokeWidth: 2.5 },
  "gso": { dash: "3 3", strokeWidth: 2.5 },
  "none": { dash: "12 4 2 4", strokeWidth: 2 },
};
const LINK_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"];
const BUSY = "#4c78a8";
const BOTTLENECK = "#e45756";
const OCCUPANCY = "#a0a0a0";

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 0; background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; border-bottom: 2px solid #ccd; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 22px 0 6px; }
p.note { color: #555; margin: 4px 0 10px; max-width: 900px; }
nav a { margin-right: 14px; }
.summary { display: flex; gap: 12px; flex-wrap: wrap; margin: 10px 0; }
.summary div { background: #fff; border: 1px solid #dde; border-radius: 6px; padding: 8px 14px; }
.summary b { font-size: 20px; display: block; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { border: 1px solid #dde; padding: 3px 8px; text-align: right; vertical-align: top; }
th { background: #eef0f4; position: sticky; top: 0; }
th.v { text-align: center; }
td.name, th.name { text-align: left; font-family: ui-monospace, monospace; }
td.pass { color: #176d2c; font-weight: 600; text-align: center; }
td.fail { color: #b3141b; font-weight: 700; text-align: center; background: #fdecec; }
td.na { color: #888; text-align: center; }
details pre { text-align: left; white-space: pre-wrap; font-size: 12px; margin: 4px 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 12px; }
figure { margin: 0; background: #fff; border: 1px solid #dde; border-radius: 6px; padding: 6px; overflow-x: auto; }
svg.chart { display: block; max-width: 100%; height: auto; }
`;

function verdictCell(v: { status: string; detail: string }): string {
  if (v.status === "pass") return `<td class="pass">pass</td>`;
  if (v.status === "fail") {
    return `<td class="fail"><details><summary>FAIL</summary><pre>${
      escapeXml(v.detail)
    }</pre></details></td>`;
  }
  return `<td class="na" title="${escapeXml(v.detail)}">n/a</td>`;
}

function verifySection(rows: readonly GoldenVerifyRow[], src: string): string {
  const swFail = rows.filter((r) => r.sw.status === "fail").length;
  const hwFail = rows.filter((r) => r.hw.status === "fail").length;
  const hwNa = rows.filter((r) => r.hw.status === "n/a").length;
  const hwPass = rows.length - hwFail - hwNa;
  const body = rows.map((r) =>
    `<tr><td class="name">${
      escapeXml(r.name)
    }</td><td>${r.gsoSize}</td><td>${r.superPackets}</td><td>${r.segments}</td><td>${r.frames}</td>${
      verdictCell(r.sw)
    }${verdictCell(r.hw)}<td class="${
      r.lockstep === "fail" ? "fail" : r.lockstep === "pass" ? "pass" : "na"
    }">${r.lockstep === "fail" ? "FAIL" : r.lockstep}</td><td>${
      r.cyclesPerByte === null ? "–" : r.cyclesPerByte.toFixed(4)
    }</td></tr>`
  ).join("\n");
  return `<section id="verify">
<h2>1. Verification against the golden vectors</h2>
<p class="note">Each golden vector holds the kernel's own frames. <b>sw</b>: the
software reference on the vector's egress device; <b>hw</b>: the NIC model
(default preset and driver mode) in lockstep with the reference segment by
segment, its frames also compared byte for byte with the kernel's. A FAIL
opens to the first divergence (frame, segment, Wireshark field, expected and
actual). ${src ? `Vectors: <code>${escapeXml(src)}</code>.` : ""}</p>
<div class="summary">
<div><b>${rows.length}</b>vectors</div>
<div><b>${rows.length - swFail} / ${rows.length}</b>sw pass</div>
<div><b>${hwPass} / ${rows.length - hwNa}</b>hw pass${
    hwNa > 0 ? ` (${hwNa} n/a)` : ""
  }</div>
<div><b>${swFail + hwFail}</b>failures</div>
</div>
<table>
<thead><tr><th class="name">vector</th><th>gso_size</th><th>super-packets</th><th>segments</th><th>frames</th><th class="v">sw</th><th class="v">hw</th><th class="v">lockstep</th><th>cycles/byte</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
${
    rows.filter((r) => r.hw.status === "n/a").map((r) =>
      `<p class="note">${escapeXml(r.name)}: hw n/a — ${
        escapeXml(r.hw.detail)
      }.</p>`
    ).join("\n")
  }
</section>`;
}

function stagesSection(d: ReportData): string {
  const parts: string[] = [];
  for (const p of d.presets) {
    const runs = d.stages.filter((s) => s.preset === p.name);
    const charts = runs.map((s) =>
      `<figure>${
        barChartSvg({
          title: `${s.preset} · ${s.driver}: stage utilisation`,
          subtitle: `${d.sendBytes / 1024} KiB sends, MSS ${d.mss}: ${
            s.goodputGbps.toFixed(1)
          } Gb/s, ${s.cyclesPerByte.toFixed(4)} cycles/byte`,
          xLabel: "busy (% of run time)",
          yLabel: "pipeline stage",
          unit: "%",
          xMax: 100,
          legend: [
            { name: "busy", color: BUSY },
            { name: "bottleneck", color: BOTTLENECK },
            { name: "TX FIFO mean occupancy", color: OCCUPANCY },
          ],
          bars: STAGE_NAMES.map((st) => ({
            label: st,
            value: s.busyPercent[st],
            color: st === s.bottleneck
              ? BOTTLENECK
              : st === "tx-fifo"
              ? OCCUPANCY
              : BUSY,
          })),
        })
      }</figure>`
    );
    parts.push(
      `<h3>${escapeXml(p.name)}${
        p.name === d.defaultPreset ? " (default preset)" : ""
      }</h3>\n<p class="note">${escapeXml(p.description)}</p>\n${
        p.echo.map((l) => `<p class="note config">${escapeXml(l)}</p>`)
          .join("\n")
      }\n<div class="grid">\n${charts.join("\n")}\n</div>`,
    );
  }
  return `<section id="utilisation">
<h2>2. Pipeline stage utilisation</h2>
<p class="note">Share of the run each stage of the model was busy, for a bulk
TCP stream of ${d.sendBytes / 1024} KiB sends at MSS ${d.mss}, one chart per
preset and driver mode (hw-tso: the NIC segments; tso-helper: the driver
builds each segment's headers, payload referenced in place; gso: the host
segments and the NIC checksums; none: the host does both). For the TX FIFO
the bar is its mean occupancy. In the gso and none modes the host's segments
come from the software reference.</p>
${parts.join("\n")}
</section>`;
}

function throughputSection(d: ReportData): string {
  const charts = d.presets.map((p) => {
    const pts = d.sweep.filter((s) => s.preset === p.name);
    const sizes = pts.map((s) => s.size);
    const drivers = [...new Set(pts.map((s) => s.driver))];
    const series: LineSeries[] = drivers.map((m) => ({
      name: m,
      color: MODE_COLORS[m] ?? "#333",
      ...MODE_STYLE[m],
      markers: true,
      points: pts.filter((s) => s.driver === m).map((s) =>
        [s.size, s.goodputGbps] as const
      ),
    }));
    if (sizes.length > 0) {
      series.push({
        name: `line rate ${p.lineGbps} Gb/s`,
        color: "#888",
        dash: "6 4",
        points: [[Math.min(...sizes), p.lineGbps], [
          Math.max(...sizes),
          p.lineGbps,
        ]],
      });
    }
    return `<figure>${
      lineChartSvg({
        title: `${p.name}: goodput against send size`,
        subtitle: `bulk TCP, MSS ${d.mss}, steady payload rate per driver mode`,
        xLabel: "send size (bytes, log₂ scale)",
        yLabel: "goodput (Gb/s)",
        xScale: "log2",
        xBytes: true,
        yUnit: "Gb/s",
        series,
        width: 1100,
        height: 400,
      })
    }</figure>`;
  });
  return `<section id="throughput">
<h2>3. Throughput against send size</h2>
<p class="note">The model's sweep: back-to-back sends of each size through
every driver mode the preset supports; the dashed line is the MAC's line
rate. Where the MAC limits every mode the lines lie on top of each other
(told apart by their dashes). Hover a point for its value.</p>
${charts.join("\n")}
</section>`;
}

function pcieSection(d: ReportData): string {
  const charts = (["read", "write"] as const).map((dir) => {
    const curves = d.pcie.filter((c) => c.dir === dir);
    const c0 = curves[0];
    return `<figure>${
      lineChartSvg({
        title: `PCIe effective bandwidth: DMA ${dir}s (${
          dir === "read"
            ? "device reads host memory"
            : "device writes host memory"
        })`,
        subtitle: c0
          ? `MPS ${c0.mps}, MRRS ${c0.mrrs}, RCB 64, 64-bit addresses: each TLP past a multiple of ${c0.mps} bytes costs a header, hence the saw-tooth`
          : "",
        xLabel: "transfer size (bytes, log₂ scale)",
        yLabel: "effective bandwidth (Gb/s)",
        xScale: "log2",
        xBytes: true,
        series: curves.map((c, i) => ({
          name: `Gen${c.gen} x${c.lanes}`,
          color: LINK_COLORS[i % LINK_COLORS.length]!,
          points: c.points,
        })),
        width: 1100,
        height: 420,
      })
    }</figure>`;
  });
  return `<section id="pcie">
<h2>4. PCIe effective bandwidth</h2>
<p class="note">Payload bandwidth of a stream of DMA transfers of one size
(pcie-bench accounting: TLP framing, sequence number, LCRC and header per
TLP, DLLP and SKP overhead; reads limited by the busier of the completion
and the request direction).</p>
${charts.join("\n")}
</section>`;
}

/**
 * Renders the report as one self-contained HTML page: inline CSS and SVG,
 * no scripts, a Content-Security-Policy that forbids fetching anything.
 * Pure: the same data gives the same page.
 *
 * @param data What `collectReport` gathered.
 * @returns The HTML text.
 *
 * @example
 * ```ts
 * import { buildReport } from "./report_command.ts";
 * import { collectReport } from "./report_data.ts";
 * const html = buildReport(collectReport({ goldenFiles: [], presets: ["82599-10g"], bytesPerPoint: 65536 }));
 * html.includes('id="pcie"'); // true
 * ```
 */
export function buildReport(data: ReportData): string {
  const fails =
    data.verify.filter((r) => r.sw.status === "fail" || r.hw.status === "fail")
      .length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>tsolab report</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>tsolab report</h1>
<p class="note">Transmit segmentation offload testbench: the software
reference and the NIC model against the Linux kernel's frames, and what the
model says the hardware costs. Generated ${
    escapeXml(data.generatedAt)
  }; ${data.verify.length} golden vectors, ${
    fails === 0 ? "all pass" : `${fails} failing`
  }; default preset ${escapeXml(data.defaultPreset)}${
    escapeXml(overridesText(data.overrides))
  }.</p>
<nav><a href="#verify">1. verify</a><a href="#utilisation">2. stage utilisation</a><a href="#throughput">3. throughput</a><a href="#pcie">4. PCIe bandwidth</a></nav>
${verifySection(data.verify, data.goldenSource)}
${stagesSection(data)}
${throughputSection(data)}
${pcieSection(data)}
</main>
</body>
</html>
`;
}

/**
 * Runs `report` with command-line arguments.
 *
 * @param args Arguments after `report`.
 * @returns The exit status: 0 written, 1 written with failing vectors.
 * @throws {UsageError} For bad usage, an unreadable golden folder or an
 *   unwritable output.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await reportMain(["-o", "/tmp/report.html"]));
 * ```
 */
export function reportMain(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        output: { type: "string", short: "o", default: "report.html" },
        golden: { type: "string" },
        config: { type: "string" },
        set: { type: "string", multiple: true },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see tsolab report --help)`, {
      cause: e,
    });
  }
  if (values.help) {
    console.log(REPORT_HELP);
    return Promise.resolve(0);
  }
  const out = values.output;
  if (out === "") throw new UsageError("-o needs a file name");
  const outDir = out.includes("/") ? out.slice(0, out.lastIndexOf("/")) : ".";
  try {
    if (!Deno.statSync(outDir || "/").isDirectory) {
      throw new Error("not a folder");
    }
  } catch (e) {
    throw new UsageError(`${out}: cannot write (${(e as Error).message})`, {
      cause: e,
    });
  }
  const dir = values.golden ?? defaultGoldenDir();
  const files = goldenFiles(dir);
  if (files.length === 0) {
    throw new UsageError(`${dir}: no golden vectors (.pcapng) found`);
  }
  const overrides = {
    ...(values.config !== undefined ? { config: values.config } : {}),
    ...(values.set !== undefined ? { set: values.set } : {}),
  };
  const data = collectReport({
    goldenFiles: files,
    goldenSource: dir,
    ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
  });
  const html = buildReport(data);
  try {
    Deno.writeTextFileSync(out, html);
  } catch (e) {
    throw new UsageError(`${out}: cannot write (${(e as Error).message})`, {
      cause: e,
    });
  }
  const failed =
    data.verify.filter((r) => r.sw.status === "fail" || r.hw.status === "fail")
      .length;
  const skipped = data.verify.filter((r) => r.hw.status === "n/a").length;
  const charts = html.match(/<svg\b/g)?.length ?? 0;
  const bytes = new TextEncoder().encode(html).length;
  if (values.json) {
    console.log(JSON.stringify({
      output: out,
      bytes,
      charts,
      vectors: data.verify.length,
      passed: data.verify.length - failed,
      failed,
      skipped,
      data,
    }));
  } else {
    console.log(
      `report: wrote ${out} (${bytes} bytes, ${charts} charts); ${data.verify.length} vectors: ${
        data.verify.length - failed
      } passed, ${failed} failed${
        skipped > 0 ? `, ${skipped} without the hw engine` : ""
      }`,
    );
  }
  return Promise.resolve(failed > 0 ? 1 : 0);
}
