/**
 * End-to-end capture: one real-socket scenario and one tap scenario through
 * the running kernel. Needs root, iproute2, ethtool, tcpdump and /dev/net/tun;
 * without them the tests are ignored and the reason is printed.
 */

import assert from "node:assert/strict";
import { liveSkipReason } from "./_netns.ts";
import { captureScenario } from "../vectors/capture/capture_scenario.ts";
import type { ScenarioRecord } from "../vectors/capture/capture_scenario.ts";
import { findScenario } from "../vectors/capture/scenarios.ts";
import { readPcap } from "../vectors/capture/_pcap_scan.ts";
import { forwardFrames } from "../vectors/capture/_forward_stats.ts";
import { parseAddress } from "../vectors/capture/_craft.ts";
import type { FrameSummary } from "../vectors/capture/_dissect.ts";

const reason = await liveSkipReason("capture tests", true);

async function captureInto(
  name: string,
): Promise<{ rec: ScenarioRecord; fin: FrameSummary[]; fout: FrameSummary[] }> {
  const dir = await Deno.makeTempDir({ prefix: "tsolab_capture_" });
  try {
    const scenario = findScenario(name);
    assert(scenario, `scenario ${name} is registered`);
    const rec = await captureScenario(scenario, dir);
    assert.deepEqual(rec.status, "ok", `${name}: ${rec.reason}`);
    const sender = parseAddress(rec.sender_address);
    const fin = forwardFrames(
      (await readPcap(`${dir}/${name}.in.pcap`)).records,
      sender,
    );
    const fout = forwardFrames(
      (await readPcap(`${dir}/${name}.out.pcap`)).records,
      sender,
    );
    const json = JSON.parse(
      await Deno.readTextFile(`${dir}/${name}.json`),
    ) as ScenarioRecord;
    assert.deepEqual(json.scenario, name);
    return { rec, fin, fout };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every forward super-packet of `fin` is followed in `fout` by its TCP segments. */
function assertTcpSegmentation(
  fin: FrameSummary[],
  fout: FrameSummary[],
  gso: number,
): void {
  let o = 0;
  for (const sp of fin) {
    const n = sp.payloadLength > gso ? Math.ceil(sp.payloadLength / gso) : 1;
    let seq = sp.tcp!.seq;
    let left = sp.payloadLength;
    for (let k = 0; k < n; k++, o++) {
      const seg = fout[o];
      assert(
        seg,
        `segment ${k} of the super-packet at seq ${sp.tcp!.seq} is missing`,
      );
      assert.deepEqual(seg.flow, sp.flow);
      assert.deepEqual(seg.tcp!.seq, seq, `sequence number of segment ${k}`);
      const want = Math.min(gso, left) || 0;
      assert.deepEqual(
        seg.payloadLength,
        want,
        `payload of segment ${k} of ${n}`,
      );
      seq = (seq + want) >>> 0;
      left -= want;
    }
  }
  assert.deepEqual(o, fout.length, "no forward frames left over in out.pcap");
}

Deno.test({
  name:
    "socket scenario tcp4 captures super-packets and the kernel's segments of gso_size",
  ignore: reason !== "",
  async fn() {
    const { rec, fin, fout } = await captureInto("tcp4");
    assert.deepEqual(rec.driver, "socket");
    assert.deepEqual(rec.kernel_release, Deno.osRelease());
    assert(
      rec.commands.some((c) =>
        c.includes("ethtool -K p2 tso off gso on tx off sg on")
      ),
    );
    assert(
      !rec.egress_features.includes("tx-tcp-segmentation"),
      "TSO is off on p2",
    );
    assert(
      !rec.egress_features.includes("tx-checksum-ip-generic"),
      "checksum offload is off on p2",
    );
    assert(
      fout.length > fin.length,
      `out has ${fout.length} forward frames, in ${fin.length}`,
    );
    assert(
      fin.some((s) => s.payloadLength > rec.gso_size!),
      "the stack sent super-packets",
    );
    assertTcpSegmentation(fin, fout, rec.gso_size!);
  },
});

Deno.test({
  name:
    "tap scenario tap-tcp4-cwr segments a crafted CWR super-packet with wrapping sequence numbers",
  ignore: reason !== "",
  async fn() {
    const { rec, fin, fout } = await captureInto("tap-tcp4-cwr");
    assert.deepEqual(rec.driver, "tap");
    assert.deepEqual(rec.gso_size, 1448);
    assert.deepEqual(fin.length, 1);
    assert.deepEqual(fout.length, Math.ceil(8000 / 1448));
    assertTcpSegmentation(fin, fout, 1448);
    const CWR = 0x80;
    assert.deepEqual(fout.map((s) => (s.tcp!.flags & CWR) !== 0), [
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    assert.deepEqual(fout.map((s) => s.ipId), [0xfffe, 0xffff, 0, 1, 2, 3]);
  },
});
