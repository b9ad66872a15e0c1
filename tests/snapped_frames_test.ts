// Frames cut by the snap length: a super-packet (by its IP length) cannot be
// segmented without its payload and is rejected as truncated; any other
// frame passes on as captured, keeping the length it had on the wire.
import assert from "node:assert/strict";
import { kernelCaptureEgressDevice } from "../sw/net_device.ts";
import { runSegment } from "../tb/segment_run.ts";
import { swTransmit } from "../tb/sw_engine.ts";
import { CaptureReader } from "../vectors/capture_reader.ts";
import { createCaptureWriter } from "../vectors/capture_writer.ts";
import { buildFrame } from "./_build.ts";

Deno.test("a snapped super-packet is rejected as truncated and a snapped small frame keeps its wire length", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const big = buildFrame({ payloadLen: 5000 }).frame; // a super-packet at 1448
    const small = buildFrame({ payloadLen: 1000 }).frame; // not one
    const input = `${dir}/in.pcap`;
    const w = createCaptureWriter(input, { linkType: 1, snapLen: 200 });
    w.write({
      data: big.subarray(0, 200),
      origLen: big.length,
      timestampNs: 1000n,
    });
    w.write({
      data: small.subarray(0, 200),
      origLen: small.length,
      timestampNs: 2000n,
    });
    w.close();
    const warnings: string[] = [];
    const dev = kernelCaptureEgressDevice();
    for (const ext of ["pcap", "pcapng"]) {
      const output = `${dir}/out.${ext}`;
      const s = runSegment({
        input,
        output,
        gsoSize: 1448,
        engine: (skb) => swTransmit(skb, dev),
        warn: (l) => warnings.push(l),
      });
      assert.equal(s.superPackets, 1);
      assert.equal(s.rejected, 1);
      assert.deepEqual(Object.fromEntries(s.reasons), { truncated: 1 });
      assert.equal(s.passed, 1);
      const r = CaptureReader.openFile(output);
      try {
        const out = [...r.frames()];
        assert.equal(out.length, 1);
        assert.equal(out[0]!.data.length, 200);
        assert.equal(out[0]!.origLen, small.length, `${ext}: wire length kept`);
      } finally {
        r.close();
      }
    }
    assert.match(
      warnings[0]!,
      new RegExp(
        `frame 1 at offset 24: rejected: captured 200 of ${big.length} bytes`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a snapped record claiming gigabytes on the wire is classified from its headers without allocating them", async () => {
  // Found by the fuzzer: orig_len is any 32-bit value. The headers were read
  // over a zero-filled buffer of that length, and an IPv6 header cut after
  // 2 bytes read as a chain of empty Hop-by-Hop headers across 661 MB.
  const dir = await Deno.makeTempDir();
  try {
    const big = buildFrame({ ipv6: true, payloadLen: 5000 }).frame;
    const small = buildFrame({ payloadLen: 100 }).frame;
    const input = `${dir}/in.pcap`;
    const w = createCaptureWriter(input, { linkType: 1, snapLen: 96 });
    const rec = (data: Uint8Array, origLen: number, t: bigint) =>
      w.write({ data, origLen, timestampNs: t * 1000n });
    rec(big.subarray(0, 16), 661358550, 1n);
    rec(big.subarray(0, 96), 0xffffffff, 2n);
    rec(small.subarray(0, 96), 0xffffffff, 3n);
    w.close();
    const dev = kernelCaptureEgressDevice();
    const s = runSegment({
      input,
      output: `${dir}/out.pcap`,
      gsoSize: 1448,
      engine: (skb) => swTransmit(skb, dev),
    });
    // Record 2's IPv6 length gives 5000 bytes of payload: a super-packet,
    // refused. Record 1's headers do not parse and record 3 is small: both
    // pass on as captured.
    assert.equal(s.superPackets, 1);
    assert.deepEqual(Object.fromEntries(s.reasons), { truncated: 1 });
    assert.equal(s.passed, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
