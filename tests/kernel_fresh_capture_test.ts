// Both engines against captures neither has seen: a few scenarios are
// captured from the running kernel now and `verify --captures` must pass
// them byte for byte, with the model in each driver mode and on each
// preset. Needs root, iproute2, ethtool, tcpdump and
// /dev/net/tun; without them the test is ignored and the reason printed.
import assert from "node:assert/strict";
import { tsolab } from "./_cli.ts";
import { liveSkipReason } from "./_netns.ts";
import { captureScenario } from "../vectors/capture/capture_scenario.ts";
import { findScenario } from "../vectors/capture/scenarios.ts";

// TCP/IPv4 and IPv6 from a socket, VXLAN with the outer checksum, USO, and
// crafted tap super-packets: CWR (software GSO under tso-helper) and IPv6
// extension headers.
const SCENARIOS = [
  "tcp4",
  "tcp6",
  "tcp6-vxlan4-csum",
  "udp4-gso1200",
  "tap-tcp4-cwr",
  "tap-tcp6-exthdr",
];

const reason = await liveSkipReason("fresh capture verification", true);

Deno.test({
  name:
    "both engines send what the running kernel sends on scenarios captured now, in every driver mode",
  ignore: reason !== "",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "tsolab_fresh_" });
    try {
      let n = 0;
      for (const name of SCENARIOS) {
        const scenario = findScenario(name);
        assert(scenario, `scenario ${name} is registered`);
        const rec = await captureScenario(scenario, dir);
        // A kernel without the scenario's feature (say, no vxlan module)
        // skips it, as `vectors capture` does; a failed capture fails.
        if (rec.status === "skipped") {
          console.log(`${name} not captured: ${rec.reason}`);
          continue;
        }
        assert.equal(rec.status, "ok", `${name}: ${rec.reason}`);
        n++;
      }
      assert(
        n >= 2,
        `only ${n} of ${SCENARIOS.length} scenarios were captured`,
      );
      const runs: [string[], number][] = [
        [["--engine", "all"], 2 * n],
        [["--engine", "hw", "--driver", "tso-helper"], n],
        [["--engine", "hw", "--driver", "gso"], n],
        [["--engine", "hw", "--driver", "none"], n],
        [["--engine", "hw", "--preset", "82599-10g"], n],
        [["--engine", "hw", "--preset", "corundum-100g"], n],
      ];
      for (const [args, rows] of runs) {
        const r = await tsolab(["verify", "--captures", dir, ...args]);
        const what = `verify --captures ${args.join(" ")}`;
        assert.equal(r.code, 0, `${what}:\n${r.stdout}${r.stderr}`);
        assert.match(
          r.stdout,
          new RegExp(`^verify: ${rows} passed, 0 failed$`, "m"),
          `${what}:\n${r.stdout}`,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
