/**
 * ice (E810) transmit descriptors, 16 bytes each (`reference/nic-hw.md`
 * §1.5–1.6): a data descriptor per buffer (QW1: DTYPE, CMD with EOP/RS/IIPT/
 * L4T, OFFSET with MACLEN in words, IPLEN and L4LEN in dwords, BUF_SZ), and
 * a context descriptor for TSO or tunnels (tunneling_params: EIPT, EIPLEN,
 * L4TUNT, EIP_NOINC, L4TUNLEN, L4T_CS; QW1: DTYPE 1, CMD TSO, TSO_LEN 18 b,
 * MSS 14 b). Completion rewrites DTYPE to 0xF.
 *
 * @module
 */
import { le32, le64, setLe32, setLe64 } from "./_le.ts";
import type {
  DecodedDescriptor,
  DescriptorFormat,
} from "./descriptor_format.ts";
import type { TxBuffer, TxOffload, TxTunnel } from "./tx_offload.ts";

const DTYPE_DATA = 0;
const DTYPE_CTX = 1;
const DTYPE_DONE = 0xf;
// Data QW1 bit positions.
const CMD_EOP = 4;
const CMD_RS = 5;
const IIPT = 9; // 2 bits: 1 IPv6, 2 IPv4, 3 IPv4 + checksum
const L4T = 12; // 2 bits: 1 TCP, 2 SCTP, 3 UDP
const MACLEN = 16; // 7 bits, 2-byte words
const IPLEN = 23; // 7 bits, dwords
const L4LEN = 30; // 4 bits, dwords
const BUF_SZ = 34; // 14 bits
// Context QW1 bit positions.
const CTX_TSO = 4;
const TSO_LEN = 30; // 18 bits
const MSS = 50; // 14 bits
// tunneling_params bit positions.
const EIPT = 0;
const EIPLEN = 2;
const L4TUNT = 9;
const EIP_NOINC = 11;
const L4TUNLEN = 12;
const L4T_CS = 23;

function needsContext(o: TxOffload): boolean {
  return o.kind === "tso" || o.tunnel !== null;
}

function encodeTunnel(t: TxTunnel): number {
  let v = 0;
  v |= (t.outerIpv4 ? (t.outerIpCsum ? 3 : 2) : 1) << EIPT;
  v |= ((t.outerIpLen >>> 2) & 0x7f) << EIPLEN;
  v |= 1 << L4TUNT;
  if (t.noInc) v |= 1 << EIP_NOINC;
  v |= ((t.l4TunLen >>> 1) & 0x7f) << L4TUNLEN;
  if (t.udpCsum) v |= 1 << L4T_CS;
  return v >>> 0;
}

function decodeTunnel(v: number): TxTunnel | null {
  const eipt = (v >>> EIPT) & 3;
  if (eipt === 0) return null;
  return {
    outerIpv4: eipt >= 2,
    outerIpCsum: eipt === 3,
    outerIpLen: ((v >>> EIPLEN) & 0x7f) * 4,
    l4TunLen: ((v >>> L4TUNLEN) & 0x7f) * 2,
    udpCsum: ((v >>> L4T_CS) & 1) === 1,
    noInc: ((v >>> EIP_NOINC) & 1) === 1,
  };
}

/**
 * The ice descriptor family.
 *
 * @example
 * ```ts
 * import { ICE_FORMAT } from "./desc_ice.ts";
 * import { noOffload } from "./tx_offload.ts";
 * const ring = new Uint8Array(64);
 * ICE_FORMAT.encode(ring, 0, 4, noOffload(), [{ addr: 0x1000, len: 60 }], true);
 * ICE_FORMAT.decode(ring, 0)[0]!.len; // 60
 * ```
 */
export const ICE_FORMAT: DescriptorFormat = {
  family: "ice",
  entryBytes: 16,
  entriesFor(offload: TxOffload, buffers: readonly TxBuffer[]): number {
    return (needsContext(offload) ? 1 : 0) + buffers.length;
  },
  encode(
    ring: Uint8Array,
    first: number,
    entries: number,
    o: TxOffload,
    buffers: readonly TxBuffer[],
    rs: boolean,
  ): number {
    // Each quadword is assembled as two 32-bit halves (fields masked to
    // their widths, as setBits would) and written once.
    let i = first;
    if (needsContext(o)) {
      const off = (i % entries) * 16;
      ring.fill(0, off, off + 16);
      setLe32(ring, off, o.tunnel === null ? 0 : encodeTunnel(o.tunnel));
      let lo = DTYPE_CTX;
      let hi = 0;
      if (o.kind === "tso") {
        lo |= 1 << CTX_TSO;
        lo |= (o.tsoLen << TSO_LEN) & 0xc0000000;
        hi |= Math.floor(o.tsoLen / 4) & 0xffff;
        hi |= (o.mss << (MSS - 32)) & (0x3fff << (MSS - 32));
      }
      setLe32(ring, off + 8, lo);
      setLe32(ring, off + 12, hi);
      i++;
    }
    let common = 0;
    if (o.kind !== "none" && o.l4 !== "none") {
      const iipt = o.ipv4 ? (o.ipCsum ? 3 : 2) : 1;
      common |= iipt << IIPT;
      common |= (o.l4 === "tcp" ? 1 : 3) << L4T;
      common |= ((o.macLen >>> 1) & 0x7f) << MACLEN;
      common |= ((o.ipLen >>> 2) & 0x7f) << IPLEN;
      common |= ((o.l4Len >>> 2) << L4LEN) & 0xc0000000;
    }
    const commonHi = o.kind !== "none" && o.l4 !== "none"
      ? Math.floor((o.l4Len >>> 2) / 4) & 3
      : 0;
    for (let k = 0; k < buffers.length; k++) {
      const off = (i % entries) * 16;
      const b = buffers[k]!;
      // All sixteen bytes are written below: no fill first.
      setLe64(ring, off, b.addr);
      let lo = DTYPE_DATA | common;
      const last = k === buffers.length - 1;
      if (last) lo |= 1 << CMD_EOP;
      if (last && rs) lo |= 1 << CMD_RS;
      const hi = commonHi | ((b.len << (BUF_SZ - 32)) & (0x3fff << 2));
      setLe32(ring, off + 8, lo);
      setLe32(ring, off + 12, hi);
      i++;
    }
    return i - first;
  },
  decode(b: Uint8Array, off: number): DecodedDescriptor[] {
    const q = off + 8;
    const dtype = b[q]! & 0xf;
    // QW1 as two 32-bit halves, each read once.
    const lo = le32(b, q);
    const hi = le32(b, q + 4);
    if (dtype === DTYPE_CTX) {
      const tso = ((lo >>> CTX_TSO) & 1) === 1;
      const tunnel = decodeTunnel(le32(b, off));
      const fields: Partial<TxOffload> = tso
        ? {
          tunnel,
          kind: "tso",
          tsoLen: (lo >>> TSO_LEN) + (hi & 0xffff) * 4,
          mss: (hi >>> (MSS - 32)) & 0x3fff,
        }
        : { tunnel };
      return [{
        type: "context",
        typeCode: dtype,
        addr: 0,
        len: 0,
        eop: false,
        rs: false,
        fields,
      }];
    }
    if (dtype === DTYPE_DATA) {
      const iipt = (lo >>> IIPT) & 3;
      const l4t = (lo >>> L4T) & 3;
      // Whole literals: one allocation each, no property-by-property growth.
      const fields: Partial<TxOffload> = l4t !== 0
        ? {
          kind: "csum",
          l4: l4t === 1 ? "tcp" : l4t === 3 ? "udp" : "none",
          ipv4: iipt >= 2,
          ipCsum: iipt === 3,
          macLen: ((lo >>> MACLEN) & 0x7f) * 2,
          ipLen: ((lo >>> IPLEN) & 0x7f) * 4,
          l4Len: ((lo >>> L4LEN) + (hi & 3) * 4) * 4,
        }
        : { kind: "none" };
      return [{
        type: "data",
        typeCode: dtype,
        addr: le64(b, off),
        len: (hi >>> (BUF_SZ - 32)) & 0x3fff,
        eop: ((lo >>> CMD_EOP) & 1) === 1,
        rs: ((lo >>> CMD_RS) & 1) === 1,
        fields,
      }];
    }
    return [{
      type: dtype === DTYPE_DONE ? "done" : "invalid",
      typeCode: dtype,
      addr: 0,
      len: 0,
      eop: false,
      rs: false,
      fields: {},
    }];
  },
  writeBack(ring: Uint8Array, off: number): void {
    ring[off + 8] = (ring[off + 8]! & 0xf0) | DTYPE_DONE;
  },
  isDone(ring: Uint8Array, off: number): boolean {
    return (ring[off + 8]! & 0xf) === DTYPE_DONE;
  },
};
