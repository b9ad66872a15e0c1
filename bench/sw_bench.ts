// deno bench --allow-read bench/sw_bench.ts
// checksum/65536: the fast ones'-complement sum over 64 KiB (the reference as
// baseline). gso/tcp4-65536-1448: segment() of a 64 KiB TCPv4 super-packet at
// gso_size 1448 with software checksums into preallocated output.
import { onesSum, onesSumReference } from "../sw/checksum.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { segment } from "../sw/segment.ts";
import { skbFor } from "../tests/_build.ts";

const data = new Uint8Array(65536);
for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;

Deno.bench({
  name: "checksum/65536",
  group: "checksum",
  fn() {
    onesSum(data);
  },
});

Deno.bench({
  name: "checksum-reference/65536",
  group: "checksum",
  baseline: true,
  fn() {
    onesSumReference(data);
  },
});

// 64 KiB of payload: 45 segments of 1448 plus a short last one.
const { skb } = skbFor({ payloadLen: 65536, gsoSize: 1448, tcpOptionsLen: 12 });
const into = new Uint8Array(2048);
const features = NETIF_F.SG | NETIF_F.GSO;

Deno.bench({
  name: "gso/tcp4-65536-1448",
  fn() {
    for (const _ of segment(skb, features, { into })) {
      // consume
    }
  },
});
