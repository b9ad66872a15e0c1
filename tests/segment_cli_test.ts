import assert from "node:assert/strict";
import { CaptureReader } from "../vectors/capture_reader.ts";
import { parsePacket } from "../sw/packet_layout.ts";
import { sourceAddress } from "../tb/capture_compare.ts";
import { defaultCapturesDir } from "../tb/verify_command.ts";
import { tsolab } from "./_cli.ts";
import { available, onPath } from "./_tools.ts";

const DIR = defaultCapturesDir();
const PAIRS: [string, number, string][] = [
  ["tcp4", 1448, "10.77.0.1"],
  ["tcp6", 1428, "fd77::1"],
  ["udp4-gso1200", 1200, "10.77.0.1"],
  ["tcp4-vxlan", 1378, "10.78.0.1"],
];

function senderFrames(path: string, sender: string): Uint8Array[] {
  const r = CaptureReader.openFile(path);
  try {
    return [...r.frames()].filter((f) => {
      try {
        return sourceAddress(f.data, parsePacket(f.data, f.linkType)) ===
          sender;
      } catch {
        return false;
      }
    }).map((f) => f.data);
  } finally {
    r.close();
  }
}

for (const [name, gso, sender] of PAIRS) {
  Deno.test(`tsolab segment reproduces the kernel's ${name} output byte for byte`, async () => {
    const out = await Deno.makeTempFile({ suffix: ".pcap" });
    try {
      const r = await tsolab([
        "segment",
        "--gso-size",
        String(gso),
        `${DIR}/${name}.in.pcap`,
        "-o",
        out,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const last = r.stdout.trimEnd().split("\n").at(-1)!;
      assert.match(
        last,
        /^frames_in=\d+ super_packets=\d+ segments_out=\d+ passed=\d+ rejected=0 bad_checksums=0$/,
      );
      const got = senderFrames(out, sender);
      const want = senderFrames(`${DIR}/${name}.out.pcap`, sender);
      assert.equal(got.length, want.length);
      got.forEach((g, i) => assert.deepEqual(g, want[i], `frame ${i}`));
    } finally {
      await Deno.remove(out);
    }
  });
}

Deno.test("tsolab segment counts every frame and writes pcapng by extension", async () => {
  const out = await Deno.makeTempFile({ suffix: ".pcapng" });
  try {
    const r = await tsolab([
      "segment",
      "--gso-size",
      "1448",
      `${DIR}/tcp4.in.pcap`,
      "-o",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const m = r.stdout.trimEnd().split("\n").at(-1)!.match(
      /^frames_in=(\d+) super_packets=(\d+) segments_out=(\d+) passed=(\d+) rejected=(\d+)/,
    )!;
    const [framesIn, sup, segs, passed, rejected] = m.slice(1).map(Number);
    assert.equal(framesIn, sup! + passed! + rejected!);
    const reader = CaptureReader.openFile(out);
    assert.equal(reader.format, "pcapng");
    assert.equal([...reader.frames()].length, segs! + passed!);
    reader.close();
  } finally {
    await Deno.remove(out);
  }
});

const TSHARK = available(
  onPath("tshark"),
  "the tshark checksum check: tshark is not on PATH",
);

Deno.test("tsolab segment output has only valid checksums per tshark", {
  ignore: !TSHARK,
}, async (t) => {
  for (const [name, gso] of PAIRS) {
    await t.step(name, async () => {
      const out = await Deno.makeTempFile({ suffix: ".pcap" });
      try {
        const r = await tsolab([
          "segment",
          "--gso-size",
          String(gso),
          `${DIR}/${name}.in.pcap`,
          "-o",
          out,
        ]);
        assert.equal(r.code, 0, r.stderr);
        const ts = await new Deno.Command("tshark", {
          args: [
            "-r",
            out,
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "udp.check_checksum:TRUE",
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "ip.checksum.status",
            "-e",
            "tcp.checksum.status",
            "-e",
            "udp.checksum.status",
          ],
          stdout: "piped",
          stderr: "null",
        }).output();
        const lines = new TextDecoder().decode(ts.stdout).trim().split("\n");
        let checked = 0;
        for (const line of lines) {
          const [frame, ...statuses] = line.split("\t");
          for (const s of statuses.join(",").split(",").filter(Boolean)) {
            // 0 Bad, 1 Good, 2 Unverified
            assert.notEqual(s, "0", `frame ${frame} has a bad checksum`);
            if (s === "1") checked++;
          }
        }
        assert.ok(checked > 0, "tshark verified no checksum at all");
      } finally {
        await Deno.remove(out);
      }
    });
  }
});

Deno.test("tsolab segment refuses bad usage with one line and exit 2", async (t) => {
  const cases: [string, string[], RegExp][] = [
    ["gso-size 0", [
      "--gso-size",
      "0",
      `${DIR}/tcp4.in.pcap`,
      "-o",
      "/tmp/x.pcap",
    ], /--gso-size must be 1\.\.65534, got 0/],
    ["gso-size 65536", [
      "--gso-size",
      "65536",
      `${DIR}/tcp4.in.pcap`,
      "-o",
      "/tmp/x.pcap",
    ], /--gso-size must be 1\.\.65534/],
    ["missing input", [
      "--gso-size",
      "1448",
      "/nonexistent.pcap",
      "-o",
      "/tmp/x.pcap",
    ], /no such file/],
    [
      "missing -o",
      ["--gso-size", "1448", `${DIR}/tcp4.in.pcap`],
      /-o OUT is required/,
    ],
    ["bad extension", [
      "--gso-size",
      "1448",
      `${DIR}/tcp4.in.pcap`,
      "-o",
      "/tmp/x.txt",
    ], /\.pcap|\.pcapng/],
    ["bad -K", [
      "--gso-size",
      "1448",
      `${DIR}/tcp4.in.pcap`,
      "-o",
      "/tmp/x.pcap",
      "-K",
      "tso",
      "maybe",
    ], /on" or "off/],
  ];
  for (const [name, args, re] of cases) {
    await t.step(name, async () => {
      const r = await tsolab(["segment", ...args]);
      assert.equal(r.code, 2);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, re);
    });
  }
});

Deno.test("tsolab segment -K tx on leaves per-segment seeds and --explain names the path", async () => {
  const out = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    const r = await tsolab([
      "segment",
      "--gso-size",
      "1448",
      `${DIR}/tcp4.in.pcap`,
      "-o",
      out,
      "-K",
      "tx",
      "on",
      "--explain",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /software-gso/);
    const r2 = await tsolab([
      "segment",
      "--gso-size",
      "1448",
      `${DIR}/tcp4.in.pcap`,
      "-o",
      out,
      "-K",
      "tso",
      "on",
      "tx",
      "on",
      "--explain",
    ]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stderr, /hardware/);
    assert.match(
      r2.stdout.trimEnd().split("\n").at(-1)!,
      /super_packets=7 segments_out=7 /,
    );
  } finally {
    await Deno.remove(out);
  }
});

Deno.test("tsolab verify passes on the kernel captures and exits 0", async () => {
  const r = await tsolab(["verify", "--engine", "sw", "--captures", DIR]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /verify: 4 passed, 0 failed/);
});

Deno.test("tsolab verify checks every golden vector with both engines by default", async () => {
  const r = await tsolab(["verify"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const last = r.stdout.trimEnd().split("\n").at(-1)!;
  const m = last.match(/^verify: (\d+) passed, 0 failed(, (\d+) skipped)?$/);
  assert.ok(m, last);
  assert.ok(Number(m[1]) >= 80, last);
  assert.match(r.stdout, /hw .* lockstep=pass cycles\/byte=0\.\d+/);
});

Deno.test("tsolab verify exits 1 and names the field when a golden frame is wrong", async () => {
  const { GoldenVectorReader } = await import("../vectors/golden_vector.ts");
  const { createGoldenVector } = await import("../vectors/golden_vector.ts");
  const src =
    new URL("../vectors/golden/tcp4.pcapng", import.meta.url).pathname;
  const bad = await Deno.makeTempFile({ suffix: ".pcapng" });
  try {
    using r = GoldenVectorReader.open(src);
    const w = createGoldenVector(bad, r.provenance);
    let flipped = false;
    for (const c of r.cases()) {
      const expected = c.expected.map((f) => ({ ...f, data: f.data.slice() }));
      if (!flipped && c.meta.superPacket !== null && expected.length > 3) {
        expected[3]!.data[38]! ^= 0x01; // tcp.seq of segment 3
        flipped = true;
      }
      w.writeCase(c.ingress, c.meta.superPacket, expected);
    }
    w.close();
    const v = await tsolab(["verify", "--engine", "sw", bad]);
    assert.equal(v.code, 1, v.stdout + v.stderr);
    assert.match(
      v.stdout,
      /segment 3: tcp\.seq expected 0x[0-9a-f]{8} got 0x[0-9a-f]{8}/,
    );
  } finally {
    await Deno.remove(bad);
  }
});

Deno.test("tsolab segment refuses a preset set through --set or --config: it would relabel the run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/p.json`,
      JSON.stringify({ preset: "82599-10g" }),
    );
    for (
      const extra of [
        ["--set", "preset=82599-10g"],
        ["--config", `${dir}/p.json`],
      ]
    ) {
      const r = await tsolab([
        "segment",
        "--engine",
        "hw",
        "--gso-size",
        "1448",
        `${DIR}/tcp4.in.pcap`,
        "-o",
        `${dir}/out.pcap`,
        ...extra,
      ]);
      assert.equal(r.code, 2, extra.join(" "));
      assert.equal(r.stdout, "", "no run, no report");
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(
        lines[0]!,
        /^tsolab segment: Cannot set preset .*use --preset/,
      );
    }
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["p.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tsolab segment --engine sw refuses the model's options instead of ignoring them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string, string[]][] = [
      ["vcd", ["--vcd", `${dir}/w.vcd`]],
      ["preset", ["--preset", "82599-10g"]],
      ["driver", ["--driver", "gso"]],
      ["set", ["--set", "pcie.gen=3"]],
      ["config", ["--config", `${dir}/c.json`]],
    ];
    for (const [name, extra] of cases) {
      for (const engine of [["--engine", "sw"], []]) {
        const r = await tsolab([
          "segment",
          ...engine,
          "--gso-size",
          "1448",
          `${DIR}/tcp4.in.pcap`,
          "-o",
          `${dir}/out.pcap`,
          ...extra,
        ]);
        assert.equal(r.code, 2, name);
        const lines = r.stderr.trim().split("\n");
        assert.equal(lines.length, 1, r.stderr);
        assert.equal(
          lines[0],
          `tsolab segment: --${name} configures the NIC model: it needs --engine hw`,
        );
      }
    }
    assert.deepEqual([...Deno.readDirSync(dir)], [], "no output, no VCD");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tsolab segment refuses an output name that is neither .pcap nor .pcapng before reading input", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/empty.pcap`, new Uint8Array(0));
    for (const input of [`${DIR}/tcp4.in.pcap`, `${dir}/empty.pcap`]) {
      const r = await tsolab([
        "segment",
        "--gso-size",
        "1448",
        input,
        "-o",
        `${dir}/g.txt`,
      ]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "", "no frame read, no summary");
      assert.equal(
        r.stderr,
        `tsolab segment: Cannot create capture "${dir}/g.txt": the name must end in .pcap or .pcapng\n`,
      );
    }
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [
      "empty.pcap",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tsolab segment replaces OUT only when it exits 0: unusable input at any frame leaves OUT as it was and no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = await Deno.readFile(`${DIR}/tcp4.in.pcap`);
    const inputs: [string, Uint8Array][] = [
      ["empty", new Uint8Array(0)],
      ["header-cut", good.subarray(0, 10)],
      ["frame1-cut", good.subarray(0, 30)],
      ["frame14-cut", good.subarray(0, 5000)],
      [
        "all-malformed",
        (() => {
          // A pcap header and one 10-byte Ethernet runt: rejected, exit 2.
          const b = new Uint8Array(24 + 16 + 10);
          b.set(good.subarray(0, 24));
          new DataView(b.buffer).setUint32(24 + 8, 10, true);
          new DataView(b.buffer).setUint32(24 + 12, 10, true);
          return b;
        })(),
      ],
    ];
    const old = new TextEncoder().encode("old contents\n");
    for (const [name, bytes] of inputs) {
      for (const ext of ["pcap", "pcapng"]) {
        await Deno.writeFile(`${dir}/${name}.pcap`, bytes);
        const out = `${dir}/out.${ext}`;
        await Deno.writeFile(out, old);
        const r = await tsolab([
          "segment",
          "--gso-size",
          "1448",
          `${dir}/${name}.pcap`,
          "-o",
          out,
        ]);
        assert.equal(r.code, 2, `${name}: ${r.stderr}`);
        assert.deepEqual(await Deno.readFile(out), old, `${name} -o *.${ext}`);
        const left = [...Deno.readDirSync(dir)].map((e) => e.name)
          .filter((n) => n.startsWith("out."));
        assert.deepEqual(left, [`out.${ext}`], `${name}: no temporary file`);
        await Deno.remove(out);
      }
    }
    // A run that succeeds replaces OUT and leaves nothing else beside it.
    const out = `${dir}/out.pcap`;
    await Deno.writeFile(out, old);
    const r = await tsolab([
      "segment",
      "--gso-size",
      "1448",
      `${DIR}/tcp4.in.pcap`,
      "-o",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.notDeepEqual(await Deno.readFile(out), old);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
        n.startsWith("out.")
      ),
      ["out.pcap"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tsolab segment --engine hw --driver none reports the checksums the host stack summed", async () => {
  const out = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    const run = async (driver: string) => {
      const r = await tsolab([
        "segment",
        "--engine",
        "hw",
        "--driver",
        driver,
        "--gso-size",
        "1448",
        `${DIR}/tcp4.in.pcap`,
        "-o",
        out,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const num = (re: RegExp) => {
        const m = r.stdout.match(re);
        assert.ok(m !== null, `${re} in ${r.stdout}`);
        return Number(m[1]);
      };
      return {
        summed: num(/software checksums (\d+) B/),
        payload: num(/^bytes payload (\d+),/m),
        segments: num(/ segments_out=(\d+) /),
      };
    };
    // Every segment's TCP bytes, summed once by the host: the payload plus
    // a 32-byte TCP header (timestamps) per segment.
    const none = await run("none");
    assert.equal(none.segments, 104);
    assert.equal(none.summed, none.payload + 32 * none.segments);
    // With checksum offload the host sums nothing.
    assert.equal((await run("gso")).summed, 0);
  } finally {
    await Deno.remove(out);
  }
});
