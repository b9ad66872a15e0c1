/**
 * The testbench: the frame contract of `segment`, engines, the comparison
 * against kernel captures with field-named mismatches, and the CLI.
 *
 * ```ts ignore
 * import { compareCaptures, swTransmit, kernelCaptureEgressDevice } from "../mod.ts";
 * const dev = kernelCaptureEgressDevice();
 * const r = compareCaptures("tcp4.in.pcap", "tcp4.out.pcap", () => (skb) => swTransmit(skb, dev));
 * console.log(r.mismatch ?? "pass");
 * ```
 *
 * @module
 */

export * from "./capture_compare.ts";
export * from "./check_command.ts";
export * from "./checksum_report.ts";
export * from "./cli.ts";
export * from "./cli_args.ts";
export * from "./device_setup.ts";
export * from "./features_command.ts";
export * from "./field_names.ts";
export * from "./golden_compare.ts";
export * from "./golden_engines.ts";
export * from "./golden_verify_rows.ts";
export * from "./host_segments.ts";
export * from "./hw_engine.ts";
export * from "./lockstep.ts";
export * from "./pass_through.ts";
export * from "./pcie_command.ts";
export * from "./preset_device.ts";
export * from "./progress.ts";
export * from "./reference_frames.ts";
export * from "./report_command.ts";
export * from "./report_data.ts";
export * from "./scoreboard.ts";
export * from "./segment_command.ts";
export * from "./segment_run.ts";
export * from "./sw_engine.ts";
export * from "./svg_axis.ts";
export * from "./svg_bar_chart.ts";
export * from "./svg_line_chart.ts";
export * from "./sweep_command.ts";
export * from "./tolerances.ts";
export * from "./vectors_command.ts";
export * from "./verify_command.ts";
