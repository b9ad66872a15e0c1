/**
 * What the report's SVG charts share: XML escaping, round axis ticks and
 * number labels.
 *
 * @module
 */

/**
 * Escapes text for XML/HTML content and attribute values.
 *
 * @param s The text.
 * @returns The escaped text.
 *
 * @example
 * ```ts
 * import { escapeXml } from "./svg_axis.ts";
 * escapeXml(`a<b & "c"`); // "a&lt;b &amp; &quot;c&quot;"
 * ```
 */
export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/**
 * Round ticks from 0 up to at least `max`, 1-2-5 steps, about `target` of
 * them.
 *
 * @param max The largest value to show (≤ 0 is taken as 1).
 * @param target About how many intervals (default 5).
 * @returns The ticks, ascending, the last ≥ max.
 *
 * @example
 * ```ts
 * import { niceTicks } from "./svg_axis.ts";
 * niceTicks(94); // [0, 20, 40, 60, 80, 100]
 * ```
 */
export function niceTicks(max: number, target = 5): number[] {
  const top = max > 0 ? max : 1;
  const raw = top / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ??
    10 * mag;
  const out: number[] = [];
  for (let i = 0;; i++) {
    const v = Number((i * step).toPrecision(12));
    out.push(v);
    if (v >= top) break;
  }
  return out;
}

/**
 * A short number label: bytes as `4K`/`64K` when a multiple of 1024,
 * otherwise the number with at most `digits` decimals.
 *
 * @param n The number.
 * @param o `bytes` for the K suffix; `digits` (default 1).
 * @returns The label.
 *
 * @example
 * ```ts
 * import { numberLabel } from "./svg_axis.ts";
 * numberLabel(65536, { bytes: true }); // "64K"
 * numberLabel(2.5); // "2.5"
 * ```
 */
export function numberLabel(
  n: number,
  o: { bytes?: boolean; digits?: number } = {},
): string {
  if (o.bytes && n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return String(Number(n.toFixed(o.digits ?? 1)));
}
