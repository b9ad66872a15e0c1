/**
 * Captures one scenario end to end: builds its topology, starts both
 * captures, makes the traffic, stops the captures after the end marker,
 * checks and counts the pair, writes `NAME.in.pcap`, `NAME.out.pcap` and
 * `NAME.json`, and removes the topology whatever happens.
 *
 * @module
 */

import { parseAddress } from "./_craft.ts";
import { forwardStats } from "./_forward_stats.ts";
import type { ForwardStats } from "./_forward_stats.ts";
import { LibcError } from "./_libc.ts";
import { readPcap } from "./_pcap_scan.ts";
import { VIRTIO_GSO, VIRTIO_NEEDS_CSUM } from "./_tap.ts";
import { CaptureRunError, ScenarioSkipped } from "./errors.ts";
import { END_MARKER_ETHERTYPE } from "./marker.ts";
import type { InjectGso, Scenario, ScenarioContext } from "./scenario.ts";
import { runSocketFlow } from "./socket_flow.ts";
import { buildTopology } from "./topology.ts";
import type { TcpdumpStats } from "./tcpdump.ts";
import type { Topology } from "./topology.ts";

/** Forward-frame counts of a pair, as written to `NAME.json`. */
export interface FrameCounts {
  /** All frames of in.pcap. */
  in_frames: number;
  /** All frames of out.pcap. */
  out_frames: number;
  /** The sender's frames in in.pcap. */
  in_forward: number;
  /** The sender's frames in out.pcap. */
  out_forward: number;
  /** Forward frames of in.pcap longer than gso_size. */
  super_packets: number;
  /** Largest innermost payload among the forward frames of out.pcap. */
  inferred_gso_size: number;
  /** Forward frames out.pcap should hold given in.pcap and gso_size. */
  expected_out_forward: number;
  /** Forward frames of out.pcap longer than gso_size (0 when all is well). */
  oversize_out: number;
}

/** tcpdump's counters of one capture, as written to `NAME.json`. */
export interface TcpdumpCounts {
  /** Packets captured. */
  captured: number;
  /** Packets received by filter. */
  received_by_filter: number;
  /** Packets dropped by kernel. */
  dropped_by_kernel: number;
}

/** The outcome of one scenario, as written to `NAME.json`. */
export interface ScenarioRecord {
  /** Scenario name. */
  scenario: string;
  /** Its description. */
  description: string;
  /** "socket" or "tap". */
  driver: "socket" | "tap";
  /** ok, skipped (the kernel cannot do it) or failed (the tool could not). */
  status: "ok" | "skipped" | "failed";
  /** True when skipped. */
  skipped: boolean;
  /** Why it was skipped or failed; null when ok. */
  reason: string | null;
  /** `uname -r` of the capturing kernel. */
  kernel_release: string;
  /** ISO time of the capture. */
  captured_at: string;
  /** Outer source address of the forward frames. */
  sender_address: string;
  /** gso_size of the pair (null when unknown). */
  gso_size: number | null;
  /** "scenario" when the scenario set it, "inferred" from out.pcap. */
  gso_size_source: "scenario" | "inferred";
  /** Ingress capture device (p1 or the tap). */
  ingress_device: string | null;
  /** Egress capture and segmenting device. */
  egress_device: string;
  /** Enabled ethtool features of the egress device during the capture. */
  egress_features: string[];
  /** The pcap files, relative to the JSON (null when not kept). */
  files: { in: string; out: string } | null;
  /** Forward-frame counts (frames whose outer source is the sender). */
  frames: FrameCounts | null;
  /** tcpdump counters of the in and out captures. */
  tcpdump: { in: TcpdumpCounts; out: TcpdumpCounts } | null;
  /** Growth of the egress device's tx_dropped during the capture. */
  egress_tx_dropped: number | null;
  /** The end-marker frames both captures also hold (not IP; ignore them). */
  end_marker: { ethertype: string; payload_prefix: string };
  /** Remarks (receiver counts, count mismatches, what the kernel did). */
  notes: string[];
  /** Every command line run, in order (FFI steps as `# FFI:` lines). */
  commands: string[];
}

function frameCounts(s: ForwardStats): FrameCounts {
  return {
    in_frames: s.inFrames,
    out_frames: s.outFrames,
    in_forward: s.inForward,
    out_forward: s.outForward,
    super_packets: s.superPackets,
    inferred_gso_size: s.inferredGsoSize,
    expected_out_forward: s.expectedOutForward,
    oversize_out: s.oversizeOut,
  };
}

function tcpdumpCounts(s: TcpdumpStats): TcpdumpCounts {
  return {
    captured: s.captured,
    received_by_filter: s.receivedByFilter,
    dropped_by_kernel: s.droppedByKernel,
  };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function gsoTypeName(t: number): string {
  const base = t & ~VIRTIO_GSO.ECN;
  const name =
    Object.entries(VIRTIO_GSO).find(([k, v]) => v === base && k !== "ECN")
      ?.[0] ??
      String(base);
  return (t & VIRTIO_GSO.ECN) !== 0 ? `${name}|ECN` : name;
}

function makeContext(topo: Topology, notes: string[]): ScenarioContext {
  return {
    topology: topo,
    async socketFlow(flow) {
      const r = await runSocketFlow(topo, flow);
      notes.push(...r.notes);
      return r;
    },
    inject(frame, gso?: InjectGso) {
      const tap = topo.tap;
      if (!tap) throw new ScenarioSkipped("inject() needs the tap driver");
      const header = {
        flags: VIRTIO_NEEDS_CSUM,
        gsoType: gso?.type ?? VIRTIO_GSO.NONE,
        hdrLen: frame.hdrLen,
        gsoSize: gso?.size ?? 0,
        csumStart: frame.l4Offset,
        csumOffset: frame.csumOffset,
      };
      try {
        tap.write(header, frame.bytes);
      } catch (e) {
        if (!(e instanceof LibcError)) throw e;
        throw new ScenarioSkipped(
          `The tap refused a ${frame.bytes.length}-byte frame with gso_type ${
            gsoTypeName(header.gsoType)
          } gso_size ${header.gsoSize} hdr_len ${header.hdrLen} csum_start ${header.csumStart}: ${e.message}`,
          { cause: e },
        );
      }
    },
    note(text) {
      notes.push(text);
    },
  };
}

/**
 * Captures one scenario into `outDir`. Never throws for a scenario's own
 * failure: the returned (and written) record says ok, skipped or failed.
 *
 * @param scenario The scenario.
 * @param outDir Output directory (must exist).
 * @returns The record also written to `outDir/NAME.json`.
 *
 * @example
 * ```ts ignore
 * import { captureScenario } from "./capture_scenario.ts";
 * import { findScenario } from "./scenarios.ts";
 * const rec = await captureScenario(findScenario("tcp4")!, "/tmp/caps");
 * console.log(rec.status, rec.gso_size);
 * ```
 */
export async function captureScenario(
  scenario: Scenario,
  outDir: string,
): Promise<ScenarioRecord> {
  const inName = `${scenario.name}.in.pcap`;
  const outName = `${scenario.name}.out.pcap`;
  const inPath = `${outDir}/${inName}`;
  const outPath = `${outDir}/${outName}`;
  const notes: string[] = [];
  const rec: ScenarioRecord = {
    scenario: scenario.name,
    description: scenario.description,
    driver: scenario.driver,
    status: "ok",
    skipped: false,
    reason: null,
    kernel_release: Deno.osRelease(),
    captured_at: new Date().toISOString(),
    sender_address: scenario.senderAddress,
    gso_size: typeof scenario.gsoSize === "number" ? scenario.gsoSize : null,
    gso_size_source: typeof scenario.gsoSize === "number"
      ? "scenario"
      : "inferred",
    ingress_device: null,
    egress_device: "p2",
    egress_features: [],
    files: { in: inName, out: outName },
    frames: null,
    tcpdump: null,
    egress_tx_dropped: null,
    end_marker: {
      ethertype: `0x${END_MARKER_ETHERTYPE.toString(16)}`,
      payload_prefix: "tsolab-end ",
    },
    notes,
    commands: [],
  };
  let topo: Topology | undefined;
  try {
    topo = await buildTopology({
      driver: scenario.driver,
      ...scenario.topology,
    }, rec.commands);
    rec.ingress_device = topo.ingressDevice;
    rec.egress_features = await topo.egressFeatures();
    const dropped0 = await topo.egressTxDropped();
    await topo.startCaptures(inPath, outPath);
    let skip: ScenarioSkipped | undefined;
    try {
      await scenario.run(makeContext(topo, notes));
    } catch (e) {
      if (!(e instanceof ScenarioSkipped)) throw e;
      skip = e;
    }
    const stats = await topo.finishCaptures();
    rec.tcpdump = {
      in: tcpdumpCounts(stats.in),
      out: tcpdumpCounts(stats.out),
    };
    rec.egress_tx_dropped = (await topo.egressTxDropped()) - dropped0;
    if (skip) throw skip;
    const [cin, cout] = await Promise.all([
      readPcap(inPath),
      readPcap(outPath),
    ]);
    const known = typeof scenario.gsoSize === "number"
      ? scenario.gsoSize
      : undefined;
    const st = forwardStats(
      cin.records,
      cout.records,
      parseAddress(scenario.senderAddress),
      known,
      scenario.ufo ?? false,
    );
    rec.frames = frameCounts(st);
    if (known === undefined) rec.gso_size = st.inferredGsoSize;
    if (st.inForward > 0 && st.outForward === 0) {
      throw new ScenarioSkipped(
        `None of the ${st.inForward} forward frame(s) of ${inName} left p2 (tx_dropped +${rec.egress_tx_dropped}): ` +
          "the kernel dropped them before or during software segmentation",
      );
    }
    if (st.inForward === 0) {
      throw new CaptureRunError(
        `No frame from the sender ${scenario.senderAddress} reached ${inName} on ${topo.ingressDevice}`,
      );
    }
    if (st.superPackets === 0) {
      notes.push(
        "No forward frame was larger than gso_size: nothing was segmented",
      );
    }
    if (known !== undefined && st.inferredGsoSize !== known) {
      notes.push(
        `The largest segment payload in out.pcap is ${st.inferredGsoSize}, not the scenario's gso_size ${known}`,
      );
    }
    if (st.outForward !== st.expectedOutForward) {
      notes.push(
        `out.pcap holds ${st.outForward} forward frames; ${st.expectedOutForward} were expected from in.pcap and gso_size`,
      );
    }
    if (st.oversizeOut > 0) {
      notes.push(
        `${st.oversizeOut} forward frame(s) of out.pcap exceed gso_size`,
      );
    }
    if (rec.egress_tx_dropped) {
      notes.push(`p2 tx_dropped grew by ${rec.egress_tx_dropped}`);
    }
  } catch (e) {
    rec.skipped = e instanceof ScenarioSkipped;
    rec.status = rec.skipped ? "skipped" : "failed";
    rec.reason = message(e);
  } finally {
    await topo?.destroy();
  }
  if (rec.status !== "ok") {
    rec.files = null;
    for (const p of [inPath, outPath]) await Deno.remove(p).catch(() => {});
  }
  await Deno.writeTextFile(
    `${outDir}/${scenario.name}.json`,
    JSON.stringify(rec, null, 2) + "\n",
  );
  return rec;
}
