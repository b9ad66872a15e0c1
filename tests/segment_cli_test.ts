import assert from "node:assert/strict";
import { CaptureReader } from "../vectors/capture_reader.ts";
import { parsePacket } from "../sw/packet_layout.ts";
import { sourceAddress } from "../tb/capture_compare.ts";
import { defaultCapturesDir } from "../tb/verify_command.ts";

const DIR = defaultCapturesDir();
const PAIRS: [string, number, string][] = [
  ["tcp4", 1448, "10.77.0.1"],
  ["tcp6", 1428, "fd77::1"],
  ["udp4-gso1200", 1200, "10.77.0.1"],
  ["tcp4-vxlan", 1378, "10.78.0.1"],
];
const MOD = new URL("../mod.ts", import.meta.url).pathname;

async function tsolab(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-env", MOD, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

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

Deno.test("tsolab segment output has only valid checksums per tshark", async (t) => {
  const which = await new Deno.Command("sh", {
    args: ["-c", "command -v tshark"],
    stdout: "piped",
  }).output();
  if (which.code !== 0) {
    console.log("skipped: tshark is not installed");
    return;
  }
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
