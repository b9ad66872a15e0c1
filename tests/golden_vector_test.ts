import assert from "node:assert/strict";
import { SKB_GSO } from "../sw/types.ts";
import { bytesSink } from "../vectors/byte_sink.ts";
import { GoldenVectorError } from "../vectors/golden_error.ts";
import {
  formatGoldenMeta,
  type GoldenProvenance,
  parseGoldenMeta,
  parseSkbLayout,
  type SuperPacketMeta,
} from "../vectors/golden_meta.ts";
import {
  createGoldenVector,
  EPB_FLAG_TSO,
  GOLDEN_MAX_FRAME,
  GoldenVectorReader,
  GoldenVectorWriter,
  readGoldenVector,
  readGoldenVectorBytes,
} from "../vectors/golden_vector.ts";
import { PcapngWriter } from "../vectors/pcapng_writer.ts";
import { PcapWriter } from "../vectors/pcap_writer.ts";

const PROVENANCE: GoldenProvenance = {
  scenario: "demo",
  origin: "kernel",
  source: "socket",
  kernelRelease: "6.18",
  command: "tcpdump -i p1 -w demo.in.pcap; tcpdump -i p2 -w demo.out.pcap",
  toolVersion: "tsolab 0.1.0",
  description: "a demo with spaces, = signs and ⅓",
  extra: { sender: "10.77.0.1" },
};

const FULL_META: SuperPacketMeta = {
  gsoSize: 1448,
  gsoType: SKB_GSO.TCPV4 | SKB_GSO.TCP_ECN | SKB_GSO.TCP_FIXEDID,
  csumStart: 34,
  csumOffset: 16,
  features: ["tx-scatter-gather", "tx-generic-segmentation"],
  origin: "reference",
  source: "tap",
  layout: { headLen: 40, frags: [14, 1, 1, 3000] },
  seed: 4242,
  encFeatures: ["tx-scatter-gather"],
  partialFeatures: ["tx-udp_tnl-csum-segmentation"],
  ufo6FragId: 0xdeadbeef,
};

function bytes(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

Deno.test("a golden vector reads back with its provenance, metadata, frames and counts", () => {
  const sink = bytesSink();
  const w = new GoldenVectorWriter(sink, PROVENANCE);
  const superFrame = bytes(3056, 1);
  const segs = [bytes(1514, 2), bytes(1514, 3), bytes(134, 4)];
  w.writeCase({ data: superFrame, timestampNs: 1_000_000_001n }, FULL_META, [
    { data: segs[0]!, timestampNs: 1_000_000_002n },
    { data: segs[1]!, timestampNs: 1_000_000_003n },
    { data: segs[2]!, timestampNs: 1_000_000_004n },
  ]);
  w.writeCase({ data: bytes(60, 5), timestampNs: 2n }, null, [
    { data: bytes(60, 6), timestampNs: 3n },
  ]);
  assert.deepEqual(w.counts, { superPackets: 1, segments: 3, passThrough: 1 });

  const v = readGoldenVectorBytes(sink.bytes(), "demo.pcapng");
  assert.deepEqual(v.provenance, PROVENANCE);
  assert.deepEqual(
    [v.superPackets, v.segments, v.passThrough, v.cases.length],
    [1, 3, 1, 2],
  );
  const [c0, c1] = v.cases;
  assert.deepEqual(c0!.meta, {
    segments: 3,
    superPacket: FULL_META,
    extra: {},
  });
  assert.deepEqual(c0!.ingress.data, superFrame);
  assert.equal(c0!.ingress.timestampNs, 1_000_000_001n);
  assert.equal(c0!.ingress.interfaceId, 0);
  assert.equal((c0!.ingress.epbFlags ?? 0) & EPB_FLAG_TSO, EPB_FLAG_TSO);
  assert.deepEqual(c0!.expected.map((f) => f.data), segs);
  assert.deepEqual(c0!.expected.map((f) => f.interfaceId), [1, 1, 1]);
  assert.equal(c0!.expected[2]!.timestampNs, 1_000_000_004n);
  assert.deepEqual(c1!.meta, { segments: 1, superPacket: null, extra: {} });
  assert.equal((c1!.ingress.epbFlags ?? 0) & EPB_FLAG_TSO, 0);
  assert.deepEqual(c1!.expected[0]!.data, bytes(60, 6));
});

Deno.test("a golden vector file is written under .partial and renamed on close", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/demo.pcapng`;
    const w = createGoldenVector(path, PROVENANCE);
    w.writeCase({ data: bytes(60, 1), timestampNs: 0n }, null, [
      { data: bytes(60, 1), timestampNs: 0n },
    ]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [
      "demo.pcapng.partial",
    ]);
    w.close();
    assert.equal(readGoldenVector(path).passThrough, 1);
    const a = createGoldenVector(`${dir}/aborted.pcapng`, PROVENANCE);
    a.abort();
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [
      "demo.pcapng",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the writer refuses a frame over 262144 bytes, naming the frame", () => {
  const w = new GoldenVectorWriter(bytesSink(), PROVENANCE);
  w.writeCase({ data: bytes(60, 0), timestampNs: 0n }, null, [
    { data: bytes(60, 0), timestampNs: 0n },
  ]);
  assert.throws(
    () =>
      w.writeCase(
        { data: bytes(GOLDEN_MAX_FRAME + 1, 0), timestampNs: 0n },
        FULL_META,
        [{ data: bytes(60, 0), timestampNs: 0n }],
      ),
    (e: unknown) =>
      e instanceof GoldenVectorError && e.frame === 3 &&
      /demo\.pcapng frame 3: the ingress frame has 262145 bytes, over the format's limit of 262144/
        .test(e.message),
  );
  assert.throws(
    () =>
      w.writeCase({ data: bytes(60, 0), timestampNs: 0n }, FULL_META, [
        { data: bytes(60, 0), timestampNs: 0n },
        { data: bytes(GOLDEN_MAX_FRAME + 1, 0), timestampNs: 0n },
      ]),
    /frame 5: the expected frame has 262145 bytes/,
  );
});

Deno.test("the writer refuses a pass-through frame without exactly one expected frame and a super-packet without any", () => {
  const w = new GoldenVectorWriter(bytesSink(), PROVENANCE);
  const f = { data: bytes(60, 0), timestampNs: 0n };
  assert.throws(
    () => w.writeCase(f, null, [f, f]),
    /pass-through frame has exactly one expected frame, got 2/,
  );
  assert.throws(
    () => w.writeCase(f, FULL_META, []),
    /super-packet has at least one expected frame, got none/,
  );
});

/** Writes a pcapng by hand, for files the golden writer would not make. */
function handMade(
  frames: {
    ifc: number;
    comment?: string;
    flags?: number;
  }[],
  sectionComments = [
    "format=tsolab-golden/1",
    "scenario=bad",
    "origin=kernel",
    "source=socket",
    "command=x",
    "tool_version=tsolab 0.1.0",
  ],
): Uint8Array {
  const sink = bytesSink();
  const w = new PcapngWriter(sink, { section: { comments: sectionComments } });
  w.addInterface({ linkType: 1 });
  w.addInterface({ linkType: 1 });
  for (const f of frames) {
    w.write({
      data: new Uint8Array(60),
      timestampNs: 0n,
      interfaceId: f.ifc,
      ...(f.comment !== undefined ? { comments: [f.comment] } : {}),
      ...(f.flags !== undefined ? { epbFlags: f.flags } : {}),
    });
  }
  return sink.bytes();
}

const SP =
  "gso_size=1448 gso_type=TCPV4 csum_start=34 csum_offset=16 features= origin=kernel source=socket";

Deno.test("the reader refuses a file whose structure breaks the format, naming the frame", () => {
  const cases: [Uint8Array, RegExp][] = [
    [
      handMade([
        { ifc: 0, comment: `segments=2 ${SP}`, flags: EPB_FLAG_TSO },
        { ifc: 1 },
      ]),
      /bad\.pcapng: frame 1 at offset \d+: segments=2 but 1 expected frame follows/,
    ],
    [
      handMade([{ ifc: 1 }]),
      /frame 1 at offset \d+: egress frame without an ingress frame before it/,
    ],
    [
      handMade([{ ifc: 0 }, { ifc: 1 }]),
      /frame 1 at offset \d+: ingress frame has no segments= comment/,
    ],
    [
      handMade([{ ifc: 0, comment: `segments=1 ${SP}` }, { ifc: 1 }]),
      /frame 1 at offset \d+: the comment describes a super-packet but epb_flags bit 11 is clear/,
    ],
    [
      handMade([
        { ifc: 0, comment: "segments=1", flags: EPB_FLAG_TSO },
        { ifc: 1 },
      ]),
      /epb_flags mark a super-packet but the comment has no gso_size=/,
    ],
    [
      handMade([
        { ifc: 0, comment: "segments=1" },
        { ifc: 1 },
        { ifc: 0, comment: "segments=2" },
        { ifc: 1 },
        { ifc: 1 },
      ]),
      /frame 3 at offset \d+: segments=2 is impossible for a pass-through frame \(1\)/,
    ],
    [
      handMade([
        {
          ifc: 0,
          comment: `segments=1 ${SP.replace("TCPV4", "TCPV5")}`,
          flags: EPB_FLAG_TSO,
        },
        { ifc: 1 },
      ]),
      /frame 1 at offset \d+: gso_type=TCPV5: .*unknown name "TCPV5"/,
    ],
    [
      handMade([{ ifc: 0, comment: "segments=1" }, { ifc: 1 }], [
        "format=something-else",
      ]),
      /not a golden vector \(section header says format=something-else, expected tsolab-golden\/1\)/,
    ],
  ];
  for (const [file, re] of cases) {
    assert.throws(
      () => readGoldenVectorBytes(file, "bad.pcapng"),
      (e: unknown) => e instanceof GoldenVectorError && re.test(e.message),
      re.source,
    );
  }
});

Deno.test("the reader refuses a pcap file and says golden vectors are pcapng", () => {
  const sink = bytesSink();
  new PcapWriter(sink, { linkType: 1 }).write({
    data: new Uint8Array(60),
    timestampNs: 0n,
  });
  assert.throws(
    () => GoldenVectorReader.fromBytes(sink.bytes(), "x.pcap"),
    /x\.pcap: not a golden vector \(a pcap file; golden vectors are pcapng\)/,
  );
});

Deno.test("frame comments round-trip every key and keep unknown keys", () => {
  const text = formatGoldenMeta({
    segments: 7,
    superPacket: FULL_META,
    extra: { note: "kept" },
  });
  assert.match(
    text,
    /^segments=7 gso_size=1448 gso_type=TCPV4,TCP_ECN,TCP_FIXEDID csum_start=34 csum_offset=16 /,
  );
  assert.match(text, / layout=40:14,1,1,3000 seed=4242 /);
  assert.deepEqual(parseGoldenMeta(text, "x"), {
    segments: 7,
    superPacket: FULL_META,
    extra: { note: "kept" },
  });
});

Deno.test("frame comments that do not parse are refused with the place and the key", () => {
  const bad: [string, RegExp][] = [
    ["segments=x", /f: segments=x is not a non-negative integer$/],
    ["segments=1 gso_size", /f: comment item "gso_size" is not key=value$/],
    ["segments=1 segments=2", /f: comment repeats key segments$/],
    ["gso_size=1", /f: comment lacks segments=$/],
    [
      "segments=1 gso_size=9 gso_type=TCPV4",
      /f: super-packet comment lacks csum_start=$/,
    ],
    ["segments=1 seed=3", /f: comment has seed= but no gso_size=/],
    [`segments=1 ${SP.replace("kernel", "gcc")}`, /origin=gcc is neither/],
    [`segments=1 ${SP} layout=40`, /layout=40 is not HEADLEN:F1,F2/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseGoldenMeta(text, "f"), re, text);
  }
  assert.deepEqual(parseSkbLayout("54:", "f"), { headLen: 54, frags: [] });
});
