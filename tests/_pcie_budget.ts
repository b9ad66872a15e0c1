// The PCIe bytes of bulk TCP sends worked out from first principles, for
// tests/hw_throughput_test.ts: what each driver mode posts for the workload
// (reference/nic-hw.md §1, §3; DESIGN.md driver modes), how the device
// fetches and completes it (the preset's ring parameters, §4.5), and the
// TLP arithmetic of §4.1 (the formula functions of hw/pcie.ts, which
// pcie_test.ts checks against the pcie-bench tables). Nothing here calls the
// model (no Nic, no PcieLinkModel, no driver or descriptor code), so a bound
// built on these numbers does not move when the model's accounting does.
//
// The workload is the one hw/workload.ts bulkTcpSkb builds: a linear area
// holding only the headers, then the payload in page-aligned page fragments.
import type {
  DescriptorFamily,
  DriverMode,
  NicConfig,
} from "../hw/nic_config.ts";
import {
  type PcieParams,
  pcieReadBytes,
  pcieWriteBytes,
  tlpOverheads,
} from "../hw/pcie.ts";
import type { PcieTrafficKind } from "../hw/pcie_link_model.ts";

// One send of the workload.
export interface BulkSend {
  // TCP payload bytes (a 64 KiB send: 65536).
  sendBytes: number;
  // gso_size.
  mss: number;
  // Ethernet + IP + TCP header bytes, all in the linear area.
  hdrLen: number;
  // Bytes per page fragment; fragments start on a page boundary.
  fragBytes: number;
}

// A DMA buffer: where it starts inside its 4 KiB page, and its length.
interface Buf {
  pageOff: number;
  len: number;
}

// One packet as the driver posts it to the ring.
interface RingPacket {
  ctx: boolean;
  buffers: Buf[];
}

// Bytes per traffic kind and direction, plus the transaction counts behind
// them (for the report and for messages).
export interface PcieBudget {
  byKind: Record<PcieTrafficKind, { toDevice: number; toHost: number }>;
  toDevice: number;
  toHost: number;
  ringPackets: number;
  ringEntries: number;
  doorbells: number;
  descFetches: number;
  writebacks: number;
  msis: number;
}

// TSO_HEADER_SIZE (include/net/tso.h): tso.c header slots are 256 B apart
// in a page-aligned coherent area, so a header never crosses a page.
const TSO_HEADER_SLOT = 256;

// Payload slices of segment `seg`: its byte range of the payload cut at the
// fragment (page) boundaries, each slice addressed in place (tso_build_data,
// and skb_segment's frag references for host GSO).
function slices(w: BulkSend, seg: number): Buf[] {
  const from = seg * w.mss;
  const to = Math.min(from + w.mss, w.sendBytes);
  const out: Buf[] = [];
  for (let a = from; a < to;) {
    const inFrag = a % w.fragBytes;
    const n = Math.min(to - a, w.fragBytes - inFrag);
    out.push({ pageOff: inFrag % 4096, len: n });
    a += n;
  }
  return out;
}

// Whether a checksum-offload packet takes a context descriptor: ixgbe_tx_csum
// writes one for every CHECKSUM_PARTIAL packet (§1.4); ice carries the
// checksum fields in the data descriptor and needs a context only for TSO
// or tunnels (§1.6); mqnic has no context descriptors (§3.1).
function csumContext(family: DescriptorFamily): boolean {
  return family === "ixgbe";
}

// The packets one send puts on the ring, per driver mode.
function ringPackets(
  family: DescriptorFamily,
  mode: DriverMode,
  w: BulkSend,
  firstHeaderSlot: number,
): RingPacket[] {
  const segs = Math.ceil(w.sendBytes / w.mss);
  const out: RingPacket[] = [];
  if (mode === "hw-tso") {
    // ice_tso / ixgbe_tso: one context descriptor, the header copy (one
    // mapping of the linear area) and one data descriptor per fragment.
    const buffers: Buf[] = [{ pageOff: 0, len: w.hdrLen }];
    for (let a = 0; a < w.sendBytes; a += w.fragBytes) {
      buffers.push({ pageOff: 0, len: Math.min(w.fragBytes, w.sendBytes - a) });
    }
    out.push({ ctx: true, buffers });
    return out;
  }
  for (let s = 0; s < segs; s++) {
    const payload = slices(w, s);
    const size = payload.reduce((n, b) => n + b.len, 0);
    if (mode === "tso-helper") {
      // net/core/tso.c: a header built in the queue's next slot, then the
      // payload sliced in place; checksum offload per segment.
      const slot = (firstHeaderSlot + s) * TSO_HEADER_SLOT % 4096;
      out.push({
        ctx: csumContext(family),
        buffers: [{ pageOff: slot, len: w.hdrLen }, ...payload],
      });
    } else if (mode === "gso") {
      // skb_segment with SG: a new linear header per segment, payload as
      // fragment references; checksum offload.
      out.push({
        ctx: csumContext(family),
        buffers: [{ pageOff: 0, len: w.hdrLen }, ...payload],
      });
    } else {
      // none: the host sums the checksum and the driver copies the segment
      // into one linear buffer; no offload, so no context descriptor.
      out.push({ ctx: false, buffers: [{ pageOff: 0, len: w.hdrLen + size }] });
    }
  }
  return out;
}

// Ring entries a packet takes: Intel families one per descriptor (context
// included); mqnic one descriptor block per packet.
function entriesOf(cfg: NicConfig, p: RingPacket): number {
  if (cfg.family === "mqnic") {
    if (p.buffers.length > cfg.ring.descBlock) {
      throw new Error(
        `${p.buffers.length} buffers exceed the ${cfg.ring.descBlock}-descriptor block`,
      );
    }
    return 1;
  }
  return (p.ctx ? 1 : 0) + p.buffers.length;
}

// The PCIe bytes of `sends` back-to-back sends posted at once (the host is
// faster than the device, so it only ever waits for ring space).
//
// Host side (ixgbe_tx_map / ice_tx_map, §1.4): the tail is written when the
// stack has no more to give (!xmit_more: once per send) or when the queue
// stops because the next packet does not fit; a stopped queue wakes once
// ring.wakeThreshold entries are free (TX_WAKE_THRESHOLD), not at the
// first free slot, so it may wait for later completions. Ring slots come back in
// completion order, once their completion has been written back; a packet
// that only needs slots whose completion the host already waited for goes
// on without stopping the queue. With batched write-back (ixgbe WTHRESH)
// completions still held by the device are flushed when the host needs them.
//
// Device side: descriptors are read in batches of up to `fetchBatch` ring
// entries (never past what the doorbell posted or the ring's end), each a
// DMA read of the ring bytes; payload is read buffer by buffer; completions
// are written back per packet (ice DD, mqnic completion record) or in
// batches of `writebackBatch` (ixgbe), and an MSI follows every
// `irqModeration` completions.
export function pcieBudget(
  cfg: NicConfig,
  mode: DriverMode,
  w: BulkSend,
  sends: number,
): PcieBudget {
  const p: PcieParams = { ...cfg.pcie };
  const r = cfg.ring;
  const entryBytes = r.descBytes * r.descBlock;
  const o = tlpOverheads(p.addr64, p.ecrc);
  const byKind: PcieBudget["byKind"] = {
    "doorbell": { toDevice: 0, toHost: 0 },
    "desc-read": { toDevice: 0, toHost: 0 },
    "payload-read": { toDevice: 0, toHost: 0 },
    "writeback": { toDevice: 0, toHost: 0 },
    "msi": { toDevice: 0, toHost: 0 },
  };
  const read = (kind: PcieTrafficKind, len: number, addr: number) => {
    const b = pcieReadBytes(len, p, addr);
    byKind[kind].toHost += b.requestBytes;
    byKind[kind].toDevice += b.completionBytes;
  };
  let doorbells = 0;
  let descFetches = 0;
  let writebacks = 0;
  let msis = 0;
  let ringPacketCount = 0;
  let ringEntries = 0;

  // Ring state: free-running tail, and for each slot the packet that last
  // used it. Packets get a completion group when their write-back is sent.
  const E = r.entries;
  const slotPacket = new Array<number>(E).fill(-1);
  const group: number[] = []; // by packet: write-back group, -1 = not yet
  let groups = 0;
  let awaited = -1; // latest write-back group the host has waited for
  let tail = 0;
  let pending: number[] = [];
  let sinceIrq = 0;

  const flush = () => {
    if (pending.length === 0) return;
    const bytes = r.writeback === "head"
      ? 4
      : pending.length * r.writebackBytes;
    byKind.writeback.toHost += pcieWriteBytes(bytes, p).bytes;
    writebacks++;
    for (const k of pending) group[k] = groups;
    groups++;
    sinceIrq += pending.length;
    if (r.irqModeration > 0 && sinceIrq >= r.irqModeration) {
      byKind.msi.toHost += o.msi;
      msis++;
      sinceIrq %= r.irqModeration;
    }
    pending = [];
  };

  // The doorbell for a batch of posted packets, then the device works through
  // them: descriptor reads, payload reads, completions.
  const ring = (
    batch: { id: number; pkt: RingPacket; first: number; n: number }[],
  ) => {
    if (batch.length === 0) return;
    byKind.doorbell.toDevice += pcieWriteBytes(4, p).bytes;
    doorbells++;
    const first = batch[0]!.first;
    const end = batch[batch.length - 1]!.first + batch[batch.length - 1]!.n;
    for (let e = first; e < end;) {
      const n = Math.min(r.fetchBatch, r.cacheEntries, end - e, E - (e % E));
      // The ring is one page-aligned coherent allocation.
      read("desc-read", n * entryBytes, (e % E) * entryBytes);
      descFetches++;
      e += n;
    }
    for (const b of batch) {
      for (const buf of b.pkt.buffers) {
        read("payload-read", buf.len, buf.pageOff);
      }
      pending.push(b.id);
      if (pending.length >= r.writebackBatch) flush();
    }
  };

  let headerSlot = 0;
  for (let s = 0; s < sends; s++) {
    const pkts = ringPackets(cfg.family, mode, w, headerSlot);
    if (mode === "tso-helper") headerSlot += pkts.length;
    let batch: { id: number; pkt: RingPacket; first: number; n: number }[] = [];
    for (const pkt of pkts) {
      for (const b of pkt.buffers) {
        if (b.len > cfg.offload.maxBytesPerBuffer) {
          throw new Error(`buffer of ${b.len} B would be split; not modelled`);
        }
      }
      const n = entriesOf(cfg, pkt);
      if (n > E - 1) throw new Error(`${n} entries exceed the ring`);
      // The last slot this packet reuses, and the packet that held it.
      const lastNeeded = tail + n - 1 - (E - 1);
      const owner = lastNeeded >= 0 ? slotPacket[lastNeeded % E]! : -1;
      if (owner >= 0) {
        if (group[owner] === -1) {
          flush(); // the host needs completions the device still holds
          if (group[owner] === -1) {
            // The ring is full of packets not yet rung: the doorbell goes
            // out for them, the device works through them and writes back.
            if (!batch.some((b) => b.id === owner)) {
              throw new Error("a packet needs slots of a packet not yet sent");
            }
            ring(batch);
            batch = [];
            flush();
          }
        }
        if (group[owner]! > awaited) {
          // The queue stops: tail write for what is posted, then wait; the
          // driver wakes it only once wakeThreshold entries are free
          // (TX_WAKE_THRESHOLD), which may take later completions.
          ring(batch);
          batch = [];
          awaited = group[owner]!;
          const wake = Math.min(E - 1, Math.max(n, r.wakeThreshold));
          const lastWake = tail + wake - 1 - (E - 1);
          const wakeOwner = lastWake >= 0 ? slotPacket[lastWake % E]! : -1;
          if (wakeOwner > owner) {
            if (group[wakeOwner] === -1) flush();
            awaited = Math.max(awaited, group[wakeOwner]!);
          }
        }
      }
      const id = group.length;
      group.push(-1);
      for (let k = 0; k < n; k++) slotPacket[(tail + k) % E] = id;
      batch.push({ id, pkt, first: tail, n });
      tail += n;
      ringPacketCount++;
      ringEntries += n;
    }
    ring(batch); // !xmit_more: the last packet of the send
  }
  flush(); // what the device still holds when the run is reported

  let toDevice = 0;
  let toHost = 0;
  for (const k of Object.values(byKind)) {
    toDevice += k.toDevice;
    toHost += k.toHost;
  }
  return {
    byKind,
    toDevice,
    toHost,
    ringPackets: ringPacketCount,
    ringEntries,
    doorbells,
    descFetches,
    writebacks,
    msis,
  };
}
