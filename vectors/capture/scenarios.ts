/**
 * The registry of capture scenarios: real-socket traffic (TCP over IPv4 and
 * IPv6 with various MSS, options and DF; TCP inside VXLAN over IPv4 and IPv6
 * with and without the outer UDP checksum; UDP GSO) and crafted
 * super-packets through a tap (ECN/CWR, VLAN and QinQ tags, tiny MSS,
 * sequence and ID wrap, IP and TCP options, URG and SACK, IPv6 extension
 * headers, legacy UFO, USO, BIG TCP). Addresses as `kernel-captures/README.md`:
 * 10.77.0.1 → 10.77.0.2 and fd77::1 → fd77::2, underlay 10.78.0.x / fd78::x.
 *
 * @module
 */

import { craftFrame, TCP_FLAGS } from "./_craft.ts";
import type {
  Ipv4Spec,
  Ipv6Spec,
  TcpSpec,
  UdpSpec,
  VlanTag,
} from "./_craft.ts";
import { patternBytes } from "./_pattern.ts";
import { VIRTIO_GSO } from "./_tap.ts";
import type { Scenario } from "./scenario.ts";
import type { SocketFlow } from "./socket_flow.ts";
import { RECEIVER_PORT, SENDER_PORT } from "./socket_flow.ts";
import { ADDRESSES } from "./topology.ts";
import type { VxlanOptions } from "./topology.ts";

const A = ADDRESSES;
const STREAM = 150000;
/** Enough for the congestion window to open past 64 KiB. */
const BIG_STREAM = 400000;

function socketScenario(
  name: string,
  description: string,
  flow: SocketFlow,
  options: {
    gsoSize?: number;
    vxlan?: VxlanOptions;
    sysctls?: Record<string, string>;
    gsoMaxSize?: number;
    mtu?: number;
  } = {},
): Scenario {
  const v = options.vxlan;
  const senderAddress = v
    ? (v.underlay === 4 ? A.underlaySender4 : A.underlaySender6)
    : (flow.family === 4 ? A.sender4 : A.sender6);
  return {
    name,
    description,
    driver: "socket",
    gsoSize: options.gsoSize ?? "inferred",
    senderAddress,
    topology: {
      vxlan: v,
      senderSysctls: options.sysctls,
      ...(options.gsoMaxSize !== undefined
        ? { gsoMaxSize: options.gsoMaxSize }
        : {}),
      ...(options.mtu !== undefined ? { mtu: options.mtu } : {}),
    },
    async run(ctx) {
      await ctx.socketFlow(flow);
    },
  };
}

function tcpStream(
  family: 4 | 6,
  seed: number,
  extra: Partial<SocketFlow> = {},
): SocketFlow {
  return { proto: "tcp", family, writes: [[STREAM, 1]], seed, ...extra };
}

function vxlanScenario(
  inner: 4 | 6,
  underlay: 4 | 6,
  udpCsum: boolean,
  seed: number,
): Scenario {
  const csumText = udpCsum
    ? "outer UDP checksum on"
    : underlay === 4
    ? "outer UDP checksum off (noudpcsum)"
    : "outer UDP checksum zero (udp6zerocsumtx/rx)";
  return socketScenario(
    `tcp${inner}-vxlan${underlay}${udpCsum ? "-csum" : ""}`,
    `One TCP/IPv${inner} stream of ${STREAM} bytes inside VXLAN (VNI 7, port 4789, MTU 1430) over IPv${underlay}, ${csumText}`,
    tcpStream(inner, seed),
    { vxlan: { underlay, udpCsum, mtu: 1430 } },
  );
}

// UDP datagram sizes for gso_size 1200: whole segments, short last segments,
// one byte over, exactly one segment (sent without GSO), the IP maximum.
function udpWrites(max: number, gso = 1200): Array<[number, number]> {
  return [
    [7 * gso, 1],
    [Math.floor(22 * gso / 3), 1],
    [20 * gso + 1, 1],
    [
      gso,
      1,
    ],
    [gso + 1, 1],
    [3 * gso, 1],
    [max, 1],
  ];
}

const SOCKET_SCENARIOS: Scenario[] = [
  socketScenario(
    "tcp4",
    `One TCP/IPv4 stream of ${STREAM} bytes, timestamps on, DF set`,
    tcpStream(4, 1),
  ),
  socketScenario(
    "tcp4-mss536",
    `TCP/IPv4 stream of ${STREAM} bytes with TCP_MAXSEG 536 on the sender`,
    tcpStream(4, 2, { tcpMaxseg: 536 }),
  ),
  socketScenario(
    "tcp4-nots",
    `TCP/IPv4 stream of ${STREAM} bytes without timestamps (net.ipv4.tcp_timestamps=0 on the sender)`,
    tcpStream(4, 3),
    { sysctls: { "net.ipv4.tcp_timestamps": "0" } },
  ),
  socketScenario(
    "tcp4-nodf",
    `TCP/IPv4 stream of ${STREAM} bytes with DF clear (net.ipv4.ip_no_pmtu_disc=1 and IP_PMTUDISC_DONT)`,
    tcpStream(4, 4, { pmtuDisc: "dont" }),
    { sysctls: { "net.ipv4.ip_no_pmtu_disc": "1" } },
  ),
  socketScenario(
    "tcp4-smallwrites",
    `TCP/IPv4 stream of ${STREAM} bytes in 100-byte writes, grouped with MSG_MORE into pushes of 1 to 60 writes: the stack sends mostly single segments, with a few super-packets when data piles up`,
    {
      proto: "tcp",
      family: 4,
      writes: [[100, STREAM / 100]],
      seed: 5,
      moreGroups: [15, 29, 1, 44, 7, 60, 3, 22, 37, 2, 51],
    },
  ),
  socketScenario(
    "tcp4-varied",
    "TCP/IPv4 with TCP_NODELAY and writes of 1, 1447, 1449, 2896, 2897, 4000, 7241, 10000, 20001, 33333 and 65000 bytes: super-packets of many sizes with short last segments",
    {
      proto: "tcp",
      family: 4,
      writes: [
        1,
        1447,
        1449,
        2896,
        2897,
        4000,
        7241,
        10000,
        20001,
        33333,
        65000,
      ].map((n) => [n, 1]),
      seed: 18,
      noDelay: true,
    },
  ),
  socketScenario(
    "tcp6",
    `One TCP/IPv6 stream of ${STREAM} bytes, timestamps on`,
    tcpStream(6, 6),
  ),
  socketScenario(
    "tcp6-mss536",
    `TCP/IPv6 stream of ${STREAM} bytes with TCP_MAXSEG 536 on the sender`,
    tcpStream(6, 7, { tcpMaxseg: 536 }),
  ),
  socketScenario(
    "tcp6-bigtcp",
    `TCP/IPv6 stream of ${BIG_STREAM} bytes with gso_max_size 196608 on the sender's path: once the window allows, the stack builds BIG TCP super-packets with a Hop-by-Hop jumbo header and payload_len 0, which software GSO strips`,
    { proto: "tcp", family: 6, writes: [[BIG_STREAM, 1]], seed: 18 },
    { gsoMaxSize: 196608 },
  ),
  socketScenario(
    "tcp6-dstopts",
    `TCP/IPv6 stream of ${STREAM} bytes with TCP_NODELAY and writes of 1 to 30000 bytes, every packet carrying a 16-byte Destination Options header set on the socket (IPV6_DSTOPTS: two skippable experimental options 0x1e and a 2-byte PadN)`,
    {
      proto: "tcp",
      family: 6,
      writes: [
        [1, 1],
        [1427, 1],
        [1429, 1],
        [2856, 1],
        [10000, 1],
        [30000, 1],
        [
          STREAM - 45713,
          1,
        ],
      ],
      seed: 22,
      noDelay: true,
      // Next header (the kernel fills it in), length 1 (16 bytes), options
      // 0x1e len 4 twice, PadN len 0. Linux drops a packet whose padding
      // runs over 7 bytes (ip6_parse_tlv), so the options fill the header.
      ipv6DstOpts: [
        0,
        1,
        0x1e,
        4,
        0xde,
        0xad,
        0xbe,
        0xef,
        0x1e,
        4,
        0x7e,
        0x50,
        0x1a,
        0xb0,
        1,
        0,
      ],
    },
  ),
  socketScenario(
    "tcp4-jumbo",
    `TCP/IPv4 stream of ${STREAM} bytes over a 9000-byte MTU: jumbo segments of 8948 bytes`,
    tcpStream(4, 19),
    { mtu: 9000 },
  ),
  vxlanScenario(4, 4, false, 8),
  vxlanScenario(4, 4, true, 9),
  vxlanScenario(6, 4, false, 10),
  vxlanScenario(6, 4, true, 11),
  vxlanScenario(4, 6, false, 12),
  vxlanScenario(4, 6, true, 13),
  vxlanScenario(6, 6, false, 14),
  vxlanScenario(6, 6, true, 15),
  socketScenario(
    "udp4-gso1200",
    "UDP/IPv4 with UDP_SEGMENT 1200: datagrams of 7, 7⅓, 20+1 byte, exactly 1, 1+1 byte, 3 segments and 65507 bytes",
    {
      proto: "udp",
      family: 4,
      writes: udpWrites(65507),
      seed: 16,
      udpSegment: 1200,
    },
    { gsoSize: 1200 },
  ),
  socketScenario(
    "udp6-gso1200",
    "UDP/IPv6 with UDP_SEGMENT 1200: datagrams of 7, 7⅓, 20+1 byte, exactly 1, 1+1 byte, 3 segments and 65527 bytes",
    {
      proto: "udp",
      family: 6,
      writes: udpWrites(65527),
      seed: 17,
      udpSegment: 1200,
    },
    { gsoSize: 1200 },
  ),
  socketScenario(
    "udp4-gso1000-vxlan4-csum",
    "UDP/IPv4 with UDP_SEGMENT 1000 inside VXLAN (VNI 7, port 4789, MTU 1430) over IPv4, outer UDP checksum on: datagrams of 7, 7⅓, 20+1 byte, exactly 1, 1+1 byte, 3 segments and 60000 bytes",
    {
      proto: "udp",
      family: 4,
      writes: udpWrites(60000, 1000),
      seed: 20,
      udpSegment: 1000,
    },
    { gsoSize: 1000, vxlan: { underlay: 4, udpCsum: true, mtu: 1430 } },
  ),
  socketScenario(
    "udp6-gso1000-vxlan6",
    "UDP/IPv6 with UDP_SEGMENT 1000 inside VXLAN (VNI 7, port 4789, MTU 1430) over IPv6, outer UDP checksum zero: datagrams of 7, 7⅓, 20+1 byte, exactly 1, 1+1 byte, 3 segments and 60000 bytes",
    {
      proto: "udp",
      family: 6,
      writes: udpWrites(60000, 1000),
      seed: 21,
      udpSegment: 1000,
    },
    { gsoSize: 1000, vxlan: { underlay: 6, udpCsum: false, mtu: 1430 } },
  ),
];

// ---- crafted super-packets through the tap ----

const ETH = { dst: A.receiverMac, src: A.senderMac };

function ip4(extra: Partial<Ipv4Spec> = {}): Ipv4Spec {
  return { version: 4, src: A.sender4, dst: A.receiver4, id: 0x1000, ...extra };
}

function ip6(extra: Partial<Ipv6Spec> = {}): Ipv6Spec {
  return { version: 6, src: A.sender6, dst: A.receiver6, ...extra };
}

function tcp(extra: Partial<TcpSpec> = {}): TcpSpec {
  return {
    proto: "tcp",
    sport: SENDER_PORT,
    dport: RECEIVER_PORT,
    seq: 0x01000000,
    ack: 0x10000001,
    flags: TCP_FLAGS.ACK | TCP_FLAGS.PSH,
    ...extra,
  };
}

const UDP: UdpSpec = { proto: "udp", sport: SENDER_PORT, dport: RECEIVER_PORT };

/** NOP NOP TS: 12 bytes. */
function timestamps(tsval: number, tsecr: number): number[] {
  const b = [1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    b[4 + i] = (tsval >>> (24 - 8 * i)) & 0xff;
    b[8 + i] = (tsecr >>> (24 - 8 * i)) & 0xff;
  }
  return b;
}

/** NOP NOP SACK with the given blocks: 4 + 8n bytes. */
function sack(blocks: Array<[number, number]>): number[] {
  const b = [1, 1, 5, 2 + 8 * blocks.length];
  for (const [l, r] of blocks) {
    for (const v of [l, r]) {
      for (let i = 0; i < 4; i++) b.push((v >>> (24 - 8 * i)) & 0xff);
    }
  }
  return b;
}

const TS = new Uint8Array(timestamps(0x00abcdef, 0x00123456));

interface TapTcp {
  ip: Ipv4Spec | Ipv6Spec;
  tcp: TcpSpec;
  payload: number;
  gso: number;
  ecn?: boolean;
  vlans?: VlanTag[];
  /** Also inject a non-GSO frame of this payload after the super-packet. */
  small?: number;
  bigTcp?: boolean;
}

function tapTcpScenario(
  name: string,
  description: string,
  seed: number,
  t: TapTcp,
): Scenario {
  const v4 = t.ip.version === 4;
  return {
    name,
    description,
    driver: "tap",
    gsoSize: t.gso,
    senderAddress: v4 ? A.sender4 : A.sender6,
    topology: t.bigTcp ? { gsoMaxSize: 262144 } : undefined,
    run(ctx) {
      const frame = craftFrame({
        eth: { ...ETH, vlans: t.vlans },
        ip: t.ip,
        l4: t.tcp,
        payload: patternBytes(seed, 0, t.payload),
      });
      const type = (v4 ? VIRTIO_GSO.TCPV4 : VIRTIO_GSO.TCPV6) |
        (t.ecn ? VIRTIO_GSO.ECN : 0);
      ctx.inject(frame, { type, size: t.gso });
      if (t.small !== undefined) {
        const ip = v4
          ? { ...t.ip, id: ((t.ip as Ipv4Spec).id + 1) & 0xffff }
          : t.ip;
        const small = craftFrame({
          eth: { ...ETH, vlans: t.vlans },
          ip,
          l4: {
            ...t.tcp,
            seq: (t.tcp.seq + t.payload) >>> 0,
            flags: TCP_FLAGS.ACK | TCP_FLAGS.PSH,
          },
          payload: patternBytes(seed, t.payload, t.small),
        });
        ctx.inject(small);
      }
      return Promise.resolve();
    },
  };
}

function tapUdpScenario(
  name: string,
  description: string,
  seed: number,
  u: { ip: Ipv4Spec | Ipv6Spec; payload: number; gso: number; ufo: boolean },
): Scenario {
  const v4 = u.ip.version === 4;
  return {
    name,
    description,
    driver: "tap",
    gsoSize: u.gso,
    senderAddress: v4 ? A.sender4 : A.sender6,
    ufo: u.ufo,
    run(ctx) {
      const frame = craftFrame({
        eth: ETH,
        ip: u.ip,
        l4: UDP,
        payload: patternBytes(seed, 0, u.payload),
      });
      ctx.inject(frame, {
        type: u.ufo ? VIRTIO_GSO.UDP : VIRTIO_GSO.UDP_L4,
        size: u.gso,
      });
      return Promise.resolve();
    },
  };
}

const ECT0 = 0x02;

const TAP_SCENARIOS: Scenario[] = [
  tapTcpScenario(
    "tap-tcp4-cwr",
    "Crafted TCP/IPv4 super-packet with CWR and ECE (gso_type TCPV4|ECN, ECT(0)), 8000 bytes at gso_size 1448, sequence number and IP ID wrapping",
    101,
    {
      ip: ip4({ id: 0xfffe, tos: ECT0 }),
      tcp: tcp({
        seq: 0xfffff000,
        flags: TCP_FLAGS.ACK | TCP_FLAGS.PSH | TCP_FLAGS.CWR | TCP_FLAGS.ECE,
        options: TS,
      }),
      payload: 8000,
      gso: 1448,
      ecn: true,
    },
  ),
  tapTcpScenario(
    "tap-tcp4-vlan",
    "Crafted TCP/IPv4 super-packet behind an 802.1Q tag (VID 100), 6000 bytes at gso_size 1448",
    102,
    {
      ip: ip4(),
      tcp: tcp({ options: TS }),
      payload: 6000,
      gso: 1448,
      vlans: [{ tpid: 0x8100, vid: 100 }],
    },
  ),
  tapTcpScenario(
    "tap-tcp4-qinq",
    "Crafted TCP/IPv4 super-packet behind QinQ tags (outer 802.1ad VID 200, inner 802.1Q VID 100), 6000 bytes at gso_size 1448",
    103,
    {
      ip: ip4(),
      tcp: tcp({ options: TS }),
      payload: 6000,
      gso: 1448,
      vlans: [{ tpid: 0x88a8, vid: 200 }, { tpid: 0x8100, vid: 100 }],
    },
  ),
  tapTcpScenario(
    "tap-tcp4-mss1",
    "Crafted TCP/IPv4 super-packet of 100 bytes at gso_size 1",
    104,
    { ip: ip4(), tcp: tcp(), payload: 100, gso: 1 },
  ),
  tapTcpScenario(
    "tap-tcp4-mss8",
    "Crafted TCP/IPv4 super-packet of 1000 bytes at gso_size 8",
    105,
    { ip: ip4(), tcp: tcp(), payload: 1000, gso: 8 },
  ),
  tapTcpScenario(
    "tap-tcp4-mss48",
    "Crafted TCP/IPv4 super-packet of 4000 bytes at gso_size 48",
    106,
    { ip: ip4(), tcp: tcp(), payload: 4000, gso: 48 },
  ),
  tapTcpScenario(
    "tap-tcp4-wrap",
    "Crafted TCP/IPv4 super-packet with FIN, DF clear, sequence number 0xfffffa00 and IP ID 0xffff wrapping, 5000 bytes at gso_size 1448, then a 100-byte non-GSO frame",
    107,
    {
      ip: ip4({ id: 0xffff, df: false }),
      tcp: tcp({
        seq: 0xfffffa00,
        flags: TCP_FLAGS.ACK | TCP_FLAGS.PSH | TCP_FLAGS.FIN,
        options: TS,
      }),
      payload: 5000,
      gso: 1448,
      small: 100,
    },
  ),
  tapTcpScenario(
    "tap-tcp4-ipopts",
    "Crafted TCP/IPv4 super-packet with 12 bytes of IPv4 options (NOP, Record Route), 5000 bytes at gso_size 1436",
    108,
    {
      ip: ip4({
        options: new Uint8Array([1, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0]),
      }),
      tcp: tcp({ options: TS }),
      payload: 5000,
      gso: 1436,
    },
  ),
  tapTcpScenario(
    "tap-tcp4-urg-sack",
    "Crafted TCP/IPv4 super-packet with URG (urgent pointer 300) and options NOP NOP TS NOP NOP SACK(2 blocks), 5000 bytes at gso_size 1000",
    109,
    {
      ip: ip4(),
      tcp: tcp({
        flags: TCP_FLAGS.ACK | TCP_FLAGS.PSH | TCP_FLAGS.URG,
        urgent: 300,
        options: new Uint8Array([
          ...timestamps(0x00abcdef, 0x00123456),
          ...sack([[0x10001001, 0x10002001], [0x10003001, 0x10004001]]),
        ]),
      }),
      payload: 5000,
      gso: 1000,
    },
  ),
  tapTcpScenario(
    "tap-tcp6-exthdr",
    "Crafted TCP/IPv6 super-packet with a Hop-by-Hop (PadN) and a Destination Options header (unknown skippable option 0x1e), 6000 bytes at gso_size 1200",
    110,
    {
      ip: ip6({
        ext: [
          { type: 0, body: new Uint8Array([1, 4, 0, 0, 0, 0]) },
          { type: 60, body: new Uint8Array([0x1e, 4, 0x74, 0x73, 0x6c, 0x21]) },
        ],
      }),
      tcp: tcp({ options: TS }),
      payload: 6000,
      gso: 1200,
    },
  ),
  tapTcpScenario(
    "tap-tcp6-cwr",
    "Crafted TCP/IPv6 super-packet with CWR and ECE (gso_type TCPV6|ECN, ECT(0)), 5000 bytes at gso_size 1428",
    111,
    {
      ip: ip6({ trafficClass: ECT0, flowLabel: 0x12345 }),
      tcp: tcp({
        flags: TCP_FLAGS.ACK | TCP_FLAGS.PSH | TCP_FLAGS.CWR | TCP_FLAGS.ECE,
        options: TS,
      }),
      payload: 5000,
      gso: 1428,
      ecn: true,
    },
  ),
  tapTcpScenario(
    "tap-tcp6-bigtcp",
    "Crafted BIG TCP/IPv6 super-packet of 180000 bytes (payload_len 0, no jumbo option) at gso_size 1428, gso_max_size 262144 on p2 and the receiver",
    112,
    {
      ip: ip6(),
      tcp: tcp({ options: TS }),
      payload: 180000,
      gso: 1428,
      bigTcp: true,
    },
  ),
  tapTcpScenario(
    "tap-tcp4-bigtcp",
    "Crafted BIG TCP/IPv4 super-packet of 180000 bytes (tot_len 0) at gso_size 1448, gso_max_size 262144 on p2 and the receiver",
    113,
    {
      ip: ip4(),
      tcp: tcp({ options: TS }),
      payload: 180000,
      gso: 1448,
      bigTcp: true,
    },
  ),
  tapUdpScenario(
    "tap-udp4-ufo",
    "Crafted legacy UFO IPv4 datagram (gso_type UDP): 4000 bytes of payload in fragments of 1480",
    114,
    { ip: ip4({ id: 0x4242 }), payload: 4000, gso: 1480, ufo: true },
  ),
  tapUdpScenario(
    "tap-udp6-ufo",
    "Crafted legacy UFO IPv6 datagram (gso_type UDP): 4000 bytes of payload in fragments of 1448",
    115,
    { ip: ip6(), payload: 4000, gso: 1448, ufo: true },
  ),
  tapUdpScenario(
    "tap-udp4-uso",
    "Crafted UDP/IPv4 super-packet (gso_type UDP_L4): 5000 bytes at gso_size 1200",
    116,
    { ip: ip4(), payload: 5000, gso: 1200, ufo: false },
  ),
  tapUdpScenario(
    "tap-udp6-uso",
    "Crafted UDP/IPv6 super-packet (gso_type UDP_L4): 5000 bytes at gso_size 1200",
    117,
    { ip: ip6(), payload: 5000, gso: 1200, ufo: false },
  ),
];

/**
 * Every scenario, sockets first, in a fixed order.
 *
 * @example
 * ```ts
 * import { SCENARIOS } from "./scenarios.ts";
 * SCENARIOS.map((s) => s.name).includes("tcp4"); // true
 * ```
 */
export const SCENARIOS: readonly Scenario[] = [
  ...SOCKET_SCENARIOS,
  ...TAP_SCENARIOS,
];

/**
 * Looks a scenario up by name.
 *
 * @param name The scenario's name.
 * @returns The scenario, or undefined.
 *
 * @example
 * ```ts
 * import { findScenario } from "./scenarios.ts";
 * findScenario("tap-tcp4-cwr")?.driver; // "tap"
 * ```
 */
export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
