// Property-based sweep (fast-check, fixed seed): random TCPv4/TCPv6/UDPv4/
// UDPv6 and VXLAN super-packets with random options, extension headers,
// VLAN tags, flags, IDs near 0xFFFF, sequence numbers near 2^32, payloads
// skewed to MSS multiples ±1 and beat boundaries, MSS 1..9000 and random
// skb layouts, run through the reference and, in lockstep, the NIC model in
// every driver mode each preset supports. `deno task fuzz` runs more.
import { sweep, sweepModels } from "./_sweep.ts";

const models = sweepModels();

for (const seed of [20261122, 7]) {
  Deno.test(`property sweep: model and reference agree, reference invariants hold (seed ${seed})`, () => {
    sweep({ runs: 5000, seed, models });
  });
}
