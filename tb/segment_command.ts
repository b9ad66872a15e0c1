/**
 * `tsolab segment`: segment the super-packets of a capture with the
 * software reference (or the NIC model) and write the result.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { applyFeatureChanges } from "./device_setup.ts";
import { extractFeatureArgs, intOption, UsageError } from "./cli_args.ts";
import {
  formatSummary,
  runSegment,
  runSucceeded,
  SegmentRunError,
} from "./segment_run.ts";
import { swTransmit } from "./sw_engine.ts";
import { kernelCaptureEgressDevice } from "../sw/net_device.ts";

/**
 * Help text of `segment`.
 *
 * @example
 * ```ts
 * import { SEGMENT_HELP } from "./segment_command.ts";
 * console.log(SEGMENT_HELP);
 * ```
 */
export const SEGMENT_HELP =
  `tsolab segment — segment a capture's super-packets as Linux does

Usage:
  tsolab segment [--engine sw|hw] --gso-size N IN -o OUT [-K feature on|off …]
                 [--vxlan-port P …] [--fixed-id] [--accecn] [--ufo]
                 [--keep-rejected] [--explain] [--json]
                 [--preset P] [--driver MODE] [--config F] [--set k=v …] [--vcd F]

Every frame of IN is parsed (Ethernet with 802.1Q/QinQ tags, or the link
type's header; IPv4 with options or IPv6 with Hop-by-Hop/Routing/Destination
headers; TCP or UDP; UDP to a VXLAN port is a tunnel and its inner frame is
parsed too). A frame whose innermost TCP/UDP payload (by the IP length
fields) exceeds N is a super-packet: it is segmented as Linux does on the
egress device of the kernel captures (tso off, gso on, tx-checksumming off,
sg on: every checksum final), changed by -K. Every other frame passes
through with seeded checksums completed, except that with --engine sw an
innermost seed the device would insert (-K tx on) stays a seed, as Linux
hands it to the device. Output keeps input order and
timestamps; its format follows OUT's extension (.pcap or .pcapng). It is
written beside OUT under a temporary name and replaces OUT only when the
run succeeds (exit 0); otherwise an existing OUT is left as it was.

Options:
  --engine sw|hw      sw: the Linux reference (default); hw: the NIC model
  --gso-size N        payload bytes per segment, 1..65534 (required; 65535 is
                      the kernel's GSO_BY_FRAGS, not an MSS)
  -o, --output OUT    output file (.pcap or .pcapng)
  -K name on|off …    change egress features by their ethtool names
                      (tso, gso, tx, sg, tx-tcp-segmentation, …); the
                      reference's device only: with --engine hw use --set
  --vxlan-port P      UDP port carrying VXLAN (default 4789; repeatable).
                      Linux's vxlan driver uses 8472 when created without
                      dstport; the first such frame is pointed out on stderr
  --fixed-id          super-packets keep a fixed IPv4 ID (SKB_GSO_TCP_FIXEDID)
  --accecn            CWR stays on every segment (SKB_GSO_TCP_ACCECN)
  --ufo               UDP super-packets are legacy UFO (IP fragments)
  --keep-rejected     write refused super-packets and malformed frames as-is
  --explain           print each super-packet's transmit path on stderr
  --json              print the summary as JSON before the summary line

With --engine hw (the NIC model; its report is printed before the summary):
  --preset P          e810-100g (default), 82599-10g or corundum-100g
  --driver MODE       hw-tso, tso-helper, gso or none (default: the preset's first)
  --config FILE.json  configuration merged over the preset
  --set key=value     one configuration value (repeatable), e.g. pcie.gen=3
  --vcd FILE          write the run's waveform (opens in GTKWave)
The model transmits the super-packets. Every other frame passes through as
with --engine sw, not through the model: a capture also holds the peer's
frames, which this host never sent, so the report's packets, time, wire and
PCIe figures cover the super-packets alone.

Output: the last stdout line is exactly
  frames_in=N super_packets=N segments_out=N passed=N rejected=N bad_checksums=N
followed by " (reason=count, …)" when anything was rejected. A frame cut by
the snap length passes as captured, with its wire length kept, unless its IP
length makes it a super-packet: that cannot be segmented without its
payload and is rejected as truncated.

Exit status: 0 output written (rejections counted); 1 reserved for
verification mismatches; 2 unusable input or usage (one line on stderr
naming what is wrong, the frame number and the byte offset).

Example:
  deno task tsolab segment --gso-size 1448 tcp4.in.pcap -o tcp4.seg.pcap
`;

// Options only the NIC model (`--engine hw`) takes.
const MODEL_OPTIONS = ["preset", "driver", "config", "set", "vcd"] as const;

/**
 * Runs `segment` with command-line arguments.
 *
 * @param args Arguments after `segment`.
 * @returns The exit status.
 * @throws {UsageError} For bad usage or unusable input.
 *
 * @example
 * ```ts ignore
 * const code = await segmentMain(["--gso-size", "1448", "in.pcap", "-o", "out.pcap"]);
 * ```
 */
export async function segmentMain(args: string[]): Promise<number> {
  const { rest, changes } = extractFeatureArgs(args);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      engine: { type: "string", default: "sw" },
      "gso-size": { type: "string" },
      output: { type: "string", short: "o" },
      "vxlan-port": { type: "string", multiple: true },
      "fixed-id": { type: "boolean" },
      accecn: { type: "boolean" },
      ufo: { type: "boolean" },
      "keep-rejected": { type: "boolean" },
      explain: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      preset: { type: "string" },
      driver: { type: "string" },
      vcd: { type: "string" },
      config: { type: "string" },
      set: { type: "string", multiple: true },
    },
  });
  if (values.help) {
    console.log(SEGMENT_HELP);
    return 0;
  }
  const gsoSize = intOption("--gso-size", values["gso-size"], 1, 65534);
  if (positionals.length !== 1) {
    throw new UsageError("segment needs exactly one input file");
  }
  if (values.output === undefined) throw new UsageError("-o OUT is required");
  const vxlanPorts = (values["vxlan-port"] ?? ["4789"]).map((p) =>
    intOption("--vxlan-port", p, 1, 65535)
  );
  if (values.engine !== "sw" && values.engine !== "hw") {
    throw new UsageError(`--engine must be sw or hw, got "${values.engine}"`);
  }
  if (values.engine === "sw") {
    // The reference has no model to configure: refuse, never ignore.
    for (const name of MODEL_OPTIONS) {
      if (values[name] !== undefined) {
        throw new UsageError(
          `--${name} configures the NIC model: it needs --engine hw`,
        );
      }
    }
  }
  if (values.engine === "hw" && changes.length > 0) {
    // The model's offloads are its preset's: -K would be ignored, so refuse.
    throw new UsageError(
      "-K changes the Linux reference's egress device, not the NIC model; with --engine hw turn the model's offloads off with --set (offload.tso, offload.tso6, offload.uso, offload.vxlan, offload.vxlanCsum, offload.csum, offload.tsoEcn, offload.mangleId), e.g. --set offload.tso=false",
    );
  }
  const dev = kernelCaptureEgressDevice();
  const changed = applyFeatureChanges(dev, changes);
  for (const c of changed) console.error(`features: ${c}`);
  let engine;
  let hwReport: (() => unknown) | undefined;
  if (values.engine === "hw") {
    const { makeHwEngine } = await import("./hw_engine.ts");
    const hw = makeHwEngine(dev, {
      ...(values.preset !== undefined ? { preset: values.preset } : {}),
      ...(values.driver !== undefined ? { driver: values.driver } : {}),
      ...(values.config !== undefined ? { config: values.config } : {}),
      set: values.set ?? [],
      vcd: values.vcd !== undefined,
    });
    engine = hw.engine;
    hwReport = () => {
      const text = hw.finish(values.vcd);
      // --json carries the report as data, not as its text rendering
      return values.json ? hw.nic.report() : text;
    };
  } else {
    engine = (skb: Parameters<typeof swTransmit>[0]) => swTransmit(skb, dev);
  }
  let s;
  let report: unknown;
  try {
    s = runSegment({
      input: positionals[0]!,
      output: values.output,
      gsoSize,
      engine,
      ...(values.engine === "hw" ? {} : { device: dev }),
      vxlanPorts,
      fixedId: values["fixed-id"] ?? false,
      accecn: values.accecn ?? false,
      ufo: values.ufo ?? false,
      keepRejected: values["keep-rejected"] ?? false,
      warn: (line) => console.error(line),
      progress: !values.json,
      // The model's report (and waveform) before OUT is replaced, so that
      // a failure there leaves OUT as it was too.
      finish: (sum) => {
        report = hwReport?.();
        return runSucceeded(sum);
      },
      ...(values.explain
        ? {
          onPath: (n: number, path: string, reasons: string[]) =>
            console.error(
              `frame ${n}: ${path}${
                reasons.length ? ` (${reasons.join("; ")})` : ""
              }`,
            ),
        }
        : {}),
    });
  } catch (e) {
    if (e instanceof SegmentRunError) console.log(formatSummary(e.summary));
    throw e;
  }
  if (values.json) {
    console.log(JSON.stringify({
      framesIn: s.framesIn,
      superPackets: s.superPackets,
      segmentsOut: s.segmentsOut,
      passed: s.passed,
      rejected: s.rejected,
      badChecksums: s.badChecksums,
      reasons: Object.fromEntries(s.reasons),
      paths: Object.fromEntries(s.paths),
      ...(report !== undefined ? { hw: report } : {}),
    }));
  } else if (typeof report === "string") console.log(report);
  console.log(formatSummary(s));
  // Every frame read was rejected: nothing usable, no output kept.
  return runSucceeded(s) ? 0 : 2;
}
