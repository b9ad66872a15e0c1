/**
 * tsolab: a testbench for NIC transmit segmentation offload. A software
 * GSO reference that sends exactly what Linux sends (`sw`), a
 * cycle-approximate model of a NIC transmit pipeline (`hw`), streaming
 * pcap/pcapng and golden vectors (`vectors`), and the lockstep testbench and
 * CLI (`tb`).
 *
 * Run as a program it is the `tsolab` command line:
 *
 * ```sh
 * deno task verify                 # check the engines against the kernel
 * deno task tsolab segment --gso-size 1448 in.pcap -o out.pcap
 * ```
 *
 * As a library:
 *
 * ```ts
 * import { buildSuperPacket, NETIF_F, parsePacket, segment, skbFromFrame } from "./mod.ts";
 * const { frame } = buildSuperPacket({ payloadLen: 3000, seed: 1 });
 * const skb = skbFromFrame(frame, parsePacket(frame, 1), { gsoSize: 1448 })!;
 * [...segment(skb, NETIF_F.SG)].length; // 3
 * ```
 *
 * @module
 */

export * from "./sw/mod.ts";
export * from "./hw/mod.ts";
export * from "./vectors/mod.ts";
export * from "./tb/mod.ts";

import { cliMain } from "./tb/cli.ts";

if (import.meta.main) {
  Deno.exit(await cliMain(Deno.args));
}
