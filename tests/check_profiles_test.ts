// The check profiles accept exactly the hardware differences they document,
// count every tolerance a frame needed, and report what is left after them
// from one frame, never a mix of the device's and the corrected bytes.
import assert from "node:assert/strict";
import { getU16, setU16 } from "../sw/bytes.ts";
import { checksum, checksumReplace16 } from "../sw/checksum.ts";
import { kernelCaptureEgressDevice } from "../sw/net_device.ts";
import { formatDivergence, Scoreboard } from "../tb/scoreboard.ts";
import { swTransmit } from "../tb/sw_engine.ts";
import { tolerancesFor } from "../tb/tolerances.ts";
import { buildFrame, skbFor } from "./_build.ts";

const ETH = 14;

function segments(flags?: number) {
  const { skb, b } = skbFor({
    payloadLen: 5000,
    gsoSize: 1000,
    ...(flags !== undefined ? { flags } : {}),
  });
  const out = [...swTransmit(skb, kernelCaptureEgressDevice()).frames].map((
    f,
  ) => f.slice());
  return { b, out };
}

function withId(f: Uint8Array, id: number): Uint8Array {
  const c = f.slice();
  setU16(c, ETH + 4, id);
  setU16(c, ETH + 10, 0);
  setU16(c, ETH + 10, checksum(c, ETH, ETH + 20));
  return c;
}

function run(profile: string, expected: Uint8Array[], actual: Uint8Array[]) {
  const sb = new Scoreboard({ tolerances: tolerancesFor(profile) });
  expected.forEach((e, i) =>
    sb.compare(
      { input: "t", frame: 1, segment: i },
      e,
      actual[i],
      i === expected.length - 1,
    )
  );
  return sb;
}

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

function withFcs(f: Uint8Array): Uint8Array {
  const out = new Uint8Array(f.length + 4);
  out.set(f);
  new DataView(out.buffer).setUint32(f.length, crc32(f), true);
  return out;
}

Deno.test("fixed-id accepts the first segment's IPv4 ID on every segment and nothing else", () => {
  const { out } = segments();
  const base = getU16(out[0]!, ETH + 4);
  const fixed = out.map((f) => withId(f, base));
  const ok = run("fixed-id", out, fixed);
  assert.deepEqual(ok.divergences, []);
  assert.deepEqual(Object.fromEntries(ok.tolerated), {
    "fixed-ip-id": out.length - 1,
  });
  // IDs that change, but not as Linux's do, are a divergence in ip.id.
  const byTwo = out.map((f, i) => withId(f, (base + 2 * i) & 0xffff));
  const bad = run("fixed-id", out, byTwo);
  assert.equal(bad.divergences[0]?.field, "ip.id");
  assert.equal(bad.divergences[0]?.segment, 1);
  // A frame that was never segmented keeps its own ID.
  const single = [out[0]!];
  const other = run("fixed-id", single, [withId(out[0]!, base ^ 0x1234)]);
  assert.equal(other.divergences[0]?.field, "ip.id");
});

Deno.test("wire accepts a short frame padded to 60 bytes with its FCS after the padding, counting both", () => {
  const { frame } = buildFrame({ payloadLen: 4 });
  assert.ok(frame.length < 60);
  const padded = new Uint8Array(60);
  padded.set(frame);
  const sb = run("wire", [frame], [withFcs(padded)]);
  assert.deepEqual(sb.divergences, []);
  assert.deepEqual(Object.fromEntries(sb.tolerated), { fcs: 1, padding: 1 });
  // A bad CRC is not an FCS: named as the trailer it is, not as a length.
  const wrong = withFcs(padded);
  wrong[63] = wrong[63]! ^ 0xff;
  const bad = run("wire", [frame], [wrong]).divergences;
  assert.equal(bad.length, 1);
  assert.equal(bad[0]!.field, "eth.fcs");
  const full = buildFrame({ payloadLen: 1000 }).frame;
  const badFull = withFcs(full);
  badFull[badFull.length - 1] = badFull[badFull.length - 1]! ^ 0xff;
  const d = run("wire", [full], [badFull]).divergences[0]!;
  assert.equal(d.field, "eth.fcs");
  assert.equal(d.expected, "none");
  assert.match(d.actual, /^0x[0-9a-f]{8} \(4 bytes after the frame\)$/);
});

Deno.test("intel-tso counts the FCS on every frame even where CWR had to be undone too", () => {
  const { out } = segments(0x90 | 0x08);
  const dut = out.map((f, i) => {
    if (i === 0 || i === out.length - 1) return withFcs(f);
    const c = f.slice();
    const at = ETH + 20 + 12;
    const old = getU16(c, at);
    c[at + 1] = c[at + 1]! | 0x80;
    setU16(
      c,
      ETH + 20 + 16,
      checksumReplace16(getU16(c, ETH + 36), old, getU16(c, at)),
    );
    return withFcs(c);
  });
  const sb = run("intel-tso", out, dut);
  assert.deepEqual(sb.divergences, []);
  assert.deepEqual(Object.fromEntries(sb.tolerated), {
    fcs: out.length,
    "cwr-on-middle-segments": out.length - 2,
  });
});

Deno.test("a checksum left stale under a tolerated difference is reported from the frame with the tolerance undone", () => {
  const { out } = segments(0x90 | 0x08);
  const dut = out.map((f) => f.slice());
  // CWR kept on segment 1 without fixing the TCP checksum.
  dut[1]![ETH + 20 + 13] = dut[1]![ETH + 20 + 13]! | 0x80;
  const sb = run("intel-tso", out, dut);
  const d = sb.divergences[0]!;
  assert.equal(d.segment, 1);
  assert.equal(d.field, "tcp.checksum");
  assert.notEqual(d.expected, d.actual);
  assert.equal(d.offset, ETH + 20 + 16);
  assert.deepEqual(d.afterTolerances, ["cwr-on-middle-segments"]);
  assert.match(
    formatDivergence(d),
    /compared after undoing the tolerated cwr-on-middle-segments/,
  );
});
