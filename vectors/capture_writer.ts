/**
 * One writer for both capture formats, chosen by the file extension.
 *
 * @module
 */

import { BufferedSink } from "./byte_sink.ts";
import { CaptureWriteError } from "./capture_error.ts";
import { PcapWriter } from "./pcap_writer.ts";
import {
  type InterfaceOptions,
  type PcapngFrame,
  PcapngWriter,
  type SectionOptions,
} from "./pcapng_writer.ts";

/**
 * Options of {@linkcode createCaptureWriter}.
 *
 * @example
 * ```ts
 * import type { CaptureWriterOptions } from "./capture_writer.ts";
 * const o: CaptureWriterOptions = { linkType: 1, nanosecond: true };
 * ```
 */
export interface CaptureWriterOptions {
  /**
   * Link type of interface 0. When given, the interface is added at once
   * (with `snapLen` and `nanosecond`); otherwise call `addInterface`.
   */
  linkType?: number;
  /** Snap length of that interface (default 262144). */
  snapLen?: number;
  /**
   * Nanosecond timestamps: the ns magic for pcap, `if_tsresol` 9 for the
   * pcapng interface added from `linkType`. Default microseconds.
   */
  nanosecond?: boolean;
  /** Little-endian file (default true). */
  littleEndian?: boolean;
  /** Section Header Block options (pcapng only). */
  section?: SectionOptions;
}

/**
 * A capture file being written; see {@linkcode createCaptureWriter}.
 *
 * @example
 * ```ts ignore
 * import { createCaptureWriter } from "./mod.ts";
 * const w = createCaptureWriter("out.pcapng", { linkType: 1 });
 * w.write({ data: new Uint8Array(60), timestampNs: 0n });
 * w.close();
 * ```
 */
export interface CaptureWriter {
  /** The format chosen from the extension. */
  readonly format: "pcap" | "pcapng";
  /**
   * Adds an interface. A pcap file has one link type: the first interface
   * sets it (and writes the file header); later ones must share it.
   *
   * @param info The interface.
   * @returns Its id, for `write`.
   */
  addInterface(info: InterfaceOptions): number;
  /**
   * Appends a frame. pcap files cannot hold `comments` or `epbFlags`; they
   * are not written there.
   *
   * @param frame The frame.
   */
  write(frame: PcapngFrame): void;
  /** Closes the file (again: no-op). */
  close(): void;
}

/**
 * Creates (or truncates) a capture file and returns a writer for it: pcap
 * for a `.pcap` name, pcapng for `.pcapng`. Frames keep their timestamps
 * exactly; ask for `nanosecond` (pcap) or `tsresolNs` (pcapng interfaces)
 * when they have sub-microsecond digits.
 *
 * @param path The file name, ending in `.pcap` or `.pcapng`.
 * @param options Link type, precision, byte order, section options.
 * @returns The writer; call `close()` when done.
 * @throws {CaptureWriteError} When the extension is neither, or an option
 *   is out of range.
 *
 * @example
 * ```ts ignore
 * import { createCaptureWriter } from "./mod.ts";
 * const w = createCaptureWriter("golden.pcapng", {
 *   section: { userAppl: "tsolab" },
 * });
 * const eth = w.addInterface({ linkType: 1, tsresolNs: true });
 * w.write({ data: new Uint8Array(60), timestampNs: 1n, interfaceId: eth });
 * w.close();
 * ```
 */
export function createCaptureWriter(
  path: string,
  options: CaptureWriterOptions = {},
): CaptureWriter {
  const lower = path.toLowerCase();
  const format = lower.endsWith(".pcapng")
    ? "pcapng"
    : lower.endsWith(".pcap")
    ? "pcap"
    : undefined;
  if (format === undefined) {
    throw new CaptureWriteError(
      `Cannot create capture "${path}": the name must end in .pcap or .pcapng`,
    );
  }
  const file = Deno.openSync(path, {
    write: true,
    create: true,
    truncate: true,
  });
  // One write call per 256 KiB rather than per block.
  const sink = new BufferedSink(file);
  const closer = {
    close(): void {
      try {
        sink.flush();
      } finally {
        file.close();
      }
    },
  };
  try {
    return format === "pcap"
      ? pcapFileWriter(sink, closer, options)
      : pcapngFileWriter(sink, closer, options);
  } catch (e) {
    file.close();
    throw e;
  }
}

function pcapngFileWriter(
  file: BufferedSink,
  closer: { close(): void },
  options: CaptureWriterOptions,
): CaptureWriter {
  const w = new PcapngWriter(file, options);
  if (options.linkType !== undefined) {
    w.addInterface({
      linkType: options.linkType,
      snapLen: options.snapLen,
      tsresolNs: options.nanosecond,
    });
  }
  let open = true;
  return {
    format: "pcapng",
    addInterface(info: InterfaceOptions): number {
      checkOpen(open);
      return w.addInterface(info);
    },
    write(frame: PcapngFrame): void {
      checkOpen(open);
      w.write(frame);
    },
    close(): void {
      if (open) closer.close();
      open = false;
    },
  };
}

function pcapFileWriter(
  file: BufferedSink,
  closer: { close(): void },
  options: CaptureWriterOptions,
): CaptureWriter {
  let w: PcapWriter | undefined;
  let linkType: number | undefined;
  let interfaces = 0;
  let open = true;
  function add(info: InterfaceOptions): number {
    if (w === undefined) {
      w = new PcapWriter(file, {
        linkType: info.linkType,
        snapLen: info.snapLen ?? options.snapLen,
        nanosecond: options.nanosecond ?? info.tsresolNs ?? false,
        littleEndian: options.littleEndian,
        fcsLen: info.fcsLen,
      });
      linkType = info.linkType;
    } else if (info.linkType !== linkType) {
      throw new CaptureWriteError(
        `Cannot add interface ${interfaces} to a pcap file: link type ${info.linkType} differs from the file's ${linkType}`,
      );
    }
    return interfaces++;
  }
  if (options.linkType !== undefined) add({ linkType: options.linkType });
  return {
    format: "pcap",
    addInterface(info: InterfaceOptions): number {
      checkOpen(open);
      return add(info);
    },
    write(frame: PcapngFrame): void {
      checkOpen(open);
      const id = frame.interfaceId ?? 0;
      if (w === undefined || id >= interfaces || id < 0) {
        const n = (w?.framesWritten ?? 0) + 1;
        throw new CaptureWriteError(
          `Cannot write frame ${n}: interface ${id} was not added (the file has ${interfaces})`,
          n,
        );
      }
      w.write(frame);
    },
    close(): void {
      if (open) closer.close();
      open = false;
    },
  };
}

function checkOpen(open: boolean): void {
  if (!open) {
    throw new CaptureWriteError("Cannot write to a closed capture writer");
  }
}
