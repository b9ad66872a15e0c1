/**
 * `vectors gen`: golden vectors made by the software reference for what a
 * kernel cannot be made to produce even from a tap — AccECN (CWR kept on
 * every segment), fixed IPv4 IDs, GSO_PARTIAL chunks for a device that
 * finishes tunnels itself, and unusual skb layouts (many frags, 1-byte
 * frags, headers split across frags). Every super-packet is built from a
 * seed with the header codecs, so a vector is rebuilt byte for byte.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { NetDevice } from "../sw/net_device.ts";
import { parsePacket } from "../sw/packet_layout.ts";
import { segment } from "../sw/segment.ts";
import { skbFromFrame } from "../sw/skb_from_frame.ts";
import { MAX_SKB_FRAGS } from "../sw/skbuff.ts";
import { SKB_GSO, type SkBuff } from "../sw/types.ts";
import { TsolabError } from "../sw/types.ts";
import { xmitDecision } from "../sw/xmit_decision.ts";
import { goldenDevice, kernelCaptureFeatureNames } from "./golden_device.ts";
import { GoldenVectorError } from "./golden_error.ts";
import {
  type SkbLayoutSpec,
  type SuperPacketMeta,
  TSOLAB_VERSION,
} from "./golden_meta.ts";
import { applySuperPacketMeta } from "./golden_skb.ts";
import { createGoldenVector, type GoldenCounts } from "./golden_vector.ts";
import {
  buildSuperPacket,
  seededRandom,
  type SuperPacketSpec,
} from "./build_super_packet.ts";

/**
 * The egress device of a reference scenario, as ethtool names.
 *
 * @example
 * ```ts
 * import type { GenDevice } from "./generate.ts";
 * const d: GenDevice = { features: ["tx-scatter-gather", "tx-generic-segmentation"] };
 * ```
 */
export interface GenDevice {
  /** Enabled features (`dev->features`). */
  features: string[];
  /** `dev->hw_enc_features`, when not the same. */
  encFeatures?: string[];
  /** `dev->gso_partial_features`. */
  partialFeatures?: string[];
}

/**
 * One super-packet of a scenario.
 *
 * @example
 * ```ts
 * import type { GenPacket } from "./generate.ts";
 * const p: GenPacket = { spec: { payloadLen: 4000 }, gsoSize: 1448 };
 * ```
 */
export interface GenPacket {
  /** What to build (the seed comes from the scenario). */
  spec: Omit<SuperPacketSpec, "seed">;
  /** gso_size. */
  gsoSize: number;
  /** SKB_GSO bits to add to what the headers say. */
  gsoExtra?: number;
  /**
   * The skb layout from the header length, the frame length and a seeded
   * generator; default: headers linear, payload one frag.
   */
  layout?: (
    headerLen: number,
    total: number,
    rnd: () => number,
  ) => SkbLayoutSpec;
}

/**
 * A scenario `vectors gen` can make.
 *
 * @example
 * ```ts
 * import { GEN_SCENARIOS } from "./generate.ts";
 * GEN_SCENARIOS.map((s) => s.name).includes("accecn-tcp4"); // true
 * ```
 */
export interface GenScenario {
  /** Name; the file is `NAME.pcapng`. */
  readonly name: string;
  /** One sentence on what it covers. */
  readonly description: string;
  /** Base seed: packet i is built from `seed * 1000 + i`. */
  readonly seed: number;
  /** The egress device. */
  readonly device: () => GenDevice;
  /** The super-packets, in order. */
  readonly packets: readonly GenPacket[];
}

const p2 = (): GenDevice => ({ features: kernelCaptureFeatureNames() });

/** An 82599/X550-like port: TSO and tunnel TSO, outer-checksummed tunnels only through GSO_PARTIAL. */
const partialNic = (): GenDevice => {
  const f = [
    "tx-scatter-gather",
    "tx-checksum-ip-generic",
    "tx-tcp-segmentation",
    "tx-tcp6-segmentation",
    "tx-generic-segmentation",
    "tx-gso-partial",
    "tx-udp_tnl-segmentation",
    "tx-udp_tnl-csum-segmentation",
  ];
  return {
    features: f,
    encFeatures: f,
    partialFeatures: ["tx-udp_tnl-csum-segmentation"],
  };
};

const ACK_PSH = 0x18;
const CWR = 0x80;
const AE = 0x100;

/** Cuts `n` bytes into `count` pieces of random sizes (each at least 1). */
function randomCuts(n: number, count: number, rnd: () => number): number[] {
  const cuts = new Set<number>();
  while (cuts.size < count - 1) cuts.add(1 + (rnd() % (n - 1)));
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: number[] = [];
  let prev = 0;
  for (const c of [...sorted, n]) {
    out.push(c - prev);
    prev = c;
  }
  return out;
}

const manyFrags = (h: number, total: number, rnd: () => number) => ({
  headLen: h,
  frags: randomCuts(total - h, MAX_SKB_FRAGS, rnd),
});

/** 1-byte frags at the start, around a segment boundary, and at the end. */
const oneByteFrags = (gso: number) => (h: number, total: number) => {
  const frags = [1, 1, 1, gso - 4, 1, 1, 1, 1, gso - 2];
  const used = frags.reduce((a, b) => a + b, 0);
  frags.push(total - h - used - 3, 1, 1, 1);
  return { headLen: h, frags };
};

/** Headers spread over the linear part and several frags. */
const splitHeader =
  (headLen: number, headerFrags: number[]) => (h: number, total: number) => {
    const inFrags = h - headLen - headerFrags.reduce((a, b) => a + b, 0);
    if (inFrags < 0) throw new RangeError("header frags exceed the headers");
    return {
      headLen,
      frags: [...headerFrags, inFrags + 700, total - h - 700],
    };
  };

/**
 * The scenarios of `vectors gen`, in order.
 *
 * @example
 * ```ts
 * import { GEN_SCENARIOS } from "./generate.ts";
 * for (const s of GEN_SCENARIOS) console.log(s.name, s.description);
 * ```
 */
export const GEN_SCENARIOS: readonly GenScenario[] = Object.freeze([
  {
    name: "accecn-tcp4",
    description:
      "TCP/IPv4 with SKB_GSO_TCP_ACCECN: AE and CWR are ACE counter bits and stay on every segment",
    seed: 1,
    device: p2,
    packets: [
      {
        spec: { payloadLen: 14480, timestamps: true, tcpFlags: ACK_PSH | CWR },
        gsoSize: 1448,
        gsoExtra: SKB_GSO.TCP_ACCECN,
      },
      {
        spec: {
          payloadLen: 5001,
          timestamps: true,
          tcpFlags: ACK_PSH | CWR | AE,
        },
        gsoSize: 1448,
        gsoExtra: SKB_GSO.TCP_ACCECN,
      },
      {
        spec: { payloadLen: 62000, timestamps: true, tcpFlags: 0x10 | CWR },
        gsoSize: 1448,
        gsoExtra: SKB_GSO.TCP_ACCECN,
      },
    ],
  },
  {
    name: "accecn-tcp6",
    description:
      "TCP/IPv6 with SKB_GSO_TCP_ACCECN: CWR and AE kept on every segment",
    seed: 2,
    device: p2,
    packets: [
      {
        spec: {
          ipv6: true,
          payloadLen: 8000,
          timestamps: true,
          tcpFlags: ACK_PSH | CWR | AE,
        },
        gsoSize: 1428,
        gsoExtra: SKB_GSO.TCP_ACCECN,
      },
      {
        spec: { ipv6: true, payloadLen: 2857, tcpFlags: ACK_PSH | CWR },
        gsoSize: 1428,
        gsoExtra: SKB_GSO.TCP_ACCECN,
      },
    ],
  },
  {
    name: "fixedid-tcp4",
    description:
      "TCP/IPv4 with SKB_GSO_TCP_FIXEDID: every segment keeps the super-packet's IPv4 ID",
    seed: 3,
    device: p2,
    packets: [
      {
        spec: { payloadLen: 14480, timestamps: true, ipId: 0xfffe },
        gsoSize: 1448,
        gsoExtra: SKB_GSO.TCP_FIXEDID,
      },
      {
        spec: { payloadLen: 4000, timestamps: true, tcpFlags: ACK_PSH | CWR },
        gsoSize: 1448,
        gsoExtra: SKB_GSO.TCP_FIXEDID,
      },
      {
        spec: { payloadLen: 30000, ipId: 7 },
        gsoSize: 1000,
        gsoExtra: SKB_GSO.TCP_FIXEDID,
      },
    ],
  },
  {
    name: "gso-partial-vxlan4",
    description:
      "TCP/IPv4 in VXLAN with outer UDP checksum on a device with tx-gso-partial: the stack sends GSO_PARTIAL chunks, the device finishes each",
    seed: 4,
    device: partialNic,
    packets: [
      {
        spec: {
          payloadLen: 8500,
          timestamps: true,
          vxlan: { vni: 7, udpChecksum: true },
        },
        gsoSize: 1378,
      },
      {
        spec: {
          payloadLen: 20000,
          timestamps: true,
          vxlan: { vni: 7, udpChecksum: true },
        },
        gsoSize: 1378,
      },
      {
        spec: { payloadLen: 1378 * 4, vxlan: { vni: 9, udpChecksum: true } },
        gsoSize: 1378,
      },
    ],
  },
  {
    name: "frags-many-tcp4",
    description:
      "TCP/IPv4 whose payload is spread over MAX_SKB_FRAGS frags of random sizes",
    seed: 5,
    device: p2,
    packets: [
      {
        spec: { payloadLen: 30000, timestamps: true },
        gsoSize: 1448,
        layout: manyFrags,
      },
      { spec: { payloadLen: 9000 }, gsoSize: 536, layout: manyFrags },
    ],
  },
  {
    name: "frags-many-udp4",
    description:
      "UDP/IPv4 USO whose payload is spread over MAX_SKB_FRAGS frags of random sizes",
    seed: 6,
    device: p2,
    packets: [
      {
        spec: { udp: true, payloadLen: 12000 },
        gsoSize: 1200,
        layout: manyFrags,
      },
      {
        spec: { udp: true, payloadLen: 3601 },
        gsoSize: 1200,
        layout: manyFrags,
      },
    ],
  },
  {
    name: "frags-1byte-tcp4",
    description:
      "TCP/IPv4 with 1-byte frags at the start of the payload, across a segment boundary and at the end",
    seed: 7,
    device: p2,
    packets: [
      {
        spec: { payloadLen: 7000, timestamps: true },
        gsoSize: 1448,
        layout: oneByteFrags(1448),
      },
      {
        spec: { payloadLen: 3000 },
        gsoSize: 1000,
        layout: oneByteFrags(1000),
      },
    ],
  },
  {
    name: "frags-split-header-tcp4",
    description:
      "TCP/IPv4 whose headers are split between the linear part and several frags",
    seed: 8,
    device: p2,
    packets: [
      {
        spec: { payloadLen: 6000, timestamps: true },
        gsoSize: 1448,
        layout: splitHeader(20, [10, 1, 15]),
      },
      {
        spec: { payloadLen: 4000 },
        gsoSize: 1448,
        layout: splitHeader(14, [20, 6]),
      },
    ],
  },
  {
    name: "frags-split-header-tcp6",
    description:
      "TCP/IPv6 whose headers are split between the linear part and several frags",
    seed: 9,
    device: p2,
    packets: [
      {
        spec: { ipv6: true, payloadLen: 6000, timestamps: true },
        gsoSize: 1428,
        layout: splitHeader(30, [24, 1, 31]),
      },
    ],
  },
]);

/**
 * Finds a scenario by name.
 *
 * @param name The name.
 * @returns The scenario, or undefined.
 *
 * @example
 * ```ts
 * import { findGenScenario } from "./generate.ts";
 * findGenScenario("fixedid-tcp4")?.seed; // 3
 * ```
 */
export function findGenScenario(name: string): GenScenario | undefined {
  return GEN_SCENARIOS.find((s) => s.name === name);
}

/**
 * What the kernel's transmit path hands the device for one skb: the
 * decision of `validate_xmit_skb`, then `skb_gso_segment` with the
 * features it left. `__skb_gso_segment` keeps GSO_PARTIAL when the device's
 * gso_partial_features let it finish the type; `segment()` tests GSO_PARTIAL
 * against the features it is given, so those types are added for the test
 * and kept out of the tunnel's inner features, where gso_features_check had
 * removed them.
 */
function kernelSegments(
  skb: SkBuff,
  dev: NetDevice,
  where: string,
): Uint8Array[] {
  const d = xmitDecision(skb, dev);
  if (d.path !== "software-gso") {
    throw new GoldenVectorError(
      `${where}: the device would not segment in software (${d.path}: ${
        d.reasons.join("; ")
      })`,
    );
  }
  const out: Uint8Array[] = [];
  // __skb_gso_segment: GSO_PARTIAL stays only when the device's
  // gso_partial_features let it finish the segments (segment() applies it)
  for (
    const s of segment(skb, d.features, {
      hwEncFeatures: dev.hwEncFeatures,
      gsoPartialFeatures: dev.features & dev.gsoPartialFeatures,
    })
  ) {
    out.push(s.data.slice());
  }
  return out;
}

/** 2026-01-01T00:00:00Z: timestamps of generated vectors start here. */
const EPOCH_NS = 1_767_225_600_000_000_000n;

/**
 * Writes one scenario's golden vector to `dir/NAME.pcapng`.
 *
 * @param s The scenario.
 * @param dir The output folder (must exist).
 * @returns The file and its counts.
 * @throws {GoldenVectorError} When the reference refuses a super-packet or
 *   the device would not segment it in software (a broken scenario).
 *
 * @example
 * ```ts
 * import { findGenScenario, generateScenario } from "./generate.ts";
 * const dir = Deno.makeTempDirSync();
 * const r = generateScenario(findGenScenario("accecn-tcp4")!, dir);
 * [r.superPackets, r.segments]; // [3, 57]
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function generateScenario(
  s: GenScenario,
  dir: string,
): GoldenCounts & { path: string } {
  const path = `${dir}/${s.name}.pcapng`;
  const devSpec = s.device();
  const out = createGoldenVector(path, {
    scenario: s.name,
    origin: "reference",
    source: "tap",
    command: `tsolab vectors gen --scenario ${s.name}`,
    toolVersion: TSOLAB_VERSION,
    description: s.description,
    extra: {},
  }, { ingress: "reference", egress: "reference" });
  try {
    s.packets.forEach((p, i) => {
      const seed = s.seed * 1000 + i;
      const where = `${s.name} packet ${i + 1}`;
      const built = buildSuperPacket({ ...p.spec, seed });
      const frame = built.frame;
      const layout = parsePacket(frame, 1);
      const base = skbFromFrame(frame, layout, { gsoSize: p.gsoSize })!;
      const rnd = seededRandom(seed ^ 0x5eed);
      const skbLayout = p.layout?.(built.payloadOffset, frame.length, rnd) ?? {
        headLen: built.payloadOffset,
        frags: [frame.length - built.payloadOffset],
      };
      const meta: SuperPacketMeta = {
        gsoSize: p.gsoSize,
        gsoType: (base.gsoType | (p.gsoExtra ?? 0)) >>> 0,
        csumStart: base.csumStart,
        csumOffset: base.csumOffset,
        features: devSpec.features,
        origin: "reference",
        source: "tap",
        layout: skbLayout,
        seed,
        ...(devSpec.encFeatures !== undefined
          ? { encFeatures: devSpec.encFeatures }
          : {}),
        ...(devSpec.partialFeatures !== undefined
          ? { partialFeatures: devSpec.partialFeatures }
          : {}),
      };
      const skb = applySuperPacketMeta(base, meta, where);
      let segs: Uint8Array[];
      try {
        segs = kernelSegments(skb, goldenDevice(meta, where), where);
      } catch (e) {
        if (e instanceof TsolabError && !(e instanceof GoldenVectorError)) {
          throw new GoldenVectorError(`${where}: ${e.message}`, {}, {
            cause: e,
          });
        }
        throw e;
      }
      const t = EPOCH_NS + BigInt(i) * 1_000_000n;
      out.writeCase(
        { data: frame, timestampNs: t },
        meta,
        segs.map((data, k) => ({
          data,
          timestampNs: t + BigInt(k + 1) * 1000n,
        })),
      );
    });
    return { path, ...out.close() };
  } catch (e) {
    out.abort();
    throw e;
  }
}

/**
 * Help text of `vectors gen`.
 *
 * @example
 * ```ts
 * import { GEN_USAGE } from "./generate.ts";
 * console.log(GEN_USAGE);
 * ```
 */
export const GEN_USAGE =
  `Usage: vectors gen --scenario NAME [--scenario NAME …] [-o DIR]
       vectors gen --all [-o DIR]
       vectors gen --list

Makes golden vectors with the software reference for what the kernel cannot
be made to produce: AccECN, fixed IPv4 IDs, GSO_PARTIAL chunks, unusual skb
frag layouts. Each super-packet is built from a seed (recorded with its
layout in the frame comment, origin=reference), so the files are rebuilt
byte for byte.

Options:
  -s, --scenario NAME   make this scenario (repeatable)
  -a, --all             make every scenario
  -o, --output DIR      output folder (default vectors/golden)
  -l, --list            list the scenarios and exit
  -h, --help            show this help

Exit status: 0 written, 2 bad usage or a scenario the reference refuses.

Example:
  deno task tsolab vectors gen --all -o vectors/golden`;

/**
 * Runs `vectors gen` with the arguments after the command name: writes
 * the selected scenarios' vectors and prints one line each.
 *
 * @param args For example `["--all", "-o", "vectors/golden"]`.
 * @returns The exit status: 0 written, 2 bad usage or a refused scenario
 *   (one line on stderr).
 *
 * @example
 * ```ts
 * import { genMain } from "./generate.ts";
 * const dir = Deno.makeTempDirSync();
 * await genMain(["--scenario", "accecn-tcp4", "-o", dir]); // 0
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function genMain(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        scenario: { type: "string", short: "s", multiple: true },
        all: { type: "boolean", short: "a" },
        output: { type: "string", short: "o" },
        list: { type: "boolean", short: "l" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`vectors gen: ${(e as Error).message}`);
    return Promise.resolve(2);
  }
  if (values.help) {
    console.log(GEN_USAGE);
    return Promise.resolve(0);
  }
  if (values.list) {
    for (const s of GEN_SCENARIOS) {
      console.log(`${s.name.padEnd(24)} ${s.description}`);
    }
    return Promise.resolve(0);
  }
  const names = values.scenario ?? [];
  if ((values.all ?? false) === (names.length > 0)) {
    console.error("vectors gen: give --scenario NAME or --all (see --help)");
    return Promise.resolve(2);
  }
  const selected: GenScenario[] = [];
  for (const n of names) {
    const s = findGenScenario(n);
    if (s === undefined) {
      console.error(`vectors gen: unknown scenario "${n}" (see --list)`);
      return Promise.resolve(2);
    }
    selected.push(s);
  }
  if (values.all) selected.push(...GEN_SCENARIOS);
  const dir = values.output ?? "vectors/golden";
  try {
    Deno.mkdirSync(dir, { recursive: true });
    for (const s of selected) {
      const r = generateScenario(s, dir);
      console.log(
        `${r.path}: ${r.superPackets} super-packets, ${r.segments} segments`,
      );
    }
  } catch (e) {
    if (e instanceof TsolabError) {
      console.error(`vectors gen: ${e.message}`);
      return Promise.resolve(2);
    }
    throw e;
  }
  return Promise.resolve(0);
}
