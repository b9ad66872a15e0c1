// Real kernel captures with tx-checksumming on at the egress port: the
// kernel leaves every checksum as the seed, on segments and on frames it
// did not segment (skb_csum_hwoffload_help), and `segment -K tx on` must
// send the same bytes.
import assert from "node:assert/strict";
import { parsePacket } from "../sw/packet_layout.ts";
import { CaptureReader } from "../vectors/capture_reader.ts";
import { sourceAddress } from "../tb/capture_compare.ts";
import { tsolab } from "./_cli.ts";

const DIR = new URL("./kernel_txon", import.meta.url).pathname;

function frames(path: string): Uint8Array[] {
  const r = CaptureReader.openFile(path);
  try {
    return [...r.frames()].map((f) => f.data);
  } finally {
    r.close();
  }
}

function from(fs: Uint8Array[], sender: string): Uint8Array[] {
  return fs.filter((f) => {
    try {
      return sourceAddress(f, parsePacket(f, 1)) === sender;
    } catch {
      return false;
    }
  });
}

for (
  const [name, gso, sender, seeds] of [
    ["tcp4-p2txon", 1448, "10.77.0.1", 6],
    ["udp6-gso1200-p2txon", 1200, "fd77::1", 1],
  ] as const
) {
  Deno.test(`segment -K tx on reproduces the kernel's ${name} output, seeds left in unsegmented frames`, async () => {
    const out = await Deno.makeTempFile({ suffix: ".pcap" });
    try {
      const r = await tsolab([
        "segment",
        "--gso-size",
        String(gso),
        "-K",
        "tx",
        "on",
        `${DIR}/${name}.in.pcap`,
        "-o",
        out,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const want = from(frames(`${DIR}/${name}.out.pcap`), sender);
      const got = from(frames(out), sender);
      assert.ok(want.length > 0, "the capture has frames from the sender");
      assert.equal(got.length, want.length);
      for (let i = 0; i < want.length; i++) {
        assert.deepEqual(got[i], want[i], `${name} sender frame ${i}`);
      }
      // The case that failed before: unsegmented frames holding the seed.
      const ins = from(frames(`${DIR}/${name}.in.pcap`), sender);
      const unchanged = ins.filter((f) =>
        want.some((w) => w.length === f.length && w.every((b, k) => b === f[k]))
      );
      assert.ok(unchanged.length >= seeds, `${unchanged.length} passed as is`);
    } finally {
      await Deno.remove(out);
    }
  });
}
