/**
 * A self-contained SVG line chart for the HTML report: title, subtitle,
 * labelled axes (linear or log2 x), grid, one polyline per series and a
 * legend on the right. No scripts, no external references.
 *
 * @module
 */

import { escapeXml, niceTicks, numberLabel } from "./svg_axis.ts";

/**
 * One line of a chart.
 *
 * @example
 * ```ts
 * import type { LineSeries } from "./svg_line_chart.ts";
 * const s: LineSeries = { name: "hw-tso", color: "#1f77b4", points: [[64, 1], [65536, 94]] };
 * ```
 */
export interface LineSeries {
  /** Legend text. */
  name: string;
  /** Stroke colour. */
  color: string;
  /** SVG stroke-dasharray (default solid). */
  dash?: string;
  /** Stroke width in px (default 2). */
  strokeWidth?: number;
  /** Points [x, y]; drawn in x order. */
  points: readonly (readonly [number, number])[];
  /** Dots at the points, with a tooltip (default false). */
  markers?: boolean;
}

/**
 * Options of `lineChartSvg`.
 *
 * @example
 * ```ts
 * import type { LineChartOptions } from "./svg_line_chart.ts";
 * const o: LineChartOptions = {
 *   title: "Goodput", xLabel: "send size (bytes)", yLabel: "goodput (Gb/s)",
 *   xScale: "log2", series: [],
 * };
 * ```
 */
export interface LineChartOptions {
  /** Title at the top. */
  title: string;
  /** A smaller line under the title. */
  subtitle?: string;
  /** x axis label, with its unit. */
  xLabel: string;
  /** y axis label, with its unit. */
  yLabel: string;
  /** The lines. */
  series: readonly LineSeries[];
  /** `linear` (default) or `log2`. */
  xScale?: "linear" | "log2";
  /** x ticks (default: round ticks, or the powers of two for log2). */
  xTicks?: readonly number[];
  /** x values are byte counts: label 1024 multiples as K (default false). */
  xBytes?: boolean;
  /** Unit of the tooltips' y values (default ""). */
  yUnit?: string;
  /** Width in px (default 760). */
  width?: number;
  /** Height in px (default 420). */
  height?: number;
}

/**
 * Draws the chart.
 *
 * @param o Title, axes, series, size.
 * @returns SVG text (an inline `<svg>` element, no XML namespace needed
 *   inside HTML).
 *
 * @example
 * ```ts
 * import { lineChartSvg } from "./svg_line_chart.ts";
 * const svg = lineChartSvg({
 *   title: "PCIe reads", xLabel: "transfer size (bytes)", yLabel: "bandwidth (Gb/s)",
 *   series: [{ name: "Gen3 x8", color: "#1f77b4", points: [[64, 44], [256, 53.7], [257, 50.1]] }],
 * });
 * svg.startsWith("<svg"); // true
 * ```
 */
export function lineChartSvg(o: LineChartOptions): string {
  const W = o.width ?? 760;
  const H = o.height ?? 420;
  const legendW = 8 + Math.max(
    60,
    ...o.series.map((s) => s.name.length * 7.2),
  ) + 44;
  const m = { l: 70, r: legendW, t: o.subtitle ? 58 : 44, b: 58 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const log = o.xScale === "log2";
  const tx = (v: number) => (log ? Math.log2(v) : v);
  const xs = o.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = o.series.flatMap((s) => s.points.map((p) => p[1]));
  const xMin = xs.length > 0 ? Math.min(...xs) : (log ? 1 : 0);
  const xMax = xs.length > 0 ? Math.max(...xs) : xMin + 1;
  const lo = log ? tx(xMin) : Math.min(0, xMin);
  const span = (tx(xMax) - lo) || 1;
  const yTicks = niceTicks(Math.max(0, ...ys) * 1.05);
  const yTop = yTicks[yTicks.length - 1]!;
  const x = (v: number) => m.l + (tx(v) - lo) / span * pw;
  const y = (v: number) => m.t + ph - v / yTop * ph;
  const f = (n: number) => n.toFixed(1);
  let xTicks = o.xTicks;
  if (xTicks === undefined) {
    if (log) {
      const t: number[] = [];
      for (let e = Math.ceil(tx(xMin)); e <= tx(xMax); e++) t.push(2 ** e);
      xTicks = t;
    } else {
      xTicks = niceTicks(xMax, 8).filter((v) => v >= lo && v <= xMax);
    }
  }
  const p: string[] = [];
  p.push(
    `<svg class="chart" role="img" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(o.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${m.l}" y="22" font-size="16" font-weight="600">${
      escapeXml(o.title)
    }</text>`,
  );
  if (o.subtitle) {
    p.push(
      `<text x="${m.l}" y="40" fill="#555">${escapeXml(o.subtitle)}</text>`,
    );
  }
  for (const t of yTicks) {
    p.push(
      `<line x1="${m.l}" y1="${f(y(t))}" x2="${m.l + pw}" y2="${
        f(y(t))
      }" stroke="#e4e4e4"/>`,
      `<text x="${m.l - 6}" y="${f(y(t) + 4)}" text-anchor="end">${
        numberLabel(t)
      }</text>`,
    );
  }
  for (const t of xTicks) {
    const xx = f(x(t));
    p.push(
      `<line x1="${xx}" y1="${m.t}" x2="${xx}" y2="${
        m.t + ph
      }" stroke="#f0f0f0"/>`,
      `<line x1="${xx}" y1="${m.t + ph}" x2="${xx}" y2="${
        m.t + ph + 5
      }" stroke="#333"/>`,
      `<text x="${xx}" y="${m.t + ph + 19}" text-anchor="middle">${
        numberLabel(t, { bytes: o.xBytes ?? false })
      }</text>`,
    );
  }
  p.push(
    `<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text x="${m.l + pw / 2}" y="${
      H - 14
    }" text-anchor="middle" font-size="13">${escapeXml(o.xLabel)}</text>`,
    `<text x="18" y="${
      m.t + ph / 2
    }" text-anchor="middle" font-size="13" transform="rotate(-90 18 ${
      m.t + ph / 2
    })">${escapeXml(o.yLabel)}</text>`,
  );
  o.series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : "";
    p.push(
      `<polyline class="series" fill="none" stroke="${s.color}" stroke-width="${
        s.strokeWidth ?? 2
      }" stroke-linejoin="round"${dash} points="${
        pts.map(([a, b]) => `${f(x(a))},${f(y(b))}`).join(" ")
      }"/>`,
    );
    if (s.markers) {
      for (const [a, b] of pts) {
        p.push(
          `<circle cx="${f(x(a))}" cy="${
            f(y(b))
          }" r="3" fill="${s.color}"><title>${
            escapeXml(
              `${s.name}: ${numberLabel(a, { bytes: o.xBytes ?? false })} → ${
                b.toFixed(2)
              }${o.yUnit ? ` ${o.yUnit}` : ""}`,
            )
          }</title></circle>`,
        );
      }
    }
    const ly = m.t + 10 + i * 20;
    const lx = m.l + pw + 14;
    p.push(
      `<line x1="${lx}" y1="${ly}" x2="${
        lx + 26
      }" y2="${ly}" stroke="${s.color}" stroke-width="2.5"${dash}/>`,
      `<text x="${lx + 32}" y="${ly + 4}">${escapeXml(s.name)}</text>`,
    );
  });
  p.push("</svg>");
  return p.join("\n");
}
