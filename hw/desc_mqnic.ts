/**
 * Corundum (mqnic) transmit descriptors (`reference/nic-hw.md` §3.1): 16
 * bytes each — rsvd (16 b), tx_csum_cmd (16 b: 0x8000 enable | offset << 8 |
 * start), len (32 b), addr (64 b) — grouped in blocks of `descBlock`
 * descriptors; a packet takes one block (one ring entry), unused slots have
 * length 0, and the first descriptor carries the checksum command.
 * Completion goes to a completion queue (32-byte records), not into the
 * ring, so `isDone` is always true and reclaim follows completion timing.
 *
 * @module
 */
import { le32, le64, setLe32, setLe64 } from "./_le.ts";
import type {
  DecodedDescriptor,
  DescriptorFormat,
} from "./descriptor_format.ts";
import type { TxBuffer, TxOffload } from "./tx_offload.ts";

/**
 * Builds the mqnic descriptor family for a descriptor block size.
 *
 * @param descBlock Descriptors per block (per packet).
 * @returns The format.
 *
 * @example
 * ```ts
 * import { mqnicFormat } from "./desc_mqnic.ts";
 * import { noOffload } from "./tx_offload.ts";
 * const f = mqnicFormat(4);
 * const ring = new Uint8Array(f.entryBytes * 2);
 * f.encode(ring, 0, 2, { ...noOffload(), kind: "csum", csumStart: 34, csumOffset: 16 }, [{ addr: 0x2000, len: 100 }], true);
 * f.decode(ring, 0)[0]!.fields.csumStart; // 34
 * ```
 */
export function mqnicFormat(descBlock: number): DescriptorFormat {
  return {
    family: "mqnic",
    entryBytes: 16 * descBlock,
    entriesFor(): number {
      return 1;
    },
    encode(
      ring: Uint8Array,
      first: number,
      entries: number,
      o: TxOffload,
      buffers: readonly TxBuffer[],
    ): number {
      const base = (first % entries) * 16 * descBlock;
      ring.fill(0, base, base + 16 * descBlock);
      for (let k = 0; k < Math.min(buffers.length, descBlock); k++) {
        const off = base + 16 * k;
        if (k === 0 && o.kind === "csum") {
          const cmd = 0x8000 | ((o.csumOffset & 0x7f) << 8) |
            (o.csumStart & 0xff);
          ring[off + 2] = cmd & 0xff;
          ring[off + 3] = cmd >>> 8;
        }
        setLe32(ring, off + 4, buffers[k]!.len);
        setLe64(ring, off + 8, buffers[k]!.addr);
      }
      return 1;
    },
    decode(b: Uint8Array, off: number): DecodedDescriptor[] {
      const out: DecodedDescriptor[] = [];
      const cmd = b[off + 2]! | (b[off + 3]! << 8);
      for (let k = 0; k < descBlock; k++) {
        const d = off + 16 * k;
        const len = le32(b, d + 4);
        if (len === 0) continue;
        const fields: Partial<TxOffload> = {};
        if (out.length === 0) {
          if ((cmd & 0x8000) !== 0) {
            fields.kind = "csum";
            fields.csumStart = cmd & 0xff;
            fields.csumOffset = (cmd >>> 8) & 0x7f;
          } else fields.kind = "none";
        }
        out.push({
          type: "data",
          typeCode: 0,
          addr: le64(b, d + 8),
          len,
          eop: false,
          rs: false,
          fields,
        });
      }
      if (out.length === 0) {
        return [{
          type: "invalid",
          typeCode: 0,
          addr: 0,
          len: 0,
          eop: false,
          rs: false,
          fields: {},
        }];
      }
      out[out.length - 1]!.eop = true;
      out[out.length - 1]!.rs = true;
      return out;
    },
    writeBack(): void {},
    isDone(): boolean {
      return true;
    },
  };
}
