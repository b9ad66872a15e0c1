// Proof that the bench catches bugs: deliberate model bugs switched on
// through the test-only fault hook (not by editing code), each caught by
// the lockstep scoreboard, which must name the expected field. The README's
// table is this one.
import assert from "node:assert/strict";
import type { FaultConfig } from "../hw/faults.ts";
import { getU16 } from "../sw/bytes.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { layoutFrags } from "../sw/skbuff.ts";
import type { SkBuff } from "../sw/types.ts";
import { SKB_GSO } from "../sw/types.ts";
import { Lockstep } from "../tb/lockstep.ts";
import { formatDivergence } from "../tb/scoreboard.ts";
import { skbFor } from "./_build.ts";

function tcp4(
  extra: Parameters<typeof skbFor>[0] = { payloadLen: 4001 },
  type = 0,
): SkBuff {
  return skbFor({ gsoSize: 1448, tcpOptionsLen: 12, ...extra }, type).skb;
}

// A UDP super-packet whose last datagram's checksum computes to zero.
function udpZeroChecksum(): SkBuff {
  for (let k = 0; k < 65536; k++) {
    const { skb, b } = skbFor({ udp: true, payloadLen: 2501, gsoSize: 1000 });
    const f = skb.frags[0]!.page;
    f[f.length - 2] = k >>> 8;
    f[f.length - 1] = k & 0xff;
    const last = [...segment(skb, NETIF_F.SG | NETIF_F.GSO)].at(-1)!;
    if (getU16(last.data, b.l4Off + 6) === 0xffff) return skb;
  }
  throw new Error("no payload made a zero UDP checksum");
}

// Headers split across the linear area and two frags (two descriptors).
function headerSplit(): SkBuff {
  const { skb, b } = skbFor({
    payloadLen: 4001,
    gsoSize: 1448,
    tcpOptionsLen: 12,
  });
  const page = skb.frags[0]!.page;
  const { linear, frags } = layoutFrags(page, 20, [30]);
  void b;
  return { ...skb, linear, frags };
}

interface Bug {
  fault: keyof FaultConfig;
  bug: string;
  preset?: string;
  skb: () => SkBuff;
  field: string;
}

export const BUGS: Bug[] = [
  {
    fault: "mssOffByOne",
    bug: "MSS off by one",
    skb: () => tcp4(),
    field: "ip.len",
  },
  {
    fault: "pshOnEverySegment",
    bug: "PSH on every segment",
    skb: () => tcp4({ payloadLen: 4001, flags: 0x18 }),
    field: "tcp.flags.push",
  },
  {
    fault: "cwrNotCleared",
    bug: "CWR not cleared",
    skb: () => tcp4({ payloadLen: 4001, flags: 0x90 }, SKB_GSO.TCP_ECN),
    field: "tcp.flags.cwr",
  },
  {
    fault: "ipIdNotIncremented",
    bug: "IP ID not incremented",
    skb: () => tcp4(),
    field: "ip.id",
  },
  {
    fault: "staleIpv4Checksum",
    bug: "IPv4 header checksum left stale",
    skb: () => tcp4(),
    field: "ip.checksum",
  },
  {
    fault: "udpZeroNotFfff",
    bug: "UDP checksum 0 not sent as 0xFFFF",
    skb: udpZeroChecksum,
    field: "udp.checksum",
  },
  {
    fault: "seqWrapWrong",
    bug: "sequence wrap at 2^32 wrong",
    skb: () => tcp4({ payloadLen: 4001, seq: 0xfffffc00 }),
    field: "tcp.seq",
  },
  {
    fault: "totLenOffByL2",
    bug: "tot_len off by the L2 length",
    skb: () => tcp4(),
    field: "ip.len",
  },
  {
    fault: "shortLastSegmentDropped",
    bug: "short last segment dropped",
    skb: () => tcp4(),
    field: "frame",
  },
  {
    fault: "oddByteWrongLane",
    bug: "odd byte at a beat boundary summed in the wrong lane",
    skb: () => tcp4({ payloadLen: 4001 }),
    field: "tcp.checksum",
  },
  {
    fault: "headerSplitMishandled",
    bug: "header split across descriptors mishandled",
    skb: headerSplit,
    field: "ip.flags",
  },
  {
    fault: "ipv6PayloadLenExtHdr",
    bug: "IPv6 payload_len wrong with extension headers",
    preset: "82599-10g",
    skb: () =>
      skbFor({
        ipv6: true,
        payloadLen: 4001,
        gsoSize: 1428,
        extHeaders: [{ type: 0, len: 8 }, { type: 60, len: 16 }],
      }).skb,
    field: "ipv6.plen",
  },
];

for (const b of BUGS) {
  Deno.test(`the scoreboard catches "${b.bug}" (fault ${b.fault})`, () => {
    // Without the fault the same packet passes: the stimulus is fair.
    const clean = new Lockstep({
      preset: b.preset ?? "e810-100g",
      driver: "hw-tso",
    });
    const ok = clean.run(b.skb(), { input: b.fault, frame: 1 });
    assert.equal(
      ok.divergence,
      null,
      ok.divergence ? formatDivergence(ok.divergence) : "",
    );
    assert.equal(ok.fallback, null, "the model must segment it, not the host");
    const ls = new Lockstep({
      preset: b.preset ?? "e810-100g",
      driver: "hw-tso",
      faults: { [b.fault]: true },
    });
    const r = ls.run(b.skb(), { input: b.fault, frame: 1 });
    assert.ok(r.divergence !== null, `${b.fault} went unnoticed`);
    console.log(
      `${b.bug}: ${r.divergence.field} (segment ${r.divergence.segment})`,
    );
    assert.equal(r.divergence.field, b.field, formatDivergence(r.divergence));
  });
}

const HW_FAULTS: [keyof FaultConfig, string][] = [
  ["pcieCompletionTimeout", "PCIe completion timeout"],
  ["poisonedCompletion", "poisoned completion"],
  ["ringOverrun", "descriptor ring overrun by the driver"],
  ["malformedDescriptor", "malformed descriptor"],
];

for (const [fault, what] of HW_FAULTS) {
  Deno.test(`a ${what} drops the packet with an error event, the run goes on, and lockstep reports the missing segments`, () => {
    // Fire on the second packet only.
    const ls = new Lockstep({
      driver: "hw-tso",
      keepGoing: true,
      faults: { [fault]: [1] },
    });
    const first = ls.run(tcp4(), { input: fault, frame: 1 });
    assert.equal(first.divergence, null);
    const hit = ls.run(tcp4(), { input: fault, frame: 2 });
    assert.ok(hit.errors.length > 0, `${fault}: no error event`);
    assert.ok(
      hit.divergence !== null,
      `${fault}: the scoreboard passed a dropped packet`,
    );
    assert.equal(hit.divergence.field, "frame");
    assert.match(hit.divergence.actual, /missing/);
    assert.equal(hit.frames.length, 0, "nothing of a dropped packet is sent");
    const after = ls.run(tcp4(), { input: fault, frame: 3 });
    assert.equal(after.divergence, null, "the next packet goes through");
    assert.equal(after.errors.length, 0);
    const rep = ls.nic.report();
    assert.equal(rep.droppedPackets, 1);
    assert.equal(Object.values(rep.errors).reduce((a, b) => a + b, 0), 1);
  });
}
