import assert from "node:assert/strict";
import {
  checksum,
  checksumReplace16,
  csum16Add,
  csumAdd,
  csumFoldKeep,
  fold16,
  onesSum,
  onesSumReference,
  pseudoHeaderSum4,
  pseudoHeaderSum6,
} from "../sw/checksum.ts";
import { payloadBytes } from "./_build.ts";

Deno.test("onesSum() equals the reference for every length 0..9001 and every start alignment", () => {
  const buf = payloadBytes(9001 + 16, 1); // fixed seed
  for (let align = 0; align < 8; align++) {
    for (let n = 0; n <= 9001; n++) {
      const a = onesSum(buf, align, align + n, 0x1234);
      const b = onesSumReference(buf, align, align + n, 0x1234);
      if (a !== b) {
        assert.fail(`length ${n} at alignment ${align}: ${a} != ${b}`);
      }
    }
  }
});

Deno.test("onesSum() handles views that start at odd buffer offsets", () => {
  const base = payloadBytes(5000, 2);
  for (let o = 0; o < 8; o++) {
    const view = base.subarray(o, o + 4000);
    assert.equal(onesSum(view), onesSumReference(view));
  }
});

Deno.test("onesSum() stays exact on sums past 2^53 worth of words", () => {
  const big = new Uint8Array(9 * 1024 * 1024).fill(0xff);
  assert.equal(onesSum(big), onesSumReference(big));
});

Deno.test("checksum() of an IPv4 header with its checksum verifies to 0", () => {
  const h = Uint8Array.from([
    0x45,
    0,
    0,
    0x73,
    0,
    0,
    0x40,
    0,
    0x40,
    0x11,
    0xb8,
    0x61,
    0xc0,
    0xa8,
    0,
    1,
    0xc0,
    0xa8,
    0,
    0xc7,
  ]);
  assert.equal(checksum(h), 0);
  h[10] = 0;
  h[11] = 0;
  assert.equal(checksum(h), 0xb861);
});

Deno.test("pseudoHeaderSum4() and pseudoHeaderSum6() add the 32-bit length", () => {
  const ip4 = new Uint8Array(20);
  assert.equal(pseudoHeaderSum4(ip4, 0, 6, 0x10005), 6 + 5 + 1);
  const ip6 = new Uint8Array(40);
  assert.equal(pseudoHeaderSum6(ip6, 0, 17, 0x20003), 17 + 3 + 2);
});

Deno.test("checksumReplace16() matches a full recomputation (RFC 1624)", () => {
  const h = payloadBytes(20, 3);
  h[10] = 0;
  h[11] = 0;
  const c = checksum(h);
  h[10] = c >>> 8;
  h[11] = c & 0xff;
  for (const w of [0, 1, 0x7fff, 0xffff, 0x1234]) {
    const old = (h[4]! << 8) | h[5]!;
    const upd = checksumReplace16((h[10]! << 8) | h[11]!, old, w);
    h[4] = w >>> 8;
    h[5] = w & 0xff;
    h[10] = upd >>> 8;
    h[11] = upd & 0xff;
    assert.equal(onesSum(h), 0xffff, `after writing ${w}`);
  }
});

Deno.test("the kernel seed arithmetic folds to zero only from zero", () => {
  assert.equal(csumFoldKeep(csumAdd(0, 0)), 0);
  assert.equal(csumFoldKeep(csumAdd(0xffffffff, 1)), 1);
  assert.equal(csum16Add(0, 0), 0);
  assert.equal(csum16Add(0xfffe, 1), 0xffff);
  assert.equal(fold16(0x2fffd), 0xffff);
});
