import assert from "node:assert/strict";
import { supportedDriverModes } from "../hw/drivers.ts";
import { resolveConfig } from "../hw/resolve_config.ts";
import { parsePacket } from "../sw/packet_layout.ts";
import { skbFromFrame } from "../sw/skb_from_frame.ts";
import type { SkBuff } from "../sw/types.ts";
import { Lockstep } from "../tb/lockstep.ts";
import { formatDivergence } from "../tb/scoreboard.ts";
import { defaultCapturesDir } from "../tb/verify_command.ts";
import { CaptureReader } from "../vectors/capture_reader.ts";

const DIR = defaultCapturesDir();
const PAIRS: [string, number][] = [["tcp4", 1448], ["tcp6", 1428], [
  "udp4-gso1200",
  1200,
], ["tcp4-vxlan", 1378]];

function superPackets(
  name: string,
  gso: number,
): { skb: SkBuff; frame: number }[] {
  const r = CaptureReader.openFile(`${DIR}/${name}.in.pcap`);
  const out: { skb: SkBuff; frame: number }[] = [];
  for (const f of r.frames()) {
    const l = parsePacket(f.data, f.linkType);
    if (l.l4 === null || l.payloadLen <= gso) continue;
    out.push({
      skb: skbFromFrame(f.data, l, { gsoSize: gso })!,
      frame: f.number,
    });
  }
  r.close();
  return out;
}

for (const preset of ["e810-100g", "82599-10g", "corundum-100g"]) {
  for (const driver of supportedDriverModes(resolveConfig(preset))) {
    Deno.test(`Lockstep: model and reference agree on the kernel captures (${preset}, ${driver})`, () => {
      for (const [name, gso] of PAIRS) {
        const ls = new Lockstep({ preset, driver });
        for (const { skb, frame } of superPackets(name, gso)) {
          const r = ls.run(skb, { input: name, frame });
          assert.equal(
            r.divergence,
            null,
            r.divergence ? formatDivergence(r.divergence) : "",
          );
          assert.ok(r.segments > 1);
        }
      }
    });
  }
}

Deno.test("Lockstep stops at the first divergence a model bug causes and names the field", () => {
  const cases: [string, string][] = [
    ["pshOnEverySegment", "tcp.flags.push"],
    ["ipIdNotIncremented", "ip.id"],
  ];
  for (const [fault, field] of cases) {
    const ls = new Lockstep({ driver: "hw-tso", faults: { [fault]: true } });
    const [{ skb, frame }] = superPackets("tcp4", 1448);
    const r = ls.run(skb!, { input: "tcp4", frame: frame! });
    assert.ok(r.divergence !== null, fault);
    assert.equal(r.divergence.field, field, formatDivergence(r.divergence));
    assert.equal(r.divergence.segment, fault === "pshOnEverySegment" ? 0 : 1);
    assert.ok(r.divergence.cycle! > 0);
  }
});
