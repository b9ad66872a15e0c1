// The NIC model in hw-tso mode produces, byte for byte, the segments Linux's
// software GSO produces with software checksums (the kernel-capture setup),
// for every packet shape the presets can segment.
import assert from "node:assert/strict";
import { firstDifference, getU16, hexDump, setU16 } from "../sw/bytes.ts";
import { checksum, onesAdd, pseudoHeaderSum4 } from "../sw/checksum.ts";
import { segment } from "../sw/segment.ts";
import { layoutFrags } from "../sw/skbuff.ts";
import type { SkBuff } from "../sw/types.ts";
import { createNic, type HwEvent } from "../hw/nic.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { buildVxlan, skbFor } from "./_build.ts";
import type { BuildOptions } from "./_build.ts";

function expected(skb: SkBuff): Uint8Array[] {
  return [...segment(skb, 0n)].map((s) => s.data.slice());
}

function frames(events: Iterable<HwEvent>): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const e of events) {
    assert.equal(e.kind, "frame", JSON.stringify(e));
    if (e.kind === "frame") out.push(e.data);
  }
  return out;
}

function assertSame(name: string, exp: Uint8Array[], got: Uint8Array[]): void {
  assert.equal(got.length, exp.length, `${name}: segment count`);
  for (let i = 0; i < exp.length; i++) {
    const d = firstDifference(exp[i]!, got[i]!);
    assert.equal(
      d,
      -1,
      `${name}: segment ${i} differs at byte ${d}\nexpected\n${
        hexDump(exp[i]!, Math.max(0, d - 16), d + 16)
      }\nmodel\n${hexDump(got[i]!, Math.max(0, d - 16), d + 16)}`,
    );
  }
}

function check(name: string, skb: SkBuff, preset = "e810-100g"): void {
  const nic = createNic(resolveConfig(preset), { driver: "hw-tso" });
  assertSame(name, expected(skb), frames(nic.transmit(skb)));
  const r = nic.report();
  assert.deepEqual(r.errors, {}, name);
}

/** Re-lays an skb's bytes: `head` linear bytes, then frags of the given sizes. */
function relayout(skb: SkBuff, head: number, sizes: number[]): SkBuff {
  const flat = new Uint8Array(
    skb.linear.length + skb.frags.reduce((n, f) => n + f.size, 0),
  );
  flat.set(skb.linear, 0);
  let o = skb.linear.length;
  for (const f of skb.frags) {
    flat.set(f.page.subarray(f.offset, f.offset + f.size), o);
    o += f.size;
  }
  return { ...skb, ...layoutFrags(flat, head, sizes) };
}

const SHAPES: [string, BuildOptions][] = [
  ["TCP/IPv4 with timestamps", {
    payloadLen: 4000,
    gsoSize: 1448,
    tcpOptionsLen: 12,
  }],
  ["TCP/IPv4, payload a multiple of the MSS", {
    payloadLen: 2896,
    gsoSize: 1448,
  }],
  ["TCP/IPv4 with IP options", {
    payloadLen: 3001,
    gsoSize: 1000,
    ipOptionsLen: 8,
  }],
  ["TCP/IPv6", {
    ipv6: true,
    payloadLen: 4000,
    gsoSize: 1428,
    tcpOptionsLen: 12,
  }],
  ["UDP/IPv4 (USO)", { udp: true, payloadLen: 3000, gsoSize: 1400 }],
  ["UDP/IPv6 (USO), odd remainder", {
    ipv6: true,
    udp: true,
    payloadLen: 3001,
    gsoSize: 1400,
  }],
  ["TCP with PSH and FIN", { payloadLen: 5000, gsoSize: 1448, flags: 0x19 }],
  ["IPv4 ID wraps", { payloadLen: 5000, gsoSize: 1000, id: 0xfffe }],
  ["TCP sequence wraps", { payloadLen: 5000, gsoSize: 1000, seq: 0xffffff00 }],
  ["64 KiB at MSS 1448", {
    payloadLen: 65536,
    gsoSize: 1448,
    tcpOptionsLen: 12,
  }],
  ["tiny MSS 64", { payloadLen: 1000, gsoSize: 64 }],
];

Deno.test("Nic hw-tso on e810-100g reproduces software GSO byte for byte for TCP/UDP over IPv4/IPv6", () => {
  for (const [name, o] of SHAPES) check(name, skbFor(o).skb);
});

Deno.test("Nic hw-tso on 82599-10g reproduces software GSO for TCP over IPv4 and IPv6, extension headers included", () => {
  for (const [name, o] of SHAPES) {
    if (o.udp) continue;
    check(name, skbFor(o).skb, "82599-10g");
  }
  check(
    "IPv6 with Hop-by-Hop and Destination Options",
    skbFor({
      ipv6: true,
      payloadLen: 5000,
      gsoSize: 1000,
      extHeaders: [{ type: 0, len: 8 }, { type: 60, len: 16 }],
    }).skb,
    "82599-10g",
  );
});

Deno.test("Nic hw-tso clears CWR after the first segment of a TCP_ECN super-packet", () => {
  const { skb } = skbFor({ payloadLen: 4000, gsoSize: 1448, flags: 0x98 }, 4);
  check("CWR", skb);
  const nic = createNic(resolveConfig(), { driver: "hw-tso" });
  const f = frames(nic.transmit(skb));
  const flags = f.map((x) => x[14 + 20 + 13]!);
  assert.deepEqual(flags, [0x90, 0x10, 0x18]);
});

Deno.test("Nic hw-tso segments VXLAN with and without the outer UDP checksum, IPv4 and IPv6 underlay", () => {
  for (const outerCsum of [false, true]) {
    for (const outerV6 of [false, true]) {
      for (const innerV6 of [false, true]) {
        const { skb } = buildVxlan({
          payloadLen: 5001,
          gsoSize: 1378,
          outerCsum,
          outerV6,
          innerV6,
        });
        check(
          `VXLAN csum=${outerCsum} outer6=${outerV6} inner6=${innerV6}`,
          skb,
        );
      }
    }
  }
});

Deno.test("Nic hw-tso sends a computed UDP checksum of 0 as 0xFFFF", () => {
  // Find a payload whose last segment's UDP checksum comes out as 0.
  const { skb, b } = skbFor({ udp: true, payloadLen: 1402, gsoSize: 1400 });
  const page = skb.frags[0]!.page;
  const end = b.frame.length;
  let hit = false;
  for (let v = 0; v < 65536 && !hit; v++) {
    setU16(page, end - 2, v);
    const last = expected(skb).at(-1)!;
    const l4 = b.l4Off;
    if (last[l4 + 6] === 0xff && last[l4 + 7] === 0xff) {
      hit = true;
      check("UDP zero checksum", skb);
    }
  }
  assert.ok(hit, "found a payload with a zero checksum");
});

Deno.test("Nic hw-tso sends a computed TCP checksum of 0 as 0x0000 (only UDP maps 0 to 0xFFFF)", () => {
  const { skb, b } = skbFor({ payloadLen: 3000, gsoSize: 1448 });
  const l4 = b.l4Off;
  // The first segment's TCP checksum c = ~(PH(len) + TCP header + payload)
  // with the checksum field zero.
  const seg = expected(skb)[0]!;
  setU16(seg, l4 + 16, 0);
  const c = checksum(
    seg,
    l4,
    seg.length,
    pseudoHeaderSum4(seg, 14, 6, seg.length - l4),
  );
  assert.notEqual(c, 0);
  // Adding c to the first payload word (an even offset from the TCP header)
  // raises the ones'-complement sum from 0xFFFF − c to 0xFFFF, so the
  // checksum becomes ~0xFFFF = 0x0000. TCP sends it as is (RFC 793); the
  // 0 → 0xFFFF rule is UDP's (RFC 768), and e810 mangles only UDP.
  assert.equal((b.payloadOff - l4) % 2, 0);
  const page = skb.frags[0]!.page;
  const at = skb.frags[0]!.offset;
  setU16(page, at, onesAdd(getU16(page, at), c));
  const ref = expected(skb)[0]!;
  assert.equal(getU16(ref, l4 + 16), 0x0000);
  const nic = createNic(resolveConfig("e810-100g"), { driver: "hw-tso" });
  const got = frames(nic.transmit(skb));
  assert.equal(getU16(got[0]!, l4 + 16), 0x0000);
  assertSame("TCP zero checksum", expected(skb), got);
});

Deno.test("Nic hw-tso with tso.ipIdMode=fixed keeps the prototype header's IPv4 ID on every segment", () => {
  const { skb } = skbFor({ payloadLen: 5000, gsoSize: 1448, id: 0x1234 });
  const cfg = resolveConfig("e810-100g", { set: ["tso.ipIdMode=fixed"] });
  const got = frames(createNic(cfg, { driver: "hw-tso" }).transmit(skb));
  // ceil(5000 / 1448) = 4 segments, all with ID 0x1234 (i40e EIP_NOINC-style).
  assert.deepEqual(got.map((f) => getU16(f, 14 + 4)), Array(4).fill(0x1234));
  // Each IPv4 header checksum still verifies (sum over the header = 0xFFFF).
  for (const f of got) assert.equal(checksum(f, 14, 14 + 20), 0);
  // The default increments: 0x1234 + segment index.
  const inc = frames(
    createNic(resolveConfig("e810-100g"), { driver: "hw-tso" }).transmit(skb),
  );
  assert.deepEqual(inc.map((f) => getU16(f, 14 + 4)), [
    0x1234,
    0x1235,
    0x1236,
    0x1237,
  ]);
});

Deno.test("Nic hw-tso handles payload spread over many fragments and the header split across buffers", () => {
  const { skb } = skbFor({
    payloadLen: 20000,
    gsoSize: 1448,
    tcpOptionsLen: 12,
  });
  check("7 fragments", relayout(skb, 66, [100, 3000, 1, 4095, 5000, 7]));
  check("header split across linear and frag", relayout(skb, 40, [30, 10000]));
  check("linear holds everything", relayout(skb, 66 + 20000, []));
  check("linear holds part of the payload", relayout(skb, 66 + 5000, [2000]));
});

Deno.test("Nic hw-tso linearizes on e810 when a segment would need more than 8 buffers, as __i40e_chk_linearize does", () => {
  const { skb } = skbFor({ payloadLen: 6000, gsoSize: 1448 });
  const many = relayout(skb, 54, Array(30).fill(200));
  const nic = createNic(resolveConfig(), { driver: "hw-tso" });
  assert.equal(nic.driverCheck(many).linearize, true);
  assertSame("linearized", expected(many), frames(nic.transmit(many)));
  const r = nic.report();
  assert.equal(r.fallbacks["linearize"], 1);
  assert.equal(r.host.linearized, 1);
  // Large fragments need no linearization.
  const few = relayout(skb, 54, [3000, 3000]);
  assert.equal(nic.driverCheck(few).linearize, false);
});

Deno.test("Nic hw-tso runs many packets back to back through one ring and keeps every frame exact", () => {
  const nic = createNic(resolveConfig("82599-10g"), { driver: "hw-tso" });
  for (let i = 0; i < 300; i++) {
    const gsoSize = 536 + (i % 5) * 200;
    const { skb } = skbFor({
      payloadLen: gsoSize + 1 + ((i * 7919) % 30000),
      gsoSize,
      seq: i * 100000,
      id: i,
    });
    assertSame(`packet ${i}`, expected(skb), frames(nic.transmit(skb)));
  }
  const r = nic.report();
  assert.equal(r.packets, 300);
  assert.equal(r.droppedPackets, 0);
});
