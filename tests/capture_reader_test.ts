import { defaultCapturesDir } from "../tb/verify_command.ts";
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  type ByteSource,
  bytesSink,
  CaptureFormatError,
  captureFormatOf,
  CaptureReader,
  CaptureWriteError,
  createCaptureWriter,
  type Frame,
  PcapngWriter,
  PcapWriter,
} from "../vectors/mod.ts";

const KERNEL = defaultCapturesDir();

/** Deterministic pseudo-random numbers (LCG). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

function payload(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i + seed * 31) & 0xff;
  return b;
}

/** A little-endian Interface Statistics Block with `n` body bytes. */
function isb(n: number, le: boolean): Uint8Array {
  const b = new Uint8Array(12 + n);
  const v = new DataView(b.buffer);
  v.setUint32(0, 5, le);
  v.setUint32(4, b.length, le);
  v.setUint32(b.length - 4, b.length, le);
  return b;
}

/**
 * A pcapng capture of about `targetBytes`: two sections in opposite byte
 * orders, frames of random sizes (some above 64 KiB), statistics blocks in
 * between.
 */
function bigPcapng(targetBytes: number, seed: number): {
  bytes: Uint8Array;
  largestBlock: number;
} {
  const rnd = lcg(seed);
  const sink = bytesSink();
  const w = new PcapngWriter(sink, { littleEndian: true });
  let le = true;
  let written = 0;
  let largestBlock = 0;
  let n = 0;
  const addInterfaces = () => {
    w.addInterface({ linkType: 1, snapLen: 0, tsresolNs: true });
    w.addInterface({ linkType: 101, name: "raw", snapLen: 0 });
  };
  addInterfaces();
  while (written < targetBytes) {
    if (n === 300) {
      le = false;
      w.newSection({ littleEndian: false, section: { comments: ["second"] } });
      addInterfaces();
    }
    const r = rnd();
    const size = r % 97 === 0 ? 70000 + (r % 5000) : r % 9001;
    const id = r & 1;
    const comments = r % 7 === 0 ? [`frame ${n + 1}`] : undefined;
    w.write({
      data: payload(size, n),
      origLen: size + (r % 3),
      timestampNs: 1_795_315_320_000_000_000n + BigInt(n) * 1_000_000n +
        (id === 0 ? BigInt(r % 1000) : 0n),
      interfaceId: id,
      comments,
      epbFlags: r % 5 === 0 ? r & 0xfff : undefined,
    });
    largestBlock = Math.max(largestBlock, 32 + size + 64);
    if (r % 11 === 0) sink.writeSync(isb(4 * (r % 50), le));
    written += size + 40;
    n++;
  }
  return { bytes: sink.bytes(), largestBlock };
}

/** A source that hands out at most `max` bytes per call and records calls. */
class ChunkedSource implements ByteSource {
  maxRequest = 0;
  calls = 0;
  constructor(private inner: ByteSource, private max: number) {}
  readSync(p: Uint8Array): number | null {
    this.calls++;
    this.maxRequest = Math.max(this.maxRequest, p.length);
    return this.inner.readSync(p.subarray(0, Math.min(p.length, this.max)));
  }
}

/** A source that returns `bytes` in two reads, split at `k`. */
function splitSource(bytes: Uint8Array, k: number): ByteSource {
  let pos = 0;
  return {
    readSync(p: Uint8Array): number | null {
      if (pos >= bytes.length) return null;
      const end = pos < k ? k : bytes.length;
      const n = Math.min(p.length, end - pos);
      if (n === 0) return null;
      p.set(bytes.subarray(pos, pos + n));
      pos += n;
      return n;
    },
  };
}

function capture(): { pcap: Uint8Array; pcapng: Uint8Array } {
  const a = bytesSink();
  const pw = new PcapWriter(a, { linkType: 1, nanosecond: true });
  const b = bytesSink();
  const nw = new PcapngWriter(b);
  nw.addInterface({ linkType: 1, tsresolNs: true });
  for (let i = 0; i < 5; i++) {
    const f = { data: payload(i * 37, i), timestampNs: BigInt(i) * 7n };
    pw.write(f);
    nw.write({ ...f, comments: i === 2 ? ["two"] : undefined });
  }
  b.writeSync(isb(16, true));
  nw.newSection({ littleEndian: false });
  nw.addInterface({ linkType: 113 });
  nw.write({ data: payload(33, 9), timestampNs: 9000n, epbFlags: 1 });
  return { pcap: a.bytes(), pcapng: b.bytes() };
}

Deno.test("CaptureReader detects pcap in both byte orders and precisions, and pcapng", () => {
  for (const littleEndian of [true, false]) {
    for (const nanosecond of [true, false]) {
      const s = bytesSink();
      new PcapWriter(s, { linkType: 276, nanosecond, littleEndian })
        .write({ data: payload(20, 0), timestampNs: 3000n });
      const r = CaptureReader.fromBytes(s.bytes());
      strictEqual(r.format, "pcap");
      strictEqual(r.sections[0]!.byteOrder, littleEndian ? "little" : "big");
      deepStrictEqual(r.interfaces[0]!.tsresol, {
        base: 10,
        exp: nanosecond ? 9 : 6,
      });
      deepStrictEqual([...r].map((f) => [f.linkType, f.timestampNs]), [[
        276,
        3000n,
      ]]);
    }
  }
  const r = CaptureReader.fromBytes(capture().pcapng);
  strictEqual(r.format, "pcapng");
  deepStrictEqual(r.interfaces.map((i) => i.linkType), [1]);
});

Deno.test("CaptureReader rejects empty, too short and unknown input", () => {
  const where = (frame: undefined, re: RegExp) => (e: unknown) =>
    e instanceof CaptureFormatError && e.offset === 0 && e.frame === frame &&
    re.test(e.message);
  throws(
    () => CaptureReader.fromBytes(new Uint8Array(0)),
    where(undefined, /^Cannot read capture at offset 0: file is empty$/),
  );
  throws(
    () => CaptureReader.fromBytes(new Uint8Array([0xd4, 0xc3, 0xb2])),
    where(undefined, /file ends after 3 bytes, before the end of the magic/),
  );
  throws(
    () => CaptureReader.fromBytes(new TextEncoder().encode("GET / HTTP/1.1")),
    where(undefined, /unknown magic 0x47455420 \(neither pcap nor pcapng\)/),
  );
});

Deno.test("CaptureReader.openFile() reads a kernel capture and close() may be called twice", () => {
  const r = CaptureReader.openFile(`${KERNEL}/udp4-gso1200.in.pcap`);
  strictEqual(r.format, "pcap");
  let n = 0;
  for (const f of r) {
    strictEqual(f.linkType, 1);
    n++;
  }
  strictEqual(n, 21);
  r.close();
  r.close();
});

Deno.test("CaptureReader.frames() continues where a stopped iteration left off", () => {
  for (const bytes of Object.values(capture())) {
    const all = [...CaptureReader.fromBytes(bytes)];
    const r = CaptureReader.fromBytes(bytes);
    const first: Frame[] = [];
    for (const f of r.frames()) {
      first.push(f);
      if (first.length === 2) break;
    }
    deepStrictEqual([...first, ...r.frames()], all);
    deepStrictEqual([...r.frames()], []);
  }
});

Deno.test("CaptureReader reads the same frames wherever the input is split", () => {
  for (const [name, bytes] of Object.entries(capture())) {
    const want = [...CaptureReader.fromBytes(bytes)];
    ok(want.length >= 5, name);
    for (let k = 0; k <= bytes.length; k++) {
      const got = [
        ...new CaptureReader(splitSource(bytes, k), { bufferSize: 16 }),
      ];
      deepStrictEqual(got, want, `${name} split at ${k}`);
    }
    for (const chunk of [1, 2, 3, 5]) {
      const src = new ChunkedSource(splitSource(bytes, 0), chunk);
      deepStrictEqual([...new CaptureReader(src, { bufferSize: 16 })], want);
    }
  }
});

Deno.test("CaptureReader reports a truncated file the same way whatever the chunking", () => {
  const { pcapng } = capture();
  const cut = pcapng.subarray(0, pcapng.length - 6);
  const message = (src: ByteSource): string => {
    try {
      for (const _ of new CaptureReader(src, { bufferSize: 16 }));
    } catch (e) {
      if (!(e instanceof CaptureFormatError)) throw e;
      return `${e.offset} ${e.frame} ${e.message}`;
    }
    throw new Error("no error");
  };
  const want = message(splitSource(cut, 0));
  ok(/frame 6/.test(want), want);
  for (const chunk of [1, 7, 64]) {
    strictEqual(message(new ChunkedSource(splitSource(cut, 0), chunk)), want);
  }
});

Deno.test("CaptureReader streams a multi-megabyte file from a Deno.FsFile in small chunks with a bounded buffer", () => {
  const { bytes, largestBlock } = bigPcapng(3_000_000, 7);
  ok(bytes.length > 3_000_000);
  const pcapSink = bytesSink();
  const pw = new PcapWriter(pcapSink, { linkType: 1, nanosecond: true });
  const want = [...CaptureReader.fromBytes(bytes)];
  for (const f of want) pw.write(f);
  const wantPcap = [...CaptureReader.fromBytes(pcapSink.bytes())];
  ok(want.length > 500);
  ok(want.some((f) => f.data.length > 70000));
  ok(want.some((f) => f.comments !== undefined));
  const dir = Deno.makeTempDirSync();
  try {
    const files: [string, Uint8Array, Frame[]][] = [
      [`${dir}/big.pcapng`, bytes, want],
      [`${dir}/big.pcap`, pcapSink.bytes(), wantPcap],
    ];
    for (const [path, data, expected] of files) {
      Deno.writeFileSync(path, data);
      for (const chunk of [61, 4093, 65539]) {
        for (const bufferSize of [16, 1000, undefined]) {
          using file = Deno.openSync(path);
          const src = new ChunkedSource(file, chunk);
          const r = new CaptureReader(src, { bufferSize });
          const got = [...r];
          strictEqual(got.length, expected.length);
          deepStrictEqual(got, expected, `${path} chunk ${chunk}`);
          // The buffer never grew beyond the larger of its initial size and
          // the largest block (rounded to 4 KiB): memory is flat in file size.
          const bound = Math.max(
            bufferSize ?? 65536,
            Math.ceil(largestBlock / 4096) * 4096,
          );
          ok(src.maxRequest <= bound, `${src.maxRequest} > ${bound}`);
          ok(src.calls >= data.length / chunk);
        }
      }
    }
    // openFile() takes the same path.
    using r = CaptureReader.openFile(`${dir}/big.pcapng`, { bufferSize: 512 });
    deepStrictEqual([...r], want);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("createCaptureWriter() writes pcap for .pcap names with exact ns timestamps", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/out.PCAP`;
    const w = createCaptureWriter(path, { linkType: 1, nanosecond: true });
    strictEqual(w.format, "pcap");
    w.write({ data: payload(60, 1), timestampNs: 1_795_315_320_123_456_789n });
    w.write({ data: payload(61, 2), timestampNs: 1n, origLen: 100 });
    w.close();
    w.close();
    throws(
      () => w.write({ data: payload(1, 0), timestampNs: 0n }),
      /closed capture writer/,
    );
    using r = CaptureReader.openFile(path);
    strictEqual(r.format, "pcap");
    deepStrictEqual([...r].map((f) => [f.timestampNs, f.origLen]), [
      [1_795_315_320_123_456_789n, 60],
      [1n, 100],
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("createCaptureWriter() holds one link type in a pcap file", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const w = createCaptureWriter(`${dir}/one.pcap`);
    throws(
      () => w.write({ data: payload(1, 0), timestampNs: 0n }),
      (e: unknown) =>
        e instanceof CaptureWriteError && e.frame === 1 &&
        /interface 0 was not added \(the file has 0\)/.test(e.message),
    );
    strictEqual(w.addInterface({ linkType: 113, tsresolNs: true }), 0);
    strictEqual(w.addInterface({ linkType: 113 }), 1);
    throws(
      () => w.addInterface({ linkType: 1 }),
      /link type 1 differs from the file's 113/,
    );
    w.write({ data: payload(16, 0), timestampNs: 5n, interfaceId: 1 });
    throws(
      () => w.write({ data: payload(1, 0), timestampNs: 0n, interfaceId: 2 }),
      CaptureWriteError,
    );
    w.close();
    using r = CaptureReader.openFile(`${dir}/one.pcap`);
    deepStrictEqual(r.interfaces[0]!.tsresol, { base: 10, exp: 9 });
    deepStrictEqual([...r].map((f) => [f.linkType, f.timestampNs]), [[
      113,
      5n,
    ]]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("createCaptureWriter() writes pcapng for .pcapng names with interfaces, comments and flags", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/out.pcapng`;
    const w = createCaptureWriter(path, {
      linkType: 1,
      nanosecond: true,
      littleEndian: false,
      section: { userAppl: "tsolab" },
    });
    strictEqual(w.format, "pcapng");
    const sll = w.addInterface({ linkType: 276, name: "any" });
    strictEqual(sll, 1);
    w.write({
      data: payload(60, 0),
      timestampNs: 1_000_000_001n,
      comments: ["a"],
      epbFlags: 0x800,
    });
    w.write({ data: payload(40, 1), timestampNs: 2_000n, interfaceId: sll });
    w.close();
    using r = CaptureReader.openFile(path);
    deepStrictEqual(
      [...r].map((f) => [f.linkType, f.timestampNs, f.comments, f.epbFlags]),
      [[1, 1_000_000_001n, ["a"], 0x800], [276, 2_000n, undefined, undefined]],
    );
    deepStrictEqual(
      [r.sections[0]!.byteOrder, r.sections[0]!.userAppl],
      ["big", "tsolab"],
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("createCaptureWriter() refuses names that are neither .pcap nor .pcapng", () => {
  const dir = Deno.makeTempDirSync();
  try {
    throws(
      () => createCaptureWriter(`${dir}/out.cap`, { linkType: 1 }),
      (e: unknown) =>
        e instanceof CaptureWriteError &&
        /must end in \.pcap or \.pcapng/.test(e.message),
    );
    deepStrictEqual([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("createCaptureWriter({ atomic }) leaves an existing file untouched until close() renames over it, and abort() leaves no file", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/out.pcap`;
    const old = new TextEncoder().encode("old");
    Deno.writeFileSync(path, old);
    const names = () => [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    // Given up: the old file stays, the temporary one goes.
    const a = createCaptureWriter(path, { linkType: 1, atomic: true });
    a.write({ data: payload(60, 0), timestampNs: 0n });
    strictEqual(names().length, 2);
    deepStrictEqual(Deno.readFileSync(path), old);
    a.abort();
    a.abort();
    deepStrictEqual(names(), ["out.pcap"]);
    deepStrictEqual(Deno.readFileSync(path), old);
    // Finished: renamed over the old file, through a symbolic link.
    Deno.symlinkSync(path, `${dir}/link.pcapng`);
    for (
      const [name, format] of [["out.pcap", "pcap"], ["link.pcapng", "pcapng"]]
    ) {
      const before = Deno.readFileSync(path);
      const w = createCaptureWriter(`${dir}/${name}`, {
        linkType: 1,
        atomic: true,
      });
      strictEqual(w.format, format);
      w.write({ data: payload(60, 1), timestampNs: 5000n });
      deepStrictEqual(Deno.readFileSync(path), before);
      w.close();
      w.abort();
      deepStrictEqual(names(), ["link.pcapng", "out.pcap"]);
      strictEqual(Deno.lstatSync(`${dir}/link.pcapng`).isSymlink, true);
      using r = CaptureReader.openFile(path);
      deepStrictEqual([...r].map((f) => f.timestampNs), [5000n]);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("captureFormatOf() picks the format by extension and refuses any other name", () => {
  strictEqual(captureFormatOf("a.pcap"), "pcap");
  strictEqual(captureFormatOf("A.PCAPNG"), "pcapng");
  throws(
    () => captureFormatOf("g.txt"),
    (e: unknown) =>
      e instanceof CaptureWriteError &&
      e.message ===
        'Cannot create capture "g.txt": the name must end in .pcap or .pcapng',
  );
});
