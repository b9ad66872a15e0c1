/**
 * A small seeded random number generator for the fuzzer: every case draws
 * from its own stream, derived from the run seed and the case number, so
 * one case can be replayed without running the ones before it.
 *
 * @module
 */

/**
 * A stream of pseudo-random numbers (sfc32).
 *
 * @example
 * ```ts
 * import { caseRng } from "./rng.ts";
 * const r = caseRng(1, 0);
 * r.int(10); // 0..9, the same on every run
 * ```
 */
export interface Rng {
  /** The next 32 random bits as an unsigned integer. */
  u32(): number;
  /** An integer in 0..n-1 (n ≥ 1). */
  int(n: number): number;
  /** An integer in lo..hi inclusive. */
  range(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(a: readonly T[]): T;
}

/** splitmix32: spreads a 32-bit input over the whole output space. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The random stream of case `index` of a run with seed `seed`.
 *
 * @param seed The run's seed (any 32-bit integer).
 * @param index The case number, from 0.
 * @returns A generator independent of every other case's.
 *
 * @example
 * ```ts
 * import { caseRng } from "./rng.ts";
 * caseRng(7, 3).u32() === caseRng(7, 3).u32(); // true
 * ```
 */
export function caseRng(seed: number, index: number): Rng {
  let a = mix32(seed);
  let b = mix32(a ^ index);
  let c = mix32(b + 0x632be5ab);
  let d = 1;
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  return {
    u32,
    int: (n) => Math.floor((u32() / 0x1_0000_0000) * n),
    range: (lo, hi) => lo + Math.floor((u32() / 0x1_0000_0000) * (hi - lo + 1)),
    chance: (p) => u32() / 0x1_0000_0000 < p,
    pick: (arr) => arr[Math.floor((u32() / 0x1_0000_0000) * arr.length)]!,
  };
}
