import assert from "node:assert/strict";
import { ProgressBar } from "../tb/progress.ts";

function fakeOut(terminal: boolean) {
  const chunks: string[] = [];
  return {
    chunks,
    out: {
      isTerminal: () => terminal,
      writeSync(p: Uint8Array) {
        chunks.push(new TextDecoder().decode(p));
        return p.length;
      },
    },
  };
}

Deno.test("ProgressBar stays silent for the first second and off a terminal", () => {
  let t = 0;
  const a = fakeOut(true);
  const bar = new ProgressBar({
    label: "x",
    output: a.out,
    now: () => t,
    totalBytes: 1000,
  });
  t = 500;
  bar.update(1, 10);
  assert.equal(a.chunks.length, 0);
  t = 1500;
  bar.update(2, 500);
  assert.match(a.chunks[0]!, /x: 2 frames, 500 B \/ 1000 B \(50%\), .*ETA/);
  bar.done();
  assert.equal(a.chunks.at(-1), "\r\x1b[K");
  const b = fakeOut(false);
  const quiet = new ProgressBar({ label: "x", output: b.out, now: () => t });
  t = 5000;
  quiet.update(1, 1);
  assert.equal(b.chunks.length, 0);
});

Deno.test("ProgressBar draws nothing when disabled for --json", () => {
  let t = 0;
  const a = fakeOut(true);
  const bar = new ProgressBar({
    label: "x",
    output: a.out,
    now: () => t,
    disabled: true,
  });
  t = 5000;
  bar.update(1, 1);
  assert.equal(a.chunks.length, 0);
});
