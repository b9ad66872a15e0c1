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
  /**
   * Write under a temporary name in the same directory and rename it over
   * the path on `close()`; `abort()` removes it. Until then an existing
   * file at the path is left untouched, and a failed run leaves no half
   * file behind. Default false: the path is truncated at once.
   */
  atomic?: boolean;
}

/**
 * A capture file being written; see {@linkcode createCaptureWriter}.
 *
 * @example
 * ```ts
 * import { createCaptureWriter } from "./capture_writer.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".pcapng" });
 * const w = createCaptureWriter(path, { linkType: 1 });
 * w.format; // "pcapng"
 * w.write({ data: new Uint8Array(60), timestampNs: 0n });
 * w.close();
 * Deno.removeSync(path);
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
  /**
   * Closes the file (again: no-op); an `atomic` writer renames it into
   * place.
   */
  close(): void;
  /**
   * Gives up the file (after `close()`: no-op): an `atomic` writer removes
   * its temporary file and leaves the path as it was; a plain one is closed
   * with what was written so far.
   */
  abort(): void;
}

/**
 * The capture format a file name asks for: pcap for `.pcap`, pcapng for
 * `.pcapng` (any case). Lets a command refuse a bad output name before it
 * reads any input.
 *
 * @param path The file name.
 * @returns The format.
 * @throws {CaptureWriteError} When the name ends in neither.
 *
 * @example
 * ```ts
 * import { captureFormatOf } from "./capture_writer.ts";
 * captureFormatOf("out.PCAPNG"); // "pcapng"
 * ```
 */
export function captureFormatOf(path: string): "pcap" | "pcapng" {
  const lower = path.toLowerCase();
  if (lower.endsWith(".pcapng")) return "pcapng";
  if (lower.endsWith(".pcap")) return "pcap";
  throw new CaptureWriteError(
    `Cannot create capture "${path}": the name must end in .pcap or .pcapng`,
  );
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
 * ```ts
 * import { createCaptureWriter } from "./capture_writer.ts";
 * import { CaptureReader } from "./capture_reader.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".pcapng" });
 * const w = createCaptureWriter(path, { section: { userAppl: "tsolab" } });
 * const eth = w.addInterface({ linkType: 1, tsresolNs: true });
 * w.write({ data: new Uint8Array(60), timestampNs: 1n, interfaceId: eth });
 * w.close();
 * using r = CaptureReader.openFile(path);
 * [...r][0]!.timestampNs; // 1n
 * Deno.removeSync(path);
 * ```
 */
export function createCaptureWriter(
  path: string,
  options: CaptureWriterOptions = {},
): CaptureWriter {
  const format = captureFormatOf(path);
  const target = options.atomic ? resolvedTarget(path) : path;
  const { file, name } = options.atomic ? openTemporary(target) : {
    file: Deno.openSync(path, { write: true, create: true, truncate: true }),
    name: path,
  };
  // One write call per 256 KiB rather than per block.
  const sink = new BufferedSink(file);
  let fileOpen = true;
  const closeFile = () => {
    if (fileOpen) {
      fileOpen = false;
      file.close();
    }
  };
  const removeTemporary = () => {
    try {
      Deno.removeSync(name);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  };
  const closer: Closer = {
    close(): void {
      try {
        sink.flush();
      } finally {
        closeFile();
      }
      if (name === target) return;
      try {
        Deno.renameSync(name, target);
      } catch (e) {
        if (!(e instanceof Error)) throw e;
        throw new CaptureWriteError(
          `Cannot put capture "${path}" in place: ${e.message}`,
        );
      }
    },
    abort(): void {
      if (name === target) {
        // A plain writer keeps what was written.
        try {
          if (fileOpen) sink.flush();
        } finally {
          closeFile();
        }
        return;
      }
      closeFile();
      removeTemporary();
    },
  };
  try {
    return format === "pcap"
      ? pcapFileWriter(sink, closer, options)
      : pcapngFileWriter(sink, closer, options);
  } catch (e) {
    closer.abort();
    throw e;
  }
}

/** How a format writer finishes or abandons its file. */
interface Closer {
  close(): void;
  abort(): void;
}

// The file a rename must replace: through a symbolic link to its target,
// so that the link stays a link.
function resolvedTarget(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return path;
    throw e;
  }
}

// A new file beside `target` (same directory, so the rename is atomic),
// never one that exists already.
function openTemporary(target: string): { file: Deno.FsFile; name: string } {
  for (let attempt = 0;; attempt++) {
    const tag = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(16);
    const name = `${target}.${tag.padStart(8, "0")}.partial`;
    try {
      return {
        file: Deno.openSync(name, { write: true, createNew: true }),
        name,
      };
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        // The temporary name is ours; the user's mistake is the directory.
        throw new Deno.errors.NotFound(
          `Cannot create ${target}: its directory does not exist`,
        );
      }
      if (!(e instanceof Deno.errors.AlreadyExists) || attempt >= 16) throw e;
    }
  }
}

function pcapngFileWriter(
  file: BufferedSink,
  closer: Closer,
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
    abort(): void {
      if (open) closer.abort();
      open = false;
    },
  };
}

function pcapFileWriter(
  file: BufferedSink,
  closer: Closer,
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
    abort(): void {
      if (open) closer.abort();
      open = false;
    },
  };
}

function checkOpen(open: boolean): void {
  if (!open) {
    throw new CaptureWriteError("Cannot write to a closed capture writer");
  }
}
