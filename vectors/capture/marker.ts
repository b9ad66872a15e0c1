/**
 * The end-of-capture marker: a broadcast Ethernet frame of the IEEE local
 * experimental EtherType 0x88b5 carrying `tsolab-end <run id>`. The receiver
 * namespace sends it after the scenario's traffic; it crosses p2 (inbound)
 * and then p1 or the tap (outbound), so once both capture files hold it,
 * every frame of the scenario is in them and tcpdump can be stopped. It is
 * not IP, so it is never a forward frame of the sender.
 *
 * Run as a script (`deno run --allow-ffi marker.ts DEVICE RUN_ID`) it sends
 * the marker on DEVICE through an AF_PACKET socket.
 *
 * @module
 */

import { check, cString, libc, SOCK } from "./_libc.ts";

/** EtherType of the marker (IEEE 802 local experimental 1). */
export const END_MARKER_ETHERTYPE = 0x88b5;

/**
 * The marker frame of one run.
 *
 * @param runId The run's unique id.
 * @returns A 60-byte broadcast frame.
 *
 * @example
 * ```ts
 * import { endMarkerFrame, isEndMarker } from "./marker.ts";
 * isEndMarker(endMarkerFrame("ab12cd"), "ab12cd"); // true
 * ```
 */
export function endMarkerFrame(runId: string): Uint8Array {
  const f = new Uint8Array(60);
  f.fill(0xff, 0, 6);
  f.set([0x02, 0x74, 0x73, 0x6c, 0xff, 0xff], 6);
  f[12] = END_MARKER_ETHERTYPE >>> 8;
  f[13] = END_MARKER_ETHERTYPE & 0xff;
  f.set(new TextEncoder().encode(`tsolab-end ${runId}`).subarray(0, 46), 14);
  return f;
}

/**
 * Whether a captured frame is the marker of run `runId`.
 *
 * @param frame The frame.
 * @param runId The run's id.
 * @returns True for the marker.
 *
 * @example
 * ```ts
 * import { isEndMarker } from "./marker.ts";
 * isEndMarker(new Uint8Array(60), "x"); // false
 * ```
 */
export function isEndMarker(frame: Uint8Array, runId: string): boolean {
  if (frame.length < 14) return false;
  if (((frame[12]! << 8) | frame[13]!) !== END_MARKER_ETHERTYPE) return false;
  const want = new TextEncoder().encode(`tsolab-end ${runId}`);
  return want.every((b, i) => frame[14 + i] === b);
}

/**
 * Sends the marker on `device` of the current network namespace (AF_PACKET,
 * needs root and `--allow-ffi`).
 *
 * @param device Interface name.
 * @param runId The run's id.
 * @throws {LibcError} When the socket cannot be opened or the send fails.
 *
 * @example
 * ```ts ignore
 * import { sendEndMarker } from "./marker.ts";
 * sendEndMarker("eth0", "ab12cd");
 * ```
 */
export function sendEndMarker(device: string, runId: string): void {
  const c = libc();
  const ifindex = c.if_nametoindex(cString(device));
  if (ifindex === 0) {
    check("if_nametoindex", -1, `looking up interface ${device}`);
  }
  const fd = check(
    "socket",
    c.socket(SOCK.AF_PACKET, SOCK.SOCK_RAW, 0),
    "opening an AF_PACKET socket",
  );
  try {
    const sll = new Uint8Array(20);
    const dv = new DataView(sll.buffer);
    dv.setUint16(0, SOCK.AF_PACKET, true);
    dv.setUint16(2, END_MARKER_ETHERTYPE, false);
    dv.setInt32(4, ifindex, true);
    sll[11] = 6;
    sll.fill(0xff, 12, 18);
    const frame = endMarkerFrame(runId);
    check(
      "sendto",
      c.sendto(fd, frame, BigInt(frame.length), 0, sll, sll.length),
      `sending the end marker on ${device}`,
    );
  } finally {
    c.close(fd);
  }
}

if (import.meta.main) {
  const [device, runId] = Deno.args;
  if (!device || !runId) {
    console.error("Usage: marker.ts DEVICE RUN_ID");
    Deno.exit(2);
  }
  try {
    sendEndMarker(device, runId);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    Deno.exit(1);
  }
}
