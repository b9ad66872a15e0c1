// segment() lends its first header buffer to the next call once it ends.
// These tests pin that no two live calls ever share it: calls interleaved,
// abandoned half-way or refused still give every segment the bytes a call
// made on its own gives.
import assert from "node:assert/strict";
import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { SegmentError } from "../sw/segment_error.ts";
import type { SkBuff } from "../sw/types.ts";
import { skbFor } from "./_build.ts";

const FEATURES = NETIF_F.SG | NETIF_F.GSO;

function alone(skb: SkBuff): Uint8Array[] {
  return [...segment(skb, FEATURES)].map((s) => s.data.slice());
}

// Headers that differ in every field a live call keeps in its buffer.
const a = skbFor({ payloadLen: 9000, gsoSize: 1000, seq: 1, id: 7 }).skb;
const b = skbFor({
  ipv6: true,
  payloadLen: 7000,
  gsoSize: 900,
  seq: 0xfffffff0,
  tcpOptionsLen: 12,
  extHeaders: [{ type: 0, len: 8 }],
}).skb;
const c = skbFor({ payloadLen: 5000, gsoSize: 536, vlanTags: 2, id: 0xffff })
  .skb;

Deno.test("segment() calls interleaved segment by segment give what each gives alone", () => {
  const want = [alone(a), alone(b), alone(c)];
  const its = [a, b, c].map((s) => segment(s, FEATURES));
  const got: Uint8Array[][] = [[], [], []];
  for (let live = 3; live > 0;) {
    live = 0;
    for (let k = 0; k < its.length; k++) {
      const r = its[k]!.next();
      if (r.done) continue;
      live++;
      got[k]!.push(r.value.data.slice());
    }
  }
  assert.deepEqual(got, want);
});

Deno.test("segment() calls abandoned half-way or refused leave later calls unharmed", () => {
  const want = alone(b);
  const open = segment(a, FEATURES);
  open.next();
  for (const _ of segment(c, FEATURES)) break;
  const small = skbFor({ payloadLen: 500, gsoSize: 1000 }).skb;
  assert.throws(() => [...segment(small, FEATURES)], SegmentError);
  const mid = segment(b, FEATURES);
  const first = mid.next().value!.data.slice();
  const rest = [...segment(b, FEATURES)].map((s) => s.data.slice());
  assert.deepEqual(rest, want);
  assert.deepEqual(first, want[0]);
  assert.deepEqual(
    [...mid].map((s) => s.data.slice()),
    want.slice(1),
  );
  assert.deepEqual(
    [...open].map((s) => s.data.slice()),
    alone(a).slice(1),
  );
});
