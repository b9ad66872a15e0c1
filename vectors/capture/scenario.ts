/**
 * What a capture scenario is: a name, the driver that makes its traffic
 * (real sockets or crafted super-packets through a tap), its gso_size when
 * known beforehand, the topology it needs, and the traffic itself.
 *
 * @module
 */

import type { CraftedFrame } from "./_craft.ts";
import type { SocketFlow, SocketFlowResult } from "./socket_flow.ts";
import type { Topology, TopologyOptions } from "./topology.ts";

/** The gso_type/gso_size of one injected super-packet (virtio values). */
export interface InjectGso {
  /** VIRTIO_GSO value, possibly with VIRTIO_GSO.ECN. */
  type: number;
  /** Payload bytes per segment (UFO: IP payload per fragment). */
  size: number;
}

/** What a scenario's traffic can use. */
export interface ScenarioContext {
  /** The built topology. */
  readonly topology: Topology;
  /**
   * Runs a socket flow from the sender namespace to the receiver namespace.
   *
   * @throws {CaptureRunError} When the flow fails.
   */
  socketFlow(flow: SocketFlow): Promise<SocketFlowResult>;
  /**
   * Writes one frame to the tap with a virtio_net_hdr: NEEDS_CSUM at the
   * frame's L4 header, and GSO when `gso` is given.
   *
   * @throws {ScenarioSkipped} When the kernel refuses the frame.
   */
  inject(frame: CraftedFrame, gso?: InjectGso): void;
  /** Records a remark in the scenario's JSON. */
  note(text: string): void;
}

/** One capture scenario. */
export interface Scenario {
  /** Unique name, used for the output files (`NAME.in.pcap`, …). */
  name: string;
  /** One sentence on the traffic. */
  description: string;
  /** How the traffic is made. */
  driver: "socket" | "tap";
  /**
   * gso_size when the scenario sets it (UDP_SEGMENT, a crafted virtio
   * header), or "inferred": the largest innermost L4 payload among the
   * sender's frames in out.pcap (TCP's MSS is the stack's choice).
   */
  gsoSize: number | "inferred";
  /** Outer source address of the sender's frames (the forward direction). */
  senderAddress: string;
  /** Legacy UFO: gso_size counts the UDP header (IP payload per fragment). */
  ufo?: boolean;
  /** Topology options besides the driver. */
  topology?: Omit<TopologyOptions, "driver">;
  /**
   * Makes the traffic.
   *
   * @throws {ScenarioSkipped} When the running kernel cannot do it.
   */
  run(ctx: ScenarioContext): Promise<void>;
}
