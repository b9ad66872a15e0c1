// check as users feed it: cooked captures (tcpdump -i any) are compared from
// the network header, also against an Ethernet capture of the other side;
// a capture cut by the snap length, or broken, is one usage line naming it.
import assert from "node:assert/strict";
import { captureLog } from "./_console.ts";
import { UsageError } from "../tb/cli_args.ts";
import { CaptureTruncatedError } from "../tb/capture_truncated_error.ts";
import { checkMain } from "../tb/check_command.ts";
import { defaultCapturesDir } from "../tb/verify_command.ts";
import { CaptureReader } from "../vectors/capture_reader.ts";
import { createCaptureWriter } from "../vectors/capture_writer.ts";

const DIR = defaultCapturesDir();
const have = (() => {
  try {
    Deno.statSync(`${DIR}/tcp4.in.pcap`);
    return true;
  } catch {
    return false;
  }
})();

function read(path: string) {
  const r = CaptureReader.openFile(path);
  try {
    return [...r.frames()].map((f) => ({
      data: f.data.slice(),
      origLen: f.origLen,
      timestampNs: f.timestampNs,
    }));
  } finally {
    r.close();
  }
}

/** Ethernet → LINUX_SLL2, as `tcpdump -i any` writes it. */
function sll2(eth: Uint8Array, packetType: number): Uint8Array {
  const out = new Uint8Array(eth.length - 14 + 20);
  out.set(eth.subarray(12, 14), 0); // protocol
  out.set([0, 0, 0, 0, 0, 7, 0, 1, packetType, 6], 2); // ifindex 7, ARPHRD_ETHER
  out.set(eth.subarray(6, 12), 12); // source MAC
  out.set(eth.subarray(14), 20);
  return out;
}

function write(
  path: string,
  linkType: number,
  frames: { data: Uint8Array; origLen: number; timestampNs: bigint }[],
) {
  const w = createCaptureWriter(path, { linkType });
  for (const f of frames) w.write(f);
  w.close();
}

async function check(args: string[]): Promise<{ code: number; log: string[] }> {
  const { value, log } = await captureLog(() => checkMain(args));
  return { code: value, log };
}

Deno.test({
  name:
    "check compares cooked captures from the network header, also against Ethernet",
  ignore: !have,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const host = read(`${DIR}/tcp4.in.pcap`);
      const wire = read(`${DIR}/tcp4.out.pcap`);
      const cook = (fs: typeof host, t: number) =>
        fs.map((f) => {
          const data = sll2(f.data, t);
          return { ...f, data, origLen: data.length };
        });
      write(`${dir}/host.sll2.pcap`, 276, cook(host, 4)); // outgoing
      write(`${dir}/wire.sll2.pcap`, 276, cook(wire, 0)); // to us
      for (
        const [ingress, egress] of [
          ["host.sll2.pcap", "wire.sll2.pcap"],
          ["host.sll2.pcap", null],
        ]
      ) {
        const r = await check([
          "--ingress",
          `${dir}/${ingress}`,
          "--egress",
          egress === null ? `${DIR}/tcp4.out.pcap` : `${dir}/${egress}`,
        ]);
        assert.equal(r.code, 0, r.log.join("\n"));
        assert.match(r.log[0]!, /\(compared from the network header\)$/);
        assert.equal(r.log.at(-1), "check: match");
      }
      // Same link type, not cooked: byte for byte, as before.
      const plain = await check([
        "--ingress",
        `${DIR}/tcp4.in.pcap`,
        "--egress",
        `${DIR}/tcp4.out.pcap`,
      ]);
      assert.doesNotMatch(plain.log[0]!, /network header/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "check refuses a capture cut by the snap length, and names a broken one",
  ignore: !have,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const host = read(`${DIR}/tcp4.in.pcap`).map((f) => ({
        ...f,
        data: f.data.subarray(0, Math.min(f.data.length, 200)),
      }));
      const w = createCaptureWriter(`${dir}/snap.pcap`, {
        linkType: 1,
        snapLen: 200,
      });
      for (const f of host) w.write(f);
      w.close();
      await assert.rejects(
        () =>
          check([
            "--ingress",
            `${dir}/snap.pcap`,
            "--egress",
            `${DIR}/tcp4.out.pcap`,
          ]),
        (e: unknown) =>
          e instanceof CaptureTruncatedError &&
          /snap\.pcap: frame \d+ at offset \d+: captured 200 of \d+ bytes/.test(
            e.message,
          ),
      );
      const bytes = await Deno.readFile(`${DIR}/tcp4.in.pcap`);
      await Deno.writeFile(`${dir}/cut.pcap`, bytes.subarray(0, 2000));
      await assert.rejects(
        () =>
          check([
            "--ingress",
            `${dir}/cut.pcap`,
            "--egress",
            `${DIR}/tcp4.out.pcap`,
          ]),
        (e: unknown) =>
          e instanceof UsageError && e.message.startsWith(`${dir}/cut.pcap: `),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
