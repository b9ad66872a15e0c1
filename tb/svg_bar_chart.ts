/**
 * A self-contained SVG horizontal bar chart for the HTML report: title,
 * subtitle, legend row, one labelled bar per category with its value, and
 * labelled axes. No scripts, no external references.
 *
 * @module
 */

import { escapeXml, niceTicks, numberLabel } from "./svg_axis.ts";

/**
 * One bar.
 *
 * @example
 * ```ts
 * import type { Bar } from "./svg_bar_chart.ts";
 * const b: Bar = { label: "mac", value: 98.1, color: "#d62728" };
 * ```
 */
export interface Bar {
  /** Category (left of the bar). */
  label: string;
  /** Length. */
  value: number;
  /** Fill colour (match a legend entry). */
  color: string;
}

/**
 * Options of `barChartSvg`.
 *
 * @example
 * ```ts
 * import type { BarChartOptions } from "./svg_bar_chart.ts";
 * const o: BarChartOptions = {
 *   title: "e810-100g hw-tso", xLabel: "busy (% of run)", yLabel: "stage",
 *   bars: [], legend: [], xMax: 100,
 * };
 * ```
 */
export interface BarChartOptions {
  /** Title at the top. */
  title: string;
  /** A smaller line under the title. */
  subtitle?: string;
  /** Value axis label, with its unit. */
  xLabel: string;
  /** Category axis label. */
  yLabel: string;
  /** The bars, top to bottom. */
  bars: readonly Bar[];
  /** Legend entries: what each colour means. */
  legend: readonly { name: string; color: string }[];
  /** Value axis end (default: a round number above the largest bar). */
  xMax?: number;
  /** Unit printed after each value (default ""). */
  unit?: string;
  /** Width in px (default 460). */
  width?: number;
}

/**
 * Draws the chart; its height follows the number of bars.
 *
 * @param o Title, axes, bars, legend.
 * @returns SVG text (an inline `<svg>` element).
 *
 * @example
 * ```ts
 * import { barChartSvg } from "./svg_bar_chart.ts";
 * const svg = barChartSvg({
 *   title: "Stage busy", xLabel: "busy (% of run)", yLabel: "stage", unit: "%", xMax: 100,
 *   bars: [{ label: "mac", value: 98, color: "#d62728" }],
 *   legend: [{ name: "bottleneck", color: "#d62728" }],
 * });
 * svg.includes("98.0%"); // true
 * ```
 */
export function barChartSvg(o: BarChartOptions): string {
  const W = o.width ?? 460;
  const labelW = 8 + Math.max(40, ...o.bars.map((b) => b.label.length * 7));
  const head = (o.subtitle ? 40 : 24) + 24;
  const m = { l: 26 + labelW, r: 54, t: head + 6, b: 46 };
  const barH = 22;
  const gap = 8;
  const ph = o.bars.length * (barH + gap) + gap;
  const H = m.t + ph + m.b;
  const pw = W - m.l - m.r;
  const ticks = o.xMax !== undefined
    ? niceTicks(o.xMax).filter((t) => t <= o.xMax!)
    : niceTicks(Math.max(0, ...o.bars.map((b) => b.value)) * 1.05);
  const xTop = o.xMax ?? ticks[ticks.length - 1]!;
  const x = (v: number) => m.l + Math.min(v, xTop) / xTop * pw;
  const f = (n: number) => n.toFixed(1);
  const unit = o.unit ?? "";
  const p: string[] = [];
  p.push(
    `<svg class="chart" role="img" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(o.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="600">${
      escapeXml(o.title)
    }</text>`,
  );
  if (o.subtitle) {
    p.push(`<text x="10" y="37" fill="#555">${escapeXml(o.subtitle)}</text>`);
  }
  let lx = 10;
  const ly = head - 8;
  for (const l of o.legend) {
    p.push(
      `<rect x="${lx}" y="${
        ly - 9
      }" width="12" height="12" fill="${l.color}"/>`,
      `<text x="${lx + 17}" y="${ly + 1}">${escapeXml(l.name)}</text>`,
    );
    lx += 17 + l.name.length * 6.6 + 16;
  }
  for (const t of ticks) {
    p.push(
      `<line x1="${f(x(t))}" y1="${m.t}" x2="${f(x(t))}" y2="${
        m.t + ph
      }" stroke="#e4e4e4"/>`,
      `<text x="${f(x(t))}" y="${m.t + ph + 16}" text-anchor="middle">${
        numberLabel(t)
      }</text>`,
    );
  }
  o.bars.forEach((b, i) => {
    const yy = m.t + gap + i * (barH + gap);
    p.push(
      `<text x="${m.l - 6}" y="${yy + barH / 2 + 4}" text-anchor="end">${
        escapeXml(b.label)
      }</text>`,
      `<rect class="bar" x="${m.l}" y="${yy}" width="${
        f(Math.max(0, x(b.value) - m.l))
      }" height="${barH}" fill="${b.color}"><title>${
        escapeXml(`${b.label}: ${b.value.toFixed(1)}${unit}`)
      }</title></rect>`,
      `<text x="${f(x(b.value) + 4)}" y="${yy + barH / 2 + 4}">${
        b.value.toFixed(1)
      }${escapeXml(unit)}</text>`,
    );
  });
  p.push(
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${
      m.t + ph
    }" stroke="#333"/>`,
    `<line x1="${m.l}" y1="${m.t + ph}" x2="${m.l + pw}" y2="${
      m.t + ph
    }" stroke="#333"/>`,
    `<text x="${m.l + pw / 2}" y="${
      H - 10
    }" text-anchor="middle" font-size="13">${escapeXml(o.xLabel)}</text>`,
    `<text x="14" y="${
      m.t + ph / 2
    }" text-anchor="middle" font-size="13" transform="rotate(-90 14 ${
      m.t + ph / 2
    })">${escapeXml(o.yLabel)}</text>`,
    "</svg>",
  );
  return p.join("\n");
}
