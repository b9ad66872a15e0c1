/**
 * `tsolab pcie`: the PCIe link's effective bandwidth for DMA transfers of a
 * given size, by the pcie-bench accounting (TLP headers, DLLP overhead per
 * generation and width, MPS/MRRS/RCB splits).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { pcieEffectiveBandwidth } from "../hw/pcie_bandwidth.ts";
import { TsolabError } from "../sw/types.ts";
import {
  choiceOption,
  intOption,
  nonNegativeOption,
  UsageError,
} from "./cli_args.ts";

// What the PCIe model accounts for (hw/pcie.ts): generations 1..6 and their
// lane widths; sizes are powers of two, and a Read Completion Boundary is
// 64 or 128 bytes (PCIe Base Spec).
const GENERATIONS = [1, 2, 3, 4, 5, 6];
const LANES = [1, 2, 4, 8, 16, 32];
const SIZES = [128, 256, 512, 1024, 2048, 4096];
const RCBS = [64, 128];

/**
 * Help text of `pcie`.
 *
 * @example
 * ```ts
 * import { PCIE_HELP } from "./pcie_command.ts";
 * console.log(PCIE_HELP);
 * ```
 */
export const PCIE_HELP =
  `tsolab pcie — effective PCIe bandwidth for DMA transfers of N bytes

Usage:
  tsolab pcie --gen G --lanes L --mps M --mrrs R --size N --dir read|write
              [--rcb B] [--split-at-rcb] [--ecrc] [--addr32] [--issue-mtps X] [--json]

  --gen 1..6, --lanes 1, 2, 4, 8, 16 or 32, --mps and --mrrs 128..4096 in
  powers of two (default 256 and 512), --rcb 64 or 128 (default 64),
  --issue-mtps a number >= 0 (0: no cap), --size 1..2^30 bytes.

Computes the payload bandwidth of a stream of N-byte DMA transfers: reads are
split into MRRS-byte requests and come back in MPS-byte completions (RCB
with --split-at-rcb); writes go out in MPS-byte posted writes. Each TLP
carries framing, sequence number, LCRC and header bytes; the link loses
ACK/FC DLLP and SKP time per generation and width. --issue-mtps caps the
device's DMA issue rate (million transfers/s).

Example:
  deno task tsolab pcie --gen 3 --lanes 8 --mps 256 --mrrs 512 --size 1500 --dir read
`;

/**
 * Runs `pcie` with command-line arguments.
 *
 * @param args Arguments after `pcie`.
 * @returns The exit status.
 * @throws {UsageError} For bad usage.
 *
 * @example
 * ```ts
 * import { pcieMain } from "./pcie_command.ts";
 * // Prints the link's raw, TLP-layer and effective bandwidth for 64-byte reads.
 * await pcieMain(["--gen", "3", "--lanes", "8", "--mps", "256", "--mrrs", "512", "--size", "64", "--dir", "read"]); // 0
 * ```
 */
export function pcieMain(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      gen: { type: "string" },
      lanes: { type: "string" },
      mps: { type: "string", default: "256" },
      mrrs: { type: "string", default: "512" },
      rcb: { type: "string", default: "64" },
      "split-at-rcb": { type: "boolean" },
      ecrc: { type: "boolean" },
      addr32: { type: "boolean" },
      "issue-mtps": { type: "string" },
      size: { type: "string" },
      dir: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(PCIE_HELP);
    return Promise.resolve(0);
  }
  if (values.dir !== "read" && values.dir !== "write") {
    throw new UsageError(
      `--dir must be read or write, got ${
        values.dir === undefined ? "nothing" : `"${values.dir}"`
      }`,
    );
  }
  const o = {
    gen: choiceOption("--gen", values.gen, GENERATIONS),
    lanes: choiceOption("--lanes", values.lanes, LANES),
    mps: choiceOption("--mps", values.mps, SIZES),
    mrrs: choiceOption("--mrrs", values.mrrs, SIZES),
    rcb: choiceOption("--rcb", values.rcb, RCBS),
    splitAtRcb: values["split-at-rcb"] ?? false,
    ecrc: values.ecrc ?? false,
    addr64: !(values.addr32 ?? false),
    size: intOption("--size", values.size, 1, 1 << 30),
    dir: values.dir,
    ...(values["issue-mtps"] !== undefined
      ? { issueMtps: nonNegativeOption("--issue-mtps", values["issue-mtps"]) }
      : {}),
  } as const;
  let b;
  try {
    b = pcieEffectiveBandwidth(o);
  } catch (e) {
    if (e instanceof TsolabError) throw new UsageError(e.message, { cause: e });
    throw e;
  }
  if (values.json) {
    console.log(JSON.stringify({ ...o, ...b }));
    return Promise.resolve(0);
  }
  console.log(
    `PCIe Gen${o.gen} x${o.lanes} MPS ${o.mps} MRRS ${o.mrrs}${
      o.splitAtRcb ? ` RCB ${o.rcb}` : ""
    }: ${o.dir} of ${o.size} B`,
  );
  console.log(
    `  raw ${b.rawGbps.toFixed(2)} Gb/s, TLP layer ${
      b.tlpGbps.toFixed(2)
    } Gb/s per direction`,
  );
  console.log(
    `  ${b.tlps} TLPs, ${b.wireBytes} wire bytes per transfer; ${b.reverseTlps} TLPs, ${b.reverseWireBytes} B the other way`,
  );
  console.log(
    `  effective ${b.gbps.toFixed(2)} Gb/s (limited by ${b.limitedBy})`,
  );
  return Promise.resolve(0);
}
