// The model's waveform is a VCD file GTKWave reads: checked with Debian's
// gtkwave tools (vcd2fst converts it, fst2vcd reads it back).
import assert from "node:assert/strict";
import { HwUsageError } from "../hw/errors.ts";
import { createNic } from "../hw/nic.ts";
import { VcdTrace } from "../hw/vcd_trace.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { bulkTcpSkb } from "../hw/workload.ts";
import { available, onPath } from "./_tools.ts";

function run(cmd: string, args: string[]): string {
  const r = new Deno.Command(cmd, { args, stderr: "piped", stdout: "piped" })
    .outputSync();
  assert.ok(r.success, `${cmd} failed: ${new TextDecoder().decode(r.stderr)}`);
  return new TextDecoder().decode(r.stdout);
}

/** Value changes per signal of a VCD text: name → [time, value][] */
function changes(vcd: string): Map<string, [number, number][]> {
  const ids = new Map<string, string>();
  const scope: string[] = [];
  const out = new Map<string, [number, number][]>();
  let t = 0;
  const tokens = vcd.split(/\s+/).filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === "$scope") {
      scope.push(tokens[i + 2]!);
      i += 3;
    } else if (tok === "$upscope") {
      scope.pop();
      i += 1;
    } else if (tok === "$var") {
      const name = [...scope.slice(1), tokens[i + 4]!].join(".");
      ids.set(tokens[i + 3]!, name);
      out.set(name, []);
      while (tokens[i] !== "$end") i++;
    } else if (tok.startsWith("#")) t = Number(tok.slice(1));
    else if (tok.startsWith("b")) {
      const name = ids.get(tokens[i + 1]!);
      if (name) out.get(name)!.push([t, parseInt(tok.slice(1), 2)]);
      i++;
    } else if (/^[01xz]./.test(tok) && ids.has(tok.slice(1))) {
      out.get(ids.get(tok.slice(1))!)!.push([t, tok[0] === "1" ? 1 : 0]);
    }
  }
  return out;
}

Deno.test("Nic.vcd() needs a NIC created with vcd: true", () => {
  assert.throws(() => createNic(resolveConfig()).vcd(), HwUsageError);
});

// Three sends of 10000 B through the model with the waveform on.
function recordRun(): { vcd: string; frames: number } {
  const nic = createNic(resolveConfig(), { driver: "hw-tso", vcd: true });
  let frames = 0;
  for (let i = 0; i < 3; i++) {
    for (
      const e of nic.transmit(
        bulkTcpSkb({ sendBytes: 10000, mss: 1448, seq: i * 10000 }),
      )
    ) {
      if (e.kind === "frame") frames++;
    }
  }
  return { vcd: nic.vcd(), frames };
}

// What the waveform of recordRun() must show, however it was read.
function checkWaveform(
  back: Map<string, [number, number][]>,
  frames: number,
): void {
  for (
    const s of [
      "pcie.to_device_busy",
      "desc_fetch.outstanding",
      "dma.req",
      "header_replicate.valid",
      "header_replicate.seg",
      "checksum.valid",
      "checksum.seg",
      "tx_fifo.level",
      "mac.busy",
      "mac.seg",
    ]
  ) assert.ok(back.has(s), `signal ${s}`);
  const rises = back.get("mac.busy")!.filter(([, v]) => v === 1).length;
  assert.equal(rises, frames);
  const segs = back.get("mac.seg")!.map(([, v]) => v);
  assert.equal(Math.max(...segs), 6); // 10000 B at MSS 1448: segments 0..6
  const level = back.get("tx_fifo.level")!;
  assert.ok(Math.max(...level.map(([, v]) => v)) >= 1514);
  assert.equal(level.at(-1)![1], 0);
  // Times are picoseconds and only move forward.
  const times = back.get("mac.busy")!.map(([t]) => t);
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
}

Deno.test("Nic.vcd() writes a picosecond VCD with per-stage valid/busy, segment index and FIFO level", () => {
  const { vcd, frames } = recordRun();
  assert.match(vcd, /\$timescale 1ps \$end/);
  assert.match(vcd, /\$enddefinitions \$end/);
  checkWaveform(changes(vcd), frames);
});

// Without the tools the check is reported as ignored, never as passed.
const GTKWAVE = available(
  onPath("vcd2fst") && onPath("fst2vcd"),
  "the GTKWave check: vcd2fst/fst2vcd not found (apt-get install gtkwave; .ci/run installs it)",
);

Deno.test("Nic.vcd() writes a waveform GTKWave's tools read back as written", {
  ignore: !GTKWAVE,
}, () => {
  const { vcd, frames } = recordRun();
  const dir = Deno.makeTempDirSync({ prefix: "tsolab_vcd_" });
  try {
    Deno.writeTextFileSync(`${dir}/run.vcd`, vcd);
    run("vcd2fst", [`${dir}/run.vcd`, `${dir}/run.fst`]);
    checkWaveform(changes(run("fst2vcd", [`${dir}/run.fst`])), frames);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("VcdTrace sizes a signal to hold its largest value: max 4 needs 3 bits", () => {
  const t = new VcdTrace();
  t.set("seg.index", 0, 4);
  t.set("seg.index", 10, 0);
  t.set("seg.pow", 0, 3); // 3 = 0b11: 2 bits
  t.step("fifo.level", 0, 7); // counters too: 7 = 0b111: 3 bits
  t.step("fifo.level", 5, 1); // 8 = 0b1000: 4 bits
  const vcd = t.toVcd();
  // ceil(log2(4 + 1)) = 3 bits, written [2:0]; 4 itself is b100.
  assert.match(vcd, /\$var wire 3 \S+ index \[2:0\] \$end/);
  assert.match(vcd, /\$var wire 2 \S+ pow \[1:0\] \$end/);
  assert.match(vcd, /\$var wire 4 \S+ level \[3:0\] \$end/);
  assert.match(vcd, /\nb100 /);
  assert.deepEqual(changes(vcd).get("seg.index"), [[0, 0], [0, 4], [10000, 0]]);
});
