/**
 * The capture topology of `kernel-captures/README.md`, built from scratch
 * for one run with unique namespace names so that parallel runs never
 * collide:
 *
 * ```
 *  sender ns ──veth──► [ bridge ns:  p1 ──► br0 ──► p2 ] ──veth──► receiver ns
 *  (or a tap in place of p1 and the sender, for crafted super-packets)
 *     tcpdump -i p1 / the tap = NAME.in.pcap      tcpdump -i p2 = NAME.out.pcap
 * ```
 *
 * The sender's veth keeps TSO and checksum offload on, so the stack hands the
 * bridge GSO super-packets with CHECKSUM_PARTIAL seeds; the egress port p2
 * has `tso off gso on tx off sg on` and UDP, tunnel and gso-partial
 * segmentation off, so the kernel segments in software and completes every
 * checksum. Every command is recorded. {@link Topology.destroy} removes every
 * namespace, link and tap the run made; it also runs on SIGINT and SIGTERM.
 *
 * @module
 */

import { helperScript, inNetns, runCommand, shellLine } from "./_command.ts";
import type { CommandOutput } from "./_command.ts";
import { readPcap } from "./_pcap_scan.ts";
import { openTap } from "./_tap.ts";
import type { Tap } from "./_tap.ts";
import { CaptureRunError, ScenarioSkipped } from "./errors.ts";
import { isEndMarker } from "./marker.ts";
import { startTcpdump } from "./tcpdump.ts";
import type { TcpdumpCapture, TcpdumpStats } from "./tcpdump.ts";

/** Addresses and MACs of the topology (as the captures README). */
export const ADDRESSES = {
  /** Plain traffic (and the overlay inside VXLAN). */
  sender4: "10.77.0.1",
  receiver4: "10.77.0.2",
  sender6: "fd77::1",
  receiver6: "fd77::2",
  /** VXLAN underlay. */
  underlaySender4: "10.78.0.1",
  underlayReceiver4: "10.78.0.2",
  underlaySender6: "fd78::1",
  underlayReceiver6: "fd78::2",
  /** The sender's eth0, and the source MAC of crafted frames. */
  senderMac: "02:74:73:6c:00:01",
  /** The receiver's eth0. */
  receiverMac: "02:74:73:6c:00:02",
  /** The sender's and receiver's VXLAN devices. */
  senderVxlanMac: "02:74:73:6c:01:01",
  receiverVxlanMac: "02:74:73:6c:01:02",
} as const;

/** A VXLAN tunnel between sender and receiver (VNI 7, port 4789). */
export interface VxlanOptions {
  /** Underlay IP version. */
  underlay: 4 | 6;
  /** Outer UDP checksum: `udpcsum` (IPv4) / default (IPv6) when true; `noudpcsum` / `udp6zerocsumtx udp6zerocsumrx` when false. */
  udpCsum: boolean;
  /** MTU of the VXLAN devices (default 1430). */
  mtu?: number;
}

/** How to build the topology. */
export interface TopologyOptions {
  /** Real sockets in a sender namespace, or a tap for crafted frames. */
  driver: "socket" | "tap";
  /** Run the traffic through VXLAN (socket driver). */
  vxlan?: VxlanOptions;
  /** Sysctls set in the sender namespace, e.g. `net.ipv4.tcp_timestamps: "0"`. */
  senderSysctls?: Record<string, string>;
  /** Raise gso_max_size (and gso_ipv4_max_size) on the path's devices. */
  gsoMaxSize?: number;
  /** MTU of the sender's and receiver's eth0 and the bridge (default 1500). */
  mtu?: number;
}

/** A namespace role. */
export type NetnsRole = "sender" | "bridge" | "receiver";

/** Both captures' tcpdump counters. */
export interface CaptureStats {
  /** Ingress capture (p1 or the tap). */
  in: TcpdumpStats;
  /** Egress capture (p2). */
  out: TcpdumpStats;
}

/** A built topology. */
export interface Topology {
  /** Unique id of this run (hex). */
  readonly id: string;
  /** What it was built with. */
  readonly options: TopologyOptions;
  /** Namespace names by role (no sender namespace with the tap driver). */
  readonly netns: Readonly<Partial<Record<NetnsRole, string>>>;
  /** The ingress capture point: `p1`, or the tap's name. */
  readonly ingressDevice: string;
  /** The egress capture point and segmenting device: `p2`. */
  readonly egressDevice: string;
  /** The tap (tap driver only). */
  readonly tap?: Tap;
  /** Every command line run so far, in order. */
  readonly commands: string[];
  /**
   * Runs a command in a namespace, recorded.
   *
   * @throws {CommandError} When it fails and failure is not allowed.
   */
  runIn(
    role: NetnsRole,
    argv: readonly string[],
    options?: { allowFailure?: boolean },
  ): Promise<CommandOutput>;
  /** Starts a recorded, tracked process in a namespace (killed by destroy). */
  spawnIn(role: NetnsRole, argv: readonly string[]): Deno.ChildProcess;
  /** Enabled feature names of the egress device (`ethtool -k p2`). */
  egressFeatures(): Promise<string[]>;
  /** The egress device's tx_dropped counter. */
  egressTxDropped(): Promise<number>;
  /** Starts both captures, egress first, and waits until both listen. */
  startCaptures(inFile: string, outFile: string): Promise<void>;
  /**
   * Sends the end marker from the receiver, waits until both files hold it,
   * stops both captures (ingress first) and returns their counters.
   *
   * @throws {CaptureRunError} When the marker does not arrive or a capture
   *   dropped frames.
   */
  finishCaptures(): Promise<CaptureStats>;
  /** Kills tracked processes, closes the tap, deletes the namespaces. Idempotent. */
  destroy(): Promise<void>;
}

/**
 * Names of the features `ethtool -k` reports as on.
 *
 * @param text Output of `ethtool -k DEV`.
 * @returns Feature names in output order.
 *
 * @example
 * ```ts
 * import { parseEthtoolFeatures } from "./topology.ts";
 * parseEthtoolFeatures("Features for p2:\ntx-checksumming: off\n\ttx-scatter-gather: on\nhighdma: on [fixed]\n");
 * // ["tx-scatter-gather", "highdma"]
 * ```
 */
export function parseEthtoolFeatures(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*([\w.-]+): on\b/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

/** The offload changes on the egress port that force software GSO. */
export const EGRESS_ETHTOOL_ARGS: readonly string[] = [
  "tso",
  "off",
  "gso",
  "on",
  "tx",
  "off",
  "sg",
  "on",
  "tx-udp-segmentation",
  "off",
  "tx-udp_tnl-segmentation",
  "off",
  "tx-udp_tnl-csum-segmentation",
  "off",
  "tx-gso-partial",
  "off",
  "tx-gre-segmentation",
  "off",
  "tx-gre-csum-segmentation",
  "off",
  "tx-ipxip4-segmentation",
  "off",
  "tx-ipxip6-segmentation",
  "off",
  "tx-sctp-segmentation",
  "off",
  "tx-gso-list",
  "off",
];

const live = new Set<Topology>();
let signalHandler: (() => void) | undefined;
let interruptedBy: Deno.Signal | undefined;
const SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM"];

function track(t: Topology): void {
  if (interruptedBy) {
    throw new CaptureRunError(`Capture interrupted by ${interruptedBy}`);
  }
  live.add(t);
  if (signalHandler) return;
  const handlers = SIGNALS.map((sig) => {
    const h = () => {
      interruptedBy ??= sig;
      void (async () => {
        while (live.size > 0) {
          for (const x of [...live]) await x.destroy();
        }
        Deno.exit(sig === "SIGINT" ? 130 : 143);
      })();
    };
    Deno.addSignalListener(sig, h);
    return [sig, h] as const;
  });
  signalHandler = () => {
    for (const [sig, h] of handlers) Deno.removeSignalListener(sig, h);
  };
}

function untrack(t: Topology): void {
  live.delete(t);
  if (live.size === 0 && signalHandler) {
    signalHandler();
    signalHandler = undefined;
  }
}

function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(3));
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class BuiltTopology implements Topology {
  readonly id = randomId();
  readonly netns: Partial<Record<NetnsRole, string>> = {};
  readonly commands: string[];
  readonly egressDevice = "p2";
  ingressDevice = "p1";
  tap?: Tap;
  #children = new Set<Deno.ChildProcess>();
  #captures: TcpdumpCapture[] = [];
  #files: [string, string] | undefined;
  #destroyed = false;
  #inflight: Promise<unknown> = Promise.resolve();

  constructor(readonly options: TopologyOptions, commands: string[]) {
    this.commands = commands;
  }

  #ns(role: NetnsRole): string {
    const ns = this.netns[role];
    if (!ns) {
      throw new CaptureRunError(
        `Topology ${this.id} has no ${role} namespace (driver ${this.options.driver})`,
      );
    }
    return ns;
  }

  run(
    argv: readonly string[],
    options?: { allowFailure?: boolean },
  ): Promise<CommandOutput> {
    if (this.#destroyed) {
      return Promise.reject(
        new CaptureRunError(
          `Topology ${this.id} was removed; not running: ${shellLine(argv)}`,
        ),
      );
    }
    const p = runCommand(this.commands, argv, options);
    this.#inflight = p.catch(() => {});
    return p;
  }

  runIn(
    role: NetnsRole,
    argv: readonly string[],
    options?: { allowFailure?: boolean },
  ): Promise<CommandOutput> {
    return this.run(inNetns(this.#ns(role), argv), options);
  }

  spawnIn(role: NetnsRole, argv: readonly string[]): Deno.ChildProcess {
    const full = inNetns(this.#ns(role), argv);
    if (this.#destroyed) {
      throw new CaptureRunError(
        `Topology ${this.id} was removed; not starting: ${shellLine(full)}`,
      );
    }
    this.commands.push(shellLine(full));
    const child = new Deno.Command(full[0]!, {
      args: full.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    this.#children.add(child);
    void child.status.then(() => this.#children.delete(child));
    return child;
  }

  async build(): Promise<void> {
    const o = this.options;
    const ip = (role: NetnsRole, ...args: string[]) =>
      this.run(["ip", "-n", this.#ns(role), ...args]);
    const roles: NetnsRole[] = o.driver === "socket"
      ? ["sender", "bridge", "receiver"]
      : ["bridge", "receiver"];
    for (const role of roles) {
      const name = `tsolab-${this.id}-${role}`;
      this.netns[role] = name;
      await this.run(["ip", "netns", "add", name]);
      if (role !== "bridge") {
        // No spontaneous IPv6 traffic once the captures run: no DAD, no router
        // solicitations, MLD reports (and their repeats) sent during setup.
        await this.runIn(role, [
          "sysctl",
          "-qw",
          "net.ipv6.conf.all.accept_dad=0",
          "net.ipv6.conf.default.accept_dad=0",
          "net.ipv6.conf.all.router_solicitations=0",
          "net.ipv6.conf.default.router_solicitations=0",
          "net.ipv6.conf.all.mldv1_unsolicited_report_interval=1",
          "net.ipv6.conf.default.mldv1_unsolicited_report_interval=1",
          "net.ipv6.conf.all.mldv2_unsolicited_report_interval=1",
          "net.ipv6.conf.default.mldv2_unsolicited_report_interval=1",
        ]);
      }
    }
    await this.runIn("bridge", [
      "sysctl",
      "-qw",
      "net.ipv6.conf.all.disable_ipv6=1",
      "net.ipv6.conf.default.disable_ipv6=1",
    ]);
    // A pure L2 bridge: br_netfilter (built in) would otherwise validate and
    // trim IP packets on the way (it drops BIG TCP IPv6 with payload_len 0).
    await this.runIn("bridge", [
      "sysctl",
      "-qw",
      "net.bridge.bridge-nf-call-iptables=0",
      "net.bridge.bridge-nf-call-ip6tables=0",
      "net.bridge.bridge-nf-call-arptables=0",
    ], { allowFailure: true });
    const br = this.#ns("bridge");
    await ip(
      "receiver",
      "link",
      "add",
      "eth0",
      "address",
      ADDRESSES.receiverMac,
      "type",
      "veth",
      "peer",
      "name",
      "p2",
      "netns",
      br,
    );
    await ip(
      "bridge",
      "link",
      "add",
      "br0",
      "type",
      "bridge",
      "stp_state",
      "0",
      "forward_delay",
      "0",
      "mcast_snooping",
      "0",
    );
    if (o.driver === "socket") {
      await ip(
        "sender",
        "link",
        "add",
        "eth0",
        "address",
        ADDRESSES.senderMac,
        "type",
        "veth",
        "peer",
        "name",
        "p1",
        "netns",
        br,
      );
    } else {
      const name = `tsl${this.id}`;
      this.commands.push(
        `# FFI: open /dev/net/tun; ioctl TUNSETIFF ${name} IFF_TAP|IFF_NO_PI|IFF_VNET_HDR; ` +
          "ioctl TUNSETOFFLOAD TUN_F_CSUM|TSO4|TSO6|TSO_ECN|UFO|USO4|USO6; ioctl TUNSETVNETHDRSZ 10",
      );
      this.tap = openTap(name);
      await this.run(["ip", "link", "set", name, "netns", br]);
      this.ingressDevice = name;
    }
    for (const dev of [this.ingressDevice, "p2"]) {
      await ip("bridge", "link", "set", dev, "master", "br0");
    }
    await this.runIn("bridge", ["ethtool", "-K", "p2", ...EGRESS_ETHTOOL_ARGS]);
    const ends: NetnsRole[] = o.driver === "socket"
      ? ["sender", "receiver"]
      : ["receiver"];
    if (o.mtu !== undefined) {
      // Ports first: a bridge may not exceed the smallest MTU of its ports.
      for (const dev of [this.ingressDevice, "p2", "br0"]) {
        await ip("bridge", "link", "set", dev, "mtu", String(o.mtu));
      }
      for (const role of ends) {
        await ip(role, "link", "set", "eth0", "mtu", String(o.mtu));
      }
    }
    for (const dev of ["br0", this.ingressDevice, "p2"]) {
      await ip("bridge", "link", "set", dev, "up");
    }
    for (const role of ends) {
      await ip(role, "link", "set", "lo", "up");
      await ip(role, "link", "set", "eth0", "up");
    }
    if (o.driver === "socket") {
      await this.runIn("sender", [
        "ethtool",
        "-K",
        "eth0",
        "sg",
        "on",
        "tx",
        "on",
        "tso",
        "on",
        "gso",
        "on",
        "tx-udp-segmentation",
        "on",
      ]);
      for (const [k, v] of Object.entries(o.senderSysctls ?? {})) {
        await this.runIn("sender", ["sysctl", "-qw", `${k}=${v}`]);
      }
    }
    await this.#addresses();
    if (o.gsoMaxSize !== undefined) await this.#raiseGsoMaxSize(o.gsoMaxSize);
    await this.#waitForwarding();
  }

  async #addresses(): Promise<void> {
    const o = this.options;
    const A = ADDRESSES;
    const ip = (role: NetnsRole, ...args: string[]) =>
      this.run(["ip", "-n", this.#ns(role), ...args]);
    const neigh = (role: NetnsRole, addr: string, mac: string, dev: string) =>
      ip(
        role,
        "neigh",
        "replace",
        addr,
        "lladdr",
        mac,
        "dev",
        dev,
        "nud",
        "permanent",
      );
    if (o.driver === "tap") {
      await ip("receiver", "addr", "add", `${A.receiver4}/24`, "dev", "eth0");
      await ip(
        "receiver",
        "addr",
        "add",
        `${A.receiver6}/64`,
        "dev",
        "eth0",
        "nodad",
      );
      await neigh("receiver", A.sender4, A.senderMac, "eth0");
      await neigh("receiver", A.sender6, A.senderMac, "eth0");
      return;
    }
    const sides = [
      {
        role: "sender" as const,
        me: 1,
        peerMac: A.receiverMac,
        peerVx: A.receiverVxlanMac,
        vxMac: A.senderVxlanMac,
      },
      {
        role: "receiver" as const,
        me: 2,
        peerMac: A.senderMac,
        peerVx: A.senderVxlanMac,
        vxMac: A.receiverVxlanMac,
      },
    ];
    for (const s of sides) {
      const peer = 3 - s.me;
      if (!o.vxlan) {
        await ip(s.role, "addr", "add", `10.77.0.${s.me}/24`, "dev", "eth0");
        await ip(
          s.role,
          "addr",
          "add",
          `fd77::${s.me}/64`,
          "dev",
          "eth0",
          "nodad",
        );
        await neigh(s.role, `10.77.0.${peer}`, s.peerMac, "eth0");
        await neigh(s.role, `fd77::${peer}`, s.peerMac, "eth0");
        continue;
      }
      const v = o.vxlan;
      const local = v.underlay === 4 ? `10.78.0.${s.me}` : `fd78::${s.me}`;
      const remote = v.underlay === 4 ? `10.78.0.${peer}` : `fd78::${peer}`;
      if (v.underlay === 4) {
        await ip(s.role, "addr", "add", `${local}/24`, "dev", "eth0");
      } else {
        await ip(s.role, "addr", "add", `${local}/64`, "dev", "eth0", "nodad");
      }
      await neigh(s.role, remote, s.peerMac, "eth0");
      const csum = v.underlay === 4
        ? [v.udpCsum ? "udpcsum" : "noudpcsum"]
        : (v.udpCsum ? [] : ["udp6zerocsumtx", "udp6zerocsumrx"]);
      await ip(
        s.role,
        "link",
        "add",
        "vxlan0",
        "address",
        s.vxMac,
        "type",
        "vxlan",
        "id",
        "7",
        "dstport",
        "4789",
        "local",
        local,
        "remote",
        remote,
        "dev",
        "eth0",
        "nolearning",
        ...csum,
      );
      await ip(
        s.role,
        "link",
        "set",
        "vxlan0",
        "mtu",
        String(v.mtu ?? 1430),
        "up",
      );
      await ip(s.role, "addr", "add", `10.77.0.${s.me}/24`, "dev", "vxlan0");
      await ip(
        s.role,
        "addr",
        "add",
        `fd77::${s.me}/64`,
        "dev",
        "vxlan0",
        "nodad",
      );
      await neigh(s.role, `10.77.0.${peer}`, s.peerVx, "vxlan0");
      await neigh(s.role, `fd77::${peer}`, s.peerVx, "vxlan0");
    }
  }

  async #raiseGsoMaxSize(size: number): Promise<void> {
    const s = String(size);
    // Not br0: forwarded frames never pass its xmit, and a bridge inherits the
    // smallest tso_max_size of its ports (65536 for a tap).
    const devs: Array<[NetnsRole, string]> = [["bridge", "p2"], [
      "receiver",
      "eth0",
    ]];
    if (this.options.driver === "socket") {
      devs.push(["bridge", "p1"], ["sender", "eth0"]);
    }
    for (const [role, dev] of devs) {
      const argv = [
        "ip",
        "-n",
        this.#ns(role),
        "link",
        "set",
        dev,
        "gso_max_size",
        s,
      ];
      const r = await this.run(argv, { allowFailure: true });
      if (r.code !== 0) {
        throw new ScenarioSkipped(
          `Cannot raise gso_max_size to ${s} on ${dev} in ${
            this.#ns(role)
          }: ${r.stderr.trim()}`,
        );
      }
    }
  }

  async #waitForwarding(): Promise<void> {
    const argv = ["bridge", "-n", this.#ns("bridge"), "-j", "link", "show"];
    this.commands.push(
      `# poll until both bridge ports forward: ${shellLine(argv)}`,
    );
    let last = "";
    for (let i = 0; i < 100; i++) {
      const out = await new Deno.Command(argv[0]!, {
        args: argv.slice(1),
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      last = new TextDecoder().decode(out.stdout);
      let ports: Array<{ ifname?: string; state?: string }> = [];
      try {
        ports = JSON.parse(last || "[]");
      } catch { /* retry */ }
      const fwd = ports.filter((p) => p.state === "forwarding").map((p) =>
        p.ifname
      );
      if (fwd.includes(this.ingressDevice) && fwd.includes("p2")) return;
      await sleep(50);
    }
    throw new CaptureRunError(
      `Bridge ports ${this.ingressDevice} and p2 in ${
        this.#ns("bridge")
      } did not reach forwarding within 5 s: ${last.trim()}`,
    );
  }

  async egressFeatures(): Promise<string[]> {
    const out = await this.runIn("bridge", ["ethtool", "-k", "p2"]);
    return parseEthtoolFeatures(out.stdout);
  }

  async egressTxDropped(): Promise<number> {
    const out = await this.runIn("bridge", [
      "ip",
      "-s",
      "-j",
      "link",
      "show",
      "p2",
    ]);
    try {
      const j = JSON.parse(out.stdout) as Array<
        { stats64?: { tx?: { dropped?: number } } }
      >;
      return j[0]?.stats64?.tx?.dropped ?? 0;
    } catch {
      throw new CaptureRunError(
        `Cannot parse the statistics of p2: ${out.stdout.slice(0, 200)}`,
      );
    }
  }

  async startCaptures(inFile: string, outFile: string): Promise<void> {
    // Egress first, so that everything the ingress capture sees can also
    // be seen leaving; finishCaptures stops them in the opposite order.
    const br = this.#ns("bridge");
    const order = [["p2", outFile], [this.ingressDevice, inFile]] as const;
    for (const [dev, file] of order) {
      const cap = await startTcpdump(this.commands, br, dev, file);
      this.#captures.unshift(cap);
      if (this.#destroyed) {
        cap.kill();
        throw new CaptureRunError(
          `Topology ${this.id} was removed while its captures started`,
        );
      }
    }
    this.#files = [inFile, outFile];
  }

  async finishCaptures(): Promise<CaptureStats> {
    const files = this.#files;
    const [cin, cout] = this.#captures;
    if (!files || !cin || !cout) {
      throw new CaptureRunError(
        `Topology ${this.id}: captures were not started`,
      );
    }
    const marker = this.spawnIn(
      "receiver",
      helperScript("marker.ts", ["eth0", this.id]),
    );
    const m = await marker.output();
    if (!m.success) {
      throw new CaptureRunError(
        `Sending the end marker from ${this.#ns("receiver")} failed: ${
          new TextDecoder().decode(m.stderr).trim()
        }`,
      );
    }
    const seen = [false, false];
    for (let i = 0; i < 300 && !(seen[0] && seen[1]); i++) {
      for (const k of [0, 1]) {
        if (seen[k]) continue;
        try {
          const scan = await readPcap(files[k]!);
          seen[k] = scan.records.some((r) => isEndMarker(r.data, this.id));
        } catch { /* header not written yet */ }
      }
      if (!(seen[0] && seen[1])) await sleep(50);
    }
    const stats = { in: await cin.stop(), out: await cout.stop() };
    this.#captures = [];
    seen.forEach((ok, k) => {
      if (!ok) {
        throw new CaptureRunError(
          `The end marker never reached ${
            files[k]
          } within 15 s: the capture may be incomplete`,
        );
      }
    });
    for (const [k, s] of [["in", stats.in], ["out", stats.out]] as const) {
      if (s.droppedByKernel > 0) {
        throw new CaptureRunError(
          `The ${k} capture (${
            k === "in" ? this.ingressDevice : "p2"
          }) lost ${s.droppedByKernel} frames in the kernel`,
        );
      }
    }
    return stats;
  }

  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const c of this.#captures) c.kill();
    this.#captures = [];
    for (const child of this.#children) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status.catch(() => {});
      await Promise.allSettled([child.stdout.cancel(), child.stderr.cancel()]);
    }
    this.tap?.close();
    // A setup command may still be running (destroy from a signal handler):
    // let it finish so that what it creates is removed too.
    await this.#inflight;
    for (const role of ["sender", "receiver", "bridge"] as const) {
      const ns = this.netns[role];
      if (ns) {
        await runCommand(this.commands, ["ip", "netns", "del", ns], {
          allowFailure: true,
        });
      }
    }
    untrack(this);
  }
}

/**
 * Builds the topology for one run. On failure everything already made is
 * removed before the error propagates.
 *
 * @param options Driver, tunnel, sysctls, gso_max_size.
 * @param commands Where to record command lines (kept after a failed build).
 * @returns The topology, tracked for removal on SIGINT/SIGTERM until
 *   {@link Topology.destroy}.
 * @throws {CommandError} When a setup command fails.
 * @throws {CaptureRunError} When the bridge does not come up.
 *
 * @example
 * ```ts ignore
 * import { buildTopology } from "./topology.ts";
 * const topo = await buildTopology({ driver: "socket" });
 * try {
 *   console.log(await topo.egressFeatures());
 * } finally {
 *   await topo.destroy();
 * }
 * ```
 */
export async function buildTopology(
  options: TopologyOptions,
  commands: string[] = [],
): Promise<Topology> {
  const t = new BuiltTopology(options, commands);
  track(t);
  try {
    await t.build();
  } catch (e) {
    await t.destroy();
    throw e;
  }
  return t;
}
