/**
 * A network device's offload state as the kernel keeps it: the feature sets
 * (`features`, `hw_features`, `wanted_features`, `hw_enc_features`,
 * `vlan_features`, `gso_partial_features`), the GSO/TSO size and segment
 * limits, feature changes through ethtool (`ethnl_set_features` →
 * `__netdev_update_features` → `netdev_fix_features`), the `ethtool -k`
 * listing, and a veth preset matching the egress port of the kernel
 * captures.
 *
 * @module
 */

import {
  ETHTOOL_LEGACY_FLAGS,
  ethtoolAlias,
  ethtoolPatternMatch,
  featureByName,
  featureName,
  NETDEV_FEATURE_COUNT,
  NETDEV_FEATURE_STRINGS,
  NETIF_F,
  NETIF_F_MASK,
} from "./netdev_features.ts";
import { type FeatureChange, netdevFixFeatures } from "./fix_features.ts";
import { type SkBuff, TsolabError } from "./types.ts";

/**
 * Cap for gso_max_size and tso_max_size: 8 × 65535 (BIG TCP).
 *
 * @example
 * ```ts
 * import { GSO_MAX_SIZE } from "./net_device.ts";
 * GSO_MAX_SIZE; // 524280
 * ```
 */
export const GSO_MAX_SIZE = 524280;

/**
 * Default gso_max_size, gso_ipv4_max_size and tso_max_size.
 *
 * @example
 * ```ts
 * import { GSO_LEGACY_MAX_SIZE } from "./net_device.ts";
 * GSO_LEGACY_MAX_SIZE; // 65536
 * ```
 */
export const GSO_LEGACY_MAX_SIZE = 65536;

/**
 * Smallest gso_max_size and gso_ipv4_max_size netlink takes: MAX_TCP_HEADER
 * + 1 (`ifla_policy`: NLA_POLICY_MIN(NLA_U32, MAX_TCP_HEADER + 1)).
 * MAX_TCP_HEADER = L1_CACHE_ALIGN(128 + MAX_HEADER) depends on the kernel's
 * configuration; this is the capture kernel's (6.18.44, measured: 192 is
 * refused with ERANGE, 193 taken), whose MAX_HEADER is LL_MAX_HEADER 32
 * with no WLAN, Hyper-V or IP tunnels. An x86_64 defconfig kernel
 * (LL_MAX_HEADER 96, + 48 for tunnels) has 321.
 *
 * @example
 * ```ts
 * import { GSO_MIN_SIZE } from "./net_device.ts";
 * GSO_MIN_SIZE; // 193
 * ```
 */
export const GSO_MIN_SIZE: number = 192 + 1;

/**
 * Default and maximum gso_max_segs (gso_segs is a 16-bit field).
 *
 * @example
 * ```ts
 * import { GSO_MAX_SEGS } from "./net_device.ts";
 * GSO_MAX_SEGS; // 65535
 * ```
 */
export const GSO_MAX_SEGS = 65535;

/**
 * An invalid device setting, rejected as the kernel rejects it (`errno`).
 *
 * @example
 * ```ts
 * import { NetDevice, NetDeviceError } from "./net_device.ts";
 * const dev = new NetDevice({ name: "eth0", features: 0n, hwFeatures: 0n });
 * try {
 *   dev.setGsoMaxSize(70000);
 * } catch (e) {
 *   if (!(e instanceof NetDeviceError)) throw e;
 *   e.errno; // "EINVAL"
 * }
 * ```
 */
export class NetDeviceError extends TsolabError {
  /** The errno the kernel returns for the same request. */
  readonly errno: "EINVAL" | "ERANGE";

  /**
   * Creates the error.
   *
   * @param message What was rejected and why.
   * @param errno The kernel's errno.
   */
  constructor(message: string, errno: "EINVAL" | "ERANGE" = "EINVAL") {
    super(message);
    this.errno = errno;
  }
}

/**
 * What a driver sets up before `register_netdevice` (its `setup` and
 * probe code).
 *
 * @example
 * ```ts
 * import type { NetDeviceSetup } from "./net_device.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * const s: NetDeviceSetup = {
 *   name: "eth0",
 *   features: NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO,
 *   hwFeatures: NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO,
 * };
 * ```
 */
export interface NetDeviceSetup {
  /** Interface name; `"eth0"` by default. */
  name?: string;
  /** `dev->features` as the driver set it. */
  features: bigint;
  /** `dev->hw_features`: what the user may toggle. */
  hwFeatures: bigint;
  /** `dev->vlan_features`; 0 by default. */
  vlanFeatures?: bigint;
  /** `dev->hw_enc_features`; 0 by default. */
  hwEncFeatures?: bigint;
  /** `dev->mpls_features`; 0 by default. */
  mplsFeatures?: bigint;
  /** `dev->gso_partial_features`; 0 by default. */
  gsoPartialFeatures?: bigint;
  /** MTU; 1500 by default. */
  mtu?: number;
  /** Hardware TSO size limit (`netif_set_tso_max_size`); 65536 by default. */
  tsoMaxSize?: number;
  /** Hardware TSO segment limit (`netif_set_tso_max_segs`); 65535 by default. */
  tsoMaxSegs?: number;
  /** True for a loopback device (no tx-nocache-copy). */
  loopback?: boolean;
  /** The driver's `ndo_fix_features`, run before netdev_fix_features. */
  ndoFixFeatures?: (features: bigint) => bigint;
  /**
   * The driver's `ndo_features_check`; when absent the kernel's default
   * (`vlan_features_check`) applies on transmit.
   */
  ndoFeaturesCheck?: (skb: SkBuff, features: bigint) => bigint;
}

/**
 * A feature request for {@linkcode NetDevice.setFeatures}: keys are feature
 * bit sets, ethtool names (`"tx-tcp-segmentation"`), kernel names (`"TSO"`)
 * or legacy ethtool flags (`"tso"`, `"sg"`, `"tx"`, …); values say on or
 * off. A list of pairs keeps repeats, as an ethtool command line may have
 * them (`tso on tx-tcp6-segmentation off`): within one request a bit that
 * any entry turns on stays on, whatever the order, because
 * `ethnl_parse_bitset` only ever sets the bits named "on".
 *
 * @example
 * ```ts
 * import type { FeatureRequest } from "./net_device.ts";
 * const r: FeatureRequest = { tso: false, gso: true, tx: false, sg: true };
 * const pairs: FeatureRequest = [["sg", true], ["sg", false]]; // sg stays on
 * ```
 */
export type FeatureRequest =
  | Map<bigint | string, boolean>
  | Record<string, boolean>
  | readonly (readonly [bigint | string, boolean])[];

/**
 * What {@linkcode NetDevice.setFeatures} did.
 *
 * @example
 * ```ts
 * import type { SetFeaturesResult } from "./net_device.ts";
 * const r: SetFeaturesResult = { changes: [], refused: [], lines: [], exitCode: 0 };
 * ```
 */
export interface SetFeaturesResult {
  /** Every feature whose active state changed, with why. */
  changes: FeatureChange[];
  /** Every requested feature whose state differs from the request, with why. */
  refused: FeatureChange[];
  /** What `ethtool -K` prints on stdout (`Actual changes:` …), if anything. */
  lines: string[];
  /** What it prints on stderr when no requested feature could be set. */
  stderr?: string;
  /** Its exit status: 1 when no requested feature could be set. */
  exitCode: 0 | 1;
}

function onOff(on: boolean): string {
  return on ? "on" : "off";
}

function* bitsOf(features: bigint): Generator<bigint> {
  for (let n = 0n; n < BigInt(NETDEV_FEATURE_COUNT); n++) {
    const b = 1n << n;
    if ((features & b) !== 0n) yield b;
  }
}

function bitIndex(b: bigint): number {
  let n = 0;
  while ((b >> BigInt(n)) > 1n) n++;
  return n;
}

function checkCount(what: string, dev: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new NetDeviceError(
      `Cannot set ${what} of ${dev} to ${n}: not an unsigned 32-bit integer`,
    );
  }
}

// ifla_policy: IFLA_GSO_MAX_SIZE and IFLA_GSO_IPV4_MAX_SIZE are
// NLA_POLICY_MIN(NLA_U32, MAX_TCP_HEADER + 1); a range policy fails with
// ERANGE ("integer out of range").
function checkGsoMinSize(what: string, dev: string, n: number): void {
  if (n < GSO_MIN_SIZE) {
    throw new NetDeviceError(
      `Cannot set ${what} of ${dev} to ${n}: below the minimum of ${GSO_MIN_SIZE}, MAX_TCP_HEADER + 1 (ERANGE)`,
      "ERANGE",
    );
  }
}

/**
 * One network device: its feature sets and size limits, changed the way the
 * kernel changes them. Construct it with the driver's setup, then
 * {@linkcode NetDevice.register} it (or use {@linkcode registerNetDevice}).
 *
 * @example
 * ```ts
 * import { registerNetDevice } from "./net_device.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * const all = NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO | NETIF_F.TSO6;
 * const dev = registerNetDevice({ name: "eth0", features: all, hwFeatures: all });
 * dev.setFeatures({ sg: false });
 * (dev.features & NETIF_F.TSO) === 0n; // true: TSO requires SG
 * ```
 */
export class NetDevice {
  /** Interface name. */
  name: string;
  /** Active features (`dev->features`). */
  features: bigint;
  /** Changeable features (`dev->hw_features`). */
  hwFeatures: bigint;
  /** What the user asked for (`dev->wanted_features`). */
  wantedFeatures: bigint;
  /** Features usable for encapsulated skbs (`dev->hw_enc_features`). */
  hwEncFeatures: bigint;
  /** Features usable for VLAN-tagged skbs (`dev->vlan_features`). */
  vlanFeatures: bigint;
  /** Features usable for MPLS skbs (`dev->mpls_features`). */
  mplsFeatures: bigint;
  /** Types the device segments only through GSO_PARTIAL. */
  gsoPartialFeatures: bigint;
  /** MTU. */
  mtu: number;
  /** Largest IPv6 (or non-IP) GSO skb handed to the device. */
  gsoMaxSize: number;
  /** Largest IPv4 GSO skb handed to the device. */
  gsoIpv4MaxSize: number;
  /** Most segments a GSO skb handed to the device may stand for. */
  gsoMaxSegs: number;
  /** The hardware's TSO size limit. */
  tsoMaxSize: number;
  /** The hardware's TSO segment limit. */
  tsoMaxSegs: number;
  /** True for a loopback device. */
  loopback: boolean;
  /** The driver's ndo_fix_features, if any. */
  ndoFixFeatures?: (features: bigint) => bigint;
  /** The driver's ndo_features_check, if any. */
  ndoFeaturesCheck?: (skb: SkBuff, features: bigint) => bigint;
  /** True once {@linkcode NetDevice.register} ran. */
  registered = false;

  /**
   * Creates the device in the state the driver leaves it before
   * registration (alloc_netdev defaults plus the driver's setup).
   *
   * @param setup The driver's setup.
   */
  constructor(setup: NetDeviceSetup) {
    this.name = setup.name ?? "eth0";
    this.features = setup.features;
    this.hwFeatures = setup.hwFeatures;
    this.wantedFeatures = 0n;
    this.hwEncFeatures = setup.hwEncFeatures ?? 0n;
    this.vlanFeatures = setup.vlanFeatures ?? 0n;
    this.mplsFeatures = setup.mplsFeatures ?? 0n;
    this.gsoPartialFeatures = setup.gsoPartialFeatures ?? 0n;
    this.mtu = setup.mtu ?? 1500;
    this.gsoMaxSize = GSO_LEGACY_MAX_SIZE;
    this.gsoIpv4MaxSize = GSO_LEGACY_MAX_SIZE;
    this.gsoMaxSegs = GSO_MAX_SEGS;
    this.tsoMaxSize = GSO_LEGACY_MAX_SIZE;
    this.tsoMaxSegs = GSO_MAX_SEGS;
    this.loopback = setup.loopback ?? false;
    if (setup.ndoFixFeatures) this.ndoFixFeatures = setup.ndoFixFeatures;
    if (setup.ndoFeaturesCheck) this.ndoFeaturesCheck = setup.ndoFeaturesCheck;
    if (setup.tsoMaxSize !== undefined) this.setTsoMaxSize(setup.tsoMaxSize);
    if (setup.tsoMaxSegs !== undefined) this.setTsoMaxSegs(setup.tsoMaxSegs);
  }

  /**
   * Features the user cannot change: everything outside hw_features, plus
   * NETIF_F_NEVER_CHANGE. `ethtool -k` marks these `[fixed]`.
   *
   * @returns The bit set.
   */
  get fixedFeatures(): bigint {
    return (NETIF_F_MASK.ETHTOOL_BITS & ~this.hwFeatures) |
      NETIF_F_MASK.NEVER_CHANGE;
  }

  /**
   * Applies the feature steps of register_netdevice: GSO and GRO become
   * changeable and on, GRO_FRAGLIST/GRO_UDP_FWD changeable, wanted =
   * features ∩ hw_features; then tx-nocache-copy and (where TSO is)
   * tx-tcp-mangleid-segmentation become changeable but stay off, SG and
   * GSO_PARTIAL are inherited by tunnels, HIGHDMA by VLANs; finally the
   * features are updated.
   *
   * @returns The changes netdev_fix_features made.
   */
  register(): FeatureChange[] {
    const M = NETIF_F_MASK;
    // register_netdevice: software offloads need no hardware, so they are always offered
    this.hwFeatures |= M.SOFT_FEATURES | M.SOFT_FEATURES_OFF;
    this.features |= M.SOFT_FEATURES;
    this.wantedFeatures = this.features & this.hwFeatures;
    // register_netdevice: added after wanted is taken, so these start off
    if (!this.loopback) this.hwFeatures |= NETIF_F.NOCACHE_COPY;
    // register_netdevice: a TSO device may be allowed to mangle IPv4 IDs, off until asked
    if ((this.hwFeatures & NETIF_F.TSO) !== 0n) {
      this.hwFeatures |= NETIF_F.TSO_MANGLEID;
    }
    if ((this.vlanFeatures & NETIF_F.TSO) !== 0n) {
      this.vlanFeatures |= NETIF_F.TSO_MANGLEID;
    }
    if ((this.mplsFeatures & NETIF_F.TSO) !== 0n) {
      this.mplsFeatures |= NETIF_F.TSO_MANGLEID;
    }
    if ((this.hwEncFeatures & NETIF_F.TSO) !== 0n) {
      this.hwEncFeatures |= NETIF_F.TSO_MANGLEID;
    }
    // register_netdevice: stacked devices inherit these
    this.vlanFeatures |= NETIF_F.HIGHDMA;
    this.hwEncFeatures |= NETIF_F.SG | NETIF_F.GSO_PARTIAL;
    this.mplsFeatures |= NETIF_F.SG;
    this.registered = true;
    return this.updateFeatures();
  }

  /**
   * Recomputes the active features from the wanted ones
   * (`__netdev_update_features`): wanted = (features − hw_features) ∪
   * wanted_features, then the driver's ndo_fix_features, then
   * netdev_fix_features.
   *
   * @returns The changes netdev_fix_features made.
   */
  updateFeatures(): FeatureChange[] {
    // netdev_get_wanted_features: non-changeable bits keep their current state
    let f = (this.features & ~this.hwFeatures) | this.wantedFeatures;
    if (this.ndoFixFeatures) f = this.ndoFixFeatures(f);
    const r = netdevFixFeatures(f, this);
    this.features = r.features;
    return r.changes;
  }

  /**
   * Applies a user request as `ethtool -K` does over netlink
   * (`ethnl_set_features`): the requested bits replace those bits of
   * wanted_features, only hw_features bits are taken, then the features
   * are updated. Not an error when the result differs from the request:
   * the differences are reported, with ethtool's output.
   *
   * @param request Features and the state wanted for each.
   * @returns What changed, what was refused, and what ethtool prints.
   * @throws {NetDeviceError} EINVAL for an attempt to change vlan-challenged.
   * @throws {UnknownFeatureError} For a name that is no feature or flag.
   */
  setFeatures(request: FeatureRequest): SetFeaturesResult {
    const entries: readonly (readonly [bigint | string, boolean])[] =
      Array.isArray(request)
        ? request
        : request instanceof Map
        ? [...request.entries()]
        : Object.entries(request);
    let reqMask = 0n;
    let reqWanted = 0n;
    for (const [key, on] of entries) {
      const mask = typeof key === "bigint"
        ? key
        : ethtoolAlias(key) ?? featureByName(key);
      reqMask |= mask;
      // ethnl_parse_bitset: names set their bits when "on", never clear them
      if (on) reqWanted |= mask;
    }
    // ethnl_set_features: only ethtool-visible features may be requested
    if ((reqMask & ~NETIF_F_MASK.ETHTOOL_BITS) !== 0n) {
      throw new NetDeviceError(
        `Cannot change features of ${this.name}: attempt to change non-ethtool features (${
          featureNames(reqMask & ~NETIF_F_MASK.ETHTOOL_BITS)
        })`,
      );
    }
    const oldActive = this.features;
    const oldWanted = this.wantedFeatures;
    const newWanted = (oldWanted & ~reqMask) | (reqWanted & reqMask);
    let fixed: FeatureChange[] = [];
    if (newWanted !== oldWanted) {
      // ethnl_set_features: a request for a fixed feature is silently ignored
      this.wantedFeatures = (this.wantedFeatures & ~this.hwFeatures) |
        (newWanted & this.hwFeatures);
      fixed = this.updateFeatures();
    }
    const newActive = this.features;
    const wantedDiff = (newWanted ^ newActive) & reqMask;
    const activeDiff = oldActive ^ newActive;
    const fixReason = new Map(fixed.map((c) => [c.name, c.reason]));

    const changes: FeatureChange[] = [];
    for (const b of bitsOf(activeDiff)) {
      const name = featureName(b);
      const on = (newActive & b) !== 0n;
      let reason: string;
      if ((reqMask & b) !== 0n && ((reqWanted & b) !== 0n) === on) {
        reason = `${name}: ${onOff(on)} (requested)`;
      } else if (!on && fixReason.has(name)) {
        reason = fixReason.get(name)!;
      } else if (on) {
        reason = `${name}: on (still wanted, no longer blocked)`;
      } else {
        reason = `${name}: off (no longer wanted)`;
      }
      changes.push({ name, on, reason });
    }
    const refused: FeatureChange[] = [];
    for (const b of bitsOf(wantedDiff)) {
      const name = featureName(b);
      const on = (newActive & b) !== 0n;
      let reason: string;
      if ((this.hwFeatures & b) === 0n) {
        reason = `${name}: ${
          onOff(on)
        } [fixed] (not changeable on ${this.name})`;
      } else if (!on && fixReason.has(name)) {
        reason = fixReason.get(name)!;
      } else {
        reason = `${name}: ${onOff(on)} (kept by the driver)`;
      }
      refused.push({ name, on, reason });
    }

    // show_feature_changes (ethtool netlink/features.c)
    const lines: string[] = [];
    if (wantedDiff !== 0n || (activeDiff & ~reqMask) !== 0n) {
      lines.push("Actual changes:");
      for (const b of bitsOf(wantedDiff | activeDiff)) {
        const name = NETDEV_FEATURE_STRINGS[bitIndex(b)]!;
        if (name === "") continue;
        if ((wantedDiff & b) !== 0n) {
          const req = (newWanted & b) !== 0n;
          lines.push(`${name}: ${onOff(!req)} [requested ${onOff(req)}]`);
        } else if ((reqMask & b) === 0n) {
          lines.push(
            `${name}: ${onOff((newActive & b) !== 0n)} [not requested]`,
          );
        } else {
          lines.push(`${name}: ${onOff((newActive & b) !== 0n)}`);
        }
      }
    }
    const nothingChanged = wantedDiff === reqMask;
    const result: SetFeaturesResult = {
      changes,
      refused,
      lines,
      exitCode: nothingChanged ? 1 : 0,
    };
    if (nothingChanged) result.stderr = "Could not change any device features";
    return result;
  }

  /**
   * Records the hardware TSO size limit (`netif_set_tso_max_size`):
   * tso_max_size = min(n, GSO_MAX_SIZE), and gso_max_size and
   * gso_ipv4_max_size are lowered to n if above it.
   *
   * @param n The limit in bytes.
   */
  setTsoMaxSize(n: number): void {
    checkCount("tso_max_size", this.name, n);
    this.tsoMaxSize = Math.min(GSO_MAX_SIZE, n);
    // netif_set_tso_max_size: the software limits may not exceed what hardware takes
    if (n < this.gsoMaxSize) this.#setGsoMaxSize(n);
    if (n < this.gsoIpv4MaxSize) {
      this.gsoIpv4MaxSize = Math.min(n, GSO_MAX_SIZE);
    }
  }

  /**
   * Records the hardware TSO segment limit (`netif_set_tso_max_segs`),
   * lowering gso_max_segs to it if above.
   *
   * @param n The limit in segments.
   */
  setTsoMaxSegs(n: number): void {
    checkCount("tso_max_segs", this.name, n);
    this.tsoMaxSegs = n;
    if (n < this.gsoMaxSegs) this.gsoMaxSegs = n;
  }

  #setGsoMaxSize(n: number): void {
    // netif_set_gso_max_size: a legacy-sized limit applies to IPv4 too
    const size = Math.min(n, GSO_MAX_SIZE);
    this.gsoMaxSize = size;
    if (size <= GSO_LEGACY_MAX_SIZE) this.gsoIpv4MaxSize = size;
  }

  /**
   * Sets gso_max_size as `ip link set NAME gso_max_size N` does
   * (IFLA_GSO_MAX_SIZE); a value of at most 65536 also sets
   * gso_ipv4_max_size.
   *
   * @param n The limit in bytes.
   * @throws {NetDeviceError} ERANGE when n is below GSO_MIN_SIZE; EINVAL
   *   when it exceeds tso_max_size.
   */
  setGsoMaxSize(n: number): void {
    checkCount("gso_max_size", this.name, n);
    checkGsoMinSize("gso_max_size", this.name, n);
    // validate_linkmsg: the stack may not build what the hardware cannot take
    if (n > this.tsoMaxSize) {
      throw new NetDeviceError(
        `Cannot set gso_max_size of ${this.name} to ${n}: too big gso_max_size, above tso_max_size ${this.tsoMaxSize} (EINVAL)`,
      );
    }
    this.#setGsoMaxSize(n);
  }

  /**
   * Sets gso_ipv4_max_size as IFLA_GSO_IPV4_MAX_SIZE does.
   *
   * @param n The limit in bytes.
   * @throws {NetDeviceError} ERANGE when n is below GSO_MIN_SIZE; EINVAL
   *   when it exceeds tso_max_size.
   */
  setGsoIpv4MaxSize(n: number): void {
    checkCount("gso_ipv4_max_size", this.name, n);
    checkGsoMinSize("gso_ipv4_max_size", this.name, n);
    // validate_linkmsg: same bound as gso_max_size
    if (n > this.tsoMaxSize) {
      throw new NetDeviceError(
        `Cannot set gso_ipv4_max_size of ${this.name} to ${n}: too big gso_ipv4_max_size, above tso_max_size ${this.tsoMaxSize} (EINVAL)`,
      );
    }
    this.gsoIpv4MaxSize = Math.min(n, GSO_MAX_SIZE);
  }

  /**
   * Sets gso_max_segs as IFLA_GSO_MAX_SEGS does.
   *
   * @param n The limit in segments.
   * @throws {NetDeviceError} EINVAL when n exceeds GSO_MAX_SEGS or tso_max_segs.
   */
  setGsoMaxSegs(n: number): void {
    checkCount("gso_max_segs", this.name, n);
    // validate_linkmsg: gso_segs is 16 bits and the hardware has its own bound
    if (n > GSO_MAX_SEGS || n > this.tsoMaxSegs) {
      throw new NetDeviceError(
        `Cannot set gso_max_segs of ${this.name} to ${n}: too big gso_max_segs, above ${
          Math.min(GSO_MAX_SEGS, this.tsoMaxSegs)
        } (EINVAL)`,
      );
    }
    this.gsoMaxSegs = n;
  }
}

function featureNames(f: bigint): string {
  return [...bitsOf(f)].map(featureName).join(", ");
}

/**
 * Creates a device from its driver setup and registers it.
 *
 * @param setup The driver's setup.
 * @returns The registered device.
 *
 * @example
 * ```ts
 * import { registerNetDevice } from "./net_device.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * const dev = registerNetDevice({ features: NETIF_F.SG, hwFeatures: NETIF_F.SG });
 * (dev.features & NETIF_F.GSO) !== 0n; // true: GSO is on after registration
 * ```
 */
export function registerNetDevice(setup: NetDeviceSetup): NetDevice {
  const dev = new NetDevice(setup);
  dev.register();
  return dev;
}

/**
 * Options of {@linkcode ethtoolShow}.
 *
 * @example
 * ```ts
 * import type { EthtoolShowOptions } from "./net_device.ts";
 * const o: EthtoolShowOptions = { flat: true };
 * ```
 */
export interface EthtoolShowOptions {
  /**
   * Print every feature once in kernel string order, without ethtool's
   * legacy groups (`tx-checksumming:` with tab-indented members).
   */
  flat?: boolean;
}

/**
 * The lines `ethtool -k NAME` prints (netlink ethtool): `Features for
 * NAME:`, then the legacy groups (`rx-checksumming`, `tx-checksumming` with
 * its tab-indented members, `scatter-gather`, `tcp-segmentation-offload`,
 * …; a group with one member is printed under the group's name), then the
 * remaining features in the kernel's string order. Each line is
 * `name: on|off`, with ` [fixed]` for a feature the user cannot change, or
 * ` [requested on|off]` when the active state differs from the wanted one.
 *
 * @param dev The device.
 * @param options `flat` to list the features in string order only.
 * @returns The lines, without newlines.
 *
 * @example
 * ```ts
 * import { ethtoolShow, kernelCaptureEgressDevice } from "./net_device.ts";
 * const lines = ethtoolShow(kernelCaptureEgressDevice());
 * lines[0]; // "Features for p2:"
 * lines.includes("tcp-segmentation-offload: off"); // true
 * ```
 */
export function ethtoolShow(
  dev: NetDevice,
  options: EthtoolShowOptions = {},
): string[] {
  const out = [`Features for ${dev.name}:`];
  const names = NETDEV_FEATURE_STRINGS;
  const active = (i: number) => (dev.features & (1n << BigInt(i))) !== 0n;
  function line(i: number, label: string, prefix: string): string {
    const b = 1n << BigInt(i);
    let suffix = "";
    // dump_feature: not in hw_features or never changeable is "fixed"
    if ((dev.hwFeatures & b) === 0n || (NETIF_F_MASK.NEVER_CHANGE & b) !== 0n) {
      suffix = " [fixed]";
    } else if (active(i) !== ((dev.wantedFeatures & b) !== 0n)) {
      suffix = ` [requested ${onOff((dev.wantedFeatures & b) !== 0n)}]`;
    }
    return `${prefix}${label}: ${onOff(active(i))}${suffix}`;
  }
  const group: number[] = names.map(() => -1);
  if (!options.flat) {
    names.forEach((s, i) => {
      if (s === "") return;
      group[i] = ETHTOOL_LEGACY_FLAGS.findIndex((f) =>
        ethtoolPatternMatch(s, f.pattern)
      );
    });
    ETHTOOL_LEGACY_FLAGS.forEach((flag, g) => {
      // dump_features: no netlink-era kernel has UFO
      if (flag.shortName === "ufo") return;
      const members = group.flatMap((x, i) => (x === g ? [i] : []));
      if (members.length !== 1) {
        out.push(`${flag.longName}: ${onOff(members.some(active))}`);
      }
      for (const i of members) {
        out.push(
          members.length === 1
            ? line(i, flag.longName, "")
            : line(i, names[i]!, "\t"),
        );
      }
    });
  }
  names.forEach((s, i) => {
    if (s !== "" && group[i] === -1) out.push(line(i, s, ""));
  });
  return out;
}

const VETH_FEATURES = NETIF_F.SG | NETIF_F.FRAGLIST | NETIF_F.HW_CSUM |
  NETIF_F.RXCSUM | NETIF_F.SCTP_CRC | NETIF_F.HIGHDMA |
  NETIF_F_MASK.GSO_SOFTWARE | NETIF_F_MASK.GSO_ENCAP_ALL |
  NETIF_F.HW_VLAN_CTAG_TX | NETIF_F.HW_VLAN_CTAG_RX |
  NETIF_F.HW_VLAN_STAG_TX | NETIF_F.HW_VLAN_STAG_RX;

/**
 * A registered veth device as drivers/net/veth.c sets it up (`veth_setup`,
 * then `veth_newlink` turns GRO off): every checksum generic, all software
 * GSO types and tunnel GSO on, BIG TCP tso_max_size, features passed
 * through on transmit (`passthru_features_check`).
 *
 * @param name Interface name; `"veth0"` by default.
 * @returns The device.
 *
 * @example
 * ```ts
 * import { vethDevice } from "./net_device.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * const v = vethDevice();
 * (v.features & NETIF_F.TSO) !== 0n; // true
 * v.tsoMaxSize; // 524280
 * ```
 */
export function vethDevice(name = "veth0"): NetDevice {
  const vlanTags = NETIF_F.HW_VLAN_CTAG_TX | NETIF_F.HW_VLAN_STAG_TX |
    NETIF_F.HW_VLAN_CTAG_RX | NETIF_F.HW_VLAN_STAG_RX;
  const dev = registerNetDevice({
    name,
    features: VETH_FEATURES,
    hwFeatures: VETH_FEATURES,
    vlanFeatures: VETH_FEATURES & ~vlanTags,
    hwEncFeatures: VETH_FEATURES,
    mplsFeatures: NETIF_F.HW_CSUM | NETIF_F_MASK.GSO_SOFTWARE,
    tsoMaxSize: GSO_MAX_SIZE,
    ndoFeaturesCheck: passthruFeaturesCheck,
  });
  // veth_disable_gro: veth keeps GRO off by default
  dev.features &= ~NETIF_F.GRO;
  dev.wantedFeatures &= ~NETIF_F.GRO;
  dev.updateFeatures();
  return dev;
}

function passthruFeaturesCheck(_skb: SkBuff, features: bigint): bigint {
  return features;
}

/**
 * The egress port `p2` of the kernel captures
 * (/work/shared/kernel-captures/README.md): a veth after
 * `ethtool -K p2 tso off gso on tx off sg on` and then UDP segmentation,
 * tunnel segmentation and tx-gso-partial off. Every checksum is done in
 * software, GSO and SG are on, no TCP/UDP/tunnel segmentation in
 * "hardware", so every GSO skb is segmented by the kernel.
 *
 * @returns The device.
 *
 * @example
 * ```ts
 * import { kernelCaptureEgressDevice } from "./net_device.ts";
 * import { NETIF_F } from "./netdev_features.ts";
 * const p2 = kernelCaptureEgressDevice();
 * (p2.features & NETIF_F.GSO) !== 0n; // true
 * (p2.features & NETIF_F.HW_CSUM) === 0n; // true
 * ```
 */
export function kernelCaptureEgressDevice(): NetDevice {
  const dev = vethDevice("p2");
  dev.setFeatures(
    new Map<string, boolean>([
      ["tso", false],
      ["gso", true],
      ["tx", false],
      ["sg", true],
    ]),
  );
  dev.setFeatures({
    "tx-udp-segmentation": false,
    "tx-gre-segmentation": false,
    "tx-gre-csum-segmentation": false,
    "tx-ipxip4-segmentation": false,
    "tx-ipxip6-segmentation": false,
    "tx-udp_tnl-segmentation": false,
    "tx-udp_tnl-csum-segmentation": false,
    "tx-gso-partial": false,
  });
  return dev;
}
