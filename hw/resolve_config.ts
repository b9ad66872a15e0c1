/**
 * Builds the effective configuration: a preset, then a parsed JSON config
 * object (`--config FILE.json`), then `--set key=value` overrides with dotted
 * keys. Every key must exist in the preset and every value must have the
 * preset's type and lie in the allowed set; anything else is a
 * `HwConfigError` that names the key, the value and where it came from.
 *
 * @module
 */
import { HwConfigError } from "./errors.ts";
import type { FaultSpec } from "./faults.ts";
import type { NicConfig } from "./nic_config.ts";
import { DEFAULT_PRESET, PRESETS } from "./presets.ts";

/**
 * Overrides applied on top of a preset.
 *
 * @example
 * ```ts
 * import type { ConfigOverrides } from "./resolve_config.ts";
 * const o: ConfigOverrides = { config: { pcie: { gen: 3 } }, set: ["pcie.lanes=8"] };
 * ```
 */
export interface ConfigOverrides {
  /** A parsed JSON object with the same shape as `NicConfig` (any subset). */
  config?: Record<string, unknown>;
  /** `key=value` strings with dotted keys, applied in order after `config`. */
  set?: readonly string[];
}

const ENUMS: Record<string, readonly string[]> = {
  "family": ["ice", "ixgbe", "mqnic"],
  "ring.writeback": ["dd", "head", "completion"],
  "offload.csumFeature": ["ip", "hw"],
  "offload.mangleZeroCsum": ["udp", "all"],
  "tso.ipIdMode": ["increment", "fixed"],
  "checksum.mode": ["store-and-forward", "cut-through"],
};

const SETS: Record<string, readonly number[]> = {
  "pcie.gen": [1, 2, 3, 4, 5, 6],
  "pcie.lanes": [1, 2, 4, 8, 16, 32],
  "pcie.mps": [128, 256, 512, 1024, 2048, 4096],
  "pcie.mrrs": [128, 256, 512, 1024, 2048, 4096],
  // PCIe Base Spec: a Read Completion Boundary is 64 or 128 bytes
  "pcie.rcb": [64, 128],
  "core.busBytes": [4, 8, 16, 32, 64, 128, 256],
  "ring.descBytes": [16],
};

const POSITIVE = new Set([
  "core.clockMHz",
  "pcie.tags",
  "ring.entries",
  "ring.descBlock",
  "ring.fetchBatch",
  "ring.cacheEntries",
  "ring.writebackBatch",
  "ring.wakeThreshold",
  "mac.lineGbps",
  "txFifoBytes",
  "dmaBufferBytes",
  "checksum.dataFifoBytes",
  "offload.maxBytesPerBuffer",
  "offload.splitBytes",
]);

// Quantities that may have a fraction (clocks, rates, latencies); every
// other number counts bytes, entries, lanes or tags and must be an integer.
const FRACTIONAL = new Set([
  "core.clockMHz",
  "pcie.propagationNs",
  "pcie.readLatencyNs",
  "pcie.readLatencyNsPerByte",
  "pcie.readIssueMtps",
  "mac.lineGbps",
]);

function where(source: string): string {
  return source === "set" ? "from --set" : "from the config file";
}

function checkNumber(key: string, v: number, source: string): void {
  const set = SETS[key];
  if (set !== undefined && !set.includes(v)) {
    throw new HwConfigError(
      `Invalid value "${v}" for ${key} ${where(source)}: expected one of ${
        set.join(", ")
      }`,
    );
  }
  if (!Number.isFinite(v) || v < 0) {
    throw new HwConfigError(
      `Invalid value "${v}" for ${key} ${
        where(source)
      }: expected a finite number >= 0`,
    );
  }
  if (!FRACTIONAL.has(key) && !Number.isInteger(v)) {
    throw new HwConfigError(
      `Invalid value "${v}" for ${key} ${where(source)}: expected an integer`,
    );
  }
  if (POSITIVE.has(key) && v <= 0) {
    throw new HwConfigError(
      `Invalid value "${v}" for ${key} ${where(source)}: expected a number > 0`,
    );
  }
}

function coerceFault(key: string, raw: unknown, source: string): FaultSpec {
  if (typeof raw === "boolean") return raw;
  if (Array.isArray(raw) && raw.every((x) => Number.isInteger(x) && x >= 0)) {
    return raw as number[];
  }
  if (typeof raw === "string") {
    // "true"/"false", or packet indices: "3" is packet 3, "1,4" two packets;
    // "[1,4]" too, as reports echo a list, and "[]" for none.
    if (raw === "true") return true;
    if (raw === "false") return false;
    const list = /^\[(.*)\]$/.exec(raw.trim());
    const body = list !== null ? list[1] : raw;
    if (list !== null && body.trim() === "") return [];
    const parts = body.split(",").map((s) => s.trim());
    if (parts.every((p) => /^\d+$/.test(p))) return parts.map(Number);
  }
  throw new HwConfigError(
    `Invalid value "${String(raw)}" for ${key} ${
      where(source)
    }: expected true, false or a list of packet indices`,
  );
}

function coerce(
  key: string,
  current: unknown,
  raw: unknown,
  source: string,
): unknown {
  if (key.startsWith("faults.")) return coerceFault(key, raw, source);
  if (typeof current === "number") {
    const v = typeof raw === "number"
      ? raw
      : typeof raw === "string" && raw.trim() !== ""
      ? Number(raw)
      : NaN;
    if (Number.isNaN(v)) {
      throw new HwConfigError(
        `Invalid value "${String(raw)}" for ${key} ${
          where(source)
        }: expected a number`,
      );
    }
    checkNumber(key, v, source);
    return v;
  }
  if (typeof current === "boolean") {
    if (typeof raw === "boolean") return raw;
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    throw new HwConfigError(
      `Invalid value "${String(raw)}" for ${key} ${
        where(source)
      }: expected true or false`,
    );
  }
  if (typeof current === "string") {
    if (typeof raw !== "string") {
      throw new HwConfigError(
        `Invalid value "${String(raw)}" for ${key} ${
          where(source)
        }: expected a string`,
      );
    }
    const allowed = ENUMS[key];
    if (allowed !== undefined && !allowed.includes(raw)) {
      throw new HwConfigError(
        `Invalid value "${raw}" for ${key} ${where(source)}: expected one of ${
          allowed.join(", ")
        }`,
      );
    }
    return raw;
  }
  throw new HwConfigError(`Cannot set ${key} ${where(source)}: not a leaf key`);
}

function setPath(
  root: Record<string, unknown>,
  key: string,
  raw: unknown,
  source: string,
): void {
  const parts = key.split(".");
  let obj: Record<string, unknown> = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = obj[parts[i]!];
    if (next === null || typeof next !== "object" || Array.isArray(next)) {
      throw new HwConfigError(`Unknown config key "${key}" ${where(source)}`);
    }
    obj = next as Record<string, unknown>;
  }
  const leaf = parts[parts.length - 1]!;
  if (key === "preset") {
    // The name says which preset the values came from; setting it would
    // relabel the run without loading that preset's values.
    throw new HwConfigError(
      `Cannot set preset ${where(source)}: use --preset to choose a preset`,
    );
  }
  if (!Object.hasOwn(obj, leaf)) {
    throw new HwConfigError(`Unknown config key "${key}" ${where(source)}`);
  }
  const current = obj[leaf];
  if (
    current !== null && typeof current === "object" && !Array.isArray(current)
  ) {
    throw new HwConfigError(
      `Cannot set ${key} ${where(source)}: it is a group, set its fields`,
    );
  }
  obj[leaf] = coerce(key, current, raw, source);
}

function mergeObject(
  root: Record<string, unknown>,
  patch: Record<string, unknown>,
  prefix: string,
): void {
  for (const [k, v] of Object.entries(patch)) {
    const key = prefix === "" ? k : `${prefix}.${k}`;
    if (
      v !== null && typeof v === "object" && !Array.isArray(v) &&
      !key.startsWith("faults.")
    ) {
      let target: unknown = root;
      for (const p of key.split(".")) {
        target = (target as Record<string, unknown> | undefined)?.[p];
      }
      if (target === null || typeof target !== "object") {
        throw new HwConfigError(
          `Unknown config key "${key}" from the config file`,
        );
      }
      mergeObject(root, v as Record<string, unknown>, key);
    } else {
      setPath(root, key, v, "config");
    }
  }
}

function validate(cfg: NicConfig): void {
  if (cfg.pcie.mrrs < cfg.pcie.rcb) {
    throw new HwConfigError(
      `Invalid value "${cfg.pcie.mrrs}" for pcie.mrrs: must be at least pcie.rcb (${cfg.pcie.rcb})`,
    );
  }
  if (cfg.ring.cacheEntries > cfg.ring.entries) {
    throw new HwConfigError(
      `Invalid value "${cfg.ring.cacheEntries}" for ring.cacheEntries: larger than ring.entries (${cfg.ring.entries})`,
    );
  }
  if (
    cfg.family === "mqnic" &&
    (cfg.offload.tso || cfg.offload.tso6 || cfg.offload.uso)
  ) {
    throw new HwConfigError(
      `Invalid value "true" for offload.tso: the mqnic family has no TSO descriptor`,
    );
  }
  if (cfg.family !== "mqnic" && cfg.ring.descBlock !== 1) {
    throw new HwConfigError(
      `Invalid value "${cfg.ring.descBlock}" for ring.descBlock: only the mqnic family has descriptor blocks`,
    );
  }
}

/**
 * Returns the effective configuration for a preset plus overrides.
 *
 * @param preset Preset name; `e810-100g` when omitted.
 * @param overrides A parsed JSON config object and `key=value` strings.
 * @returns A fresh, validated `NicConfig`.
 * @throws {HwConfigError} For an unknown preset, key or value.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./resolve_config.ts";
 * const cfg = resolveConfig("e810-100g", { set: ["pcie.gen=3", "pcie.lanes=8"] });
 * cfg.pcie.lanes; // 8
 * ```
 */
export function resolveConfig(
  preset?: string,
  overrides?: ConfigOverrides,
): NicConfig {
  const name = preset ?? DEFAULT_PRESET;
  const base = PRESETS[name];
  if (base === undefined) {
    throw new HwConfigError(
      `Unknown preset "${name}": expected one of ${
        Object.keys(PRESETS).join(", ")
      }`,
    );
  }
  const cfg = structuredClone(base) as NicConfig;
  const root = cfg as unknown as Record<string, unknown>;
  if (overrides?.config !== undefined) {
    if (
      overrides.config === null || typeof overrides.config !== "object" ||
      Array.isArray(overrides.config)
    ) {
      throw new HwConfigError(
        "Cannot use the config file: its top level is not a JSON object",
      );
    }
    mergeObject(root, overrides.config, "");
  }
  for (const s of overrides?.set ?? []) {
    const eq = s.indexOf("=");
    if (eq <= 0) {
      throw new HwConfigError(
        `Cannot parse --set "${s}": expected key=value`,
      );
    }
    setPath(root, s.slice(0, eq).trim(), s.slice(eq + 1).trim(), "set");
  }
  validate(cfg);
  return cfg;
}
