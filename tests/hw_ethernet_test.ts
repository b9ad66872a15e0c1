import assert from "node:assert/strict";
import {
  framesPerSecond,
  lineGoodputGbps,
  wireBytes,
  wireNs,
} from "../hw/ethernet_wire.ts";

const mac = (lineGbps: number) => ({
  lineGbps,
  preambleSfd: 8,
  ifg: 12,
  fcs: 4,
  minFrame: 64,
});

Deno.test("wireBytes() adds preamble, SFD, FCS, IFG and pads short frames to 60 B", () => {
  assert.equal(wireBytes(1514, mac(100)), 1538);
  assert.equal(wireBytes(60, mac(100)), 84);
  assert.equal(wireBytes(14, mac(100)), 84);
});

Deno.test("Ethernet figures match nic-hw.md §8: 14.881 Mpps, 812,744 pps, 123.04 ns, 94.93% and 94.15%", () => {
  assert.equal(Math.round(framesPerSecond(60, mac(10)) / 1000), 14881);
  assert.equal(Math.round(framesPerSecond(1514, mac(10))), 812744);
  assert.equal(Math.round(framesPerSecond(60, mac(100)) / 10000) / 100, 148.81);
  assert.equal(wireNs(1514, mac(100)).toFixed(2), "123.04");
  assert.equal(wireNs(1514, mac(10)).toFixed(1), "1230.4");
  assert.equal(lineGoodputGbps(1460, 54, mac(100)).toFixed(2), "94.93");
  assert.equal(lineGoodputGbps(1448, 66, mac(100)).toFixed(2), "94.15");
  assert.equal(lineGoodputGbps(1448, 66, mac(10)).toFixed(3), "9.415");
});
