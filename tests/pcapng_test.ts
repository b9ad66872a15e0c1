import { available, onPath } from "./_tools.ts";
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  bytesSink,
  CaptureFormatError,
  CaptureReader,
  CaptureWriteError,
  type Frame,
  PcapngReader,
  PcapngWriter,
} from "../vectors/mod.ts";

// --- a small pcapng builder, independent of PcapngWriter --------------------

const enc = new TextEncoder();

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function pad4(b: Uint8Array): Uint8Array {
  const out = new Uint8Array((b.length + 3) & ~3);
  out.set(b);
  return out;
}

function u16(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, le);
  return b;
}

function u32(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, le);
  return b;
}

function i64(v: bigint, le: boolean): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, v, le);
  return b;
}

/** One option TLV; strings are UTF-8. */
function opt(
  code: number,
  value: Uint8Array | string,
  le: boolean,
): Uint8Array {
  const v = typeof value === "string" ? enc.encode(value) : value;
  return concat([u16(code, le), u16(v.length, le), pad4(v)]);
}

function endOpt(): Uint8Array {
  return new Uint8Array(4);
}

interface BlockTweaks {
  total?: number;
  trailer?: number;
}

function block(
  type: number,
  body: Uint8Array,
  le: boolean,
  t: BlockTweaks = {},
): Uint8Array {
  const total = 12 + body.length;
  return concat([
    u32(type, le),
    u32(t.total ?? total, le),
    body,
    u32(t.trailer ?? t.total ?? total, le),
  ]);
}

function shb(le: boolean, options: Uint8Array[] = [], major = 1): Uint8Array {
  return block(
    0x0a0d0d0a,
    concat([
      u32(0x1a2b3c4d, le),
      u16(major, le),
      u16(0, le),
      i64(-1n, le),
      ...options,
    ]),
    le,
  );
}

function idb(
  le: boolean,
  linkType: number,
  snapLen: number,
  options: Uint8Array[] = [],
): Uint8Array {
  return block(
    1,
    concat([u16(linkType, le), u16(0, le), u32(snapLen, le), ...options]),
    le,
  );
}

function epb(
  le: boolean,
  id: number,
  units: bigint,
  data: Uint8Array,
  options: Uint8Array[] = [],
  origLen = data.length,
  capLen = data.length,
): Uint8Array {
  return block(
    6,
    concat([
      u32(id, le),
      u32(Number(units >> 32n), le),
      u32(Number(units & 0xffffffffn), le),
      u32(capLen, le),
      u32(origLen, le),
      pad4(data),
      ...options,
    ]),
    le,
  );
}

function spb(le: boolean, origLen: number, data: Uint8Array): Uint8Array {
  return block(3, concat([u32(origLen, le), pad4(data)]), le);
}

function pb(
  le: boolean,
  id: number,
  units: bigint,
  data: Uint8Array,
  options: Uint8Array[] = [],
): Uint8Array {
  return block(
    2,
    concat([
      u16(id, le),
      u16(0, le),
      u32(Number(units >> 32n), le),
      u32(Number(units & 0xffffffffn), le),
      u32(data.length, le),
      u32(data.length, le),
      pad4(data),
      ...options,
    ]),
    le,
  );
}

function bytesOf(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + seed) & 0xff;
  return b;
}

function read(bytes: Uint8Array): { r: CaptureReader; frames: Frame[] } {
  const r = CaptureReader.fromBytes(bytes);
  return { r, frames: [...r] };
}

function formatError(
  offset: number,
  frame: number | undefined,
  pattern: RegExp,
): (e: unknown) => boolean {
  return (e: unknown) => {
    ok(e instanceof CaptureFormatError, `not a CaptureFormatError: ${e}`);
    ok(pattern.test(e.message), `message "${e.message}" !~ ${pattern}`);
    strictEqual(e.offset, offset);
    strictEqual(e.frame, frame);
    return true;
  };
}

// --- round trips -------------------------------------------------------------

function roundTrip(littleEndian: boolean, tsresolNs: boolean): void {
  const sink = bytesSink();
  const w = new PcapngWriter(sink, {
    littleEndian,
    section: {
      hardware: "x86_64",
      os: "Linux 6.18",
      userAppl: "tsolab",
      comments: ["c1", "c2"],
    },
  });
  const eth = w.addInterface({
    linkType: 1,
    name: "p1",
    description: "bridge port",
    tsresolNs,
  });
  const raw = w.addInterface({
    linkType: 101,
    snapLen: 0,
    tsresolNs,
    fcsLen: 4,
  });
  const base = 1_795_315_320_000_000_000n;
  const sent = [0, 1, 3, 60, 1514, 65536].map((n, i) => ({
    data: bytesOf(n, i),
    origLen: n + (i % 2) * 10,
    timestampNs: base +
      BigInt(i) * (tsresolNs ? 1_000_000_007n : 1_000_003_000n),
    interfaceId: i % 2 === 0 ? eth : raw,
  }));
  for (const f of sent) w.write(f);
  strictEqual(w.framesWritten, sent.length);
  const bytes = sink.bytes();
  const { r, frames } = read(bytes);
  strictEqual(r.format, "pcapng");
  deepStrictEqual(r.sections, [{
    offset: 0,
    byteOrder: littleEndian ? "little" : "big",
    hardware: "x86_64",
    os: "Linux 6.18",
    userAppl: "tsolab",
    comments: ["c1", "c2"],
  }]);
  const tsresol = { base: 10, exp: tsresolNs ? 9 : 6 };
  deepStrictEqual(r.interfaces, [
    {
      section: 0,
      id: 0,
      linkType: 1,
      snapLen: 262144,
      name: "p1",
      description: "bridge port",
      tsresol,
      tsoffset: 0n,
    },
    {
      section: 0,
      id: 1,
      linkType: 101,
      snapLen: 0,
      tsresol,
      tsoffset: 0n,
      fcsLen: 4,
    },
  ]);
  deepStrictEqual(
    frames.map((
      f,
    ) => [
      f.number,
      f.data,
      f.origLen,
      f.timestampNs,
      f.interfaceId,
      f.linkType,
    ]),
    sent.map((
      f,
      i,
    ) => [
      i + 1,
      f.data,
      f.origLen,
      f.timestampNs,
      f.interfaceId,
      f.interfaceId === 0 ? 1 : 101,
    ]),
  );
  // fileOffset points at each block: its type is 6.
  const v = new DataView(bytes.buffer);
  for (const f of frames) {
    strictEqual(v.getUint32(f.fileOffset, littleEndian), 6);
  }
  // Writing what was read, with the same options, gives the same file.
  const again = bytesSink();
  const s = r.sections[0]!;
  const w2 = new PcapngWriter(again, {
    littleEndian,
    section: {
      hardware: s.hardware,
      os: s.os,
      userAppl: s.userAppl,
      comments: s.comments,
    },
  });
  for (const i of r.interfaces) {
    w2.addInterface({
      linkType: i.linkType,
      snapLen: i.snapLen,
      name: i.name,
      description: i.description,
      tsresolNs: i.tsresol.exp === 9,
      fcsLen: i.fcsLen,
    });
  }
  for (const f of frames) w2.write(f);
  deepStrictEqual(again.bytes(), bytes);
}

Deno.test("PcapngWriter and CaptureReader round-trip little-endian microsecond pcapng", () => {
  roundTrip(true, false);
});

Deno.test("PcapngWriter and CaptureReader round-trip little-endian nanosecond pcapng", () => {
  roundTrip(true, true);
});

Deno.test("PcapngWriter and CaptureReader round-trip big-endian microsecond pcapng", () => {
  roundTrip(false, false);
});

Deno.test("PcapngWriter and CaptureReader round-trip big-endian nanosecond pcapng", () => {
  roundTrip(false, true);
});

Deno.test("PcapngWriter and CaptureReader keep comments and epb_flags", () => {
  const sink = bytesSink();
  const w = new PcapngWriter(sink);
  w.addInterface({ linkType: 1, tsresolNs: true });
  w.write({
    data: bytesOf(60, 1),
    timestampNs: 1n,
    comments: ["super-frame", "gso_size=1448 ✓"],
    epbFlags: (1 << 11) | (1 << 9) | 2,
  });
  w.write({ data: bytesOf(60, 2), timestampNs: 2n, epbFlags: 0 });
  w.write({ data: bytesOf(60, 3), timestampNs: 3n, comments: [""] });
  w.write({ data: bytesOf(60, 4), timestampNs: 4n });
  const { frames } = read(sink.bytes());
  deepStrictEqual(frames.map((f) => [f.comments, f.epbFlags]), [
    [["super-frame", "gso_size=1448 ✓"], 0xa02],
    [undefined, 0],
    [[""], undefined],
    [undefined, undefined],
  ]);
  ok(!("comments" in frames[3]!) && !("epbFlags" in frames[3]!));
});

Deno.test("PcapngReader reads sections with different byte orders and restarts interface ids", () => {
  const sink = bytesSink();
  const w = new PcapngWriter(sink, {
    littleEndian: true,
    section: { comments: ["le"] },
  });
  w.addInterface({ linkType: 1, tsresolNs: true });
  w.addInterface({ linkType: 113, tsresolNs: true });
  w.write({ data: bytesOf(60, 0), timestampNs: 10n, interfaceId: 1 });
  w.newSection({ littleEndian: false, section: { comments: ["be"] } });
  throws(
    () => w.write({ data: bytesOf(1, 0), timestampNs: 0n, interfaceId: 1 }),
    CaptureWriteError,
  );
  w.addInterface({ linkType: 276 });
  w.write({ data: bytesOf(61, 1), timestampNs: 20_000n });
  w.newSection({ littleEndian: true });
  w.addInterface({ linkType: 101, tsresolNs: true });
  w.write({ data: bytesOf(62, 2), timestampNs: 30n });
  const { r, frames } = read(sink.bytes());
  deepStrictEqual(r.sections.map((s) => [s.byteOrder, s.comments]), [
    ["little", ["le"]],
    ["big", ["be"]],
    ["little", []],
  ]);
  deepStrictEqual(r.interfaces.map((i) => [i.section, i.id, i.linkType]), [
    [0, 0, 1],
    [0, 1, 113],
    [1, 0, 276],
    [2, 0, 101],
  ]);
  deepStrictEqual(
    frames.map((
      f,
    ) => [f.number, f.interfaceId, f.linkType, f.timestampNs, f.data.length]),
    [
      [1, 1, 113, 10n, 60],
      [2, 0, 276, 20_000n, 61],
      [3, 0, 101, 30n, 62],
    ],
  );
});

Deno.test("PcapngReader honours if_tsresol powers of 10 and of 2 exactly", () => {
  const le = true;
  const u = 0x1_2345_6789n; // units, above 2^32 so both words matter
  const cases: [number, bigint][] = [
    [0, u * 1_000_000_000n], // seconds
    [3, u * 1_000_000n], // ms
    [6, u * 1000n], // µs (explicit)
    [9, u], // ns
    [12, u / 1000n], // ps, truncated
    [0x80 | 0, u * 1_000_000_000n], // 2^0 s
    [0x80 | 10, (u * 1_000_000_000n) / 1024n], // 1/1024 s
    [0x80 | 30, (u * 1_000_000_000n) / (1n << 30n)],
    [0x80 | 32, (u * 1_000_000_000n) / (1n << 32n)],
    [0x80 | 0x7f, (u * 1_000_000_000n) / (1n << 127n)],
  ];
  const parts = [shb(le)];
  for (const [r] of cases) {
    parts.push(idb(le, 1, 0, [opt(9, new Uint8Array([r]), le), endOpt()]));
  }
  cases.forEach((_, i) => parts.push(epb(le, i, u, bytesOf(4, i))));
  const { r, frames } = read(concat(parts));
  deepStrictEqual(
    r.interfaces.map((i) => i.tsresol),
    cases.map(([v]) => ({ base: v & 0x80 ? 2 : 10, exp: v & 0x7f })),
  );
  deepStrictEqual(frames.map((f) => f.timestampNs), cases.map(([, ns]) => ns));
});

Deno.test("PcapngReader applies the default µs resolution and if_tsoffset, both signs", () => {
  for (const le of [true, false]) {
    const bytes = concat([
      shb(le),
      idb(le, 1, 0),
      idb(le, 1, 0, [opt(14, i64(1_000_000n, le), le), endOpt()]),
      idb(le, 1, 0, [
        opt(9, new Uint8Array([9]), le),
        opt(14, i64(-5n, le), le),
        endOpt(),
      ]),
      epb(le, 0, 7n, bytesOf(4, 0)),
      epb(le, 1, 7n, bytesOf(4, 1)),
      epb(le, 2, 7_000_000_000n, bytesOf(4, 2)),
    ]);
    const { r, frames } = read(bytes);
    deepStrictEqual(r.interfaces.map((i) => i.tsoffset), [0n, 1_000_000n, -5n]);
    deepStrictEqual(frames.map((f) => f.timestampNs), [
      7000n,
      1_000_000_000_007_000n,
      2_000_000_000n,
    ]);
  }
  // The writer stores if_tsoffset and takes it back off.
  const sink = bytesSink();
  const w = new PcapngWriter(sink);
  w.addInterface({ linkType: 1, tsresolNs: true, tsoffset: 1_700_000_000n });
  w.write({ data: bytesOf(4, 0), timestampNs: 1_700_000_000_000_000_123n });
  throws(
    () => w.write({ data: bytesOf(4, 0), timestampNs: 5n }),
    /does not fit/,
  );
  deepStrictEqual(read(sink.bytes()).frames.map((f) => f.timestampNs), [
    1_700_000_000_000_000_123n,
  ]);
});

Deno.test("PcapngReader reads simple packet blocks, clamped to the snap length of interface 0", () => {
  for (const le of [true, false]) {
    const bytes = concat([
      shb(le),
      idb(le, 1, 64, [
        opt(9, new Uint8Array([9]), le),
        opt(14, i64(100n, le), le),
      ]),
      spb(le, 100, bytesOf(64, 1)),
      spb(le, 10, bytesOf(10, 2)),
      shb(le),
      idb(le, 101, 0),
      spb(le, 70, bytesOf(70, 3)),
    ]);
    const { frames } = read(bytes);
    deepStrictEqual(
      frames.map((
        f,
      ) => [
        f.number,
        f.data,
        f.origLen,
        f.timestampNs,
        f.interfaceId,
        f.linkType,
      ]),
      [
        [1, bytesOf(64, 1), 100, 0n, 0, 1],
        [2, bytesOf(10, 2), 10, 0n, 0, 1],
        [3, bytesOf(70, 3), 70, 0n, 0, 101],
      ],
    );
  }
});

Deno.test("PcapngReader reads obsolete packet blocks with their comments and flags", () => {
  for (const le of [true, false]) {
    const bytes = concat([
      shb(le),
      idb(le, 1, 0),
      idb(le, 113, 0),
      pb(le, 1, 5n, bytesOf(33, 1), [
        opt(1, "old", le),
        opt(2, u32(1, le), le),
        endOpt(),
      ]),
    ]);
    deepStrictEqual(read(bytes).frames, [{
      number: 1,
      data: bytesOf(33, 1),
      origLen: 33,
      timestampNs: 5000n,
      interfaceId: 1,
      linkType: 113,
      fileOffset: bytes.length - (12 + 20 + 36 + 8 + 8 + 4),
      comments: ["old"],
      epbFlags: 1,
      section: 0,
    }]);
  }
});

Deno.test("PcapngReader accepts option lists without opt_endofopt", () => {
  for (const le of [true, false]) {
    const bytes = concat([
      shb(le, [opt(4, "app", le), opt(1, "no end", le)]),
      idb(le, 1, 0, [opt(2, "eth0", le), opt(9, new Uint8Array([9]), le)]),
      epb(le, 0, 42n, bytesOf(5, 0), [
        opt(1, "x", le),
        opt(2, u32(0x800, le), le),
      ]),
    ]);
    const { r, frames } = read(bytes);
    deepStrictEqual([r.sections[0]!.userAppl, r.sections[0]!.comments], [
      "app",
      ["no end"],
    ]);
    deepStrictEqual([r.interfaces[0]!.name, r.interfaces[0]!.tsresol.exp], [
      "eth0",
      9,
    ]);
    deepStrictEqual(
      frames.map((f) => [f.timestampNs, f.comments, f.epbFlags]),
      [[42n, ["x"], 0x800]],
    );
  }
});

Deno.test("PcapngReader skips statistics, name resolution, secrets, custom, local-use and unknown blocks", () => {
  const le = false;
  const other = [
    block(
      5,
      concat([
        u32(0, le),
        u32(0, le),
        u32(0, le),
        opt(4, i64(3n, le), le),
        endOpt(),
      ]),
      le,
    ), // ISB
    block(4, concat([u16(1, le), u16(8, le), bytesOf(8, 0), endOpt()]), le), // NRB
    block(0x0a, concat([u32(0x544c534b, le), u32(4, le), bytesOf(4, 1)]), le), // DSB
    block(0x00000bad, concat([u32(32473, le), bytesOf(8, 2)]), le), // custom
    block(0x40000bad, concat([u32(32473, le), bytesOf(12, 3)]), le), // custom, no copy
    block(0x80000001, bytesOf(20, 4), le), // local use
    block(0x1234, new Uint8Array(0), le), // unknown, empty body
  ];
  const parts = [shb(le), ...other.slice(0, 3), idb(le, 1, 0)];
  const offsets: number[] = [];
  let at = parts.reduce((n, p) => n + p.length, 0);
  for (let i = 0; i < 4; i++) {
    const e = epb(le, 0, BigInt(i), bytesOf(10, i));
    offsets.push(at);
    parts.push(e);
    at += e.length;
    const o = other[3 + i]!;
    parts.push(o);
    at += o.length;
  }
  const { r, frames } = read(concat(parts));
  strictEqual(r.interfaces.length, 1);
  deepStrictEqual(frames.map((f) => [f.number, f.fileOffset, f.data]), [
    [1, offsets[0], bytesOf(10, 0)],
    [2, offsets[1], bytesOf(10, 1)],
    [3, offsets[2], bytesOf(10, 2)],
    [4, offsets[3], bytesOf(10, 3)],
  ]);
});

Deno.test("PcapngReader knows the interfaces before the first frame is read", () => {
  const le = true;
  const r = new PcapngReader(
    concat([
      shb(le),
      idb(le, 276, 0),
      idb(le, 1, 0),
      epb(le, 1, 0n, bytesOf(1, 0)),
      idb(le, 101, 0),
    ]),
  );
  deepStrictEqual(r.interfaces.map((i) => i.linkType), [276, 1]);
  strictEqual([...r].length, 1);
  deepStrictEqual(r.interfaces.map((i) => i.linkType), [276, 1, 101]);
});

const TSHARK = available(
  onPath("tshark"),
  "the tshark check of pcapng comments and flags: tshark is not on PATH",
);

Deno.test("PcapngWriter output with comments and epb_flags opens in tshark", {
  ignore: !TSHARK,
}, () => {
  const path = Deno.makeTempFileSync({ suffix: ".pcapng" });
  try {
    const file = Deno.openSync(path, { write: true, truncate: true });
    const w = new PcapngWriter(file, { section: { userAppl: "tsolab" } });
    w.addInterface({ linkType: 1, name: "p2", tsresolNs: true });
    const eth = new Uint8Array(60);
    eth.set([0x08, 0x00], 12);
    w.write({
      data: eth,
      timestampNs: 1_795_315_320_123_456_789n,
      comments: ["segment 1 of 3"],
      epbFlags: 1 << 11,
    });
    w.write({
      data: eth,
      timestampNs: 1_795_315_320_123_456_790n,
      epbFlags: 2,
    });
    file.close();
    const out = new Deno.Command("tshark", {
      args: [
        "-r",
        path,
        "-T",
        "fields",
        "-e",
        "frame.comment",
        "-e",
        "frame.time_epoch",
        "-e",
        "frame.packet_flags",
      ],
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    const text = new TextDecoder().decode(out.stdout);
    strictEqual(out.code, 0, new TextDecoder().decode(out.stderr));
    const lines = text.trim().split("\n").map((l) => l.split("\t"));
    strictEqual(lines.length, 2);
    strictEqual(lines[0]![0], "segment 1 of 3");
    strictEqual(lines[0]![1], "1795315320.123456789");
    strictEqual(Number(lines[0]![2]), 1 << 11);
    strictEqual(lines[1]![0], "");
    strictEqual(Number(lines[1]![2]), 2);
  } finally {
    Deno.removeSync(path);
  }
});

// --- bad input -------------------------------------------------------------

const LE = true;
const HEAD = concat([shb(LE), idb(LE, 1, 1000)]);
const H = HEAD.length;

Deno.test("PcapngReader accepts a file that ends exactly after a block", () => {
  const one = epb(LE, 0, 0n, bytesOf(7, 0));
  deepStrictEqual(
    read(concat([HEAD, one, one])).frames.map((f) => f.fileOffset),
    [H, H + one.length],
  );
  deepStrictEqual(read(HEAD).frames, []);
});

Deno.test("PcapngReader rejects a block total length below 12", () => {
  const bad = block(5, new Uint8Array(0), LE, { total: 8 });
  throws(
    () => read(concat([HEAD, bad])),
    formatError(
      H,
      undefined,
      /block of type 0x00000005 at offset \d+: block total length 8 is less than 12/,
    ),
  );
  const badEpb = epb(LE, 0, 0n, bytesOf(4, 0));
  new DataView(badEpb.buffer).setUint32(4, 4, LE);
  throws(
    () => read(concat([HEAD, badEpb])),
    formatError(
      H,
      1,
      /^Cannot read frame 1 at offset \d+: block total length 4 is less than 12$/,
    ),
  );
});

Deno.test("PcapngReader rejects a block total length that is not a multiple of 4", () => {
  const e = epb(LE, 0, 0n, bytesOf(4, 0));
  new DataView(e.buffer).setUint32(4, e.length + 1, LE);
  throws(
    () => read(concat([HEAD, e, e])),
    formatError(H, 1, /block total length 37 is not a multiple of 4/),
  );
});

Deno.test("PcapngReader rejects a trailing length that differs from the leading one", () => {
  const e = epb(LE, 0, 0n, bytesOf(4, 0));
  const bad = block(6, e.subarray(8, e.length - 4), LE, { trailer: 40 });
  throws(
    () => read(concat([HEAD, e, bad])),
    formatError(
      H + e.length,
      2,
      /^Cannot read frame 2 at offset \d+: trailing block length 40 does not match leading length 36$/,
    ),
  );
  const isb = block(5, new Uint8Array(12), LE, { trailer: 99 });
  throws(
    () => read(concat([HEAD, isb])),
    formatError(
      H,
      undefined,
      /trailing block length 99 does not match leading length 24/,
    ),
  );
  const shbBad = shb(LE);
  new DataView(shbBad.buffer).setUint32(shbBad.length - 4, 4, LE);
  throws(
    () => read(shbBad),
    formatError(
      0,
      undefined,
      /section header block at offset 0: trailing block length 4/,
    ),
  );
});

Deno.test("PcapngReader names frame and offset of a truncated last block", () => {
  const e = epb(LE, 0, 0n, bytesOf(100, 0));
  const bytes = concat([HEAD, e, e, e]);
  throws(
    () => read(bytes.subarray(0, bytes.length - 1)),
    formatError(
      H + 2 * e.length,
      3,
      /^Cannot read frame 3 at offset \d+: block truncated, total length 132 but the file ends after 131 bytes$/,
    ),
  );
  throws(
    () => read(bytes.subarray(0, H + 5)),
    formatError(
      H,
      1,
      /^Cannot read frame 1 at offset \d+: file ends inside the block header \(5 of 8 bytes\)$/,
    ),
  );
  throws(
    () => read(bytes.subarray(0, H + 3)),
    formatError(
      H,
      undefined,
      /^Cannot read block at offset \d+: file ends inside the block header \(3 of 8 bytes\)$/,
    ),
  );
  const isb = block(5, new Uint8Array(40), LE);
  throws(
    () => read(concat([HEAD, isb]).subarray(0, H + 30)),
    formatError(
      H,
      undefined,
      /block truncated, total length 52 but the file ends after 30 bytes/,
    ),
  );
  throws(
    () => read(concat([HEAD, isb]).subarray(0, H + 50)),
    formatError(H, undefined, /file ends after 50 bytes/),
  );
  throws(
    () => read(shb(LE).subarray(0, 10)),
    formatError(
      0,
      undefined,
      /section header block at offset 0: file ends inside the block header \(10 of 12 bytes\)/,
    ),
  );
});

Deno.test("PcapngReader rejects a packet block before any interface description block", () => {
  const s = shb(LE);
  const e = epb(LE, 0, 0n, bytesOf(4, 0));
  throws(
    () => read(concat([s, e])),
    formatError(
      s.length,
      1,
      /^Cannot read frame 1 at offset 28: enhanced packet block before any interface description block in its section$/,
    ),
  );
  throws(
    () => read(concat([s, spb(LE, 4, bytesOf(4, 0))])),
    formatError(
      s.length,
      1,
      /simple packet block before any interface description block/,
    ),
  );
  // Interfaces of an earlier section do not count.
  throws(
    () => read(concat([HEAD, e, s, e])),
    formatError(
      H + e.length + s.length,
      2,
      /before any interface description block/,
    ),
  );
});

Deno.test("PcapngReader rejects an interface id that has no interface description block", () => {
  const e = epb(LE, 3, 0n, bytesOf(4, 0));
  throws(
    () => read(concat([HEAD, e])),
    formatError(
      H,
      1,
      /interface id 3 has no interface description block \(the section has 1\)/,
    ),
  );
  throws(
    () => read(concat([HEAD, pb(LE, 1, 0n, bytesOf(4, 0))])),
    formatError(H, 1, /interface id 1 has no interface description block/),
  );
});

Deno.test("PcapngReader rejects a captured length beyond the block body", () => {
  const e = epb(LE, 0, 0n, bytesOf(8, 0), [], 100, 9);
  throws(
    () => read(concat([HEAD, e])),
    formatError(
      H,
      1,
      /^Cannot read frame 1 at offset \d+: captured length 9 exceeds the block body \(8 bytes of packet data\)$/,
    ),
  );
  const s = spb(LE, 100, bytesOf(8, 0));
  throws(
    () => read(concat([HEAD, s])),
    formatError(
      H,
      1,
      /captured length 100 exceeds the block body \(8 bytes of packet data\)/,
    ),
  );
});

Deno.test("PcapngReader rejects a captured length above the snap length unless the snap length is 0", () => {
  const big = epb(LE, 0, 0n, bytesOf(1001, 0));
  throws(
    () => read(concat([HEAD, big])),
    formatError(
      H,
      1,
      /^Cannot read frame 1 at offset \d+: captured length 1001 exceeds snap length 1000$/,
    ),
  );
  strictEqual(
    read(concat([shb(LE), idb(LE, 1, 0), big])).frames[0]!.data.length,
    1001,
  );
});

Deno.test("PcapngReader rejects an unknown byte-order magic", () => {
  const s = shb(LE);
  s.set([0x11, 0x22, 0x33, 0x44], 8);
  throws(
    () => read(s),
    formatError(
      0,
      undefined,
      /^Cannot read section header block at offset 0: unknown byte-order magic 0x11223344$/,
    ),
  );
  throws(
    () => read(concat([HEAD, s])),
    formatError(H, undefined, /unknown byte-order magic/),
  );
});

Deno.test("PcapngReader rejects a section header of another major version", () => {
  throws(
    () => read(shb(LE, [], 2)),
    formatError(0, undefined, /unsupported version 2\.0 \(expected 1\.0\)/),
  );
});

Deno.test("PcapngReader rejects an option that runs past the end of its block", () => {
  const o = concat([u16(2, LE), u16(200, LE), bytesOf(4, 0)]);
  const bytes = concat([shb(LE), idb(LE, 1, 0, [o])]);
  throws(
    () => read(bytes),
    formatError(
      28,
      undefined,
      /interface description block at offset 28: option 2 at offset 44 has length 200, past the end of the block/,
    ),
  );
});

Deno.test("PcapngReader rejects blocks too short for their fields", () => {
  throws(
    () => read(concat([shb(LE), block(1, new Uint8Array(4), LE)])),
    formatError(28, undefined, /too short for an interface description/),
  );
  throws(
    () => read(concat([HEAD, block(6, new Uint8Array(16), LE)])),
    formatError(
      H,
      1,
      /too short for an enhanced packet block \(at least 32\)/,
    ),
  );
  throws(
    () =>
      read(block(0x0a0d0d0a, concat([u32(0x1a2b3c4d, LE), u32(1, LE)]), LE)),
    formatError(0, undefined, /too short for a section header/),
  );
});

Deno.test("PcapngReader rejects a file that does not start with a section header block", () => {
  throws(
    () => new PcapngReader(idb(LE, 1, 0)),
    formatError(0, undefined, /does not start with a section header block/),
  );
  throws(
    () => new PcapngReader(new Uint8Array(0)),
    formatError(0, undefined, /file is empty/),
  );
});

Deno.test("PcapngReader rejects a packet block above its record limit", () => {
  const e = epb(LE, 0, 0n, bytesOf(100, 0));
  throws(
    () => [...new PcapngReader(concat([HEAD, e]), { maxRecordBytes: 100 })],
    formatError(
      H,
      1,
      /block total length 132 exceeds the reader's limit of 100 bytes/,
    ),
  );
});

Deno.test("PcapngWriter refuses unknown interfaces, imprecise timestamps and bad flags", () => {
  const w = new PcapngWriter(bytesSink());
  throws(
    () => w.write({ data: bytesOf(4, 0), timestampNs: 0n }),
    /interface 0 was not added in this section \(it has 0\)/,
  );
  w.addInterface({ linkType: 1, snapLen: 10 });
  throws(
    () => w.write({ data: bytesOf(4, 0), timestampNs: 1n }),
    /sub-microsecond/,
  );
  throws(
    () => w.write({ data: bytesOf(4, 0), timestampNs: -1000n }),
    /does not fit/,
  );
  throws(
    () => w.write({ data: bytesOf(11, 0), timestampNs: 0n }),
    /11 bytes of data exceed snap length 10/,
  );
  throws(
    () => w.write({ data: bytesOf(4, 0), timestampNs: 0n, epbFlags: -1 }),
    /epb_flags -1/,
  );
  throws(() => w.addInterface({ linkType: 65536 }), /link type 65536/);
  throws(
    () =>
      w.write({
        data: bytesOf(4, 0),
        timestampNs: 0n,
        comments: ["x".repeat(70000)],
      }),
    /65535-byte option limit/,
  );
  strictEqual(w.framesWritten, 0);
  w.write({ data: bytesOf(4, 0), timestampNs: 0n });
  strictEqual(w.framesWritten, 1);
});
