/**
 * The cycle-approximate NIC transmit model: device-family presets
 * (`e810-100g`, `82599-10g`, `corundum-100g`), driver models (`hw-tso`,
 * `tso-helper`, `gso`, `none`), a descriptor ring in host memory, PCIe and
 * Ethernet byte accounting, and a pipeline — descriptor fetch, payload DMA,
 * header replication, checksum insertion, TX FIFO, MAC — that rebuilds
 * every segment from descriptor fields and yields it with cycle stamps.
 * Independent of the reference: only `sw/bytes.ts` and `sw/types.ts` are
 * imported from outside `hw/`.
 *
 * ```ts
 * import { createNic, resolveConfig } from "./mod.ts";
 * import { bulkTcpSkb } from "./mod.ts";
 *
 * const nic = createNic(resolveConfig("e810-100g"), { driver: "hw-tso" });
 * for (const ev of nic.transmit(bulkTcpSkb({ sendBytes: 65536, mss: 1448 }))) {
 *   if (ev.kind === "frame") console.log(ev.segmentIndex, ev.data.length, ev.cycleLastBit);
 * }
 * console.log(nic.reportText());
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./faults.ts";
export * from "./nic_config.ts";
export * from "./presets.ts";
export * from "./resolve_config.ts";
export * from "./config_echo.ts";
export * from "./pcie.ts";
export * from "./pcie_bandwidth.ts";
export * from "./pcie_link_model.ts";
export * from "./ethernet_wire.ts";
export * from "./host_memory.ts";
export * from "./tx_offload.ts";
export * from "./descriptor_format.ts";
export * from "./descriptor_formats.ts";
export * from "./desc_ice.ts";
export * from "./desc_ixgbe.ts";
export * from "./desc_mqnic.ts";
export * from "./tx_ring.ts";
export * from "./tx_driver.ts";
export * from "./drivers.ts";
export * from "./skb_layout.ts";
export * from "./stage.ts";
export * from "./ones_adder.ts";
export * from "./hw_report.ts";
export * from "./nic.ts";
export * from "./vcd_trace.ts";
export * from "./workload.ts";
export * from "./bulk_run.ts";
export * from "./sweep.ts";
export * from "./sweep_svg.ts";
export * from "./driver_mode_table.ts";
export type { SkbFrag, SkBuff } from "../sw/types.ts";
export { TsolabError } from "../sw/types.ts";
