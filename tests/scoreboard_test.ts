import assert from "node:assert/strict";
import { getU16, setU16 } from "../sw/bytes.ts";
import { checksumReplace16 } from "../sw/checksum.ts";
import { kernelCaptureEgressDevice } from "../sw/net_device.ts";
import { parsePacket } from "../sw/packet_layout.ts";
import { checksumReports } from "../tb/checksum_report.ts";
import { checkMain } from "../tb/check_command.ts";
import { formatDivergence, Scoreboard } from "../tb/scoreboard.ts";
import { swTransmit } from "../tb/sw_engine.ts";
import { createCaptureWriter } from "../vectors/capture_writer.ts";
import { skbFor } from "./_build.ts";

function cwrSegments() {
  const { skb, b } = skbFor({
    payloadLen: 5000,
    gsoSize: 1000,
    flags: 0x90 | 0x08,
  });
  const out = [...swTransmit(skb, kernelCaptureEgressDevice()).frames].map((
    f,
  ) => f.slice());
  return { b, out };
}

Deno.test("Scoreboard names the field, both values and the checksum that went bad", () => {
  const { b, out } = cwrSegments();
  const bad = out[2]!.slice();
  bad[b.l4Off + 7] ^= 0x01; // low byte of tcp.seq
  const sb = new Scoreboard();
  assert.equal(
    sb.compare({ input: "x", frame: 1, segment: 1 }, out[1], out[1]),
    null,
  );
  const d = sb.compare(
    { input: "x", frame: 1, segment: 2, cycle: 1234 },
    out[2],
    bad,
  )!;
  assert.equal(d.field, "tcp.seq");
  assert.equal(d.offset, b.l4Off + 7);
  const text = formatDivergence(d);
  assert.match(
    text,
    /^frame 1 segment 2: tcp\.seq expected 0x[0-9a-f]{8} got 0x[0-9a-f]{8}/,
  );
  assert.match(text, /DUT cycle 1234/);
  assert.match(
    text,
    /tcp\.checksum 0x[0-9a-f]{4} good; got tcp\.checksum 0x[0-9a-f]{4} bad/,
  );
  assert.ok(sb.stopped);
});

Deno.test("Scoreboard reports missing and extra segments", () => {
  const { out } = cwrSegments();
  const sb = new Scoreboard({ keepGoing: true });
  sb.compare({ input: "x", frame: 1, segment: 4 }, out[4], undefined);
  sb.compare({ input: "x", frame: 1, segment: 5 }, undefined, out[4]);
  assert.equal(sb.divergences.length, 2);
  assert.match(sb.divergences[0]!.actual, /missing/);
  assert.match(sb.divergences[1]!.actual, /extra/);
});

Deno.test("Scoreboard names four trailing bytes eth.fcs, but not eight", () => {
  const { out } = cwrSegments();
  const seg = out[1]!; // ≥ 60 bytes, so no padding is involved
  const plus = (n: number) => {
    const b = new Uint8Array(seg.length + n);
    b.set(seg);
    b.fill(0xab, seg.length);
    return b;
  };
  const sb = new Scoreboard({ keepGoing: true });
  const ctx = { input: "x", frame: 1, segment: 1 };
  // Exactly 4 bytes more: the Ethernet FCS a capture kept.
  const fcs = sb.compare(ctx, seg, plus(4))!;
  assert.equal(fcs.field, "eth.fcs");
  assert.equal(fcs.offset, seg.length);
  // 8 bytes more are not an FCS (which is 4 bytes long).
  const eight = sb.compare(ctx, seg, plus(8))!;
  assert.notEqual(eight.field, "eth.fcs");
  assert.equal(eight.offset, seg.length);
});

Deno.test("Scoreboard without keepGoing records only the first divergence", () => {
  const { b, out } = cwrSegments();
  const bad = (i: number) => {
    const f = out[i]!.slice();
    f[b.l4Off + 7] ^= 0x01;
    return f;
  };
  const sb = new Scoreboard();
  const first = sb.compare(
    { input: "x", frame: 1, segment: 1 },
    out[1],
    bad(1),
  );
  assert.ok(first !== null);
  assert.ok(sb.stopped);
  // A later divergence is still returned, but not recorded.
  const second = sb.compare(
    { input: "x", frame: 1, segment: 2 },
    out[2],
    bad(2),
  );
  assert.ok(second !== null);
  assert.equal(sb.divergences.length, 1);
  assert.equal(sb.divergences[0]!.segment, 1);
  // With keepGoing both are kept.
  const all = new Scoreboard({ keepGoing: true });
  all.compare({ input: "x", frame: 1, segment: 1 }, out[1], bad(1));
  all.compare({ input: "x", frame: 1, segment: 2 }, out[2], bad(2));
  assert.equal(all.divergences.length, 2);
  assert.equal(all.stopped, false);
});

Deno.test("checksumReports() says a field holds the pseudo-header seed", () => {
  const { b } = skbFor({ payloadLen: 100 });
  const r = checksumReports(b.frame, parsePacket(b.frame, 1));
  const tcp = r.find((x) => x.field === "tcp.checksum")!;
  assert.equal(tcp.status, "seed");
});

function writePcap(path: string, frames: Uint8Array[]) {
  const w = createCaptureWriter(path, { linkType: 1 });
  frames.forEach((data, i) =>
    w.write({ data, timestampNs: BigInt(i) * 1000n })
  );
  w.close();
}

Deno.test("check accepts CWR on middle segments only under the intel-tso profile", async () => {
  const { b, out } = cwrSegments();
  // A device with ixgbe's default masks keeps CWR on middle segments.
  const dut = out.map((f, i) => {
    if (i === 0 || i === out.length - 1) return f;
    const c = f.slice();
    const old = getU16(c, b.l4Off + 12);
    c[b.l4Off + 13]! |= 0x80;
    setU16(
      c,
      b.l4Off + 16,
      checksumReplace16(getU16(c, b.l4Off + 16), old, getU16(c, b.l4Off + 12)),
    );
    return c;
  });
  const host = await Deno.makeTempFile({ suffix: ".pcap" });
  const wire = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    writePcap(host, [b.frame]);
    writePcap(wire, dut);
    const log: string[] = [];
    const orig = console.log;
    console.log = (...a: unknown[]) => log.push(a.join(" "));
    let strict: number, intel: number;
    try {
      strict = await checkMain([
        "--ingress",
        host,
        "--egress",
        wire,
        "--gso-size",
        "1000",
      ]);
      intel = await checkMain([
        "--ingress",
        host,
        "--egress",
        wire,
        "--gso-size",
        "1000",
        "--profile",
        "intel-tso",
      ]);
    } finally {
      console.log = orig;
    }
    assert.equal(strict, 1);
    assert.ok(
      log.some((l) => /frame 1 segment 1: tcp\.flags\.cwr/.test(l)),
      log.join("\n"),
    );
    assert.equal(intel, 0, log.join("\n"));
    assert.ok(
      log.some((l) => /tolerated: cwr-on-middle-segments on 3 frames/.test(l)),
      log.join("\n"),
    );
  } finally {
    await Deno.remove(host);
    await Deno.remove(wire);
  }
});
