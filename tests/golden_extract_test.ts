// Turning a kernel capture pair into a golden vector, and refusing pairs
// whose frames do not pair up.
import assert from "node:assert/strict";
import type { Frame } from "../sw/types.ts";
import { CaptureReader } from "../vectors/capture_reader.ts";
import { goldenFromPair, type PairMeta } from "../vectors/from_pair.ts";
import { kernelCaptureFeatureNames } from "../vectors/golden_device.ts";
import { PairingError } from "../vectors/golden_error.ts";
import { readGoldenVector } from "../vectors/golden_vector.ts";
import {
  canonicalAddress,
  inferPairParameters,
  pairFrames,
} from "../vectors/pair_frames.ts";
import { PcapWriter } from "../vectors/pcap_writer.ts";
import { bytesSink } from "../vectors/byte_sink.ts";
import { available, exists } from "./_tools.ts";

const CAPTURES = new URL("../../shared/kernel-captures/", import.meta.url)
  .pathname;
const GOLDEN = new URL("../vectors/golden/", import.meta.url).pathname;

const HAVE_CAPTURES = available(
  exists(`${CAPTURES}tcp4.in.pcap`),
  `the tests of the kernel captures: none in ${CAPTURES}`,
);

function read(path: string): Frame[] {
  using r = CaptureReader.openFile(path);
  return [...r.frames()];
}

function writePcap(path: string, frames: readonly Frame[]): void {
  const sink = bytesSink();
  const w = new PcapWriter(sink, { linkType: 1, nanosecond: true });
  for (const f of frames) w.write({ data: f.data, timestampNs: f.timestampNs });
  Deno.writeFileSync(path, sink.bytes());
}

function meta(output: string): PairMeta {
  return {
    output,
    scenario: "tcp4",
    kernelRelease: "6.18",
    source: "socket",
    command: "test",
    features: kernelCaptureFeatureNames(),
  };
}

/** The egress frames of the tcp4 capture's first super-packet with 3+ segments. */
function firstSegments(inF: Frame[], outF: Frame[]) {
  const params = inferPairParameters(inF, outF);
  for (const p of pairFrames(inF, outF, params)) {
    if (p.superPacket && p.expected.length >= 3) return p;
  }
  throw new Error("no super-packet with 3 segments in tcp4");
}

Deno.test(
  "goldenFromPair turns the tcp4 capture pair into the committed golden vector",
  { ignore: !HAVE_CAPTURES },
  () => {
    const dir = Deno.makeTempDirSync();
    try {
      const r = goldenFromPair(
        `${CAPTURES}tcp4.in.pcap`,
        `${CAPTURES}tcp4.out.pcap`,
        meta(`${dir}/tcp4.pcapng`),
      );
      assert.deepEqual(
        [r.sender, r.gsoSize, r.superPackets, r.segments, r.passThrough],
        ["10.77.0.1", 1448, 7, 104, 4],
      );
      const made = readGoldenVector(r.path);
      const committed = readGoldenVector(`${GOLDEN}tcp4.pcapng`);
      assert.equal(made.cases.length, committed.cases.length);
      made.cases.forEach((c, i) => {
        const k = committed.cases[i]!;
        assert.deepEqual(c.meta, k.meta);
        assert.deepEqual(c.ingress.data, k.ingress.data);
        assert.deepEqual(
          c.expected.map((f) => f.data),
          k.expected.map((f) => f.data),
        );
      });
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
);

/** Runs goldenFromPair on a modified egress capture; returns the error. */
function refusal(mutate: (out: Frame[], seg: Frame[]) => Frame[]): {
  error: PairingError;
  dirAfter: string[];
  seg: Frame[];
  superFrame: number;
} {
  const dir = Deno.makeTempDirSync();
  try {
    const inF = read(`${CAPTURES}tcp4.in.pcap`);
    const outF = read(`${CAPTURES}tcp4.out.pcap`);
    const p = firstSegments(inF, outF);
    writePcap(`${dir}/bad.out.pcap`, mutate(outF, p.expected));
    let error: unknown;
    try {
      goldenFromPair(`${CAPTURES}tcp4.in.pcap`, `${dir}/bad.out.pcap`, {
        ...meta(`${dir}/bad.pcapng`),
        gsoSize: 1448,
      });
    } catch (e) {
      error = e;
    }
    assert.ok(
      error instanceof PairingError,
      `expected a PairingError, got ${error}`,
    );
    return {
      error,
      dirAfter: [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      seg: p.expected,
      superFrame: p.ingress.number,
    };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** Position of a frame in the rewritten capture (frames renumber from 1). */
function numberIn(frames: Frame[], f: Frame): number {
  return frames.indexOf(f) + 1;
}

Deno.test("extract refuses a pair with a segment removed, naming both frames", {
  ignore: !HAVE_CAPTURES,
}, () => {
  let out: Frame[] = [];
  const r = refusal((all, seg) => (out = all.filter((f) => f !== seg[1])));
  assert.equal(r.error.ingressFrame, r.superFrame);
  assert.equal(r.error.egressFrame, numberIn(out, r.seg[2]!));
  assert.match(
    r.error.message,
    new RegExp(
      `^tcp4\\.in\\.pcap frame ${r.superFrame}: bad\\.out\\.pcap frame ${
        numberIn(out, r.seg[2]!)
      } carries payload bytes from 2896, expected 1448 \\(a segment is missing or out of order\\)$`,
    ),
  );
  assert.deepEqual(
    r.dirAfter,
    ["bad.out.pcap"],
    "no golden vector left behind",
  );
});

Deno.test("extract refuses a pair with two segments swapped", {
  ignore: !HAVE_CAPTURES,
}, () => {
  let out: Frame[] = [];
  const r = refusal((all, seg) => {
    out = all.slice();
    const i = out.indexOf(seg[1]!);
    const j = out.indexOf(seg[2]!);
    [out[i], out[j]] = [out[j]!, out[i]!];
    return out;
  });
  assert.equal(r.error.ingressFrame, r.superFrame);
  assert.equal(r.error.egressFrame, numberIn(out, r.seg[2]!));
  assert.match(
    r.error.message,
    /carries payload bytes from 2896, expected 1448 \(a segment is missing or out of order\)/,
  );
});

Deno.test(
  "extract refuses a pair with one payload byte changed, naming the byte",
  { ignore: !HAVE_CAPTURES },
  () => {
    let out: Frame[] = [];
    let changed: Frame | undefined;
    const r = refusal((all, seg) => {
      const c = { ...seg[1]!, data: seg[1]!.data.slice() };
      c.data[c.data.length - 100]! ^= 0x5a;
      changed = c;
      out = all.map((f) => (f === seg[1] ? c : f));
      return out;
    });
    assert.equal(r.error.ingressFrame, r.superFrame);
    assert.equal(r.error.egressFrame, numberIn(out, changed!));
    assert.match(
      r.error.message,
      /payload byte 2796 is 0x[0-9a-f]{2}, the super-packet has 0x[0-9a-f]{2} \(a changed or out-of-order segment\)/,
    );
  },
);

Deno.test(
  "extract refuses an egress capture with an extra frame after the last ingress frame",
  { ignore: !HAVE_CAPTURES },
  () => {
    const r = refusal((all, seg) => [...all, seg[0]!]);
    assert.match(
      r.error.message,
      /^bad\.out\.pcap frame \d+: the sender's frame has no ingress frame \(extra frame after the last ingress frame\)$/,
    );
  },
);

Deno.test("extract refuses an egress capture that ends inside a super-packet", {
  ignore: !HAVE_CAPTURES,
}, () => {
  const r = refusal((all, seg) => all.slice(0, all.indexOf(seg[2]!)));
  assert.match(
    r.error.message,
    /bad\.out\.pcap ends after 2 segments: payload bytes 2896\.\.\d+ are missing/,
  );
});

Deno.test("canonicalAddress compares IPv6 addresses whatever their spelling", () => {
  assert.equal(canonicalAddress("FD77:0:0:0:0:0:0:1"), "fd77::1");
  assert.equal(canonicalAddress("fd77::1"), "fd77::1");
  assert.equal(canonicalAddress("10.77.0.1"), "10.77.0.1");
  assert.equal(canonicalAddress("1:0:0:2:0:0:0:3"), "1:0:0:2::3");
  assert.throws(() => canonicalAddress("10.77.0.256"), PairingError);
  assert.throws(() => canonicalAddress("fd77::1::2"), PairingError);
});

Deno.test("canonicalAddress takes IPv6 with a dotted IPv4 tail, and an IPv4-mapped address is the IPv4 sender", () => {
  assert.equal(canonicalAddress("::ffff:10.77.0.1"), "10.77.0.1");
  assert.equal(canonicalAddress("::FFFF:a4d:1"), "10.77.0.1");
  assert.equal(canonicalAddress("0:0:0:0:0:ffff:10.77.0.1"), "10.77.0.1");
  assert.equal(canonicalAddress("64:ff9b::10.77.0.1"), "64:ff9b::a4d:1");
  assert.equal(canonicalAddress("fd77::1.2.3.4"), "fd77::102:304");
  assert.throws(() => canonicalAddress("::ffff:10.77.0.256"), PairingError);
  assert.throws(() => canonicalAddress("1:2:3:4:5:6:7:1.2.3.4"), PairingError);
});
