// The TX FIFO between the checksum engine and the MAC: a frame enters only
// when all of it fits, and waits for frames ahead of it to leave otherwise.
import assert from "node:assert/strict";
import { TxFifo } from "../hw/tx_fifo.ts";

Deno.test("TxFifo.roomAt() admits a frame that exactly fills the FIFO without stalling", () => {
  const f = new TxFifo(3000);
  f.push(1500, 0, 100);
  // 1500 B queued + 1500 B new = 3000 B = capacity: it fits now.
  assert.equal(f.roomAt(1500, 10), 10);
  assert.equal(f.stallNs, 0);
});

Deno.test("TxFifo.roomAt() holds a frame one byte too large until the frame ahead leaves", () => {
  const f = new TxFifo(3000);
  f.push(1500, 0, 100);
  // 1500 + 1501 = 3001 B > 3000 B: wait for the first frame to leave at 100.
  assert.equal(f.roomAt(1501, 10), 100);
  assert.equal(f.stallNs, 100 - 10);
});
