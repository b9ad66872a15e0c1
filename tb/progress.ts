/**
 * A progress line on stderr for work that takes more than a second: items
 * and bytes done, rate and time left. Shown only when stderr is a terminal,
 * never in `--json` runs, without colours (so `NO_COLOR` holds trivially).
 *
 * @module
 */

/**
 * Where the bar writes; a terminal check decides whether it shows.
 *
 * @example
 * ```ts
 * import type { ProgressOutput } from "./progress.ts";
 * const out: ProgressOutput = Deno.stderr;
 * ```
 */
export interface ProgressOutput {
  /** Writes bytes. */
  writeSync(p: Uint8Array): number;
  /** True when the output is a terminal. */
  isTerminal(): boolean;
}

/**
 * Options of a progress bar.
 *
 * @example
 * ```ts
 * import type { ProgressOptions } from "./progress.ts";
 * const o: ProgressOptions = { label: "segment", totalBytes: 1e9 };
 * ```
 */
export interface ProgressOptions {
  /** What is being done. */
  label: string;
  /** Total bytes, when known (for the percentage and ETA). */
  totalBytes?: number;
  /** Where to draw (default: Deno.stderr). */
  output?: ProgressOutput;
  /** Never draw (e.g. `--json`). */
  disabled?: boolean;
  /** Clock in ms (for tests). */
  now?: () => number;
}

function human(n: number): string {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${u[i]}`;
}

/**
 * A throttled one-line progress display: silent for the first second,
 * then redrawn at most ten times a second; `done()` clears it.
 *
 * @example
 * ```ts
 * import { ProgressBar } from "./progress.ts";
 * // A pretend terminal and clock: 3 s in, 1.5 MiB of 3 MiB done.
 * let drawn = "";
 * const output = { writeSync: (p: Uint8Array) => (drawn += new TextDecoder().decode(p), p.length), isTerminal: () => true };
 * let t = 0;
 * const bar = new ProgressBar({ label: "segment", totalBytes: 3 << 20, output, now: () => t });
 * t = 3000;
 * bar.update(1000, 1.5 * 2 ** 20);
 * drawn; // "\rsegment: 1000 frames, 1.5 MiB / 3.0 MiB (50%), 512.0 KiB/s, ETA 3 s\x1b[K"
 * bar.done();
 * ```
 */
export class ProgressBar {
  #o: ProgressOptions;
  #start: number;
  #last = 0;
  #shown = false;
  #enabled: boolean;
  #now: () => number;
  #enc = new TextEncoder();

  /**
   * Creates the bar; nothing is drawn until `update` after one second.
   *
   * @param o Options.
   */
  constructor(o: ProgressOptions) {
    this.#o = o;
    this.#now = o.now ?? (() => performance.now());
    this.#start = this.#now();
    const out = o.output ?? Deno.stderr;
    this.#enabled = !o.disabled && out.isTerminal();
  }

  /**
   * Reports progress.
   *
   * @param items Items done (frames).
   * @param bytes Bytes done.
   */
  update(items: number, bytes: number): void {
    if (!this.#enabled) return;
    const t = this.#now();
    const elapsed = t - this.#start;
    if (elapsed < 1000 || t - this.#last < 100) return;
    this.#last = t;
    const rate = bytes / (elapsed / 1000);
    let line = `${this.#o.label}: ${items} frames, ${human(bytes)}`;
    const total = this.#o.totalBytes;
    if (total !== undefined && total > 0) {
      const pct = Math.min(100, (bytes / total) * 100);
      const eta = rate > 0 ? Math.max(0, (total - bytes) / rate) : 0;
      line += ` / ${human(total)} (${pct.toFixed(0)}%), ${human(rate)}/s, ETA ${
        eta.toFixed(0)
      } s`;
    } else line += `, ${human(rate)}/s`;
    this.#write(`\r${line}\x1b[K`);
    this.#shown = true;
  }

  /** Clears the line if it was drawn. */
  done(): void {
    if (this.#shown) this.#write("\r\x1b[K");
    this.#shown = false;
  }

  #write(s: string): void {
    (this.#o.output ?? Deno.stderr).writeSync(this.#enc.encode(s));
  }
}
