/**
 * The running kernel against the reference on GRO frag_list skbs: a TCP
 * flow of MSS-sized packets, over IPv4 and over IPv6, is forwarded through
 * a router namespace whose ingress veth runs GRO and whose egress veth has
 * TSO but no tx-scatter-gather-fraglist. GRO chains what no longer fits the
 * head's frags into a frag_list, so the egress device's validate_xmit_skb
 * sends each such skb through skb_segment, which cuts it into GSO chunks of
 * the head's own payload (partial_segs = F / mss) or, when the members
 * differ, into plain segments. Every chunked skb must come out of the
 * reference byte for byte as the kernel sent it. Needs root, iproute2,
 * ethtool and tcpdump; without them the test is ignored and the reason is
 * printed.
 */

import assert from "node:assert/strict";
import { getU16, getU32, setU16 } from "../sw/bytes.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { parsePacket } from "../sw/packet_layout.ts";
import { segment } from "../sw/segment.ts";
import { skbFromFrame } from "../sw/skb_from_frame.ts";
import { newSkb } from "../sw/skbuff.ts";
import type { SkBuff } from "../sw/types.ts";
import { sourceAddress } from "../tb/capture_compare.ts";
import { CaptureReader } from "../vectors/capture_reader.ts";
import {
  liveSkipReason,
  sendTcpStream,
  sh,
  tcpdump,
  waitFor,
  wireRouterChain,
} from "./_netns.ts";

const reason = await liveSkipReason("GRO frag_list kernel test");

const BYTES = 3_000_000;

/** One address family's flow: sender, router ports, receiver, MSS. */
interface Family {
  v: 4 | 6;
  sender: string;
  receiver: string;
  routerIn: string;
  routerOut: string;
  prefix: number;
  /** MTU 1500 less IP, TCP and the timestamp option. */
  mss: number;
}
const FAMILIES: Family[] = [
  {
    v: 4,
    sender: "10.91.1.1",
    receiver: "10.91.2.1",
    routerIn: "10.91.1.2",
    routerOut: "10.91.2.2",
    prefix: 24,
    mss: 1448,
  },
  {
    v: 6,
    sender: "fd91:1::1",
    receiver: "fd91:2::1",
    routerIn: "fd91:1::2",
    routerOut: "fd91:2::2",
    prefix: 64,
    mss: 1428,
  },
];
// The egress veth: SG, HW_CSUM and the GSO_SOFTWARE types, no FRAGLIST.
const EGRESS = NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO | NETIF_F.TSO6 |
  NETIF_F.TSO_ECN | NETIF_F.TSO_MANGLEID;

function frames(path: string): Uint8Array[] {
  using r = CaptureReader.openFile(path);
  return [...r.frames()].map((f) => f.data.slice());
}

/** TCP payload length and sequence number of a frame from `f.sender`. */
function tcpOf(d: Uint8Array, f: Family): { pay: number; seq: number } {
  try {
    const l = parsePacket(d, 1);
    if (l.l4?.proto !== 6 || sourceAddress(d, l) !== f.sender) {
      return { pay: 0, seq: 0 };
    }
    return { pay: l.payloadLen, seq: getU32(d, l.l4.offset + 4) };
  } catch {
    return { pay: 0, seq: 0 };
  }
}

/**
 * The skb as the router hands it to the egress port (ip_forward,
 * ip6_forward): the egress MACs and the TTL or hop limit less one, with a
 * valid IPv4 checksum (inet_gso_segment recomputes it per segment anyway).
 */
function forwarded(raw: Uint8Array, macs: Uint8Array, v: 4 | 6): Uint8Array {
  const d = raw.slice();
  d.set(macs.subarray(0, 12), 0);
  if (v === 6) {
    d[21] = d[21]! - 1;
    return d;
  }
  d[22] = d[22]! - 1;
  setU16(d, 24, 0);
  let sum = 0;
  for (let i = 14; i < 34; i += 2) sum += getU16(d, i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  setU16(d, 24, ~sum & 0xffff);
  return d;
}

for (const fam of FAMILIES) {
  Deno.test({
    name:
      `skb_segment cuts forwarded IPv${fam.v} GRO frag_list skbs into GSO chunks the reference sends byte for byte (partial_segs = own payload / mss)`,
    ignore: reason !== "",
    async fn() {
      const f = fam;
      const MSS = f.mss;
      const tag = `tg${f.v}${Deno.pid % 100000}`;
      const [a, r, b] = [`${tag}a`, `${tag}r`, `${tag}b`];
      const dir = await Deno.makeTempDir({ prefix: "tsolab-gro-" });
      // tcpdump and the receiver, stopped in finally if the test fails early.
      const children: Deno.ChildProcess[] = [];
      try {
        for (const ns of [a, r, b]) await sh(["ip", "netns", "add", ns]);
        await wireRouterChain(tag, f);
        const inNs = (ns: string, ...argv: string[]) =>
          sh(["ip", "netns", "exec", ns, ...argv]);
        // MSS-sized packets on the wire into the router, GRO there, and an
        // egress port that cannot take a frag_list.
        await inNs(a, "ethtool", "-K", `${tag}a`, "tso", "off", "gso", "off");
        await inNs(r, "ethtool", "-K", `${tag}r1`, "gro", "on");
        await inNs(
          r,
          "ethtool",
          "-K",
          `${tag}r2`,
          "tx-scatter-gather-fraglist",
          "off",
          "tso",
          "on",
        );

        const inPath = `${dir}/in.pcap`;
        const outPath = `${dir}/out.pcap`;
        const dumps = [
          tcpdump(r, `${tag}r1`, inPath),
          tcpdump(r, `${tag}r2`, outPath),
        ];
        children.push(...dumps);
        for (const d of dumps) await waitFor(d.stderr, "listening on");
        await sendTcpStream(a, b, f.receiver, BYTES, children);
        await new Promise((ok) => setTimeout(ok, 300));
        for (const d of dumps) {
          d.kill("SIGINT");
          await d.status;
        }

        const ins = frames(inPath).filter((d) => tcpOf(d, f).pay > 0);
        const outs = frames(outPath).filter((d) => tcpOf(d, f).pay > 0);
        let chunked = 0;
        for (const raw of ins) {
          const { pay, seq } = tcpOf(raw, f);
          const sent = outs.filter((o) => (tcpOf(o, f).seq - seq) >>> 0 < pay);
          // An skb the port took whole (no frag_list) or cut into plain
          // segments (members that differ) says nothing about chunking.
          if (sent.length < 2 || sent.every((o) => tcpOf(o, f).pay <= MSS)) {
            continue;
          }
          // tcpdump may drop frames under load: judge only skbs whose
          // whole payload was captured on the way out.
          if (sent.reduce((n, o) => n + tcpOf(o, f).pay, 0) !== pay) continue;
          chunked++;
          // The chunks are the frag_list's members (skb_segment chunks only
          // when every member but the last has the head's own length F);
          // under the old rule (whole payload / mss) this layout would have
          // left in one piece.
          const sizes = sent.map((o) => tcpOf(o, f).pay);
          assert.ok(
            sizes.slice(0, -1).every((s) => s === sizes[0]),
            `${sizes}`,
          );
          const d = forwarded(raw, sent[0]!, f.v);
          const layout = parsePacket(d, 1);
          const base = skbFromFrame(d, layout, { gsoSize: MSS })!;
          const po = layout.payloadOffset;
          const fragList: SkBuff[] = [];
          let at = po + sizes[0]!;
          for (const n of sizes.slice(1)) {
            fragList.push(newSkb({
              linear: new Uint8Array(0),
              frags: [{ page: d, offset: at, size: n }],
            }));
            at += n;
          }
          const skb: SkBuff = {
            ...base,
            frags: [{ page: d, offset: po, size: sizes[0]! }],
            fragList,
          };
          const got = [...segment(skb, EGRESS)].map((s) => s.data);
          assert.equal(got.length, sent.length, `segments for seq ${seq}`);
          for (let i = 0; i < sent.length; i++) {
            const g = got[i]!;
            const w = sent[i]!;
            let at = 0;
            while (at < g.length && at < w.length && g[at] === w[at]) at++;
            assert.ok(
              at === g.length && at === w.length,
              `seq ${seq} chunk ${i} of ${sizes}: ${g.length} vs ${w.length} bytes, first difference at byte ${at} (${
                g[at]
              } vs ${w[at]})`,
            );
          }
        }
        console.log(
          `IPv${f.v} GRO frag_list skbs cut into GSO chunks: ${chunked}`,
        );
        assert.ok(
          chunked > 0,
          `no forwarded GRO skb was cut into GSO chunks (${ins.length} in, ${outs.length} out)`,
        );
      } finally {
        for (const c of children) {
          try {
            c.kill("SIGKILL");
          } catch { /* already exited */ }
        }
        for (const ns of [a, r, b]) {
          await sh(["ip", "netns", "del", ns]).catch(() => {});
        }
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
