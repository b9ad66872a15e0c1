// `tsolab vectors`: help, dispatch, and refusals as usage errors.
import assert from "node:assert/strict";
import { UsageError } from "../tb/cli_args.ts";
import { vectorsMain } from "../tb/vectors_command.ts";
import { PairingError } from "../vectors/golden_error.ts";
import { readGoldenVector } from "../vectors/golden_vector.ts";
import { available, exists } from "./_tools.ts";

const GOLDEN = new URL("../vectors/golden/", import.meta.url).pathname;
const CAPTURES = new URL("../../shared/kernel-captures/", import.meta.url)
  .pathname;

async function quietly(
  args: string[],
): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  try {
    return { code: await vectorsMain(args), out };
  } finally {
    console.log = log;
  }
}

Deno.test("vectors and each of its commands print help and exit 0", async () => {
  for (
    const args of [
      ["--help"],
      ["extract", "--help"],
      ["gen", "--help"],
      ["manifest", "--help"],
      ["capture", "--help"],
    ]
  ) {
    const r = await quietly(args);
    assert.equal(r.code, 0, args.join(" "));
    assert.match(r.out.join("\n"), /Usage/, args.join(" "));
  }
});

Deno.test("vectors refuses an unknown command and incomplete extract arguments as usage errors", async () => {
  await assert.rejects(() => vectorsMain(["frobnicate"]), UsageError);
  await assert.rejects(
    () => vectorsMain(["extract", "--ingress", "a.pcap", "-o", "x.pcapng"]),
    /extract needs --ingress IN and --egress OUT/,
  );
  await assert.rejects(
    () =>
      vectorsMain([
        "extract",
        "--ingress",
        "a.pcap",
        "--egress",
        "b.pcap",
        "-o",
        "x.pcapng",
      ]),
    /extract needs --kernel-release/,
  );
  await assert.rejects(
    () =>
      vectorsMain([
        "extract",
        "--ingress",
        "a.pcap",
        "--egress",
        "b.pcap",
        "--kernel-release",
        "6.18",
        "-o",
        "x.pcap",
      ]),
    /-o x\.pcap: a golden vector is a \.pcapng file/,
  );
  await assert.rejects(
    () =>
      vectorsMain([
        "extract",
        "--ingress",
        "/nonexistent/a.pcap",
        "--egress",
        "/nonexistent/b.pcap",
        "--kernel-release",
        "6.18",
        "-o",
        "/tmp/x.pcapng",
      ]),
    (e: unknown) =>
      e instanceof PairingError &&
      e.message === "/nonexistent/a.pcap: no such file",
  );
});

const HAVE_CAPTURES = available(
  exists(`${CAPTURES}udp4-gso1200.in.pcap`),
  `vectors extract on the kernel captures: none in ${CAPTURES}`,
);

Deno.test(
  "vectors extract writes a golden vector that records how it was made",
  {
    ignore: !HAVE_CAPTURES,
  },
  async () => {
    const dir = Deno.makeTempDirSync();
    try {
      const r = await quietly([
        "extract",
        "--ingress",
        `${CAPTURES}udp4-gso1200.in.pcap`,
        "--egress",
        `${CAPTURES}udp4-gso1200.out.pcap`,
        "--kernel-release",
        "6.18",
        "-o",
        `${dir}/udp4.pcapng`,
      ]);
      assert.equal(r.code, 0);
      assert.match(
        r.out[0]!,
        /udp4\.pcapng: 5 super-packets, 41 segments, 0 pass-through \(sender 10\.77\.0\.1, gso_size 1200\)/,
      );
      const v = readGoldenVector(`${dir}/udp4.pcapng`);
      assert.equal(v.provenance.scenario, "udp4-gso1200");
      assert.equal(v.provenance.kernelRelease, "6.18");
      assert.match(
        v.provenance.extra["extracted_with"]!,
        /^tsolab vectors extract --ingress /,
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
);

Deno.test("vectors manifest --check exits 0 on the committed golden set", async () => {
  const r = await quietly(["manifest", "--check", GOLDEN]);
  assert.equal(r.code, 0, r.out.join("\n"));
});
