// ip6_find_1stfragopt's Mobile IPv6 rule: a Destination Options header that
// carries a Home Address option stays in the unfragmentable part even after
// a Routing header (CONFIG_IPV6_MIP6, ipv6_find_tlv), and a chain that runs
// past the headers is refused with -EINVAL rather than cut somewhere.
import assert from "node:assert/strict";
import { ip6FindFirstFragOpt } from "../sw/gso_ipv6.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { SegmentError } from "../sw/segment_error.ts";
import { SKB_GSO } from "../sw/types.ts";
import { chain, skbFor } from "./_build.ts";

const HAO = 201;

// Writes a Destination Options body at `at` (a header of `len` bytes whose
// next-header and length bytes are already set): `pad1` Pad1 options, then
// a Home Address option with a 16-byte address, then PadN to the end.
function writeHao(f: Uint8Array, at: number, len: number, pad1: number): void {
  let p = at + 2;
  f.fill(0, p, at + len);
  p += pad1; // Pad1 is a single zero byte
  f[p] = HAO;
  f[p + 1] = 16;
  for (let i = 0; i < 16; i++) f[p + 2 + i] = 0x20 + i;
  p += 18;
  const rest = at + len - p;
  if (rest === 1) f[p] = 0;
  else if (rest >= 2) {
    f[p] = 1; // PadN
    f[p + 1] = rest - 2;
  }
}

Deno.test("segment() keeps a Destination Options header with a Home Address option after Routing in the unfragmentable part of IPv6 UFO (ip6_find_1stfragopt, CONFIG_IPV6_MIP6)", () => {
  const ext = [{ type: 43, len: 8 }, { type: 60, len: 24 }, {
    type: 60,
    len: 8,
  }];
  const { skb, b } = skbFor({
    ipv6: true,
    udp: true,
    payloadLen: 2200,
    gsoSize: 1000,
    extHeaders: ext,
  });
  // Two Pad1 options before the Home Address option: ipv6_find_tlv steps
  // over Pad1 one byte at a time.
  writeHao(b.frame, b.ipOff + 48, 24, 2);
  skb.gsoType = SKB_GSO.UDP;
  const segs = [...segment(skb, NETIF_F.SG | NETIF_F.GSO, { ufo6FragId: 7 })];
  assert.equal(segs.length, Math.ceil((8 + 2200) / 1000));
  for (const [i, s] of segs.entries()) {
    const c = chain(s.data, b.ipOff);
    // Routing, the HAO Destination Options, then the Fragment header; the
    // second Destination Options header (no HAO) is fragmentable.
    assert.deepEqual(c.map((h) => h.type), [43, 60, 44, 60, 17], `#${i}`);
    assert.equal(c[2]!.at, b.ipOff + 40 + 8 + 24, `#${i}: Fragment header`);
  }
});

Deno.test("ip6FindFirstFragOpt() finds the Home Address option only inside a well-formed options header (ipv6_find_tlv)", () => {
  // IPv6 + Routing (8) + Destination Options (24) + UDP.
  function frame(fill: (f: Uint8Array, dest: number) => void): Uint8Array {
    const f = new Uint8Array(14 + 40 + 8 + 24 + 8);
    f[14] = 0x60;
    f[14 + 6] = 43;
    f[54] = 60; // Routing → Destination Options
    f[62] = 17; // Destination Options → UDP
    f[63] = 2; // 24 bytes
    fill(f, 62);
    return f;
  }
  const withHao = frame((f, at) => writeHao(f, at, 24, 0));
  assert.deepEqual(ip6FindFirstFragOpt(withHao, 14, withHao.length), {
    len: 72,
    prevOff: 62,
  });
  // No HAO: the header after Routing starts the fragmentable part.
  const plain = frame((f, at) => {
    f[at + 2] = 1;
    f[at + 3] = 20;
  });
  assert.deepEqual(ip6FindFirstFragOpt(plain, 14, plain.length), {
    len: 48,
    prevOff: 54,
  });
  // An option that claims more bytes than the header holds ends the search
  // before the HAO behind it is reached: fragmentable.
  const broken = frame((f, at) => {
    writeHao(f, at, 24, 4);
    f[at + 2] = 1; // PadN running past the header
    f[at + 3] = 40;
  });
  assert.deepEqual(ip6FindFirstFragOpt(broken, 14, broken.length), {
    len: 48,
    prevOff: 54,
  });
  // A header cut off by the end of the readable bytes: no HAO found there.
  assert.deepEqual(ip6FindFirstFragOpt(withHao, 14, 14 + 40 + 8 + 16), {
    len: 48,
    prevOff: 54,
  });
});

Deno.test("ip6FindFirstFragOpt() refuses a chain that runs past the headers with EINVAL, naming the offsets", () => {
  // IPv6 + Hop-by-Hop claiming 2048 bytes in a 70-byte frame.
  const f = new Uint8Array(70);
  f[14] = 0x60;
  f[14 + 6] = 0;
  f[54] = 0; // another Hop-by-Hop
  f[55] = 255;
  assert.throws(
    () => ip6FindFirstFragOpt(f, 14, f.length),
    (e: unknown) =>
      e instanceof SegmentError && e.errno === "EINVAL" &&
      e.reason === "bad-header-length" &&
      /offset 14 run to 2102, past the 56 header bytes/.test(e.message),
  );
  // Too short even for the next header's first two bytes.
  const g = new Uint8Array(55);
  g[14] = 0x60;
  assert.throws(() => ip6FindFirstFragOpt(g, 14, g.length), SegmentError);
});
