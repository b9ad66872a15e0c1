// The fault hook: deliberate datapath bugs change the bytes the scoreboard
// sees; invalid work that reaches the NIC raises an error event naming the
// rule, drops the packet and never corrupts what is sent.
import assert from "node:assert/strict";
import { firstDifference, getU16 } from "../sw/bytes.ts";
import { segment } from "../sw/segment.ts";
import { layoutFrags } from "../sw/skbuff.ts";
import type { SkBuff } from "../sw/types.ts";
import { createNic, type HwEvent } from "../hw/nic.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { skbFor } from "./_build.ts";

const reference = (skb: SkBuff) =>
  [...segment(skb, 0n)].map((s) => s.data.slice());

function run(set: string[], skb: SkBuff, preset = "e810-100g"): HwEvent[] {
  const nic = createNic(resolveConfig(preset, { set }), { driver: "hw-tso" });
  return [...nic.transmit(skb)];
}

function data(ev: HwEvent[]): Uint8Array[] {
  return ev.flatMap((e) => e.kind === "frame" ? [e.data] : []);
}

const SKB = () =>
  skbFor({ payloadLen: 5000, gsoSize: 1448, flags: 0x18, tcpOptionsLen: 12 })
    .skb;
const IP = 14;
const TCP = 34;

Deno.test("fault mssOffByOne cuts segments one byte too long", () => {
  const got = data(run(["faults.mssOffByOne=true"], SKB()));
  assert.equal(got[0]!.length, 66 + 1449);
  assert.notEqual(firstDifference(reference(SKB())[0]!, got[0]!), -1);
});

Deno.test("fault pshOnEverySegment keeps PSH on the first and middle segments", () => {
  const got = data(run(["faults.pshOnEverySegment=true"], SKB()));
  assert.deepEqual(got.map((f) => f[TCP + 13]! & 0x08), [8, 8, 8, 8]);
  const ok = data(run([], SKB()));
  assert.deepEqual(ok.map((f) => f[TCP + 13]! & 0x08), [0, 0, 0, 8]);
});

Deno.test("fault ipIdNotIncremented repeats the first segment's IPv4 ID", () => {
  const got = data(run(["faults.ipIdNotIncremented=true"], SKB()));
  assert.deepEqual(got.map((f) => getU16(f, IP + 4)), [
    0x1234,
    0x1234,
    0x1234,
    0x1234,
  ]);
  const ok = data(run([], SKB()));
  assert.deepEqual(ok.map((f) => getU16(f, IP + 4)), [
    0x1234,
    0x1235,
    0x1236,
    0x1237,
  ]);
});

Deno.test("the other datapath faults each change the bytes of the affected segments", () => {
  const faults = [
    "cwrNotCleared",
    "staleIpv4Checksum",
    "seqWrapWrong",
    "totLenOffByL2",
    "shortLastSegmentDropped",
    "oddByteWrongLane",
    "headerSplitMishandled",
  ];
  const skbs: Record<string, SkBuff> = {
    cwrNotCleared:
      skbFor({ payloadLen: 5000, gsoSize: 1448, flags: 0x98 }, 4).skb,
    seqWrapWrong:
      skbFor({ payloadLen: 5000, gsoSize: 1448, seq: 0xfffffe00 }).skb,
    oddByteWrongLane: skbFor({ payloadLen: 5001, gsoSize: 1448 }).skb,
  };
  for (const f of faults) {
    let skb = skbs[f] ?? SKB();
    if (f === "headerSplitMishandled") {
      const flat = reference(skb).length > 0 ? skb : skb;
      const all = new Uint8Array(flat.linear.length + flat.frags[0]!.size);
      all.set(flat.linear);
      all.set(
        flat.frags[0]!.page.subarray(flat.frags[0]!.offset),
        flat.linear.length,
      );
      skb = { ...flat, ...layoutFrags(all, 40, []) };
    }
    const exp = reference(skb);
    const got = data(run([`faults.${f}=true`], skb));
    const same = got.length === exp.length &&
      got.every((g, i) => firstDifference(g, exp[i]!) === -1);
    assert.equal(same, false, f);
    const clean = data(run([], skb));
    assert.ok(
      clean.every((g, i) => firstDifference(g, exp[i]!) === -1),
      `${f} off`,
    );
  }
});

Deno.test("fault ipv6PayloadLenExtHdr leaves extension headers out of IPv6 payload_len", () => {
  const skb = skbFor({
    ipv6: true,
    payloadLen: 3000,
    gsoSize: 1000,
    extHeaders: [{ type: 60, len: 16 }],
  }).skb;
  const ok = data(run([], skb, "82599-10g"));
  const bad = data(run(["faults.ipv6PayloadLenExtHdr=true"], skb, "82599-10g"));
  assert.equal(getU16(ok[0]!, IP + 4), 16 + 20 + 1000);
  assert.equal(getU16(bad[0]!, IP + 4), 20 + 1000);
  reference(skb).forEach((r, i) =>
    assert.equal(firstDifference(r, ok[i]!), -1)
  );
});

Deno.test("faults fire only for the listed packets", () => {
  const nic = createNic(
    resolveConfig("e810-100g", { set: ["faults.ipIdNotIncremented=1"] }),
    { driver: "hw-tso" },
  );
  const ids = [0, 1, 2].map(() =>
    data([...nic.transmit(SKB())]).map((f) => getU16(f, IP + 4))
  );
  assert.deepEqual(ids[0], [0x1234, 0x1235, 0x1236, 0x1237]);
  assert.deepEqual(ids[1], [0x1234, 0x1234, 0x1234, 0x1234]);
  assert.deepEqual(ids[2], ids[0]);
});

Deno.test("an MSS the driver failed to refuse reaches the NIC: error event ice.mss-range, packet dropped, nothing sent", () => {
  const skb = skbFor({ payloadLen: 1000, gsoSize: 63 }).skb;
  const nic = createNic(
    resolveConfig("e810-100g", { set: ["faults.driverSkipsLimits=true"] }),
    { driver: "hw-tso" },
  );
  const ev = [...nic.transmit(skb)];
  assert.equal(ev.length, 1);
  assert.equal(ev[0]!.kind, "error");
  if (ev[0]!.kind === "error") {
    assert.equal(ev[0]!.rule, "ice.mss-range");
    assert.match(
      ev[0]!.message,
      /Dropped packet 0: rule ice.mss-range: MSS 63 outside 64..9668/,
    );
  }
  // The next packet goes out intact.
  const next = SKB();
  const got = data([...nic.transmit(next)]);
  assert.ok(
    got.every((g, i) => firstDifference(g, reference(next)[i]!) === -1),
  );
  const r = nic.report();
  assert.deepEqual(r.errors, { "ice.mss-range": 1 });
  assert.equal(r.droppedPackets, 1);
});

Deno.test("a segment drawing on more than 8 buffers reaches the NIC when the driver skips linearization: ice.buffers-per-segment", () => {
  const base = skbFor({ payloadLen: 6000, gsoSize: 1448 }).skb;
  const all = new Uint8Array(base.linear.length + 6000);
  all.set(base.linear);
  all.set(
    base.frags[0]!.page.subarray(base.frags[0]!.offset),
    base.linear.length,
  );
  const skb = { ...base, ...layoutFrags(all, 54, Array(30).fill(200)) };
  const ev = [...run(["faults.driverSkipsLinearize=true"], skb)];
  assert.deepEqual(ev.map((e) => e.kind === "error" ? e.rule : e.kind), [
    "ice.buffers-per-segment",
  ]);
});

Deno.test("hardware faults: malformed descriptor, completion timeout, poisoned completion, ring overrun", () => {
  const exp = reference(SKB());
  const cases: [string, string][] = [
    ["malformedDescriptor", "desc.invalid-type"],
    ["pcieCompletionTimeout", "pcie.completion-timeout"],
    ["poisonedCompletion", "pcie.poisoned-completion"],
    ["ringOverrun", "ring.overrun"],
  ];
  for (const preset of ["e810-100g", "82599-10g"]) {
    for (const [fault, rule] of cases) {
      const ev = run([`faults.${fault}=true`], SKB(), preset);
      const errs = ev.filter((e) => e.kind === "error");
      assert.equal(errs.length, 1, `${preset} ${fault}`);
      assert.equal(errs[0]!.kind === "error" && errs[0]!.rule, rule);
      // Whatever went out before the fault is exactly the reference's prefix.
      const got = data(ev);
      assert.ok(got.length < exp.length, fault);
      got.forEach((g, i) =>
        assert.equal(firstDifference(g, exp[i]!), -1, fault)
      );
    }
  }
  const mq = createNic(
    resolveConfig("corundum-100g", {
      set: ["faults.malformedDescriptor=true"],
    }),
    { driver: "gso" },
  );
  const seg = { ...SKB(), gsoSize: 0, gsoType: 0 };
  seg.linear = seg.linear.slice();
  const ev = [...mq.transmitSegments([seg])];
  assert.equal(ev[0]!.kind === "error" && ev[0]!.rule, "desc.invalid-type");
});

Deno.test("stopping early in a packet still leaves the model consistent for the next one", () => {
  const nic = createNic(resolveConfig(), { driver: "hw-tso" });
  for (const e of nic.transmit(SKB())) {
    assert.equal(e.kind, "frame");
    break;
  }
  const next = SKB();
  const got = data([...nic.transmit(next)]);
  assert.ok(
    got.every((g, i) => firstDifference(g, reference(next)[i]!) === -1),
  );
  assert.equal(nic.report().frames, 8);
});
