import { defaultCapturesDir } from "../tb/verify_command.ts";
import { available, onPath } from "./_tools.ts";
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  bytesSink,
  CaptureFormatError,
  CaptureReader,
  CaptureWriteError,
  type Frame,
  PcapReader,
  PcapWriter,
} from "../vectors/mod.ts";

const KERNEL = defaultCapturesDir();
const KERNEL_COUNTS: Record<string, number> = {
  "tcp4-vxlan.in": 39,
  "tcp4-vxlan.out": 141,
  "tcp4.in": 48,
  "tcp4.out": 145,
  "tcp6.in": 51,
  "tcp6.out": 149,
  "udp4-gso1200.in": 21,
  "udp4-gso1200.out": 58,
};

/** Frames of varied sizes, with truncated ones (origLen > data). */
function sampleFrames(nanosecond: boolean): {
  data: Uint8Array;
  origLen: number;
  timestampNs: bigint;
}[] {
  const sizes = [0, 1, 2, 3, 60, 61, 1514, 9014, 65535];
  return sizes.map((n, i) => {
    const data = new Uint8Array(n);
    for (let j = 0; j < n; j++) data[j] = (j * 7 + i) & 0xff;
    const frac = nanosecond ? 123_456_789n + BigInt(i) : 654_321_000n;
    return {
      data,
      origLen: i % 3 === 0 ? n + 100 : n,
      timestampNs: 1_795_315_320_000_000_000n + BigInt(i) * 1_000_000_000n +
        frac,
    };
  });
}

function roundTrip(littleEndian: boolean, nanosecond: boolean): void {
  const sink = bytesSink();
  const w = new PcapWriter(sink, {
    linkType: 1,
    snapLen: 65535,
    nanosecond,
    littleEndian,
  });
  const sent = sampleFrames(nanosecond);
  for (const f of sent) w.write(f);
  strictEqual(w.framesWritten, sent.length);
  const bytes = sink.bytes();
  const magic = littleEndian
    ? (nanosecond ? [0x4d, 0x3c, 0xb2, 0xa1] : [0xd4, 0xc3, 0xb2, 0xa1])
    : (nanosecond ? [0xa1, 0xb2, 0x3c, 0x4d] : [0xa1, 0xb2, 0xc3, 0xd4]);
  deepStrictEqual([...bytes.subarray(0, 4)], magic);
  const r = CaptureReader.fromBytes(bytes);
  strictEqual(r.format, "pcap");
  deepStrictEqual(r.sections, [{
    offset: 0,
    byteOrder: littleEndian ? "little" : "big",
    comments: [],
  }]);
  deepStrictEqual(r.interfaces, [{
    section: 0,
    id: 0,
    linkType: 1,
    snapLen: 65535,
    tsresol: { base: 10, exp: nanosecond ? 9 : 6 },
    tsoffset: 0n,
  }]);
  const got = [...r.frames()];
  let offset = 24;
  const want: Frame[] = sent.map((f, i) => {
    const frame: Frame = {
      number: i + 1,
      data: f.data,
      origLen: f.origLen,
      timestampNs: f.timestampNs,
      interfaceId: 0,
      linkType: 1,
      fileOffset: offset,
    };
    offset += 16 + f.data.length;
    return frame;
  });
  deepStrictEqual(got, want);
  strictEqual(offset, bytes.length);
  // Writing what was read with the same options gives the same file.
  const again = bytesSink();
  const w2 = new PcapWriter(again, {
    linkType: 1,
    snapLen: 65535,
    nanosecond,
    littleEndian,
  });
  for (const f of got) w2.write(f);
  deepStrictEqual(again.bytes(), bytes);
}

Deno.test("PcapWriter and CaptureReader round-trip little-endian microsecond pcap", () => {
  roundTrip(true, false);
});

Deno.test("PcapWriter and CaptureReader round-trip little-endian nanosecond pcap", () => {
  roundTrip(true, true);
});

Deno.test("PcapWriter and CaptureReader round-trip big-endian microsecond pcap", () => {
  roundTrip(false, false);
});

Deno.test("PcapWriter and CaptureReader round-trip big-endian nanosecond pcap", () => {
  roundTrip(false, true);
});

Deno.test("PcapWriter retries short writes until the whole record is out", () => {
  const whole = bytesSink();
  const dribble = bytesSink();
  const three = {
    writeSync(p: Uint8Array): number {
      return dribble.writeSync(p.subarray(0, Math.min(3, p.length)));
    },
  };
  const a = new PcapWriter(whole, { linkType: 101 });
  const b = new PcapWriter(three, { linkType: 101 });
  for (const f of sampleFrames(false)) {
    a.write(f);
    b.write(f);
  }
  deepStrictEqual(dribble.bytes(), whole.bytes());
});

Deno.test("PcapWriter reports a sink that accepts nothing", () => {
  throws(
    () => new PcapWriter({ writeSync: () => 0 }, { linkType: 1 }),
    (e: unknown) =>
      e instanceof CaptureWriteError &&
      /accepted 0 of 24 bytes/.test(e.message),
  );
});

Deno.test("PcapWriter states the FCS length and PcapReader reports it", () => {
  const sink = bytesSink();
  new PcapWriter(sink, { linkType: 1, fcsLen: 4 });
  const r = new PcapReader(sink.bytes());
  strictEqual(r.interfaces[0]!.fcsLen, 4);
  strictEqual(r.interfaces[0]!.linkType, 1);
});

for (const [name, count] of Object.entries(KERNEL_COUNTS)) {
  Deno.test(`CaptureReader reads ${name}.pcap with tshark's frame count ${count} and re-writes it byte for byte`, () => {
    const path = `${KERNEL}/${name}.pcap`;
    const original = Deno.readFileSync(path);
    using r = CaptureReader.openFile(path);
    const info = r.interfaces[0]!;
    const out = bytesSink();
    const w = new PcapWriter(out, {
      linkType: info.linkType,
      snapLen: info.snapLen,
      nanosecond: info.tsresol.exp === 9,
      littleEndian: r.sections[0]!.byteOrder === "little",
    });
    let n = 0;
    for (const f of r) {
      n++;
      strictEqual(f.number, n);
      w.write(f);
    }
    strictEqual(n, count);
    deepStrictEqual(out.bytes(), original);
  });
}

const TSHARK = available(
  onPath("tshark"),
  "the tshark cross-check of timestamps: tshark is not on PATH",
);

Deno.test(
  "CaptureReader gives the timestamps and lengths tshark gives for tcp4.out.pcap",
  {
    ignore: !TSHARK,
  },
  () => {
    const path = `${KERNEL}/tcp4.out.pcap`;
    const res = new Deno.Command("tshark", {
      args: [
        "-r",
        path,
        "-T",
        "fields",
        "-e",
        "frame.time_epoch",
        "-e",
        "frame.cap_len",
        "-e",
        "frame.len",
      ],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    strictEqual(res.success, true, `tshark could not read ${path}`);
    const text = new TextDecoder().decode(res.stdout);
    const want = text.trim().split("\n").map((line) => {
      const [t, cap, len] = line.split("\t");
      const [s, frac] = t!.split(".");
      return [
        BigInt(s!) * 1_000_000_000n + BigInt((frac ?? "").padEnd(9, "0")),
        Number(cap),
        Number(len),
      ];
    });
    using r = CaptureReader.openFile(path);
    const got = [...r].map((f) => [f.timestampNs, f.data.length, f.origLen]);
    deepStrictEqual(got, want);
  },
);

// --- bad input -------------------------------------------------------------

/** A valid little-endian µs pcap header plus records of the given sizes. */
function pcapWith(sizes: number[], snapLen = 65535): Uint8Array {
  const sink = bytesSink();
  const w = new PcapWriter(sink, { linkType: 1, snapLen });
  for (const n of sizes) {
    w.write({ data: new Uint8Array(n), timestampNs: 0n });
  }
  return sink.bytes();
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

Deno.test("PcapReader accepts a file that ends exactly after a record", () => {
  const bytes = pcapWith([60, 70]);
  deepStrictEqual([...new PcapReader(bytes)].map((f) => f.fileOffset), [
    24,
    24 + 76,
  ]);
  deepStrictEqual([...new PcapReader(pcapWith([]))], []);
});

Deno.test("PcapReader rejects an empty file", () => {
  throws(
    () => new PcapReader(new Uint8Array(0)),
    formatError(
      0,
      undefined,
      /^Cannot read capture at offset 0: file is empty$/,
    ),
  );
});

Deno.test("PcapReader rejects a truncated file header", () => {
  throws(
    () => new PcapReader(pcapWith([]).subarray(0, 10)),
    formatError(0, undefined, /offset 0: file ends after 10 of 24 bytes/),
  );
});

Deno.test("PcapReader rejects an unknown magic", () => {
  const b = pcapWith([]);
  b[0] = 0x00;
  throws(
    () => new PcapReader(b),
    formatError(0, undefined, /unknown magic 0x00c3b2a1/),
  );
});

Deno.test("PcapReader rejects a major version other than 2", () => {
  const b = pcapWith([]);
  b[4] = 3; // major 3, little-endian
  throws(
    () => new PcapReader(b),
    formatError(4, undefined, /offset 0: unsupported version 3\.4/),
  );
});

Deno.test("PcapReader reads versions 2.0 to 2.3 as libpcap does and rejects 2.5", () => {
  // libpcap sf-pcap.c: "currently only versions 2.[0-4] are supported", i.e.
  // major == 2 && minor <= 4. Records with caplen == len read the same in
  // every 2.x layout.
  for (const minor of [0, 2, 3]) {
    const b = pcapWith([60, 70]);
    b[6] = minor; // minor version, little-endian
    deepStrictEqual(
      [...new PcapReader(b)].map((f) => [f.data.length, f.origLen]),
      [[60, 60], [70, 70]],
      `2.${minor}`,
    );
  }
  const b = pcapWith([]);
  b[6] = 5;
  throws(
    () => new PcapReader(b),
    formatError(4, undefined, /offset 0: unsupported version 2\.5/),
  );
});

// Before version 2.3 the record header held len before caplen; libpcap
// swaps them back for 2.0-2.2 files (SWAPPED) and for 2.3 files whose
// caplen > len (MAYBE_SWAPPED).
Deno.test({
  name:
    "PcapReader reads a pre-2.3 record header as len then caplen, as libpcap does",
  fn() {
    const sink = bytesSink();
    const w = new PcapWriter(sink, { linkType: 1, snapLen: 65535 });
    w.write({ data: new Uint8Array(60), origLen: 100, timestampNs: 0n });
    const b = sink.bytes();
    b[6] = 2; // version 2.2
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    // The pre-2.3 order: len (100) at +8, caplen (60) at +12.
    v.setUint32(24 + 8, 100, true);
    v.setUint32(24 + 12, 60, true);
    deepStrictEqual(
      [...new PcapReader(b)].map((f) => [f.data.length, f.origLen]),
      [[60, 100]],
    );
    b[6] = 3; // 2.3: caplen > len means the old order
    deepStrictEqual(
      [...new PcapReader(b)].map((f) => [f.data.length, f.origLen]),
      [[60, 100]],
    );
  },
});

Deno.test("PcapReader rejects reserved bits in the link-type word", () => {
  const b = pcapWith([]);
  b[22] = 0x01; // Reserved3 bit 16
  throws(
    () => new PcapReader(b),
    formatError(
      20,
      undefined,
      /link-type word 0x00010001 has reserved bits 0x00010000 set/,
    ),
  );
  const c = pcapWith([]);
  c[23] = 0x08; // R bit 27
  throws(
    () => new PcapReader(c),
    formatError(20, undefined, /reserved bits 0x08000000/),
  );
});

Deno.test("PcapReader rejects a captured length above the snap length", () => {
  const b = pcapWith([60, 60], 100);
  new DataView(b.buffer).setUint32(24 + 76 + 8, 70000, true);
  throws(
    () => [...new PcapReader(b)],
    formatError(
      100,
      2,
      /^Cannot read frame 2 at offset 100: captured length 70000 exceeds snap length 100$/,
    ),
  );
});

Deno.test("PcapReader rejects a captured length above its record limit", () => {
  const b = pcapWith([60], 0xffffffff);
  throws(
    () => [...new PcapReader(b, { maxRecordBytes: 59 })],
    formatError(
      24,
      1,
      /captured length 60 exceeds the reader's limit of 59 bytes/,
    ),
  );
});

Deno.test("PcapReader names frame and offset of a truncated last record", () => {
  const b = pcapWith([60, 60, 60]);
  throws(
    () => [...new PcapReader(b.subarray(0, b.length - 1))],
    formatError(
      24 + 2 * 76,
      3,
      /^Cannot read frame 3 at offset 176: record truncated, captured length 60 but the file ends after 59 bytes of packet data$/,
    ),
  );
});

Deno.test("PcapReader names frame and offset of a truncated record header", () => {
  const b = pcapWith([60, 60]);
  throws(
    () => [...new PcapReader(b.subarray(0, 24 + 76 + 5))],
    formatError(100, 2, /record header truncated after 5 of 16 bytes/),
  );
});

Deno.test("PcapReader yields the frames before a bad record", () => {
  const b = pcapWith([60, 60]);
  const got: number[] = [];
  throws(() => {
    for (const f of new PcapReader(b.subarray(0, b.length - 10))) {
      got.push(f.number);
    }
  }, CaptureFormatError);
  deepStrictEqual(got, [1]);
});

Deno.test("PcapWriter refuses sub-microsecond timestamps in a microsecond file", () => {
  const w = new PcapWriter(bytesSink(), { linkType: 1 });
  throws(
    () => w.write({ data: new Uint8Array(1), timestampNs: 1_000_000_001n }),
    (e: unknown) =>
      e instanceof CaptureWriteError && e.frame === 1 &&
      /sub-microsecond/.test(e.message),
  );
});

Deno.test("PcapWriter refuses timestamps outside 0..2^32 seconds", () => {
  const w = new PcapWriter(bytesSink(), { linkType: 1, nanosecond: true });
  for (const t of [-1n, 4_294_967_296_000_000_000n]) {
    throws(
      () => w.write({ data: new Uint8Array(1), timestampNs: t }),
      CaptureWriteError,
    );
  }
  w.write({ data: new Uint8Array(1), timestampNs: 4_294_967_295_999_999_999n });
});

Deno.test("PcapWriter refuses data above the snap length and short original lengths", () => {
  const w = new PcapWriter(bytesSink(), { linkType: 1, snapLen: 64 });
  throws(
    () => w.write({ data: new Uint8Array(65), timestampNs: 0n }),
    /65 bytes of data exceed snap length 64/,
  );
  throws(
    () => w.write({ data: new Uint8Array(10), origLen: 9, timestampNs: 0n }),
    /original length 9/,
  );
  throws(
    () => new PcapWriter(bytesSink(), { linkType: 70000 }),
    CaptureWriteError,
  );
  throws(
    () => new PcapWriter(bytesSink(), { linkType: 1, snapLen: 0 }),
    CaptureWriteError,
  );
});
