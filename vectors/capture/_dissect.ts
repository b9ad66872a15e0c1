/**
 * Just enough dissection to pair and measure captured frames: VLAN tags,
 * IPv4 (with options and fragments), IPv6 (walking Hop-by-Hop, Routing,
 * Destination Options and Fragment headers), TCP, UDP and VXLAN (UDP port
 * 4789, one level). It reports the outer source address (to tell the
 * sender's frames from the receiver's) and the innermost L4 payload length
 * (what gso_size counts). Length comes from the IP headers, or from the frame
 * when an IP length field is 0 (BIG TCP).
 *
 * Private to `vectors/capture/`; the project's decoders live in `sw/`.
 *
 * @module
 */

/** What the capture tool needs to know about one frame. */
export interface FrameSummary {
  /** Outermost IP source address bytes (4 or 16). */
  outerSrc: Uint8Array;
  /** Number of VLAN tags in front of the outer IP header. */
  vlanCount: number;
  /** True when a VXLAN header was crossed. */
  tunnelled: boolean;
  /** Innermost IP version. */
  ipVersion: 4 | 6;
  /** Innermost IPv4 identification (undefined for IPv6). */
  ipId?: number;
  /** Innermost transport: tcp, udp, a non-first fragment, or other. */
  l4: "tcp" | "udp" | "fragment" | "other";
  /** True for any IP fragment (first or later). */
  fragment: boolean;
  /**
   * Innermost payload length: after the TCP/UDP header, or for fragments the
   * fragment's data after the IP (and fragment) headers.
   */
  payloadLength: number;
  /** Offset of the innermost payload in the frame. */
  payloadOffset: number;
  /** Innermost flow as text: `proto src:sport>dst:dport`. */
  flow: string;
  /** TCP fields when l4 is tcp. */
  tcp?: { seq: number; flags: number };
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function addrText(b: Uint8Array): string {
  if (b.length === 4) return b.join(".");
  const w: string[] = [];
  for (let i = 0; i < 16; i += 2) w.push(u16(b, i).toString(16));
  return w.join(":");
}

/**
 * Summarises an Ethernet frame, or returns undefined when it holds no IPv4
 * or IPv6 packet (ARP, the end marker) or is cut short.
 *
 * @param f The frame, from the destination MAC on.
 * @returns The summary, or undefined.
 *
 * @example
 * ```ts
 * import { summarizeFrame } from "./_dissect.ts";
 * summarizeFrame(new Uint8Array(14)); // undefined (EtherType 0)
 * ```
 */
export function summarizeFrame(f: Uint8Array): FrameSummary | undefined {
  let off = 12;
  let vlans = 0;
  let type = u16(f, off);
  while ((type === 0x8100 || type === 0x88a8) && off + 6 <= f.length) {
    off += 4;
    vlans++;
    type = u16(f, off);
  }
  off += 2;
  let outerSrc: Uint8Array | undefined;
  let tunnelled = false;
  for (let depth = 0; depth < 2; depth++) {
    if (type !== 0x0800 && type !== 0x86dd) return undefined;
    const ip = parseIp(f, off, type === 0x0800 ? 4 : 6);
    if (!ip) return undefined;
    outerSrc ??= ip.src;
    const flowBase = `${addrText(ip.src)}>${addrText(ip.dst)}`;
    const base = {
      outerSrc,
      vlanCount: vlans,
      tunnelled,
      ipVersion: ip.version,
      ipId: ip.id,
    };
    if (ip.fragment && ip.fragOffset !== 0) {
      return {
        ...base,
        l4: "fragment",
        fragment: true,
        payloadLength: ip.end - ip.l4,
        payloadOffset: ip.l4,
        flow: `frag ${flowBase}`,
      };
    }
    if (ip.proto === 6 && ip.l4 + 20 <= ip.end) {
      const doff = (f[ip.l4 + 12]! >>> 4) * 4;
      return {
        ...base,
        l4: "tcp",
        fragment: ip.fragment,
        payloadLength: ip.fragment ? ip.end - ip.l4 : ip.end - ip.l4 - doff,
        payloadOffset: ip.l4 + doff,
        flow: `tcp ${addrText(ip.src)}:${u16(f, ip.l4)}>${addrText(ip.dst)}:${
          u16(f, ip.l4 + 2)
        }`,
        tcp: {
          seq: new DataView(f.buffer, f.byteOffset).getUint32(ip.l4 + 4),
          flags: f[ip.l4 + 13]!,
        },
      };
    }
    if (ip.proto === 17 && ip.l4 + 8 <= ip.end) {
      const dport = u16(f, ip.l4 + 2);
      if (
        !ip.fragment && dport === 4789 && depth === 0 && ip.l4 + 30 <= ip.end
      ) {
        tunnelled = true;
        off = ip.l4 + 8 + 8 + 12;
        type = u16(f, off);
        off += 2;
        continue;
      }
      return {
        ...base,
        l4: "udp",
        fragment: ip.fragment,
        payloadLength: ip.fragment ? ip.end - ip.l4 : ip.end - ip.l4 - 8,
        payloadOffset: ip.l4 + 8,
        flow: `udp ${addrText(ip.src)}:${u16(f, ip.l4)}>${
          addrText(ip.dst)
        }:${dport}`,
      };
    }
    return {
      ...base,
      l4: "other",
      fragment: ip.fragment,
      payloadLength: ip.end - ip.l4,
      payloadOffset: ip.l4,
      flow: `proto${ip.proto} ${flowBase}`,
    };
  }
  return undefined;
}

interface IpInfo {
  version: 4 | 6;
  src: Uint8Array;
  dst: Uint8Array;
  id?: number;
  proto: number;
  l4: number;
  end: number;
  fragment: boolean;
  fragOffset: number;
}

function parseIp(
  f: Uint8Array,
  off: number,
  version: 4 | 6,
): IpInfo | undefined {
  if (version === 4) {
    if (off + 20 > f.length) return undefined;
    const ihl = (f[off]! & 0x0f) * 4;
    const tot = u16(f, off + 2);
    const frag = u16(f, off + 6);
    return {
      version,
      src: f.subarray(off + 12, off + 16),
      dst: f.subarray(off + 16, off + 20),
      id: u16(f, off + 4),
      proto: f[off + 9]!,
      l4: off + ihl,
      end: tot === 0 ? f.length : Math.min(f.length, off + tot),
      fragment: (frag & 0x3fff) !== 0,
      fragOffset: (frag & 0x1fff) * 8,
    };
  }
  if (off + 40 > f.length) return undefined;
  const plen = u16(f, off + 4);
  const end = plen === 0 ? f.length : Math.min(f.length, off + 40 + plen);
  let nh = f[off + 6]!;
  let p = off + 40;
  let fragment = false;
  let fragOffset = 0;
  while (p + 8 <= end) {
    if (nh === 0 || nh === 43 || nh === 60) {
      const next = f[p]!;
      p += (f[p + 1]! + 1) * 8;
      nh = next;
    } else if (nh === 44) {
      fragment = true;
      fragOffset = u16(f, p + 2) & 0xfff8;
      nh = f[p]!;
      p += 8;
    } else break;
  }
  return {
    version,
    src: f.subarray(off + 8, off + 24),
    dst: f.subarray(off + 24, off + 40),
    proto: nh,
    l4: p,
    end,
    fragment,
    fragOffset,
  };
}
