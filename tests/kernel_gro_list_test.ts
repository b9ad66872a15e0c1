/**
 * The running kernel against the reference on SKB_GSO_FRAGLIST skbs (TCP
 * fraglist GRO, segmented by skb_segment_list). A TCP flow of MSS-sized
 * packets is forwarded through a router namespace whose ingress veth has
 * rx-gro-list on: tcp4_check_fraglist_gro / tcp6_check_fraglist_gro find
 * no local socket for the forwarded flow, so GRO chains each packet whole
 * (headers pulled off) into the head's frag_list instead of merging the
 * payloads. The egress veth has tx-gso-list off, so validate_xmit_skb
 * sends every such skb through __tcp4_gso_segment_list /
 * __tcp6_gso_segment_list, which give back the original packets: the
 * head's Ethernet header on each, the head forwarded (TTL or hop limit less
 * one), the members with their own headers as received.
 *
 * Three captures: the sender's veth (the frames exactly as the router
 * receives them; a tap on the router's ingress veth runs after GRO and
 * sees the GRO skb whole), the router's ingress veth (the GRO skbs, which
 * confirm each group's extent) and the router's egress veth (the frames
 * after skb_segment_list). The egress frames are grouped into GRO skbs by
 * TTL: a head was forwarded and has it decremented, its members follow
 * with the sender's TTL. Each complete group is rebuilt as the skb the
 * egress port segmented (head from the egress head frame, members from the
 * sender's frames) and must come out of the reference byte for byte.
 *
 * Flows: IPv4 with source NAT and port mapping on the router (nftables
 * SNAT: conntrack rewrites the GRO skb, i.e. the head alone, before GSO, so
 * __tcpv4_gso_segment_list_csum must carry the new address and port into
 * the members), once with the sender's CHECKSUM_PARTIAL passed on by veth
 * (the members' TCP checksums stay pseudo-header seeds) and once with
 * checksums the sender finished (full incremental updates); IPv4 without
 * NAT; IPv6 without NAT. The same for UDP (udp4_gro_receive /
 * udp6_gro_receive chain equal-sized datagrams of a forwarded flow,
 * udp4_gro_complete / udp6_gro_complete set uh->len to the whole packet,
 * __udp_gso_segment_list un-chains and puts the head's back, and
 * __udpv4_gso_segment_list_csum carries NAT into the members): a burst of
 * numbered datagrams (the number in the first four payload bytes stands in
 * for the TCP sequence number), over IPv4 with NAT (checksums partial or
 * done by the sender), IPv4 and IPv6; and one burst whose checksums are
 * zeroed on the sender (nft), which udp_gro_receive_segment must leave
 * unaggregated.
 * Needs root, iproute2, ethtool and tcpdump, and nft
 * for the NAT flows; without them those tests are ignored and the reason
 * is printed.
 */

import assert from "node:assert/strict";
import { getU16, getU32, setU16 } from "../sw/bytes.ts";
import { l4ChecksumStatus } from "../sw/l4_checksum.ts";
import { vethDevice } from "../sw/net_device.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { type PacketLayout, parsePacket } from "../sw/packet_layout.ts";
import { segment } from "../sw/segment.ts";
import { skbFromFrame } from "../sw/skb_from_frame.ts";
import { newSkb } from "../sw/skbuff.ts";
import { IP_SUMMED, SKB_GSO, type SkBuff } from "../sw/types.ts";
import { CaptureReader } from "../vectors/capture_reader.ts";
import {
  hasTool,
  liveSkipReason,
  sendTcpStream,
  sh,
  tcpdump,
  waitFor,
  wireRouterChain,
} from "./_netns.ts";

const reason = await liveSkipReason("GRO fraglist kernel test");
const hasNft = reason === "" && await hasTool("nft");
const natReason = reason !== ""
  ? reason
  : hasNft
  ? ""
  : "GRO fraglist kernel test with NAT ignored: missing nft (nftables)";
if (natReason && !reason) console.log(natReason);

const BYTES = 3_000_000;
/** The UDP flows' datagrams, their payload size, and the shorter ones. */
const DATAGRAMS = 2000;
const DATAGRAM = 1400;
const SHORT = 1000;
const SHORT_EVERY = 97;
/** The sender's TTL / hop limit (Linux default); heads leave with one less. */
const SENT_TTL = 64;
/** Complete groups each flow must judge, so the test cannot pass empty. */
const MIN_GROUPS = 5;

/** One flow: addresses, and the source the router rewrites it to (NAT). */
interface Flow {
  name: string;
  /** TCP (a stream) or UDP (a burst of datagrams). */
  proto: "tcp" | "udp";
  v: 4 | 6;
  sender: string;
  receiver: string;
  routerIn: string;
  routerOut: string;
  prefix: number;
  /** The sender's address after source NAT on the router, if any. */
  nat?: string;
  /** The sender's source port after NAT (rewritten too). */
  natPort?: number;
  /**
   * The sender computes the checksums itself (`tx off`): the frames arrive
   * finished and GRO validates them, so the skb is not CHECKSUM_PARTIAL.
   * Otherwise veth passes the sender's CHECKSUM_PARTIAL on to the router.
   */
  senderChecksums?: boolean;
  /**
   * UDP over IPv4 only, with `senderChecksums`: an nftables rule on the
   * sender zeroes every datagram's checksum ("no checksum"), which
   * udp_gro_receive_segment refuses to aggregate; the flow only reports
   * what the kernel made of it.
   */
  zeroChecksum?: boolean;
  ignore: string;
}
const V4 = {
  v: 4,
  sender: "10.92.1.1",
  receiver: "10.92.2.1",
  routerIn: "10.92.1.2",
  routerOut: "10.92.2.2",
  prefix: 24,
} as const;
const V6 = {
  v: 6,
  sender: "fd92:1::1",
  receiver: "fd92:2::1",
  routerIn: "fd92:1::2",
  routerOut: "fd92:2::2",
  prefix: 64,
} as const;
const TCP = { proto: "tcp" } as const;
const UDP = { proto: "udp" } as const;
const FLOWS: Flow[] = [
  {
    name: "IPv4 with source NAT",
    ...TCP,
    ...V4,
    nat: "10.92.3.1",
    natPort: 40000,
    ignore: natReason,
  },
  {
    name: "IPv4 with source NAT and checksums done by the sender",
    ...TCP,
    ...V4,
    nat: "10.92.3.1",
    natPort: 40000,
    senderChecksums: true,
    ignore: natReason,
  },
  {
    name: "IPv4",
    ...TCP,
    ...V4,
    ignore: reason,
  },
  {
    name: "IPv6",
    ...TCP,
    ...V6,
    ignore: reason,
  },
  {
    name: "UDP over IPv4 with source NAT",
    ...UDP,
    ...V4,
    nat: "10.92.3.1",
    natPort: 40000,
    ignore: natReason,
  },
  {
    name: "UDP over IPv4 with source NAT and checksums done by the sender",
    ...UDP,
    ...V4,
    nat: "10.92.3.1",
    natPort: 40000,
    senderChecksums: true,
    ignore: natReason,
  },
  {
    name: "UDP over IPv4",
    ...UDP,
    ...V4,
    ignore: reason,
  },
  {
    name: "UDP over IPv6",
    ...UDP,
    ...V6,
    ignore: reason,
  },
  {
    name: "UDP over IPv4 with source NAT and zero checksums",
    ...UDP,
    ...V4,
    nat: "10.92.3.1",
    natPort: 40000,
    senderChecksums: true,
    zeroChecksum: true,
    ignore: natReason,
  },
];

/** The egress veth after `ethtool -K ... tx-gso-list off`. */
function egressFeatures(): bigint {
  const dev = vethDevice("r2");
  dev.setFeatures({ "tx-gso-list": false });
  return dev.features & ~NETIF_F.GSO_FRAGLIST;
}

/** A captured TCP or UDP data frame towards the receiver, with its fields. */
interface Seen {
  data: Uint8Array;
  layout: PacketLayout;
  /** Offset of the IP header. */
  ip: number;
  /** Offset of the TCP or UDP payload. */
  po: number;
  pay: number;
  /**
   * What identifies the frame across the captures: the TCP sequence
   * number, or the datagram's number the UDP sender put in its first four
   * payload bytes.
   */
  seq: number;
  /** The `seq` of the frame that follows this one in the flow. */
  next: number;
  /** TTL or hop limit. */
  ttl: number;
  /** IPv4 ID (0 for IPv6). */
  id: number;
  src: string;
  sport: number;
}

function address(d: Uint8Array, at: number, v: 4 | 6): string {
  if (v === 4) return [...d.subarray(at, at + 4)].join(".");
  const words = [];
  for (let i = 0; i < 16; i += 2) words.push(getU16(d, at + i).toString(16));
  return words.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
}

/** The UDP sender's destination port (and the TCP receiver's). */
const PORT = 5001;

/**
 * The capture's TCP data frames, or UDP datagrams, to `f.receiver`, in
 * capture order.
 */
function seen(path: string, f: Flow): Seen[] {
  const udp = f.proto === "udp";
  using r = CaptureReader.openFile(path);
  const out: Seen[] = [];
  for (const fr of r.frames()) {
    const d = fr.data.slice();
    let l: PacketLayout;
    try {
      l = parsePacket(d, 1);
    } catch {
      continue;
    }
    const ip = l.outer;
    if (l.l4?.proto !== (udp ? 17 : 6) || ip === null || ip.version !== f.v) {
      continue;
    }
    const o = ip.offset;
    const dst = address(d, o + (f.v === 4 ? 16 : 24), f.v);
    if (dst !== f.receiver || getU16(d, l.l4.offset + 2) !== PORT) continue;
    if (l.payloadLen < (udp ? 4 : 1)) continue;
    const seq = getU32(d, udp ? l.payloadOffset : l.l4.offset + 4);
    out.push({
      data: d,
      layout: l,
      ip: o,
      po: l.payloadOffset,
      pay: l.payloadLen,
      seq,
      next: (udp ? seq + 1 : seq + l.payloadLen) >>> 0,
      ttl: d[o + (f.v === 4 ? 8 : 7)]!,
      id: f.v === 4 ? getU16(d, o + 4) : 0,
      src: address(d, o + (f.v === 4 ? 12 : 8), f.v),
      sport: getU16(d, l.l4.offset),
    });
  }
  return out;
}

/**
 * Egress frames grouped into the GRO skbs they were cut from: a head left
 * through ip_forward / ip6_forward (TTL or hop limit less one), its
 * members follow with the TTL they arrived with (skb_segment_list keeps
 * their headers). Frames before the first head are dropped.
 */
function groupByTtl(outs: Seen[]): Seen[][] {
  const groups: Seen[][] = [];
  for (const o of outs) {
    if (o.ttl === SENT_TTL - 1) groups.push([o]);
    else if (o.ttl === SENT_TTL && groups.length) groups.at(-1)!.push(o);
  }
  return groups;
}

/**
 * The skb the egress port hands to skb_gso_segment: the head as forwarded
 * (egress MACs, TTL less one, NAT applied, as captured on egress) with its
 * IPv4 tot_len / IPv6 payload_len covering the whole GRO packet
 * (inet_gro_complete, ipv6_gro_complete), and for UDP its uh->len too
 * (udp4_gro_complete / udp6_gro_complete, which leave the checksum field
 * alone; __udp_gso_segment_list puts 8 + gso_size back), and each member
 * as GRO chained it: its own IP and TCP or UDP headers as received
 * (ownHeaders), its payload as the skb's data.
 *
 * @param head The group's head frame, captured on egress.
 * @param members The members' frames, captured before GRO.
 * @returns The SKB_GSO_FRAGLIST skb.
 */
function groListSkb(head: Seen, members: Seen[]): SkBuff {
  const v = head.layout.outer!.version;
  const linear = head.data.slice(0, head.po);
  const rest = members.reduce((n, m) => n + m.pay, 0);
  const l4 = head.layout.l4!;
  if (l4.proto === 17) setU16(linear, l4.offset + 4, 8 + head.pay + rest);
  if (v === 4) {
    setU16(linear, head.ip + 2, head.po - head.ip + head.pay + rest);
    // inet_gro_complete / ip_decrease_ttl keep the header checksum valid
    const ihl = (linear[head.ip]! & 0x0f) * 4;
    setU16(linear, head.ip + 10, 0);
    let sum = 0;
    for (let i = 0; i < ihl; i += 2) sum += getU16(linear, head.ip + i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    setU16(linear, head.ip + 10, ~sum & 0xffff);
  } else {
    setU16(linear, head.ip + 4, head.po - head.ip - 40 + head.pay + rest);
  }
  // gso_type from the head's headers (TCPV4/6, TCP_ECN on CWR; UDP_L4, as
  // udp4_gro_complete / udp6_gro_complete add it with FRAGLIST); the TCP
  // or UDP checksum field tells PARTIAL (a pseudo-header seed, as veth
  // passes on the sender's CHECKSUM_PARTIAL) from a finished one.
  const base = skbFromFrame(head.data, head.layout, { gsoSize: head.pay })!;
  // skb_gro_receive_list: each member pulled past its own headers.
  const fragList = members.map((m) =>
    newSkb({
      linear: new Uint8Array(0),
      frags: [{ page: m.data, offset: m.po, size: m.pay }],
      ownHeaders: m.data.slice(m.ip, m.po),
    })
  );
  return newSkb({
    ...base,
    linear,
    frags: [{ page: head.data, offset: head.po, size: head.pay }],
    fragList,
    gsoSize: head.pay,
    gsoSegs: 1 + members.length,
    gsoType: (base.gsoType | SKB_GSO.FRAGLIST) >>> 0,
    ipSummed: base.ipSummed === IP_SUMMED.PARTIAL
      ? IP_SUMMED.PARTIAL
      : IP_SUMMED.UNNECESSARY,
  });
}

function describe(g: Seen[]): string {
  return g.map((s) => `${s.seq}+${s.pay} ttl ${s.ttl} id ${s.id}`).join(
    ", ",
  );
}

/** Sets up the three namespaces, sends the flow, returns the captures. */
async function capture(
  f: Flow,
  tag: string,
  dir: string,
  children: Deno.ChildProcess[],
): Promise<{ wire: Seen[]; gro: Seen[]; out: Seen[] }> {
  const [a, r, b] = [`${tag}a`, `${tag}r`, `${tag}b`];
  await wireRouterChain(tag, f);
  const inNs = (ns: string, ...argv: string[]) =>
    sh(["ip", "netns", "exec", ns, ...argv]);
  // MSS-sized packets on the wire; veth runs GRO (NAPI) once "gro" is on,
  // fraglist GRO with rx-gro-list; the egress port cannot take
  // SKB_GSO_FRAGLIST, so skb_segment_list runs in software.
  await inNs(a, "ethtool", "-K", `${tag}a`, "tso", "off", "gso", "off");
  if (f.senderChecksums) await inNs(a, "ethtool", "-K", `${tag}a`, "tx", "off");
  await inNs(r, "ethtool", "-K", `${tag}r1`, "gro", "on", "rx-gro-list", "on");
  await inNs(r, "ethtool", "-K", `${tag}r2`, "tx-gso-list", "off");
  if (f.proto === "udp") {
    // A UDP sender's sendto runs the veth peer's NAPI poll on its way out
    // (softirq at local_bh_enable): one datagram a poll, nothing to
    // aggregate. Threaded NAPI polls from a kthread, so the datagrams sent
    // meanwhile queue in the veth ring and GRO sees them together; and a
    // gro_flush_timeout keeps GRO skbs open across polls (napi_complete_done
    // then flushes only those from an earlier jiffy), which on a loaded
    // machine decides between a handful of GRO skbs and dozens.
    await inNs(
      r,
      Deno.execPath(),
      "eval",
      `Deno.writeTextFileSync("/sys/class/net/${tag}r1/threaded", "1");
      Deno.writeTextFileSync("/sys/class/net/${tag}r1/gro_flush_timeout", "1000000");`,
    );
  }
  if (f.proto === "udp") {
    // No neighbour resolution under the burst: its queue would drop most
    // of it, and a lost first IPv6 solicitation holds it back a second.
    for (
      const [ns, dev, to, peerNs, peerDev] of [
        [a, `${tag}a`, f.routerIn, r, `${tag}r1`],
        [r, `${tag}r2`, f.receiver, b, `${tag}b`],
      ] as const
    ) {
      await sh([
        "ip",
        "-n",
        ns,
        "neigh",
        "replace",
        to,
        "lladdr",
        await macAddress(peerNs, peerDev),
        "dev",
        dev,
        "nud",
        "permanent",
      ]);
    }
  }
  if (f.zeroChecksum) {
    // After udp_send_skb finished the checksum (tx off), before the wire.
    const rules = `${dir}/zero.nft`;
    await Deno.writeTextFile(
      rules,
      `table ip tsolab {
  chain post {
    type filter hook postrouting priority 0; policy accept;
    oifname "${tag}a" udp dport ${PORT} @th,48,16 set 0
  }
}
`,
    );
    await inNs(a, "nft", "-f", rules);
  }
  if (f.nat !== undefined) {
    // Conntrack SNAT at POSTROUTING (nf_nat_ipv4_manip_pkt) rewrites the
    // GRO skb's own headers only; the replies are un-NATed by conntrack.
    const rules = `${dir}/nat.nft`;
    await Deno.writeTextFile(
      rules,
      `table ip tsolab {
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${tag}r2" ip saddr ${f.sender} meta l4proto ${f.proto} snat to ${f.nat}:${f.natPort}
  }
}
`,
    );
    await inNs(r, "nft", "-f", rules);
  }

  const paths = {
    wire: `${dir}/wire.pcap`,
    gro: `${dir}/gro.pcap`,
    out: `${dir}/out.pcap`,
  };
  const dumps = [
    tcpdump(a, `${tag}a`, paths.wire),
    tcpdump(r, `${tag}r1`, paths.gro),
    tcpdump(r, `${tag}r2`, paths.out),
  ];
  children.push(...dumps);
  for (const d of dumps) await waitFor(d.stderr, "listening on");
  if (f.proto === "udp") await sendUdp(f, a);
  else await sendTcpStream(a, b, f.receiver, BYTES, children);
  await new Promise((ok) => setTimeout(ok, 300));
  for (const d of dumps) {
    d.kill("SIGINT");
    await d.status;
  }
  return {
    wire: seen(paths.wire, f),
    gro: seen(paths.gro, f),
    out: seen(paths.out, f),
  };
}

/** The MAC address of `dev` in netns `ns`. */
async function macAddress(ns: string, dev: string): Promise<string> {
  const r = await new Deno.Command("ip", {
    args: ["-j", "-n", ns, "link", "show", "dev", dev],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.ok(r.success, `ip link show ${dev} in ${ns}`);
  return JSON.parse(new TextDecoder().decode(r.stdout))[0].address;
}

/**
 * Sends DATAGRAMS UDP datagrams from netns `a`, one sendto each (no
 * UDP_SEGMENT: one frame per datagram), numbered in their first four
 * payload bytes; DATAGRAM bytes of payload, every SHORT_EVERY-th one
 * SHORT bytes (udp_gro_receive_segment ends a GRO skb with a shorter
 * datagram). Nobody listens: the receiver's ICMP port unreachables go
 * back (rate-limited), which an unconnected socket ignores. The datagrams
 * are built first, so that they leave back to back.
 */
async function sendUdp(f: Flow, a: string): Promise<void> {
  await sh([
    "ip",
    "netns",
    "exec",
    a,
    Deno.execPath(),
    "eval",
    "--unstable-net",
    `
  const s = Deno.listenDatagram({ transport: "udp", hostname: "${f.sender}", port: 0 });
  const to = { transport: "udp", hostname: "${f.receiver}", port: ${PORT} };
  const all = Array.from({ length: ${DATAGRAMS} }, (_, i) => {
    const n = i % ${SHORT_EVERY} === ${
      SHORT_EVERY - 1
    } ? ${SHORT} : ${DATAGRAM};
    const d = new Uint8Array(n).map((_, j) => (j * 7 + i) & 0xff);
    new DataView(d.buffer).setUint32(0, i);
    return d;
  });
  for (const d of all) await s.send(d, to);
  s.close();`,
  ]);
}

/** Why groups of the egress capture were left unjudged. */
interface Skipped {
  /** Heads alone: GRO flushed them without members. */
  single: number;
  /** A sequence gap inside the group (tcpdump lost an egress frame). */
  gap: number;
  /** The GRO skb was not captured on the router's ingress. */
  noGro: number;
  /** The GRO skb is longer than the group (egress frames lost at its end). */
  groDiffers: number;
  /** A member's frame was not captured at the sender. */
  lost: number;
  /**
   * A member's sequence number left the sender twice (a TCP retransmission,
   * its timestamp option newer): which copy GRO chained is unknown.
   */
  resent: number;
}

/**
 * The groups to judge: two frames or more, contiguous, as long as the GRO
 * skb the router's ingress tap saw, every member captured at the sender
 * (tcpdump may drop frames under load) and sent once.
 */
function completeGroups(
  label: string,
  groups: Seen[][],
  gro: Map<number, Seen>,
  wire: Map<number, Seen>,
  resent: Set<number>,
): { judged: Seen[][]; skipped: Skipped } {
  const skipped = {
    single: 0,
    gap: 0,
    noGro: 0,
    groDiffers: 0,
    lost: 0,
    resent: 0,
  };
  const judged: Seen[][] = [];
  for (const g of groups) {
    const gr = gro.get(g[0]!.seq);
    if (g.length < 2) skipped.single++;
    else if (g.some((s, i) => i > 0 && s.seq !== g[i - 1]!.next)) {
      skipped.gap++;
    } else if (gr === undefined) skipped.noGro++;
    else if (gr.pay !== g.reduce((n, s) => n + s.pay, 0)) {
      if (skipped.groDiffers++ === 0) {
        console.log(
          `${label}: group [${describe(g)}] but after GRO ${gr.seq}+${gr.pay}`,
        );
      }
    } else if (g.slice(1).some((s) => wire.get(s.seq)?.pay !== s.pay)) {
      skipped.lost++;
    } else if (g.some((s) => resent.has(s.seq))) skipped.resent++;
    else judged.push(g);
  }
  return { judged, skipped };
}

function checksumStatus(o: Seen): string {
  return l4ChecksumStatus(o.data, {
    ipv6: o.layout.outer!.version === 6,
    ipOffset: o.ip,
    l4Offset: o.layout.l4!.offset,
    l4Len: o.po + o.pay - o.layout.l4!.offset,
    proto: o.layout.l4!.proto,
  });
}

function tally(xs: string[]): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].map(([k, n]) => `${k} ${n}`).join(", ");
}

/**
 * Prints what skb_segment_list did, against the frames as received: the
 * TCP or UDP checksum fields as they left (a pseudo-header seed: the skb
 * was still CHECKSUM_PARTIAL, as veth passes the sender's on), and the
 * members' IPv4 IDs and checksums.
 */
function printEvidence(
  label: string,
  judged: Seen[][],
  wire: Map<number, Seen>,
  proto: Flow["proto"],
): void {
  const l4 = proto.toUpperCase();
  console.log(
    `${label}: ${l4} checksums out: heads ${
      tally(judged.map((g) => checksumStatus(g[0]!)))
    }; members ${tally(judged.flatMap((g) => g.slice(1).map(checksumStatus)))}`,
  );
  const facts: string[] = [];
  for (const g of judged) {
    for (let i = 1; i < g.length; i++) {
      const o = g[i]!;
      const w = wire.get(o.seq)!;
      const v4 = o.layout.outer!.version === 4;
      const same = (at: number, from: Seen) =>
        getU16(o.data, at) === getU16(w.data, at - o.ip + from.ip);
      if (v4) {
        facts.push(o.id === w.id ? "ID as sent" : "ID changed");
        facts.push(
          o.id === ((g[0]!.id + i) & 0xffff)
            ? "ID head + i"
            : "ID not head + i",
        );
        facts.push(
          same(o.ip + 10, w) ? "IP checksum as sent" : "IP checksum changed",
        );
      }
      facts.push(
        same(o.layout.l4!.offset + (l4 === "UDP" ? 6 : 16), w)
          ? `${l4} checksum as sent`
          : `${l4} checksum changed`,
      );
    }
  }
  console.log(`${label}: members: ${tally(facts)}`);
}

for (const flow of FLOWS) {
  Deno.test({
    name:
      `skb_segment_list gives back the forwarded ${flow.name} fraglist GRO packets the reference sends byte for byte`,
    ignore: flow.ignore !== "",
    async fn() {
      const f = flow;
      const label = f.name;
      const tag = `gl${FLOWS.indexOf(f)}${Deno.pid % 10000}`;
      const spaces = [`${tag}a`, `${tag}r`, `${tag}b`];
      const dir = await Deno.makeTempDir({ prefix: "tsolab-grolist-" });
      // tcpdump and the receiver, stopped in finally if the test fails early.
      const children: Deno.ChildProcess[] = [];
      try {
        for (const ns of spaces) await sh(["ip", "netns", "add", ns]);
        const { wire, gro, out } = await capture(f, tag, dir, children);

        // The TTL pattern: heads forwarded, members as received.
        const ttls = tally(out.map((o) => `TTL ${o.ttl}`));
        console.log(
          `${label}: ${wire.length} frames sent, ${gro.length} skbs after GRO, ${out.length} frames out (${ttls})`,
        );
        const odd = out.find((o) =>
          o.ttl !== SENT_TTL && o.ttl !== SENT_TTL - 1
        );
        assert.ok(
          odd === undefined,
          `${label}: egress frame seq ${odd?.seq} has TTL ${odd?.ttl}, neither ${SENT_TTL} nor ${
            SENT_TTL - 1
          }`,
        );
        // NAT: skb_segment_list must have carried the head's new source
        // into every member (__tcpv4_gso_segment_list_csum).
        const src = f.nat ?? f.sender;
        const port = f.natPort ?? wire[0]?.sport;
        const wrong = out.filter((o) => o.src !== src || o.sport !== port);
        console.log(
          `${label}: ${
            out.length - wrong.length
          } of ${out.length} egress frames from ${src} port ${port} (sent from ${f.sender} port ${
            wire[0]?.sport
          })`,
        );
        assert.ok(
          wrong.length === 0,
          `${label}: egress frame seq ${wrong[0]?.seq} from ${
            wrong[0]?.src
          } port ${wrong[0]?.sport}, not ${src} port ${port}`,
        );

        const bySeq = new Map(wire.map((w) => [w.seq, w]));
        const sends = new Map<number, number>();
        for (const w of wire) sends.set(w.seq, (sends.get(w.seq) ?? 0) + 1);
        const resent = new Set(
          [...sends].filter(([, n]) => n > 1).map(([seq]) => seq),
        );
        const groBySeq = new Map(gro.map((g) => [g.seq, g]));
        const groups = groupByTtl(out);
        for (const g of groups.filter((g) => g.length > 1).slice(0, 3)) {
          const gr = groBySeq.get(g[0]!.seq);
          // inet_gro_complete / ipv6_gro_complete: the length fields of the
          // GRO skb cover the whole packet; udp4_gro_complete /
          // udp6_gro_complete: uh->len too.
          const len = gr === undefined
            ? ""
            : (f.v === 4
              ? ` tot_len ${getU16(gr.data, gr.ip + 2)}`
              : ` payload_len ${getU16(gr.data, gr.ip + 4)}`) +
              (f.proto === "udp"
                ? ` uh->len ${getU16(gr.data, gr.layout.l4!.offset + 4)}`
                : "");
          console.log(
            `${label}: group [${describe(g)}]; after GRO ${
              gr
                ? `${gr.seq}+${gr.pay} ttl ${gr.ttl} id ${gr.id}${len}`
                : "lost"
            }`,
          );
        }
        const { judged, skipped } = completeGroups(
          label,
          groups,
          groBySeq,
          bySeq,
          resent,
        );
        const frames = judged.reduce((n, g) => n + g.length, 0);
        console.log(
          `${label}: ${groups.length} groups; judged ${judged.length} (${frames} frames); skipped ${
            JSON.stringify(skipped)
          }`,
        );
        printEvidence(label, judged, bySeq, f.proto);
        if (f.proto === "udp") {
          console.log(
            `${label}: UDP checksums as sent: ${
              tally(wire.map(checksumStatus))
            }; skbs after GRO by datagrams: ${
              tally(gro.map((g) => `${Math.ceil(g.pay / DATAGRAM)}`))
            }; judged groups ending with a shorter datagram: ${
              judged.filter((g) => g.at(-1)!.pay < g[0]!.pay).length
            }`,
          );
        }
        if (f.zeroChecksum) {
          // udp_gro_receive_segment flushes a datagram without checksum
          // ("requires non zero csum, for symmetry with GSO"), so such a
          // flow never reaches skb_segment_list: no GRO skb holds two.
          const merged = gro.filter((g) => g.pay > DATAGRAM);
          assert.ok(
            wire.length > 0 && merged.length === 0,
            `${label}: ${merged.length} GRO skbs merged datagrams without checksum (first at number ${
              merged[0]?.seq
            }, ${merged[0]?.pay} bytes)`,
          );
        } else {
          assert.ok(
            judged.length >= MIN_GROUPS,
            `${label}: only ${judged.length} complete fraglist GRO groups (${wire.length} in, ${out.length} out), want ${MIN_GROUPS}`,
          );
        }

        const features = egressFeatures();
        for (const [n, g] of judged.entries()) {
          const skb = groListSkb(
            g[0]!,
            g.slice(1).map((s) => bySeq.get(s.seq)!),
          );
          const got = [...segment(skb, features)].map((s) => s.data);
          const name = `${label} group ${n} (seq ${
            g[0]!.seq
          }, ${g.length} frames)`;
          assert.equal(got.length, g.length, `${name}: segment count`);
          for (let i = 0; i < g.length; i++) {
            const x = got[i]!;
            const w = g[i]!.data;
            let at = 0;
            while (at < x.length && at < w.length && x[at] === w[at]) at++;
            assert.ok(
              at === x.length && at === w.length,
              `${name} frame ${i}: ${x.length} vs ${w.length} bytes, first difference at byte ${at} (${
                x[at]
              } vs ${w[at]})`,
            );
          }
        }
      } finally {
        for (const c of children) {
          try {
            c.kill("SIGKILL");
          } catch { /* already exited */ }
        }
        for (const ns of spaces) {
          await sh(["ip", "netns", "del", ns]).catch(() => {});
        }
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
