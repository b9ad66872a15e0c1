/**
 * A tap device with a virtio-net header, opened through `/dev/net/tun` with
 * FFI: TUNSETIFF (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR), TUNSETOFFLOAD (checksum,
 * TSO4/6/ECN, UFO, USO4/6) and TUNSETVNETHDRSZ. Each write is one
 * `struct virtio_net_hdr` (little-endian) followed by one Ethernet frame, so
 * the kernel receives GSO super-packets exactly as from a virtio guest.
 *
 * The device lives as long as the file descriptor (not persistent); the
 * descriptor is close-on-exec so child processes never keep it alive.
 *
 * Private to `vectors/capture/`.
 *
 * @module
 */

import { check, cString, libc, LibcError } from "./_libc.ts";

const TUNSETIFF = 0x400454can;
const TUNSETOFFLOAD = 0x400454d0n;
const TUNSETVNETHDRSZ = 0x400454d8n;
const IFF_TAP = 0x0002;
const IFF_NO_PI = 0x1000;
const IFF_VNET_HDR = 0x4000;
const O_RDWR = 2;
const O_CLOEXEC = 0x80000;

/** TUN_F_* offload bits for TUNSETOFFLOAD. */
export const TUN_F = {
  CSUM: 0x01,
  TSO4: 0x02,
  TSO6: 0x04,
  TSO_ECN: 0x08,
  UFO: 0x10,
  USO4: 0x20,
  USO6: 0x40,
} as const;

/** VIRTIO_NET_HDR_GSO_* values of `virtio_net_hdr.gso_type`. */
export const VIRTIO_GSO = {
  NONE: 0,
  TCPV4: 1,
  UDP: 3,
  TCPV6: 4,
  UDP_L4: 5,
  ECN: 0x80,
} as const;

/** VIRTIO_NET_HDR_F_NEEDS_CSUM. */
export const VIRTIO_NEEDS_CSUM = 1;

/** Size of the legacy `struct virtio_net_hdr` this tool writes. */
export const VNET_HDR_LEN = 10;

/** The fields of a `struct virtio_net_hdr`. */
export interface VnetHeader {
  /** VIRTIO_NET_HDR_F_* bits. */
  flags: number;
  /** VIRTIO_GSO value, possibly with VIRTIO_GSO.ECN. */
  gsoType: number;
  /** Length of all headers (Ethernet to end of L4 header). */
  hdrLen: number;
  /** Payload bytes per segment. */
  gsoSize: number;
  /** Offset of the L4 header from the start of the frame. */
  csumStart: number;
  /** Offset of the checksum field from csumStart. */
  csumOffset: number;
}

/**
 * Encodes a virtio_net_hdr (little-endian, 10 bytes).
 *
 * @param h The fields.
 * @returns The header bytes.
 *
 * @example
 * ```ts
 * import { encodeVnetHeader, VIRTIO_GSO } from "./_tap.ts";
 * const b = encodeVnetHeader({
 *   flags: 1, gsoType: VIRTIO_GSO.TCPV4, hdrLen: 54, gsoSize: 1448,
 *   csumStart: 34, csumOffset: 16,
 * });
 * b[1]; // 1
 * ```
 */
export function encodeVnetHeader(h: VnetHeader): Uint8Array {
  const b = new Uint8Array(VNET_HDR_LEN);
  const dv = new DataView(b.buffer);
  b[0] = h.flags;
  b[1] = h.gsoType;
  dv.setUint16(2, h.hdrLen, true);
  dv.setUint16(4, h.gsoSize, true);
  dv.setUint16(6, h.csumStart, true);
  dv.setUint16(8, h.csumOffset, true);
  return b;
}

/** An open tap device. */
export interface Tap {
  /** The interface name. */
  readonly name: string;
  /**
   * Writes one frame preceded by its virtio_net_hdr.
   *
   * @throws {LibcError} When the kernel refuses it (EINVAL from
   *   virtio_net_hdr_to_skb, for example).
   */
  write(header: VnetHeader, frame: Uint8Array): void;
  /** Closes the descriptor, which removes the device. Idempotent. */
  close(): void;
}

/**
 * Creates a tap device `name` in the caller's network namespace and sets it
 * up for virtio-net headers and all receive offloads.
 *
 * @param name Interface name, at most 15 bytes.
 * @returns The open tap.
 * @throws {LibcError} When /dev/net/tun cannot be opened or an ioctl fails.
 *
 * @example
 * ```ts ignore
 * import { openTap } from "./_tap.ts";
 * const tap = openTap("tsl1a2b3c");
 * tap.close();
 * ```
 */
export function openTap(name: string): Tap {
  const c = libc();
  const fd = check(
    "open",
    c.open(cString("/dev/net/tun"), O_RDWR | O_CLOEXEC),
    "opening /dev/net/tun",
  );
  let open = true;
  const close = () => {
    if (open) c.close(fd);
    open = false;
  };
  try {
    const ifr = new Uint8Array(40);
    ifr.set(new TextEncoder().encode(name).subarray(0, 15));
    new DataView(ifr.buffer).setUint16(
      16,
      IFF_TAP | IFF_NO_PI | IFF_VNET_HDR,
      true,
    );
    check(
      "ioctl",
      c.ioctl(fd, TUNSETIFF, ifr),
      `TUNSETIFF creating tap ${name}`,
    );
    const offloads = TUN_F.CSUM | TUN_F.TSO4 | TUN_F.TSO6 | TUN_F.TSO_ECN |
      TUN_F.UFO | TUN_F.USO4 | TUN_F.USO6;
    check(
      "ioctl",
      c.ioctl_value(fd, TUNSETOFFLOAD, BigInt(offloads)),
      `TUNSETOFFLOAD 0x${offloads.toString(16)} on tap ${name}`,
    );
    const size = new Uint8Array(4);
    new DataView(size.buffer).setInt32(0, VNET_HDR_LEN, true);
    check(
      "ioctl",
      c.ioctl(fd, TUNSETVNETHDRSZ, size),
      `TUNSETVNETHDRSZ ${VNET_HDR_LEN} on tap ${name}`,
    );
  } catch (e) {
    close();
    throw e;
  }
  return {
    name,
    write(header: VnetHeader, frame: Uint8Array): void {
      if (!open) {
        throw new LibcError("write", 9, `writing to tap ${name} after close`);
      }
      const buf = new Uint8Array(VNET_HDR_LEN + frame.length);
      buf.set(encodeVnetHeader(header), 0);
      buf.set(frame, VNET_HDR_LEN);
      const n = check(
        "write",
        c.write(fd, buf, BigInt(buf.length)),
        `writing a ${frame.length}-byte frame to tap ${name}`,
      );
      if (n !== buf.length) {
        throw new LibcError(
          "write",
          5,
          `writing a ${frame.length}-byte frame to tap ${name}: only ${n} of ${buf.length} bytes taken`,
        );
      }
    },
    close,
  };
}
