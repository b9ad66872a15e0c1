/**
 * `tsolab check`: bring your own device. A host-side capture (the
 * super-packets as the stack handed them over) and a wire-side capture of
 * what a real NIC, an RTL simulation or another implementation sent go
 * through the scoreboard against the Linux reference.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { kernelCaptureEgressDevice } from "../sw/net_device.ts";
import { intOption, UsageError } from "./cli_args.ts";
import { compareCaptures, inferredGsoSizeNote } from "./capture_compare.ts";
import { formatDivergence } from "./scoreboard.ts";
import { swTransmit } from "./sw_engine.ts";
import { PROFILES, tolerancesFor } from "./tolerances.ts";

/**
 * Help text of `check`.
 *
 * @example
 * ```ts
 * import { CHECK_HELP } from "./check_command.ts";
 * console.log(CHECK_HELP);
 * ```
 */
export const CHECK_HELP =
  `tsolab check — compare your device's wire output with the Linux reference

Usage:
  tsolab check --ingress HOST.pcap --egress WIRE.pcap [--gso-size N]
               [--sender ADDR] [--profile ${
    Object.keys(PROFILES).join("|")
  }[,…]]
               [--vxlan-port P …] [--keep-going] [--json]

The ingress capture holds what the host stack handed the device (GSO
super-packets, e.g. tcpdump on the sending interface); the egress capture
what the device put on the wire. The reference segments every ingress frame
of the sender (default: the source of the ingress frame with the largest
TCP/UDP payload; an address in any IPv4 or IPv6 form) as Linux does, and
each expected frame is compared in order with the device's. A sender with no
frame in the ingress capture is an error (exit 2), never a match. gso_size
defaults to the largest payload among the sender's wire frames; when the
wire capture holds no TCP/UDP payload of the sender, pass --gso-size (exit 2).

Cooked captures (tcpdump -i any: LINUX_SLL/SLL2), or two captures of
different link types, are compared from the network header on. A frame cut
by the snap length in either capture is an error (exit 2): capture with -s 0.

Profiles accept documented hardware differences and say which they applied:
  linux      none: byte for byte (default)
  intel-tso  CWR kept on middle segments (ixgbe default TCP flag masks),
             Ethernet padding and a captured FCS
  fixed-id   IPv4 ID not incremented (i40e EIP_NOINC), padding, FCS
  wire       padding and FCS only
  csum-engine  a TCP checksum of 0 sent as 0xFFFF (generic start/offset
             checksum engines), padding, FCS

Exit status: 0 match; 1 divergence; 2 usage or unusable input.

Example:
  deno task tsolab check --ingress host.pcap --egress wire.pcap --profile intel-tso
`;

/**
 * Runs `check` with command-line arguments.
 *
 * @param args Arguments after `check`.
 * @returns The exit status.
 * @throws {UsageError} For bad usage or unusable input.
 *
 * @example
 * ```ts ignore
 * await checkMain(["--ingress", "h.pcap", "--egress", "w.pcap"]);
 * ```
 */
export function checkMain(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ingress: { type: "string" },
      egress: { type: "string" },
      "gso-size": { type: "string" },
      sender: { type: "string" },
      profile: { type: "string", default: "linux" },
      "vxlan-port": { type: "string", multiple: true },
      "keep-going": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(CHECK_HELP);
    return Promise.resolve(0);
  }
  if (values.ingress === undefined || values.egress === undefined) {
    throw new UsageError(
      "check needs --ingress HOST.pcap and --egress WIRE.pcap",
    );
  }
  const tolerances = tolerancesFor(values.profile);
  const dev = kernelCaptureEgressDevice();
  const r = compareCaptures(
    values.ingress,
    values.egress,
    (h) => (skb) => swTransmit(skb, dev, h),
    {
      ...(values.sender !== undefined ? { sender: values.sender } : {}),
      ...(values["gso-size"] !== undefined
        ? { gsoSize: intOption("--gso-size", values["gso-size"], 1, 65534) }
        : {}),
      vxlanPorts: (values["vxlan-port"] ?? ["4789"]).map((p) =>
        intOption("--vxlan-port", p, 1, 65535)
      ),
      keepGoing: values["keep-going"] ?? false,
      tolerances,
      egressIsDut: true,
    },
  );
  if (values.json) {
    console.log(JSON.stringify({ profile: values.profile, ...r }));
  } else {
    console.log(
      `check: sender ${r.sender} gso_size=${r.gsoSize} super_packets=${r.superPackets} frames=${r.frames} profile=${values.profile}${
        r.fromNetworkLayer ? " (compared from the network header)" : ""
      }`,
    );
    for (const [name, n] of Object.entries(r.tolerated)) {
      console.log(`tolerated: ${name} on ${n} frame${n === 1 ? "" : "s"}`);
    }
    for (const d of r.divergences) console.log(formatDivergence(d));
    const note = inferredGsoSizeNote(r);
    if (note !== null) console.log(note);
    console.log(
      r.mismatch === null
        ? "check: match"
        : `check: ${r.divergences.length} divergence(s)`,
    );
  }
  return Promise.resolve(r.mismatch === null ? 0 : 1);
}
