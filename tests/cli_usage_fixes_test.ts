// Usage behaviour of the CLI found by audits: -K pairs end at the input
// file, file-system errors are one line with exit 2, verify's --json is one
// JSON document, model options are checked up front, mistyped options get a
// suggestion, -K never silently misses its target, and VXLAN on another port
// is pointed out or taken with --vxlan-port.
import assert from "node:assert/strict";
import { setU16 } from "../sw/bytes.ts";
import { extractFeatureArgs, UsageError } from "../tb/cli_args.ts";
import { bytesSink } from "../vectors/byte_sink.ts";
import { CaptureReader } from "../vectors/capture_reader.ts";
import { PcapWriter } from "../vectors/pcap_writer.ts";
import { parsePacket } from "../sw/packet_layout.ts";
import { buildVxlan } from "./_build.ts";
import { tsolab } from "./_cli.ts";

const DIR = new URL("../../shared/kernel-captures", import.meta.url).pathname;
const GOLDEN = new URL("../vectors/golden/", import.meta.url).pathname;

Deno.test("extractFeatureArgs ends -K pairs at a word with no on/off after it", () => {
  assert.deepEqual(
    extractFeatureArgs(["-K", "tx", "on", "in.pcap", "-o", "out.pcap"]),
    { rest: ["in.pcap", "-o", "out.pcap"], changes: [["tx", true]] },
  );
  assert.deepEqual(
    extractFeatureArgs(["-K", "tso", "on", "gso", "off", "in.pcap"]),
    { rest: ["in.pcap"], changes: [["tso", true], ["gso", false]] },
  );
  // The first pair still needs its on/off: a typo is not a file name.
  assert.throws(
    () => extractFeatureArgs(["-K", "tso", "maybe"]),
    (e: unknown) => e instanceof UsageError && /"maybe"/.test(e.message),
  );
});

Deno.test("segment takes the input file after -K pairs", async () => {
  const out = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    const r = await tsolab([
      "segment",
      "--gso-size",
      "1448",
      "-K",
      "tx",
      "on",
      `${DIR}/tcp4.in.pcap`,
      "-o",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /frames_in=48 super_packets=7 /);
  } finally {
    await Deno.remove(out);
  }
});

Deno.test("a directory given as a capture is one line and exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const args of [
        ["segment", "--gso-size", "1448", dir, "-o", `${dir}/o.pcap`],
        ["verify", dir],
        ["check", "--ingress", dir, "--egress", dir],
      ]
    ) {
      const r = await tsolab(args);
      assert.equal(r.code, 2, args.join(" "));
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /it is a directory/);
      assert.ok(lines[0]!.includes(dir), lines[0]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("segment into a missing directory names OUT, not its temporary file", async () => {
  const r = await tsolab([
    "segment",
    "--gso-size",
    "1448",
    `${DIR}/tcp4.in.pcap`,
    "-o",
    "/nonexistent-tsolab-dir/o.pcap",
  ]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr.trim(),
    /^tsolab segment: Cannot create \/nonexistent-tsolab-dir\/o\.pcap: its directory does not exist$/,
  );
});

Deno.test("verify --json prints one JSON document with the lockstep result", async () => {
  const r = await tsolab(["verify", "--json", `${GOLDEN}tcp4.pcapng`]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.passed, 2);
  assert.equal(doc.failed, 0);
  const hw = doc.results.find((x: { engine: string }) => x.engine === "hw");
  assert.equal(hw.lockstep, "pass");
  assert.equal(typeof hw.cyclesPerByte, "number");
});

Deno.test("verify lines up the engine column when a vector's name is longer than 16 characters", async () => {
  const r = await tsolab([
    "verify",
    `${GOLDEN}tcp4.pcapng`,
    `${GOLDEN}frags-split-header-tcp4.pcapng`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split("\n").filter((l) => / gso_size=/.test(l));
  assert.equal(rows.length, 4, r.stdout);
  const columns = rows.map((l) => l.search(/ (sw|hw) {2}gso_size=/));
  const longest = "frags-split-header-tcp4".length;
  assert.deepEqual(columns, [longest, longest, longest, longest]);
});

Deno.test("verify checks model options before running anything", async () => {
  for (
    const [args, re] of [
      [["--preset", "bogus"], /Unknown preset "bogus"/],
      [["--driver", "bogus"], /--driver must be one of/],
      [["--preset", "corundum-100g", "--driver", "hw-tso"], /cannot run on/],
      [["--engine", "sw", "--preset", "e810-100g"], /--engine sw/],
    ] as const
  ) {
    const r = await tsolab(["verify", ...args, `${GOLDEN}tcp4.pcapng`]);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stdout, "", `nothing ran: ${args.join(" ")}`);
    assert.match(r.stderr, re);
  }
});

Deno.test("an unknown key in --config names the file", async () => {
  const cfg = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(cfg, JSON.stringify({ nosuch: 1 }));
    const r = await tsolab(["verify", "--config", cfg, `${GOLDEN}tcp4.pcapng`]);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`--config ${cfg}`), r.stderr);
  } finally {
    await Deno.remove(cfg);
  }
});

Deno.test("segment -K tso on names the rule that refused it on a device without checksum offload", async () => {
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
      "tso",
      "on",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /features: tx-tcp-segmentation: off \(requires tx-checksum-ip-generic or tx-checksum-ipv4\) \[requested on\]/,
    );
  } finally {
    await Deno.remove(out);
  }
});

Deno.test("a mistyped option is named with the documented option it is closest to", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["segment", "--gso-sise", "1448", "in.pcap", "-o", "out.pcap"],
      /^tsolab segment: unknown option --gso-sise; did you mean --gso-size\? \(see tsolab segment --help\)\n$/,
    ],
    [
      ["verify", "--engin", "sw"],
      /^tsolab verify: unknown option --engin; did you mean --engine\?/,
    ],
    [
      ["vectors", "extract", "--ingres", "a.pcap"],
      /^tsolab vectors extract: unknown option --ingres; did you mean --ingress\?/,
    ],
    // Nothing close: no guess.
    [["verify", "--bogus"], /^tsolab verify: unknown option --bogus \(see/],
    [
      ["segment", "--gso-size"],
      /^tsolab segment: --gso-size needs a value \(see tsolab segment --help\)\n$/,
    ],
  ];
  for (const [args, want] of cases) {
    const r = await tsolab(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, want);
  }
});

Deno.test("VXLAN on Linux's legacy port 8472 is pointed out, and --vxlan-port 8472 segments it as a tunnel", async () => {
  const { frame, udpOff } = buildVxlan({ payloadLen: 4000, gsoSize: 1400 });
  setU16(frame, udpOff + 2, 8472);
  const dir = await Deno.makeTempDir();
  try {
    const sink = bytesSink();
    new PcapWriter(sink, { linkType: 1 }).write({
      data: frame,
      timestampNs: 0n,
    });
    await Deno.writeFile(`${dir}/in.pcap`, sink.bytes());
    const plain = await tsolab([
      "segment",
      "--gso-size",
      "1400",
      `${dir}/in.pcap`,
      "-o",
      `${dir}/plain.pcap`,
    ]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(
      plain.stderr,
      /frame 1: UDP to port 8472 carries what looks like VXLAN .* --vxlan-port 8472/,
    );
    const tunnel = await tsolab([
      "segment",
      "--gso-size",
      "1400",
      "--vxlan-port",
      "8472",
      `${dir}/in.pcap`,
      "-o",
      `${dir}/tunnel.pcap`,
    ]);
    assert.equal(tunnel.code, 0, tunnel.stderr);
    assert.doesNotMatch(tunnel.stderr, /looks like VXLAN/);
    // 4000 bytes of inner TCP payload at 1400: three segments.
    assert.match(tunnel.stdout, /super_packets=1 segments_out=3 /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("-K is refused with --engine hw, which would ignore it, and names --set", async () => {
  const r = await tsolab([
    "segment",
    "--engine",
    "hw",
    "--gso-size",
    "1448",
    `${DIR}/tcp4.in.pcap`,
    "-o",
    "/dev/null",
    "-K",
    "tso",
    "off",
  ]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /-K changes the Linux reference's egress device.*--set offload\.tso=false/,
  );
});

Deno.test("verify --captures -K sets the reference's egress device, as the pairs were captured", async () => {
  const txon = new URL("./kernel_txon", import.meta.url).pathname;
  const stock = await tsolab(["verify", "--captures", txon, "--engine", "sw"]);
  assert.equal(
    stock.code,
    1,
    "tx-checksumming on leaves seeds the stock device completes",
  );
  const on = await tsolab([
    "verify",
    "--captures",
    txon,
    "--engine",
    "sw",
    "-K",
    "tx",
    "on",
  ]);
  assert.equal(on.code, 0, on.stdout + on.stderr);
  assert.match(on.stdout, /verify: 2 passed, 0 failed/);
  // Golden vectors carry their features; the model ignores -K: refused.
  for (
    const args of [
      ["verify", "-K", "tx", "on"],
      ["verify", "--captures", txon, "-K", "tx", "on"],
      ["verify", "--vxlan-port", "8472"],
    ]
  ) {
    const r = await tsolab(args);
    assert.equal(r.code, 2, args.join(" "));
  }
});

Deno.test("verify --captures --vxlan-port reads VXLAN on another port as a tunnel", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The tcp4-vxlan pair moved to port 8472 (its outer UDP checksums are 0).
    for (const side of ["in", "out"]) {
      using r = CaptureReader.openFile(`${DIR}/tcp4-vxlan.${side}.pcap`);
      const sink = bytesSink();
      const w = new PcapWriter(sink, { linkType: 1, nanosecond: true });
      for (const f of r.frames()) {
        const data = f.data.slice();
        try {
          const l = parsePacket(data, f.linkType, { vxlanPorts: [4789] });
          if (l.tunnel !== null) {
            assert.equal(l.tunnel.udpChecksum, 0);
            setU16(data, l.tunnel.udpOffset + 2, 8472);
          }
        } catch { /* not a packet the parser takes: as it is */ }
        w.write({ data, timestampNs: f.timestampNs });
      }
      await Deno.writeFile(`${dir}/v.${side}.pcap`, sink.bytes());
    }
    const plain = await tsolab(["verify", "--captures", dir, "--engine", "sw"]);
    assert.notEqual(plain.code, 0, "read as plain UDP it cannot match");
    const tunnel = await tsolab([
      "verify",
      "--captures",
      dir,
      "--vxlan-port",
      "8472",
    ]);
    assert.equal(tunnel.code, 0, tunnel.stdout + tunnel.stderr);
    assert.match(tunnel.stdout, /v +sw .* pass\n/);
    assert.match(tunnel.stdout, /v +hw .* pass\n/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
