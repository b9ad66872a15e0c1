/**
 * A waveform recorder that writes Value Change Dump (IEEE 1364 §18) text
 * GTKWave opens: one module per stage, a wire per signal, times in
 * picoseconds. Stages report spans, held values and counter steps out of
 * time order; the writer sorts them (stably) before dumping.
 *
 * @module
 */
import type { TraceSink } from "./stage.ts";

const SET = 0;
const STEP = 1;

interface Signal {
  name: string;
  index: number;
  id: string;
  counter: boolean;
  max: number;
}

function vcdId(n: number): string {
  let s = "";
  let k = n;
  do {
    s += String.fromCharCode(33 + (k % 94));
    k = Math.floor(k / 94);
  } while (k > 0);
  return s;
}

/**
 * Options of `VcdTrace.toVcd`.
 *
 * @example
 * ```ts
 * import type { VcdOptions } from "./vcd_trace.ts";
 * const o: VcdOptions = { comment: "e810-100g hw-tso" };
 * ```
 */
export interface VcdOptions {
  /** A comment for the header. */
  comment?: string;
}

/**
 * Records trace events and writes them as VCD.
 *
 * @example
 * ```ts
 * import { VcdTrace } from "./vcd_trace.ts";
 * const t = new VcdTrace();
 * t.span("mac.busy", 0, 12.5, 1);
 * t.toVcd().includes("$var wire 1"); // true
 * ```
 */
export class VcdTrace implements TraceSink {
  #signals = new Map<string, Signal>();
  #order: Signal[] = [];
  #time: number[] = [];
  #sig: number[] = [];
  #val: number[] = [];
  #kind: number[] = [];

  #signal(name: string, counter: boolean): number {
    let s = this.#signals.get(name);
    if (s === undefined) {
      const index = this.#order.length;
      s = { name, index, id: vcdId(index), counter, max: 1 };
      this.#signals.set(name, s);
      this.#order.push(s);
    }
    return s.index;
  }

  #push(t: number, sig: number, v: number, kind: number): void {
    this.#time.push(Math.round(t * 1000));
    this.#sig.push(sig);
    this.#val.push(v);
    this.#kind.push(kind);
  }

  /**
   * A signal holds `value` during `[startNs, endNs)`.
   *
   * @param signal Dotted name, `stage.signal`.
   * @param startNs Start.
   * @param endNs End.
   * @param value Value while active.
   */
  span(signal: string, startNs: number, endNs: number, value: number): void {
    const i = this.#signal(signal, false);
    this.#order[i]!.max = Math.max(this.#order[i]!.max, value);
    this.#push(startNs, i, value, SET);
    this.#push(endNs, i, 0, SET);
  }

  /**
   * A signal takes `value` at `ns`.
   *
   * @param signal Dotted name.
   * @param ns Time.
   * @param value Value.
   */
  set(signal: string, ns: number, value: number): void {
    const i = this.#signal(signal, false);
    this.#order[i]!.max = Math.max(this.#order[i]!.max, value);
    this.#push(ns, i, value, SET);
  }

  /**
   * A counter changes by `delta` at `ns`.
   *
   * @param signal Dotted name.
   * @param ns Time.
   * @param delta Change.
   */
  step(signal: string, ns: number, delta: number): void {
    this.#push(ns, this.#signal(signal, true), delta, STEP);
  }

  /** Events recorded. */
  get events(): number {
    return this.#time.length;
  }

  /**
   * Writes the recorded events as VCD text.
   *
   * @param opts Header options.
   * @returns The VCD file contents.
   */
  toVcd(opts: VcdOptions = {}): string {
    const n = this.#time.length;
    const idx = Array.from({ length: n }, (_, i) => i);
    const time = this.#time;
    idx.sort((a, b) => time[a]! - time[b]!);
    // Counter widths need the running values.
    const level = new Float64Array(this.#order.length);
    for (const i of idx) {
      const s = this.#order[this.#sig[i]!]!;
      if (this.#kind[i] === STEP) {
        level[this.#sig[i]!] += this.#val[i]!;
        s.max = Math.max(s.max, level[this.#sig[i]!]!);
      }
    }
    const width = (s: Signal) =>
      s.max <= 1 ? 1 : Math.max(1, Math.ceil(Math.log2(s.max + 1)));
    const out: string[] = [];
    out.push("$date tsolab NIC model $end");
    out.push("$version tsolab hw model $end");
    if (opts.comment) out.push(`$comment ${opts.comment} $end`);
    out.push("$timescale 1ps $end");
    out.push("$scope module nic $end");
    const byScope = new Map<string, Signal[]>();
    for (const s of this.#order) {
      const dot = s.name.indexOf(".");
      const scope = dot < 0 ? "" : s.name.slice(0, dot);
      const list = byScope.get(scope) ?? [];
      list.push(s);
      byScope.set(scope, list);
    }
    for (const [scope, list] of byScope) {
      if (scope !== "") out.push(`$scope module ${scope} $end`);
      for (const s of list) {
        const leaf = s.name.slice(s.name.indexOf(".") + 1);
        const w = width(s);
        out.push(
          `$var wire ${w} ${s.id} ${leaf}${w > 1 ? ` [${w - 1}:0]` : ""} $end`,
        );
      }
      if (scope !== "") out.push("$upscope $end");
    }
    out.push("$upscope $end");
    out.push("$enddefinitions $end");
    const fmt = (s: Signal, v: number) =>
      width(s) === 1
        ? `${v !== 0 ? 1 : 0}${s.id}`
        : `b${Math.max(0, Math.round(v)).toString(2)} ${s.id}`;
    out.push("$dumpvars");
    for (const s of this.#order) out.push(fmt(s, 0));
    out.push("$end");
    level.fill(0);
    const current = new Float64Array(this.#order.length);
    const pending = new Float64Array(this.#order.length);
    const touched: number[] = [];
    const mark = new Uint8Array(this.#order.length);
    let k = 0;
    while (k < n) {
      const t = time[idx[k]!]!;
      // Apply every event at this time; only the final value is dumped.
      for (; k < n && time[idx[k]!] === t; k++) {
        const i = idx[k]!;
        const si = this.#sig[i]!;
        if (this.#kind[i] === STEP) {
          level[si] = level[si]! + this.#val[i]!;
          pending[si] = level[si]!;
        } else pending[si] = this.#val[i]!;
        if (mark[si] === 0) {
          mark[si] = 1;
          touched.push(si);
        }
      }
      let stamped = false;
      for (const si of touched) {
        mark[si] = 0;
        if (pending[si] === current[si]) continue;
        current[si] = pending[si]!;
        if (!stamped) {
          out.push(`#${t}`);
          stamped = true;
        }
        out.push(fmt(this.#order[si]!, pending[si]!));
      }
      touched.length = 0;
    }
    return out.join("\n") + "\n";
  }
}
