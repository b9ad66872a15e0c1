/**
 * The running kernel against the reference on GRO frag_list skbs: a TCP
 * flow of MSS-sized packets is forwarded through a router namespace whose
 * ingress veth runs GRO and whose egress veth has TSO but no
 * tx-scatter-gather-fraglist. GRO chains what no longer fits the head's
 * frags into a frag_list, so the egress device's validate_xmit_skb sends
 * each such skb through skb_segment, which cuts it into GSO chunks of the
 * head's own payload (partial_segs = F / mss) or, when the members differ,
 * into plain segments. Every chunked skb must come out of the reference
 * byte for byte as the kernel sent it. Needs root, iproute2, ethtool and
 * tcpdump; without them the test is ignored and the reason is printed.
 */

import assert from "node:assert/strict";
import { getU16, getU32, setU16 } from "../sw/bytes.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { parsePacket } from "../sw/packet_layout.ts";
import { segment } from "../sw/segment.ts";
import { skbFromFrame } from "../sw/skb_from_frame.ts";
import { newSkb } from "../sw/skbuff.ts";
import type { SkBuff } from "../sw/types.ts";
import { CaptureReader } from "../vectors/capture_reader.ts";
import { missingRequirements } from "../vectors/capture/capture_main.ts";

let missing: string[];
try {
  missing = await missingRequirements(false);
} catch (e) {
  missing = [`a usable environment (${e instanceof Error ? e.message : e})`];
}
const reason = missing.length
  ? `GRO frag_list kernel test ignored: it needs ${missing.join(", ")}`
  : "";
if (reason) console.log(reason);

const MSS = 1448;
const SENDER = "10.91.1.1";
const RECEIVER = "10.91.2.1";
const BYTES = 3_000_000;
// The egress veth: SG, HW_CSUM and the GSO_SOFTWARE types, no FRAGLIST.
const EGRESS = NETIF_F.SG | NETIF_F.HW_CSUM | NETIF_F.TSO | NETIF_F.TSO6 |
  NETIF_F.TSO_ECN | NETIF_F.TSO_MANGLEID;

async function sh(argv: string[]): Promise<void> {
  const r = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!r.success) {
    throw new Error(
      `${argv.join(" ")}: ${new TextDecoder().decode(r.stderr).trim()}`,
    );
  }
}

/** Reads a child's stream until a line contains `text`. */
async function waitFor(
  stream: ReadableStream<Uint8Array>,
  text: string,
): Promise<void> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`exited before printing "${text}": ${seen}`);
    seen += value;
  }
  reader.releaseLock();
}

function tcpdump(ns: string, dev: string, path: string): Deno.ChildProcess {
  return new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      ns,
      "tcpdump",
      "-i",
      dev,
      "-s",
      "0",
      "-U",
      "-w",
      path,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

function frames(path: string): Uint8Array[] {
  using r = CaptureReader.openFile(path);
  return [...r.frames()].map((f) => f.data.slice());
}

/** IPv4 TCP payload length of an Ethernet frame from SENDER, else 0. */
function payloadOf(d: Uint8Array): number {
  if (d.length < 54 || getU16(d, 12) !== 0x0800 || d[23] !== 6) return 0;
  if (d[26] !== 10 || d[27] !== 91 || d[28] !== 1 || d[29] !== 1) return 0;
  return getU16(d, 16) - 4 * (d[14]! & 0xf) - 4 * (d[46]! >> 4);
}

Deno.test({
  name:
    "skb_segment cuts forwarded GRO frag_list skbs into GSO chunks the reference sends byte for byte (partial_segs = own payload / mss)",
  ignore: reason !== "",
  async fn() {
    const tag = `tg${Deno.pid % 100000}`;
    const [a, r, b] = [`${tag}a`, `${tag}r`, `${tag}b`];
    const dir = await Deno.makeTempDir({ prefix: "tsolab-gro-" });
    // tcpdump and the receiver, stopped in finally if the test fails early.
    const children: Deno.ChildProcess[] = [];
    try {
      for (const ns of [a, r, b]) await sh(["ip", "netns", "add", ns]);
      for (const [x, y] of [[`${tag}a`, `${tag}r1`], [`${tag}r2`, `${tag}b`]]) {
        await sh(["ip", "link", "add", x, "type", "veth", "peer", "name", y]);
      }
      const ports = [
        [a, `${tag}a`, `${SENDER}/24`],
        [r, `${tag}r1`, "10.91.1.2/24"],
        [r, `${tag}r2`, "10.91.2.2/24"],
        [b, `${tag}b`, `${RECEIVER}/24`],
      ] as const;
      for (const [ns, dev, addr] of ports) {
        await sh(["ip", "link", "set", dev, "netns", ns]);
        await sh(["ip", "-n", ns, "addr", "add", addr, "dev", dev]);
        await sh(["ip", "-n", ns, "link", "set", dev, "up"]);
      }
      await sh(["ip", "-n", a, "route", "add", "default", "via", "10.91.1.2"]);
      await sh(["ip", "-n", b, "route", "add", "default", "via", "10.91.2.2"]);
      const inNs = (ns: string, ...argv: string[]) =>
        sh(["ip", "netns", "exec", ns, ...argv]);
      await inNs(r, "sysctl", "-qw", "net.ipv4.ip_forward=1");
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
      const receiver = new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          b,
          Deno.execPath(),
          "eval",
          `
          const l = Deno.listen({ hostname: "${RECEIVER}", port: 5001 });
          console.log("ready");
          const c = await l.accept();
          const buf = new Uint8Array(1 << 20);
          while ((await c.read(buf)) !== null);
          l.close();`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      children.push(receiver);
      await waitFor(receiver.stdout, "ready");
      await inNs(
        a,
        Deno.execPath(),
        "eval",
        `
        const c = await Deno.connect({ hostname: "${RECEIVER}", port: 5001 });
        const data = new Uint8Array(${BYTES}).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
        for (let o = 0; o < data.length;) o += await c.write(data.subarray(o));
        c.close();`,
      );
      assert.ok((await receiver.status).success, "the receiver got the stream");
      await new Promise((ok) => setTimeout(ok, 300));
      for (const d of dumps) {
        d.kill("SIGINT");
        await d.status;
      }

      const ins = frames(inPath).filter((f) => payloadOf(f) > 0);
      const outs = frames(outPath).filter((f) => payloadOf(f) > 0);
      let chunked = 0;
      for (const raw of ins) {
        const pay = payloadOf(raw);
        const seq = getU32(raw, 38);
        const sent = outs.filter((o) => (getU32(o, 38) - seq) >>> 0 < pay);
        // An skb the port took whole (no frag_list) or cut into plain
        // segments (members that differ) says nothing about chunking.
        if (sent.length < 2 || sent.every((o) => payloadOf(o) <= MSS)) continue;
        chunked++;
        // The chunks are the frag_list's members (skb_segment chunks only
        // when every member but the last has the head's own length F);
        // under the old rule (whole payload / mss) this layout would have
        // left in one piece.
        const sizes = sent.map(payloadOf);
        assert.ok(sizes.slice(0, -1).every((s) => s === sizes[0]), `${sizes}`);
        // The skb as the router hands it to the egress port (ip_forward):
        // the egress MACs and TTL - 1, with a valid IPv4 checksum
        // (inet_gso_segment recomputes it per segment in any case).
        const d = raw.slice();
        d.set(sent[0]!.subarray(0, 12), 0);
        d[22] = d[22]! - 1;
        setU16(d, 24, 0);
        let sum = 0;
        for (let i = 14; i < 34; i += 2) sum += getU16(d, i);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
        setU16(d, 24, ~sum & 0xffff);
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
          assert.deepEqual(got[i], sent[i], `seq ${seq} chunk ${i}`);
        }
      }
      console.log(`GRO frag_list skbs cut into GSO chunks: ${chunked}`);
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
