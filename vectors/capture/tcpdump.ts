/**
 * One tcpdump capture inside a network namespace: started with `-w`, full
 * snap length and packet-buffered output; confirmed
 * listening (its "listening on" line) before the caller sends traffic;
 * stopped with SIGINT so that it flushes and prints its counters.
 *
 * @module
 */

import { inNetns, shellLine } from "./_command.ts";
import { CaptureRunError } from "./errors.ts";

/** Snap length of every capture: the largest frame tcpdump stores whole. */
export const SNAPLEN = 262144;

/** tcpdump's own counters, printed when it stops. */
export interface TcpdumpStats {
  /** "packets captured". */
  captured: number;
  /** "packets received by filter". */
  receivedByFilter: number;
  /** "packets dropped by kernel". */
  droppedByKernel: number;
}

/** A running capture. */
export interface TcpdumpCapture {
  /** The interface captured. */
  readonly device: string;
  /** The pcap file written. */
  readonly file: string;
  /**
   * Stops tcpdump (SIGINT), waits for it to flush and exit.
   *
   * @returns Its counters.
   * @throws {CaptureRunError} When it exits abnormally or prints no counters.
   */
  stop(): Promise<TcpdumpStats>;
  /** Kills tcpdump without waiting (cleanup after an error). Idempotent. */
  kill(): void;
}

const READY_TIMEOUT_MS = 15000;

/**
 * Starts `tcpdump -i DEVICE -w FILE` in namespace `ns` and resolves once it is
 * listening.
 *
 * @param log Command log; the tcpdump line is appended.
 * @param ns Network namespace of the device.
 * @param device Interface to capture on.
 * @param file Output pcap file.
 * @returns The running capture.
 * @throws {CaptureRunError} When tcpdump exits or does not report listening
 *   within 15 s.
 *
 * @example
 * ```ts ignore
 * import { startTcpdump } from "./tcpdump.ts";
 * const cap = await startTcpdump([], "tsolab-1-br", "p2", "/tmp/out.pcap");
 * const stats = await cap.stop();
 * ```
 */
export async function startTcpdump(
  log: string[],
  ns: string,
  device: string,
  file: string,
): Promise<TcpdumpCapture> {
  const argv = inNetns(ns, [
    "tcpdump",
    "-i",
    device,
    "-w",
    file,
    "-s",
    String(SNAPLEN),
    "-U",
    "-B",
    "32768",
    "-n",
    "-Z",
    "root",
  ]);
  log.push(shellLine(argv));
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  let onText: () => void = () => {};
  const drained = (async () => {
    for await (
      const chunk of child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      stderr += chunk;
      onText();
    }
    onText();
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onText = () => {
        if (/listening on /.test(stderr)) resolve();
        else if (exited) {
          reject(
            new CaptureRunError(
              `tcpdump on ${device} in ${ns} exited before listening: ${stderr.trim()}`,
            ),
          );
        }
      };
      void status.then(() => onText());
      timer = setTimeout(
        () =>
          reject(
            new CaptureRunError(
              `tcpdump on ${device} in ${ns} did not report listening within ${
                READY_TIMEOUT_MS / 1000
              } s: ${stderr.trim()}`,
            ),
          ),
        READY_TIMEOUT_MS,
      );
    });
  } catch (e) {
    if (!exited) child.kill("SIGKILL");
    await Promise.allSettled([status, drained]);
    throw e;
  } finally {
    clearTimeout(timer);
  }
  onText = () => {};
  const kill = () => {
    if (!exited) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
  };
  return {
    device,
    file,
    kill,
    async stop(): Promise<TcpdumpStats> {
      if (!exited) {
        try {
          child.kill("SIGINT");
        } catch { /* exited meanwhile */ }
      }
      const s = await status;
      await drained;
      const num = (re: RegExp) => {
        const m = re.exec(stderr);
        return m ? Number(m[1]) : NaN;
      };
      const stats = {
        captured: num(/(\d+) packets? captured/),
        receivedByFilter: num(/(\d+) packets? received by filter/),
        droppedByKernel: num(/(\d+) packets? dropped by kernel/),
      };
      if (
        (!s.success && s.signal !== "SIGINT") || Number.isNaN(stats.captured)
      ) {
        throw new CaptureRunError(
          `tcpdump on ${device} in ${ns} ended abnormally (exit ${s.code}): ${stderr.trim()}`,
        );
      }
      return stats;
    },
  };
}
