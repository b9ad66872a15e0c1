// Property sweep: random super-packets through the reference and the NIC
// model in lockstep, plus the reference's own invariants. Shared by
// tests/property_test.ts (a fixed seed, 10,000+ cases) and the fuzz task.
import fc from "fast-check";
import { supportedDriverModes } from "../hw/drivers.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { getU32, setU16 } from "../sw/bytes.ts";
import { onesSum } from "../sw/checksum.ts";
import { l4ChecksumStatus } from "../sw/l4_checksum.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { parsePacket } from "../sw/packet_layout.ts";
import { segment } from "../sw/segment.ts";
import { SegmentError } from "../sw/segment_error.ts";
import { skbFromFrame } from "../sw/skb_from_frame.ts";
import { layoutFrags } from "../sw/skbuff.ts";
import type { SkBuff } from "../sw/types.ts";
import { Lockstep } from "../tb/lockstep.ts";
import { checksumSites } from "../tb/pass_through.ts";
import { formatDivergence } from "../tb/scoreboard.ts";
import { zeroChecksumAsFfff } from "../tb/tolerances.ts";
import { kernelCaptureFeatureNames } from "../vectors/golden_device.ts";
import { TSOLAB_VERSION } from "../vectors/golden_meta.ts";
import { createGoldenVector } from "../vectors/golden_vector.ts";
import { buildFrame, buildVxlan } from "./_build.ts";

export interface SweepCase {
  kind: "tcp4" | "tcp6" | "udp4" | "udp6" | "vxlan";
  outerV6: boolean;
  innerV6: boolean;
  outerCsum: boolean;
  mss: number;
  payloadLen: number;
  tcpOptionsLen: number;
  ipOptionsLen: number;
  ext: { type: number; len: number }[];
  vlanTags: number;
  flags: number;
  id: number;
  seq: number;
  seed: number;
  headCut: number; // bytes of the frame kept linear (may split the headers)
  fragSizes: number[];
  model: number; // index into the (preset, mode) list
}

const TCP_FLAGS = [0x01, 0x08, 0x80, 0x20, 0x40]; // FIN PSH CWR URG ECE

function payloadArb(): fc.Arbitrary<{ mss: number; payloadLen: number }> {
  // MSS 1..9000; payload near multiples of the MSS (±1) and of 64-byte
  // beats, at most ~1500 segments, up to 262144 bytes.
  return fc.integer({ min: 1, max: 9000 }).chain((mss) => {
    const maxSegs = Math.max(2, Math.min(1500, Math.floor(262144 / mss)));
    return fc.oneof(
      fc.tuple(
        fc.integer({ min: 1, max: maxSegs }),
        fc.integer({ min: -1, max: 1 }),
      )
        .map(([k, d]) => k * mss + d),
      fc.integer({ min: 1, max: Math.min(262144, maxSegs * mss) })
        .map((n) => n - (n % 64) + 1),
      fc.integer({ min: 1, max: Math.min(262144, maxSegs * mss) }),
    ).map((p) => ({ mss, payloadLen: Math.max(mss + 1, p) }));
  });
}

export function caseArb(models: number): fc.Arbitrary<SweepCase> {
  return fc.record({
    kind: fc.constantFrom("tcp4", "tcp6", "udp4", "udp6", "vxlan"),
    outerV6: fc.boolean(),
    innerV6: fc.boolean(),
    outerCsum: fc.boolean(),
    size: payloadArb(),
    tcpOptionsLen: fc.integer({ min: 0, max: 10 }).map((n) => n * 4),
    ipOptionsLen: fc.integer({ min: 0, max: 10 }).map((n) => n * 4),
    ext: fc.array(
      fc.record({
        type: fc.constantFrom(0, 60),
        len: fc.constantFrom(8, 16, 24),
      }),
      { maxLength: 2 },
    ).map((a) =>
      a.map((e, i) => ({ type: i === 0 ? e.type : 60, len: e.len }))
    ),
    vlanTags: fc.integer({ min: 0, max: 2 }),
    flags: fc.subarray(TCP_FLAGS).map((a) => a.reduce((x, y) => x | y, 0x10)),
    id: fc.oneof(
      fc.integer({ min: 0xff00, max: 0xffff }),
      fc.integer({ min: 0, max: 0xffff }),
    ),
    seq: fc.oneof(
      fc.integer({ min: 0xffff0000, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
    ),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
    headCut: fc.integer({ min: 0, max: 200 }),
    fragSizes: fc.array(
      fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 4096 })),
      { maxLength: 17 },
    ),
    model: fc.integer({ min: 0, max: models - 1 }),
  }).map((r) => {
    const { size, ...rest } = r;
    let payloadLen = size.payloadLen;
    const udp = r.kind === "udp4" || r.kind === "udp6";
    if (udp) payloadLen = Math.min(payloadLen, 65535 - 8 - 40 - 48);
    if (r.kind === "vxlan") payloadLen = Math.min(payloadLen, 65000 - 200);
    return {
      ...rest,
      mss: Math.min(size.mss, Math.max(1, payloadLen - 1)),
      payloadLen,
    };
  });
}

export interface Built {
  frame: Uint8Array;
  skb: SkBuff;
}

// The frame as a sending stack hands it over, then an skb with the given
// layout over the same bytes.
export function buildCase(c: SweepCase): Built {
  let frame: Uint8Array;
  if (c.kind === "vxlan") {
    frame = buildVxlan({
      outerV6: c.outerV6,
      innerV6: c.innerV6,
      outerCsum: c.outerCsum,
      payloadLen: c.payloadLen,
      gsoSize: c.mss,
      outerId: c.id,
    }).frame;
  } else {
    const v6 = c.kind === "tcp6" || c.kind === "udp6";
    const udp = c.kind === "udp4" || c.kind === "udp6";
    const b = buildFrame({
      ipv6: v6,
      udp,
      payloadLen: c.payloadLen,
      id: c.id,
      seq: c.seq,
      flags: c.flags,
      tcpOptionsLen: udp ? 0 : c.tcpOptionsLen,
      ipOptionsLen: v6 ? 0 : c.ipOptionsLen,
      extHeaders: v6 ? c.ext : [],
      vlanTags: c.vlanTags,
      seedByte: c.seed,
    });
    frame = b.frame;
    // BIG TCP: lengths above 64 KiB are written as 0.
    if (!udp && frame.length - b.ipOff > 65535) {
      setU16(frame, b.ipOff + (v6 ? 4 : 2), 0);
    }
  }
  const layout = parsePacket(frame, 1);
  const skb = skbFromFrame(frame, layout, { gsoSize: c.mss })!;
  const { linear, frags } = cappedLayout(frame, c.headCut, c.fragSizes);
  return { frame, skb: { ...skb, linear, frags } };
}

// `cut` linear bytes, then frags of the given sizes as far as they fit.
function cappedLayout(frame: Uint8Array, cut: number, fragSizes: number[]) {
  cut = Math.min(frame.length, cut);
  const sizes: number[] = [];
  let left = frame.length - cut;
  for (const s of fragSizes) {
    if (left <= 0) break;
    sizes.push(Math.min(s, left));
    left -= Math.min(s, left);
  }
  return layoutFrags(frame, cut, sizes);
}

const SOFTWARE = NETIF_F.SG | NETIF_F.GSO;

// The reference's own invariants on its output.
export function checkReference(
  c: SweepCase,
  b: Built,
  segs: Uint8Array[],
): string | null {
  const inLayout = parsePacket(b.frame, 1);
  const payload = b.frame.subarray(
    inLayout.payloadOffset,
    inLayout.payloadOffset + inLayout.payloadLen,
  );
  if (segs.length !== Math.ceil(payload.length / c.mss)) {
    return `segment count ${segs.length} is not ceil(${payload.length} / ${c.mss})`;
  }
  let o = 0;
  let seq = -1;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    const l = parsePacket(s, 1);
    if (l.payloadLen > c.mss) {
      return `segment ${i} carries ${l.payloadLen} > MSS ${c.mss}`;
    }
    const p = s.subarray(l.payloadOffset, l.payloadOffset + l.payloadLen);
    for (let k = 0; k < p.length; k++) {
      if (p[k] !== payload[o + k]) {
        return `segment ${i} payload byte ${k} differs from the input`;
      }
    }
    if (l.l4!.proto === 6) {
      const sq = getU32(s, l.l4!.offset + 4);
      if (seq >= 0 && sq !== seq) {
        return `segment ${i} seq ${sq} is not contiguous (want ${seq})`;
      }
      seq = (sq + l.payloadLen) >>> 0;
    }
    o += p.length;
    for (const ip of [l.outer, l.inner]) {
      if (
        ip?.version === 4 &&
        onesSum(s, ip.offset, ip.offset + ip.headerLen) !== 0xffff
      ) {
        return `segment ${i} IPv4 header checksum at ${ip.offset} is bad`;
      }
    }
    for (const site of checksumSites(s, l)) {
      const st = l4ChecksumStatus(s, site);
      if (st !== "good") {
        return `segment ${i} checksum at ${site.l4Offset} is ${st}`;
      }
    }
  }
  if (o !== payload.length) {
    return `payloads add up to ${o}, not ${payload.length}`;
  }
  return null;
}

export interface SweepModel {
  preset: string;
  driver: string;
  lockstep: Lockstep;
}

export function sweepModels(): SweepModel[] {
  const out: SweepModel[] = [];
  for (const preset of ["e810-100g", "82599-10g", "corundum-100g"]) {
    for (const driver of supportedDriverModes(resolveConfig(preset))) {
      // Start/offset checksum engines write 0xFFFF for a TCP checksum of 0
      // (both mean zero); the reference keeps Linux's 0.
      const cfg = resolveConfig(preset);
      const tolerances = cfg.offload.mangleZeroCsum === "all"
        ? [zeroChecksumAsFfff]
        : [];
      out.push({
        preset,
        driver,
        lockstep: new Lockstep({ preset, driver, tolerances }),
      });
    }
  }
  return out;
}

// One case: null when it holds, else why not.
export function runCase(c: SweepCase, models: SweepModel[]): string | null {
  const b = buildCase(c);
  let segs: Uint8Array[];
  try {
    segs = [...segment(b.skb, SOFTWARE)].map((s) => s.data);
  } catch (e) {
    // The kernel refuses some layouts (too many frags per segment): both
    // sides must then agree there is nothing to send.
    if (e instanceof SegmentError && e.reason === "too-many-frags") return null;
    throw e;
  }
  const ref = checkReference(c, b, segs);
  if (ref !== null) return `reference: ${ref}`;
  const m = models[c.model % models.length]!;
  let skb = b.skb;
  if (m.driver === "tso-helper" || m.driver === "hw-tso") {
    // Drivers that hand the super-packet to the NIC read its headers from
    // the linear area, and the stack pulls them there for every GSO packet
    // (skb_segment and tcp_gso_segment pull too, so the reference does not
    // care); the host-GSO modes see any layout.
    const hl = parsePacket(b.frame, 1).payloadOffset;
    if (skb.linear.length < hl) {
      const rest = cappedLayout(b.frame, hl, c.fragSizes);
      skb = { ...skb, linear: rest.linear, frags: rest.frags };
    }
  }
  const r = m.lockstep.run(skb, { input: `sweep seed ${c.seed}`, frame: 1 });
  if (r.divergence !== null) {
    return `${m.preset} ${m.driver}: ${formatDivergence(r.divergence)}`;
  }
  if (r.errors.length > 0) {
    return `${m.preset} ${m.driver}: the model raised ${
      r.errors.join("; ")
    } on valid input`;
  }
  return null;
}

// A failing case as a golden vector (origin=reference): the super-packet
// with its layout and seed, and the reference's frames as the expected
// ones, so `deno task verify FILE` replays it with both engines.
export function writeCounterexample(c: SweepCase, path: string): void {
  const b = buildCase(c);
  const segs = [...segment(b.skb, SOFTWARE)].map((s) => ({
    data: s.data,
    timestampNs: 1000n,
  }));
  const w = createGoldenVector(path, {
    scenario: `sweep-${c.seed}`,
    origin: "reference",
    source: "socket",
    command: `property sweep case ${JSON.stringify(c)}`,
    toolVersion: TSOLAB_VERSION,
    extra: {},
  });
  try {
    w.writeCase({ data: b.frame, timestampNs: 0n }, {
      gsoSize: c.mss,
      gsoType: b.skb.gsoType,
      csumStart: b.skb.csumStart,
      csumOffset: b.skb.csumOffset,
      features: kernelCaptureFeatureNames(),
      origin: "reference",
      source: "socket",
      layout: {
        headLen: b.skb.linear.length,
        frags: b.skb.frags.map((f) => f.size),
      },
      seed: c.seed,
    }, segs);
    w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
}

export function sweep(
  opts: { runs: number; seed: number; models?: SweepModel[] },
): void {
  const models = opts.models ?? sweepModels();
  fc.assert(
    fc.property(caseArb(models.length), (c) => {
      const why = runCase(c, models);
      if (why !== null) {
        const path = `/tmp/tsolab-sweep-${opts.seed}.pcapng`;
        try {
          writeCounterexample(c, path);
        } catch { /* best effort */ }
        throw new Error(
          `${why}\n(seed ${opts.seed}; the shrunk case is written to ${path}; replay it with: deno task tsolab verify ${path})`,
        );
      }
    }),
    { numRuns: opts.runs, seed: opts.seed, endOnFailure: false },
  );
}
