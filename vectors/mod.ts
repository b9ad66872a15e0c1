/**
 * Capture files for tsolab: streaming readers and writers of pcap and
 * pcapng, in flat memory, with exact nanosecond timestamps.
 *
 * - {@linkcode CaptureReader} detects pcap (either byte order, µs or ns) or
 *   pcapng (several sections, any `if_tsresol`, EPB/SPB/PB) and yields
 *   `Frame`s one at a time from a file, a `ByteSource` or memory.
 * - {@linkcode PcapWriter}, {@linkcode PcapngWriter} and
 *   {@linkcode createCaptureWriter} write frames as they come, to a
 *   `ByteSink` or a file.
 * - Every malformed input is a {@linkcode CaptureFormatError} that names
 *   the byte offset and, for packets, the frame number.
 * - Golden vectors: {@linkcode GoldenVectorWriter} and
 *   {@linkcode GoldenVectorReader} (one pcapng per scenario, each ingress
 *   frame followed by its expected egress frames, metadata in comments),
 *   {@linkcode goldenFromPair} (a kernel capture pair, paired by
 *   {@linkcode pairFrames}), {@linkcode generateScenario} (made by the
 *   reference) and the manifest ({@linkcode updateManifest}).
 *
 * ```ts
 * import { bytesSink, CaptureReader, LINKTYPE, PcapngWriter } from "./mod.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const sink = bytesSink();
 * const w = new PcapngWriter(sink);
 * const eth = w.addInterface({ linkType: LINKTYPE.ETHERNET, tsresolNs: true });
 * w.write({
 *   data: new Uint8Array(64), timestampNs: 1_700_000_000_123_456_789n,
 *   interfaceId: eth, comments: ["super-frame"], epbFlags: 1 << 11,
 * });
 *
 * const r = CaptureReader.fromBytes(sink.bytes());
 * const [f] = [...r.frames()];
 * deepStrictEqual(
 *   [r.format, f.number, f.timestampNs, f.comments, f.epbFlags],
 *   ["pcapng", 1, 1_700_000_000_123_456_789n, ["super-frame"], 1 << 11],
 * );
 * ```
 *
 * @module
 */

export type { Frame } from "../sw/types.ts";
export { TsolabError } from "../sw/types.ts";
export * from "./build_super_packet.ts";
export * from "./byte_sink.ts";
export * from "./byte_source.ts";
export * from "./capture_error.ts";
export * from "./capture_info.ts";
export * from "./capture_reader.ts";
export * from "./capture_writer.ts";
export * from "./from_capture_record.ts";
export * from "./from_pair.ts";
export * from "./generate.ts";
export * from "./golden_device.ts";
export * from "./golden_error.ts";
export * from "./golden_meta.ts";
export * from "./golden_skb.ts";
export * from "./golden_vector.ts";
export * from "./link_types.ts";
export * from "./manifest.ts";
export * from "./pair_frames.ts";
export * from "./pcap_reader.ts";
export * from "./pcap_writer.ts";
export * from "./pcapng_reader.ts";
export * from "./pcapng_writer.ts";
