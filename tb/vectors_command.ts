/**
 * `tsolab vectors`: making and keeping golden vectors — `capture` (kernel
 * capture pairs, Linux only, root), `extract` (a capture pair to a golden
 * vector), `gen` (vectors made by the software reference) and `manifest`
 * (rebuild or check `vectors/golden/MANIFEST.json`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { goldenFromCaptureDir } from "../vectors/from_capture_record.ts";
import { goldenFromPair } from "../vectors/from_pair.ts";
import { kernelCaptureFeatureNames } from "../vectors/golden_device.ts";
import { genMain } from "../vectors/generate.ts";
import { checkManifest, updateManifest } from "../vectors/manifest.ts";
import { intOption, UsageError } from "./cli_args.ts";

/**
 * Help text of `vectors`.
 *
 * @example
 * ```ts
 * import { VECTORS_HELP } from "./vectors_command.ts";
 * console.log(VECTORS_HELP);
 * ```
 */
export const VECTORS_HELP = `tsolab vectors — make and keep the golden vectors

Usage:
  tsolab vectors capture  --scenario NAME|--all [-o DIR]   kernel capture pairs (root)
  tsolab vectors extract  --ingress IN --egress OUT -o FILE  a pair to a golden vector
  tsolab vectors extract  --captures DIR -o OUTDIR         every captured pair of DIR
  tsolab vectors gen      --scenario NAME|--all [-o DIR]   vectors made by the reference
  tsolab vectors manifest [--check] [DIR]                  rebuild or check MANIFEST.json

Run "tsolab vectors <command> --help" for a command's options.

Exit status: 0 ok; 1 manifest differs (--check) or a capture failed;
2 bad usage or input that cannot be used (frames that do not pair up).

Example:
  deno task tsolab vectors manifest --check
`;

/**
 * Help text of `vectors extract`.
 *
 * @example
 * ```ts
 * import { EXTRACT_HELP } from "./vectors_command.ts";
 * console.log(EXTRACT_HELP);
 * ```
 */
export const EXTRACT_HELP =
  `tsolab vectors extract — turn a kernel capture pair into a golden vector

Usage:
  tsolab vectors extract --ingress IN --egress OUT -o FILE.pcapng
                         --kernel-release R (uname -r of the capturing host)
                         [--gso-size N] [--sender ADDR] [--scenario NAME]
                         [--source socket|tap]
                         [--features NAME,NAME,…] [--command TEXT]
                         [--description TEXT]
  tsolab vectors extract --captures DIR -o OUTDIR [--keep-existing]

IN is the capture before the egress device (the super-packets), OUT the one
after it (what the kernel sent). Only the sender's frames are kept (the
source of the ingress frame with the largest payload, unless --sender);
each ingress frame is paired, in order, with the egress frames it became: a
super-packet (payload above gso_size, by default the largest payload of the
sender's egress frames) with the next frames of its flow that carry its
payload byte for byte, any other frame with exactly one. A segment missing,
extra, out of order or changed is refused with a line naming the frames.

--features lists the egress device's enabled ethtool features (default: the
kernel captures' p2, tso off gso on tx off sg on). --captures converts every
NAME.json record of "vectors capture" whose status is ok; --keep-existing
leaves a scenario whose vector is already in OUTDIR as it is.

Example:
  tsolab vectors extract --ingress tcp4.in.pcap --egress tcp4.out.pcap \\
    --kernel-release 6.18 -o vectors/golden/tcp4.pcapng
`;

/**
 * Help text of `vectors manifest`.
 *
 * @example
 * ```ts
 * import { MANIFEST_HELP } from "./vectors_command.ts";
 * console.log(MANIFEST_HELP);
 * ```
 */
export const MANIFEST_HELP =
  `tsolab vectors manifest — rebuild or check the golden vectors' manifest

Usage:
  tsolab vectors manifest [--check] [DIR]

Rebuilds DIR/MANIFEST.json (default DIR vectors/golden) from the .pcapng
files: scenario, origin, source, kernel release, size, SHA-256, counts of
super-packets, segments and pass-through frames. With --check, only
compares and prints one line per difference.

Exit status: 0 written or matching; 1 differences (--check); 2 a file is
not a golden vector.

Example:
  deno task tsolab vectors manifest --check vectors/golden
`;

function scenarioFrom(path: string): string {
  const base = path.split("/").pop() ?? path;
  return base.replace(/(\.in)?\.pcap(ng)?$/, "");
}

function extractMain(args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      ingress: { type: "string" },
      egress: { type: "string" },
      captures: { type: "string" },
      "keep-existing": { type: "boolean" },
      output: { type: "string", short: "o" },
      "gso-size": { type: "string" },
      sender: { type: "string" },
      scenario: { type: "string" },
      "kernel-release": { type: "string" },
      source: { type: "string", default: "socket" },
      features: { type: "string" },
      command: { type: "string" },
      description: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(EXTRACT_HELP);
    return 0;
  }
  if (values.output === undefined) {
    throw new UsageError(
      "extract needs -o FILE (or -o OUTDIR with --captures)",
    );
  }
  if (values.captures !== undefined) {
    if (values.ingress !== undefined || values.egress !== undefined) {
      throw new UsageError("give either --captures DIR or --ingress/--egress");
    }
    Deno.mkdirSync(values.output, { recursive: true });
    const done = goldenFromCaptureDir(values.captures, values.output, {
      keepExisting: values["keep-existing"] ?? false,
    });
    if (done.length === 0) {
      throw new UsageError(
        `${values.captures}: no capture records (NAME.json)`,
      );
    }
    for (const c of done) {
      if (c.result !== undefined) {
        const r = c.result;
        console.log(
          `${r.path}: ${r.superPackets} super-packets, ${r.segments} segments, ${r.passThrough} pass-through (sender ${r.sender}, gso_size ${r.gsoSize})`,
        );
      } else console.log(`${c.record}: skipped (${c.skipped})`);
    }
    return 0;
  }
  if (values.ingress === undefined || values.egress === undefined) {
    throw new UsageError("extract needs --ingress IN and --egress OUT");
  }
  if (!values.output.endsWith(".pcapng")) {
    throw new UsageError(
      `-o ${values.output}: a golden vector is a .pcapng file`,
    );
  }
  if (values["kernel-release"] === undefined) {
    throw new UsageError(
      "extract needs --kernel-release (uname -r of the kernel that made the pair)",
    );
  }
  const source = values.source;
  if (source !== "socket" && source !== "tap") {
    throw new UsageError(`--source must be socket or tap, got "${source}"`);
  }
  const gsoSize = values["gso-size"] === undefined
    ? undefined
    : intOption("--gso-size", values["gso-size"], 1, 65534);
  const r = goldenFromPair(values.ingress, values.egress, {
    output: values.output,
    scenario: values.scenario ?? scenarioFrom(values.ingress),
    kernelRelease: values["kernel-release"],
    source,
    command: values.command ?? "not recorded",
    features: values.features === undefined
      ? kernelCaptureFeatureNames()
      : values.features.split(",").filter((s) => s !== ""),
    ...(values.description !== undefined
      ? { description: values.description }
      : {}),
    ...(values.sender !== undefined ? { sender: values.sender } : {}),
    ...(gsoSize !== undefined ? { gsoSize } : {}),
    extra: {
      extracted_with: ["tsolab vectors extract", ...args.map(quote)].join(" "),
    },
  });
  console.log(
    `${r.path}: ${r.superPackets} super-packets, ${r.segments} segments, ${r.passThrough} pass-through (sender ${r.sender}, gso_size ${r.gsoSize})`,
  );
  return 0;
}

function quote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`;
}

async function manifestMain(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      check: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    console.log(MANIFEST_HELP);
    return 0;
  }
  if (positionals.length > 1) {
    throw new UsageError(
      `manifest takes one folder, got ${positionals.length}`,
    );
  }
  const dir = positionals[0] ?? "vectors/golden";
  if (values.check) {
    const diffs = await checkManifest(dir);
    for (const d of diffs) console.log(d);
    console.log(
      diffs.length === 0
        ? `${dir}: manifest matches the files`
        : `${dir}: ${diffs.length} difference${diffs.length === 1 ? "" : "s"}`,
    );
    return diffs.length === 0 ? 0 : 1;
  }
  const m = await updateManifest(dir);
  console.log(
    `${dir}/MANIFEST.json: ${m.files.length} files, ${m.total_bytes} bytes`,
  );
  return 0;
}

async function captureCommand(args: string[]): Promise<number> {
  const path = "../vectors/capture/capture_main.ts";
  let mod: { captureMain?: (a: string[]) => Promise<number> };
  try {
    mod = await import(path);
  } catch (e) {
    throw new UsageError(
      `capture is not available: cannot load vectors/capture/capture_main.ts (${
        (e as Error).message.split("\n")[0]
      })`,
    );
  }
  if (typeof mod.captureMain !== "function") {
    throw new UsageError(
      "capture is not available: vectors/capture/capture_main.ts has no captureMain",
    );
  }
  return await mod.captureMain(args);
}

/**
 * Runs `tsolab vectors` with the arguments after `vectors`.
 *
 * @param args The subcommand and its arguments.
 * @returns The exit status.
 * @throws {UsageError} For bad usage (exit 2).
 * @throws {PairingError} When `extract`'s frames do not pair up (exit 2).
 * @throws {GoldenVectorError} When a file is not a usable golden vector or
 *   capture record (exit 2).
 *
 * @example
 * ```ts ignore
 * import { vectorsMain } from "./vectors_command.ts";
 * Deno.exit(await vectorsMain(["manifest", "--check"]));
 * ```
 */
export async function vectorsMain(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case undefined:
    case "help":
    case "-h":
    case "--help":
      console.log(VECTORS_HELP);
      return sub === undefined ? 2 : 0;
    case "capture":
      return await captureCommand(rest);
    case "extract":
      return extractMain(rest);
    case "gen":
      return await genMain(rest);
    case "manifest":
      return await manifestMain(rest);
    default:
      throw new UsageError(
        `unknown vectors command "${sub}" (capture, extract, gen, manifest)`,
      );
  }
}
