/**
 * ixgbe (82599) advanced transmit descriptors, 16 bytes each
 * (`reference/nic-hw.md` §1.4): a context descriptor (vlan_macip_lens with
 * IPLEN [8:0] and MACLEN [15:9]; type_tucmd_mlhl with TUCMD IPV4 0x400 and
 * L4T TCP 0x800, DTYP 2, DEXT; mss_l4len_idx with L4LEN [15:8] and MSS
 * [31:16]) before each offloaded packet, and data descriptors (cmd_type_len
 * with DTALEN, DTYP 3, EOP/IFCS/RS/DEXT/TSE; olinfo_status with IXSM/TXSM and
 * PAYLEN [31:14]). Completion sets DD, bit 0 of the status dword.
 *
 * @module
 */
import { le32, le64, setLe32, setLe64 } from "./_le.ts";
import type {
  DecodedDescriptor,
  DescriptorFormat,
} from "./descriptor_format.ts";
import type { TxBuffer, TxOffload } from "./tx_offload.ts";

const DTYP_CTXT = 2;
const DTYP_DATA = 3;
const DEXT = 0x20000000;
const TUCMD_IPV4 = 0x400;
const TUCMD_L4T_TCP = 0x800;
const DCMD_EOP = 0x01000000;
const DCMD_IFCS = 0x02000000;
const DCMD_RS = 0x08000000;
const DCMD_TSE = 0x80000000;
const POPTS_IXSM = 0x100;
const POPTS_TXSM = 0x200;
const CC = 0x80;

/**
 * The ixgbe descriptor family.
 *
 * @example
 * ```ts
 * import { IXGBE_FORMAT } from "./desc_ixgbe.ts";
 * import { noOffload } from "./tx_offload.ts";
 * const ring = new Uint8Array(64);
 * IXGBE_FORMAT.encode(ring, 0, 4, noOffload(), [{ addr: 0x1000, len: 60 }], true);
 * IXGBE_FORMAT.decode(ring, 0)[0]!.eop; // true
 * ```
 */
export const IXGBE_FORMAT: DescriptorFormat = {
  family: "ixgbe",
  entryBytes: 16,
  entriesFor(offload: TxOffload, buffers: readonly TxBuffer[]): number {
    return (offload.kind === "none" ? 0 : 1) + buffers.length;
  },
  encode(
    ring: Uint8Array,
    first: number,
    entries: number,
    o: TxOffload,
    buffers: readonly TxBuffer[],
    rs: boolean,
  ): number {
    let i = first;
    const at = () => (i % entries) * 16;
    if (o.kind !== "none") {
      const off = at();
      ring.fill(0, off, off + 16);
      setLe32(ring, off, (o.ipLen & 0x1ff) | ((o.macLen & 0x7f) << 9));
      let tucmd = DEXT | (DTYP_CTXT << 20);
      if (o.ipv4) tucmd |= TUCMD_IPV4;
      if (o.l4 === "tcp") tucmd |= TUCMD_L4T_TCP;
      setLe32(ring, off + 8, tucmd >>> 0);
      setLe32(
        ring,
        off + 12,
        (((o.l4Len & 0xff) << 8) | ((o.mss & 0xffff) << 16)) >>> 0,
      );
      i++;
    }
    const total = buffers.reduce((n, b) => n + b.len, 0);
    for (let k = 0; k < buffers.length; k++) {
      const off = at();
      const b = buffers[k]!;
      ring.fill(0, off, off + 16);
      setLe64(ring, off, b.addr);
      let cmd = (b.len & 0xffff) | (DTYP_DATA << 20) | DEXT | DCMD_IFCS;
      if (o.kind === "tso") cmd |= DCMD_TSE;
      const last = k === buffers.length - 1;
      if (last) cmd |= DCMD_EOP;
      if (last && rs) cmd |= DCMD_RS;
      setLe32(ring, off + 8, cmd >>> 0);
      if (k === 0) {
        let ol = CC;
        if (o.kind !== "none" && o.l4 !== "none") ol |= POPTS_TXSM;
        if (o.ipCsum) ol |= POPTS_IXSM;
        const paylen = o.kind === "tso" ? o.tsoLen : total;
        setLe32(ring, off + 12, (ol | ((paylen & 0x3ffff) << 14)) >>> 0);
      }
      i++;
    }
    return i - first;
  },
  decode(b: Uint8Array, off: number): DecodedDescriptor[] {
    const w2 = le32(b, off + 8);
    const w3 = le32(b, off + 12);
    const dtyp = (w2 >>> 20) & 0xf;
    if ((w2 & DEXT) !== 0 && dtyp === DTYP_CTXT) {
      const w0 = le32(b, off);
      return [{
        type: "context",
        typeCode: dtyp,
        addr: 0,
        len: 0,
        eop: false,
        rs: false,
        fields: {
          ipLen: w0 & 0x1ff,
          macLen: (w0 >>> 9) & 0x7f,
          ipv4: (w2 & TUCMD_IPV4) !== 0,
          l4: (w2 & TUCMD_L4T_TCP) !== 0 ? "tcp" : "udp",
          l4Len: (w3 >>> 8) & 0xff,
          mss: (w3 >>> 16) & 0xffff,
        },
      }];
    }
    if ((w2 & DEXT) !== 0 && dtyp === DTYP_DATA) {
      const tse = (w2 & DCMD_TSE) !== 0;
      const fields: Partial<TxOffload> = {};
      if ((w3 & CC) !== 0) {
        // The first descriptor of a packet carries the POPTS and PAYLEN.
        fields.kind = tse ? "tso" : (w3 & POPTS_TXSM) !== 0 ? "csum" : "none";
        fields.ipCsum = (w3 & POPTS_IXSM) !== 0;
        if (tse) fields.tsoLen = w3 >>> 14;
      }
      return [{
        type: "data",
        typeCode: dtyp,
        addr: le64(b, off),
        len: w2 & 0xffff,
        eop: (w2 & DCMD_EOP) !== 0,
        rs: (w2 & DCMD_RS) !== 0,
        fields,
      }];
    }
    return [{
      type: "invalid",
      typeCode: dtyp,
      addr: 0,
      len: 0,
      eop: false,
      rs: false,
      fields: {},
    }];
  },
  writeBack(ring: Uint8Array, off: number): void {
    ring[off + 12] = ring[off + 12]! | 1;
  },
  isDone(ring: Uint8Array, off: number): boolean {
    return (ring[off + 12]! & 1) === 1;
  },
};
