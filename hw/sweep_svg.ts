/**
 * Renders sweep points as a self-contained SVG line chart: goodput
 * against send size (log2 axis), one line per driver mode.
 *
 * @module
 */
import type { SweepPoint } from "./sweep.ts";

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function sizeLabel(n: number): string {
  return n >= 1024 ? `${n / 1024}K` : String(n);
}

/**
 * Options of `sweepSvg`.
 *
 * @example
 * ```ts
 * import type { SweepSvgOptions } from "./sweep_svg.ts";
 * const o: SweepSvgOptions = { title: "e810-100g", width: 800 };
 * ```
 */
export interface SweepSvgOptions {
  /** Chart title (default: the preset). */
  title?: string;
  /** Width in px (default 720). */
  width?: number;
  /** Height in px (default 420). */
  height?: number;
  /**
   * The configuration the points were run with, as `configEcho` gives it:
   * kept in the SVG's `<desc>`, the last line also shown under the title.
   */
  config?: readonly string[];
}

/**
 * Draws the chart.
 *
 * @param points Sweep points.
 * @param o Title and size.
 * @returns SVG text.
 *
 * @example
 * ```ts
 * import { sweepSvg } from "./sweep_svg.ts";
 * const svg = sweepSvg([{ preset: "e810-100g", driver: "hw-tso", size: 65536, sends: 8, goodputGbps: 94, wireGbps: 99,
 *   cyclesPerByte: 0.3, descriptorsPerSend: 18, mappingsPerSend: 17, pcieToDevicePerSend: 70000,
 *   pcieToHostPerSend: 3000, bottleneck: "mac", saturated: true }]);
 * svg.startsWith("<svg"); // true
 * ```
 */
export function sweepSvg(
  points: readonly SweepPoint[],
  o: SweepSvgOptions = {},
): string {
  const W = o.width ?? 720;
  const H = o.height ?? 420;
  const m = { l: 64, r: 150, t: 40, b: 52 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const sizes = [...new Set(points.map((p) => p.size))].sort((a, b) => a - b);
  const drivers = [...new Set(points.map((p) => p.driver))];
  const lo = Math.log2(sizes[0] ?? 64);
  const hi = Math.log2(sizes[sizes.length - 1] ?? 65536);
  const span = hi - lo || 1;
  const yMax = Math.max(1, ...points.map((p) => p.goodputGbps)) * 1.1;
  const step = yMax > 200
    ? 50
    : yMax > 50
    ? 20
    : yMax > 20
    ? 5
    : yMax > 5
    ? 1
    : 0.5;
  const x = (s: number) => m.l + (Math.log2(s) - lo) / span * pw;
  const y = (g: number) => m.t + ph - g / yMax * ph;
  const title = o.title ?? `${points[0]?.preset ?? ""} goodput vs send size`;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  if (o.config !== undefined && o.config.length > 0) {
    // A chart read on its own still says what it was run with.
    parts.push(`<desc>${esc(o.config.join("\n"))}</desc>`);
  }
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${
      esc(title)
    }</text>`,
  );
  const shown = o.config?.at(-1);
  if (shown !== undefined) {
    parts.push(
      `<text x="${
        W / 2
      }" y="36" text-anchor="middle" font-size="10" fill="#555">${
        esc(shown)
      }</text>`,
    );
  }
  for (let g = 0; g <= yMax; g += step) {
    const yy = y(g).toFixed(1);
    parts.push(
      `<line x1="${m.l}" y1="${yy}" x2="${
        m.l + pw
      }" y2="${yy}" stroke="#ddd"/>`,
    );
    parts.push(
      `<text x="${
        m.l - 6
      }" y="${yy}" text-anchor="end" dominant-baseline="middle">${
        Number(g.toFixed(1))
      }</text>`,
    );
  }
  for (const s of sizes) {
    const xx = x(s).toFixed(1);
    parts.push(
      `<line x1="${xx}" y1="${m.t + ph}" x2="${xx}" y2="${
        m.t + ph + 4
      }" stroke="#333"/>`,
    );
    parts.push(
      `<text x="${xx}" y="${m.t + ph + 18}" text-anchor="middle">${
        sizeLabel(s)
      }</text>`,
    );
  }
  parts.push(
    `<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
  );
  parts.push(
    `<text x="${m.l + pw / 2}" y="${
      H - 12
    }" text-anchor="middle">send size (bytes, log scale)</text>`,
  );
  parts.push(
    `<text x="16" y="${
      m.t + ph / 2
    }" text-anchor="middle" transform="rotate(-90 16 ${
      m.t + ph / 2
    })">goodput (Gb/s)</text>`,
  );
  drivers.forEach((d, i) => {
    const c = COLORS[i % COLORS.length]!;
    const pts = points.filter((p) => p.driver === d).sort((a, b) =>
      a.size - b.size
    );
    const path = pts.map((p) =>
      `${x(p.size).toFixed(1)},${y(p.goodputGbps).toFixed(1)}`
    )
      .join(" ");
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${c}" stroke-width="2"/>`,
    );
    for (const p of pts) {
      parts.push(
        `<circle cx="${x(p.size).toFixed(1)}" cy="${
          y(p.goodputGbps).toFixed(1)
        }" r="3" fill="${c}"><title>${
          esc(
            `${d} ${p.size} B: ${p.goodputGbps.toFixed(2)} Gb/s, ${
              p.descriptorsPerSend.toFixed(1)
            } descriptors/send, ${
              p.saturated
                ? `bottleneck ${p.bottleneck}`
                : `no stage saturated (busiest ${p.bottleneck})`
            }`,
          )
        }</title></circle>`,
      );
    }
    const ly = m.t + 14 + i * 20;
    parts.push(
      `<line x1="${m.l + pw + 14}" y1="${ly}" x2="${
        m.l + pw + 38
      }" y2="${ly}" stroke="${c}" stroke-width="2"/>`,
    );
    parts.push(
      `<text x="${m.l + pw + 44}" y="${ly}" dominant-baseline="middle">${
        esc(d)
      }</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
