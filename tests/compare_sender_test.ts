// check and verify --captures compare the sender's frames: a sender written
// in any IPv4/IPv6 form names the same host, a pair with no frame from the
// sender is an error or a skip, never a vacuous match, nor is one whose
// gso_size cannot be inferred, and a divergence under an inferred gso_size
// says so.
import assert from "node:assert/strict";
import { captureLog } from "./_console.ts";
import { checkMain } from "../tb/check_command.ts";
import { GsoSizeNotInferredError } from "../tb/gso_size_not_inferred_error.ts";
import { NothingToCompareError } from "../tb/nothing_to_compare_error.ts";
import { defaultCapturesDir, verifyMain } from "../tb/verify_command.ts";
import { UsageError } from "../tb/cli_args.ts";
import { kernelCaptureEgressDevice } from "../sw/net_device.ts";
import { swTransmit } from "../tb/sw_engine.ts";
import { createCaptureWriter } from "../vectors/capture_writer.ts";
import { skbFor } from "./_build.ts";

const DIR = defaultCapturesDir();
const have = (() => {
  try {
    Deno.statSync(`${DIR}/tcp6.in.pcap`);
    return true;
  } catch {
    return false;
  }
})();

const quietly = captureLog;

function check(sender: string) {
  return quietly(() =>
    checkMain([
      "--ingress",
      `${DIR}/tcp6.in.pcap`,
      "--egress",
      `${DIR}/tcp6.out.pcap`,
      "--sender",
      sender,
    ])
  );
}

Deno.test({
  name: "check takes the sender in any IPv6 form and prints it compressed",
  ignore: !have,
  async fn() {
    for (const form of ["fd77::1", "FD77::1", "fd77:0:0:0:0:0:0:1"]) {
      const { value, log } = await check(form);
      assert.equal(value, 0, log.join("\n"));
      assert.match(log[0]!, /^check: sender fd77::1 gso_size=1428 /, form);
      assert.match(log[0]!, / frames=\d{3} /, form);
    }
  },
});

Deno.test({
  name:
    "check refuses a sender with no frame in the capture, naming the sources it holds",
  ignore: !have,
  async fn() {
    await assert.rejects(
      () => check("10.77.0.9"),
      (e: unknown) =>
        e instanceof NothingToCompareError &&
        e.message.includes("no frame from sender 10.77.0.9") &&
        e.message.includes("fd77::1"),
    );
    await assert.rejects(() => check("fd77::1::2"), UsageError);
  },
});

Deno.test("verify --captures skips a pair with no TCP/UDP frame and refuses a directory of them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // An ARP request: no IP, so no sender and nothing to compare.
    const arp = new Uint8Array(42);
    arp.fill(0xff, 0, 6);
    arp.set([0x08, 0x06], 12);
    for (const side of ["in", "out"]) {
      const w = createCaptureWriter(`${dir}/arp.${side}.pcap`, {
        linkType: 1,
      });
      w.write({ data: arp, timestampNs: 0n });
      w.close();
    }
    const r = await quietly(() => verifyMain(["--captures", dir]))
      .catch((e) => e);
    assert.ok(r instanceof UsageError, String(r));
    assert.match(r.message, /no pair holds frames from a sender to compare/);
    if (have) {
      for (const side of ["in", "out"]) {
        await Deno.copyFile(
          `${DIR}/tcp4.${side}.pcap`,
          `${dir}/tcp4.${side}.pcap`,
        );
      }
      const { value, log } = await quietly(() =>
        verifyMain(["--captures", dir, "--engine", "sw"])
      );
      assert.equal(value, 0, log.join("\n"));
      assert.ok(
        log.some((l) => /^arp +sw {2}n\/a: .*no TCP or UDP frame/.test(l)),
        log.join("\n"),
      );
      assert.equal(log.at(-1), "verify: 1 passed, 0 failed, 1 skipped");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a divergence under an inferred gso_size says a sender with several gso sizes needs --gso-size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // One sender, UDP super-packets at gso_size 500 and 1000: the kernel's
    // segments of each, as the egress capture holds them.
    const dev = kernelCaptureEgressDevice();
    const ingress: Uint8Array[] = [];
    const egress: Uint8Array[] = [];
    for (const gsoSize of [500, 1000]) {
      const { skb, b } = skbFor({ udp: true, payloadLen: 2500, gsoSize });
      ingress.push(b.frame.slice());
      for (const f of swTransmit(skb, dev).frames) egress.push(f.slice());
    }
    for (const [side, frames] of [["in", ingress], ["out", egress]] as const) {
      const w = createCaptureWriter(`${dir}/mixed.${side}.pcap`, {
        linkType: 1,
      });
      frames.forEach((data, i) =>
        w.write({ data, timestampNs: BigInt(i) * 1000n })
      );
      w.close();
    }
    const args = [
      "--ingress",
      `${dir}/mixed.in.pcap`,
      "--egress",
      `${dir}/mixed.out.pcap`,
    ];
    const inferred = await quietly(() => checkMain(args));
    assert.equal(inferred.value, 1);
    assert.match(inferred.log[0]!, /gso_size=1000 /);
    assert.ok(
      inferred.log.some((l) => /^note: gso_size 1000 was inferred/.test(l)),
      inferred.log.join("\n"),
    );
    // Given, the same mismatch carries no note.
    const given = await quietly(() =>
      checkMain([...args, "--gso-size", "1000"])
    );
    assert.equal(given.value, 1);
    assert.ok(!given.log.some((l) => l.startsWith("note:")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check refuses to infer gso_size from an egress capture with no TCP/UDP payload of the sender, and says to pass --gso-size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The sender's UDP super-packet on ingress; on egress only an ARP
    // request: no frame of the sender to take gso_size from.
    const { b } = skbFor({ udp: true, payloadLen: 2500, gsoSize: 1000 });
    const arp = new Uint8Array(42);
    arp.fill(0xff, 0, 6);
    arp.set([0x08, 0x06], 12);
    for (
      const [side, data] of [["in", b.frame.slice()], ["out", arp]] as const
    ) {
      const w = createCaptureWriter(`${dir}/p.${side}.pcap`, { linkType: 1 });
      w.write({ data, timestampNs: 0n });
      w.close();
    }
    const args = [
      "--ingress",
      `${dir}/p.in.pcap`,
      "--egress",
      `${dir}/p.out.pcap`,
    ];
    const r = await quietly(() => checkMain(args)).catch((e) => e);
    assert.ok(r instanceof GsoSizeNotInferredError, String(r));
    assert.ok(r instanceof UsageError, "exit 2");
    assert.match(
      r.message,
      /p\.out\.pcap: gso_size could not be inferred: no TCP or UDP payload from sender \S+ in the egress capture; pass --gso-size$/,
    );
    // Given, the comparison runs and reports the missing segments.
    const given = await quietly(() =>
      checkMain([...args, "--gso-size", "1000"])
    );
    assert.equal(given.value, 1);
    assert.match(given.log[0]!, /gso_size=1000 super_packets=1 /);
    // verify --captures skips such a pair with the reason, as it skips a
    // pair with nothing from a sender.
    const v = await quietly(() =>
      verifyMain(["--captures", dir, "--engine", "sw"])
    ).catch((e) => e);
    assert.ok(v instanceof UsageError, String(v));
    assert.match(v.message, /no pair holds frames from a sender to compare/);
    if (have) {
      for (const side of ["in", "out"]) {
        await Deno.copyFile(
          `${DIR}/tcp4.${side}.pcap`,
          `${dir}/tcp4.${side}.pcap`,
        );
      }
      const { value, log } = await quietly(() =>
        verifyMain(["--captures", dir, "--engine", "sw"])
      );
      assert.equal(value, 0, log.join("\n"));
      assert.ok(
        log.some((l) =>
          /^p +sw {2}n\/a: .*gso_size could not be inferred/.test(l)
        ),
        log.join("\n"),
      );
      assert.equal(log.at(-1), "verify: 1 passed, 0 failed, 1 skipped");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
