/**
 * The golden-vector format: one pcapng file per scenario. Interface 0
 * ("ingress") holds the super-packets (`epb_flags` bit 11, "TCP
 * segmentation offloaded") and the frames that pass through; interface 1
 * ("egress") the frames the egress device sent for them. Each ingress frame
 * is followed by its expected egress frames, and its comment says how many
 * (`segments=N`) and, for a super-packet, gso_size, gso_type, csum_start,
 * csum_offset, the device's features and the origin. The section header
 * records the provenance. Readers stream: one ingress frame and its
 * expected frames at a time.
 *
 * @module
 */

import type { Frame } from "../sw/types.ts";
import { TsolabError } from "../sw/types.ts";
import type { ByteSink } from "./byte_sink.ts";
import { CaptureReader } from "./capture_reader.ts";
import { GoldenVectorError } from "./golden_error.ts";
import {
  formatGoldenMeta,
  formatProvenance,
  type GoldenMeta,
  type GoldenProvenance,
  parseGoldenMeta,
  parseProvenance,
  type SuperPacketMeta,
  TSOLAB_VERSION,
} from "./golden_meta.ts";
import { LINKTYPE } from "./link_types.ts";
import { PcapngWriter } from "./pcapng_writer.ts";

/**
 * Largest frame a golden vector holds (the snap length of both interfaces).
 *
 * @example
 * ```ts
 * import { GOLDEN_MAX_FRAME } from "./golden_vector.ts";
 * 14 + 65535 <= GOLDEN_MAX_FRAME; // true: any non-BIG-TCP frame fits
 * ```
 */
export const GOLDEN_MAX_FRAME = 262144;

/**
 * `epb_flags` bit 11: "TCP segmentation offloaded" — a super-packet.
 *
 * @example
 * ```ts
 * import { EPB_FLAG_TSO } from "./golden_vector.ts";
 * const flags = 2 | EPB_FLAG_TSO; // outbound super-packet
 * (flags & EPB_FLAG_TSO) !== 0; // true
 * ```
 */
export const EPB_FLAG_TSO = 1 << 11;

/** `epb_flags` direction bits 0..1 = 2: outbound. */
const EPB_OUTBOUND = 2;

/**
 * Interface id of the ingress frames.
 *
 * @example
 * ```ts
 * import { GOLDEN_INGRESS } from "./golden_vector.ts";
 * const isIngress = (interfaceId: number) => interfaceId === GOLDEN_INGRESS;
 * isIngress(0); // true
 * ```
 */
export const GOLDEN_INGRESS = 0;

/**
 * Interface id of the expected egress frames.
 *
 * @example
 * ```ts
 * import { GOLDEN_EGRESS, GOLDEN_INGRESS } from "./golden_vector.ts";
 * [GOLDEN_INGRESS, GOLDEN_EGRESS]; // [0, 1]: the interface ids of a golden vector
 * ```
 */
export const GOLDEN_EGRESS = 1;

/**
 * One frame to write: its bytes and timestamp.
 *
 * @example
 * ```ts
 * import type { GoldenFrame } from "./golden_vector.ts";
 * const f: GoldenFrame = { data: new Uint8Array(60), timestampNs: 0n };
 * ```
 */
export interface GoldenFrame {
  /** The whole frame, from the Ethernet header on. */
  data: Uint8Array;
  /** Nanoseconds since the Unix epoch. */
  timestampNs: bigint;
}

/**
 * Names of the two interfaces' devices, for `if_description`.
 *
 * @example
 * ```ts
 * import type { GoldenDevices } from "./golden_vector.ts";
 * const d: GoldenDevices = { ingress: "p1", egress: "p2" };
 * ```
 */
export interface GoldenDevices {
  /** Where the super-packets were seen (p1, the tap, "reference"). */
  ingress?: string;
  /** The egress device (p2, "reference"). */
  egress?: string;
}

/**
 * One ingress frame with its metadata and expected frames, as read.
 *
 * @example
 * ```ts
 * import { bytesSink } from "./byte_sink.ts";
 * import { GoldenVectorReader, GoldenVectorWriter } from "./golden_vector.ts";
 * const sink = bytesSink();
 * const frame = { data: new Uint8Array(60), timestampNs: 0n };
 * new GoldenVectorWriter(sink, {
 *   scenario: "demo", origin: "reference", source: "socket",
 *   command: "example", toolVersion: "tsolab 0.1.0", extra: {},
 * }).writeCase(frame, null, [frame]);
 * const [c] = GoldenVectorReader.fromBytes(sink.bytes(), "demo.pcapng").cases();
 * [c!.ingress.number, c!.meta.superPacket, c!.expected.length]; // [1, null, 1]
 * ```
 */
export interface GoldenCase {
  /** 0-based position among the file's ingress frames. */
  index: number;
  /** The ingress frame (interface 0). */
  ingress: Frame;
  /** Its parsed comment. */
  meta: GoldenMeta;
  /** The expected egress frames (interface 1), in order. */
  expected: Frame[];
}

/**
 * Counts of a golden vector.
 *
 * @example
 * ```ts
 * import type { GoldenCounts } from "./golden_vector.ts";
 * const c: GoldenCounts = { superPackets: 7, segments: 104, passThrough: 4 };
 * ```
 */
export interface GoldenCounts {
  /** Ingress frames that are super-packets. */
  superPackets: number;
  /** Expected frames of the super-packets. */
  segments: number;
  /** Ingress frames that pass through (one expected frame each). */
  passThrough: number;
}

/**
 * A whole golden vector in memory (see {@linkcode readGoldenVector}).
 *
 * @example
 * ```ts
 * import { bytesSink } from "./byte_sink.ts";
 * import { GoldenVectorWriter, readGoldenVectorBytes } from "./golden_vector.ts";
 * const sink = bytesSink();
 * new GoldenVectorWriter(sink, {
 *   scenario: "demo", origin: "kernel", source: "socket", kernelRelease: "6.18",
 *   command: "example", toolVersion: "tsolab 0.1.0", extra: {},
 * });
 * const v = readGoldenVectorBytes(sink.bytes(), "demo.pcapng");
 * v.provenance.kernelRelease; // "6.18"
 * ```
 */
export interface GoldenVector extends GoldenCounts {
  /** The file. */
  path: string;
  /** What the section header says. */
  provenance: GoldenProvenance;
  /** Every ingress frame with its expected frames, in file order. */
  cases: GoldenCase[];
}

/**
 * Writes a golden vector as cases come: each `writeCase` appends the
 * ingress frame (with its comment and flags) and its expected frames.
 * Refuses frames over {@linkcode GOLDEN_MAX_FRAME} bytes.
 *
 * @example
 * ```ts
 * import { bytesSink } from "./byte_sink.ts";
 * import { GoldenVectorWriter, readGoldenVectorBytes } from "./golden_vector.ts";
 * const sink = bytesSink();
 * const w = new GoldenVectorWriter(sink, {
 *   scenario: "demo", origin: "reference", source: "socket",
 *   command: "example", toolVersion: "tsolab 0.1.0", extra: {},
 * });
 * w.writeCase({ data: new Uint8Array(60), timestampNs: 0n }, null, [
 *   { data: new Uint8Array(60), timestampNs: 0n },
 * ]);
 * readGoldenVectorBytes(sink.bytes(), "demo.pcapng").passThrough; // 1
 * ```
 */
export class GoldenVectorWriter {
  #w: PcapngWriter;
  #name: string;
  #counts: GoldenCounts = { superPackets: 0, segments: 0, passThrough: 0 };

  /**
   * Writes the section header and the two interfaces.
   *
   * @param sink Where the file goes.
   * @param provenance What the section header records.
   * @param devices Device names for the interface descriptions.
   * @param name The file's name, for messages.
   * @throws {GoldenVectorError} When a provenance value holds a line break.
   */
  constructor(
    sink: ByteSink,
    provenance: GoldenProvenance,
    devices: GoldenDevices = {},
    name = `${provenance.scenario}.pcapng`,
  ) {
    this.#name = name;
    const section = {
      userAppl: TSOLAB_VERSION,
      comments: formatProvenance(provenance),
      ...(provenance.kernelRelease !== undefined
        ? { os: `Linux ${provenance.kernelRelease}` }
        : {}),
    };
    this.#w = new PcapngWriter(sink, { section });
    const ifc = (name: string, device: string | undefined) => ({
      linkType: LINKTYPE.ETHERNET,
      snapLen: GOLDEN_MAX_FRAME,
      name,
      tsresolNs: true,
      ...(device !== undefined ? { description: device } : {}),
    });
    this.#w.addInterface(ifc("ingress", devices.ingress));
    this.#w.addInterface(ifc("egress", devices.egress));
  }

  /**
   * The counts so far.
   *
   * @returns Super-packets, their segments, pass-through frames.
   */
  get counts(): GoldenCounts {
    return { ...this.#counts };
  }

  /**
   * Appends one ingress frame and its expected frames.
   *
   * @param ingress The ingress frame.
   * @param superPacket Its metadata when it is a super-packet; null when it
   *   passes through.
   * @param expected The frames the egress device sent for it, in order: at
   *   least one for a super-packet, exactly one for a pass-through frame.
   * @param extra Further `key=value` pairs for the comment.
   * @throws {GoldenVectorError} When a frame exceeds 262144 bytes, the
   *   number of expected frames is wrong for the kind, or a comment value
   *   holds a space.
   */
  writeCase(
    ingress: GoldenFrame,
    superPacket: SuperPacketMeta | null,
    expected: readonly GoldenFrame[],
    extra: Record<string, string> = {},
  ): void {
    const n = this.#w.framesWritten + 1;
    const where = `Cannot write ${this.#name} frame ${n}`;
    if (superPacket === null && expected.length !== 1) {
      throw new GoldenVectorError(
        `${where}: a pass-through frame has exactly one expected frame, got ${expected.length}`,
        { path: this.#name, frame: n },
      );
    }
    if (superPacket !== null && expected.length === 0) {
      throw new GoldenVectorError(
        `${where}: a super-packet has at least one expected frame, got none`,
        { path: this.#name, frame: n },
      );
    }
    this.#checkSize(ingress, n, "ingress");
    expected.forEach((f, i) => this.#checkSize(f, n + 1 + i, "expected"));
    const comment = formatGoldenMeta({
      segments: expected.length,
      superPacket,
      extra,
    });
    this.#w.write({
      data: ingress.data,
      timestampNs: ingress.timestampNs,
      interfaceId: GOLDEN_INGRESS,
      comments: [comment],
      epbFlags: EPB_OUTBOUND | (superPacket !== null ? EPB_FLAG_TSO : 0),
    });
    for (const f of expected) {
      this.#w.write({
        data: f.data,
        timestampNs: f.timestampNs,
        interfaceId: GOLDEN_EGRESS,
        epbFlags: EPB_OUTBOUND,
      });
    }
    if (superPacket !== null) {
      this.#counts.superPackets++;
      this.#counts.segments += expected.length;
    } else this.#counts.passThrough++;
  }

  #checkSize(f: GoldenFrame, n: number, what: string): void {
    if (f.data.length > GOLDEN_MAX_FRAME) {
      throw new GoldenVectorError(
        `Cannot write ${this.#name} frame ${n}: the ${what} frame has ${f.data.length} bytes, over the format's limit of ${GOLDEN_MAX_FRAME}`,
        { path: this.#name, frame: n },
      );
    }
  }
}

/**
 * A golden vector being written to a file: written under `PATH.partial`
 * and renamed to `PATH` by `close()`, so a failed run leaves no half file
 * behind (`abort()` removes it).
 *
 * @example
 * ```ts
 * import { createGoldenVector } from "./golden_vector.ts";
 * const dir = Deno.makeTempDirSync();
 * const w = createGoldenVector(`${dir}/demo.pcapng`, {
 *   scenario: "demo", origin: "reference", source: "socket",
 *   command: "example", toolVersion: "tsolab 0.1.0", extra: {},
 * });
 * w.abort(); // e.g. a case failed: the partial file is removed
 * [...Deno.readDirSync(dir)].length; // 0
 * Deno.removeSync(dir);
 * ```
 */
export interface GoldenVectorFile {
  /** The writer; see {@linkcode GoldenVectorWriter.writeCase}. */
  writer: GoldenVectorWriter;
  /**
   * Appends one case; see {@linkcode GoldenVectorWriter.writeCase}.
   *
   * @param ingress The ingress frame.
   * @param superPacket Its metadata, or null for pass-through.
   * @param expected The expected frames.
   */
  writeCase(
    ingress: GoldenFrame,
    superPacket: SuperPacketMeta | null,
    expected: readonly GoldenFrame[],
  ): void;
  /**
   * Finishes the file (renames it into place).
   *
   * @returns The counts written.
   */
  close(): GoldenCounts;
  /** Removes the partial file. */
  abort(): void;
}

/**
 * Creates a golden vector file.
 *
 * @param path Where it goes (`.pcapng`).
 * @param provenance The section header's provenance.
 * @param devices Device names for the interface descriptions.
 * @returns The file being written.
 * @throws {GoldenVectorError} When the name does not end in `.pcapng`.
 *
 * @example
 * ```ts
 * import { createGoldenVector } from "./golden_vector.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".pcapng" });
 * const w = createGoldenVector(path, {
 *   scenario: "demo", origin: "reference", source: "socket",
 *   command: "example", toolVersion: "tsolab 0.1.0", extra: {},
 * });
 * const frame = { data: new Uint8Array(60), timestampNs: 0n };
 * w.writeCase(frame, null, [frame]);
 * w.close(); // { superPackets: 0, segments: 0, passThrough: 1 }
 * Deno.removeSync(path);
 * ```
 */
export function createGoldenVector(
  path: string,
  provenance: GoldenProvenance,
  devices: GoldenDevices = {},
): GoldenVectorFile {
  if (!path.endsWith(".pcapng")) {
    throw new GoldenVectorError(
      `Cannot create golden vector "${path}": the name must end in .pcapng`,
      { path },
    );
  }
  const partial = `${path}.partial`;
  const file = Deno.openSync(partial, {
    write: true,
    create: true,
    truncate: true,
  });
  let open = true;
  let writer: GoldenVectorWriter;
  try {
    writer = new GoldenVectorWriter(
      file,
      provenance,
      devices,
      path.split("/").pop(),
    );
  } catch (e) {
    file.close();
    Deno.removeSync(partial);
    throw e;
  }
  return {
    writer,
    writeCase(ingress, superPacket, expected) {
      writer.writeCase(ingress, superPacket, expected);
    },
    close() {
      if (open) {
        file.close();
        Deno.renameSync(partial, path);
        open = false;
      }
      return writer.counts;
    },
    abort() {
      if (open) {
        file.close();
        open = false;
        try {
          Deno.removeSync(partial);
        } catch (e) {
          if (!(e instanceof Deno.errors.NotFound)) throw e;
        }
      }
    },
  };
}

/**
 * Reads a golden vector one case at a time: the provenance at once, then
 * each ingress frame with its expected frames, checking the structure as
 * it goes. Memory stays flat however long the file.
 *
 * @example
 * ```ts
 * import { bytesSink } from "./byte_sink.ts";
 * import { GoldenVectorReader, GoldenVectorWriter } from "./golden_vector.ts";
 * const sink = bytesSink();
 * const frame = { data: new Uint8Array(60), timestampNs: 0n };
 * new GoldenVectorWriter(sink, {
 *   scenario: "demo", origin: "reference", source: "socket",
 *   command: "example", toolVersion: "tsolab 0.1.0", extra: {},
 * }).writeCase(frame, null, [frame]);
 * const r = GoldenVectorReader.fromBytes(sink.bytes(), "demo.pcapng");
 * r.provenance.scenario; // "demo"
 * [...r.cases()].map((c) => c.expected.length); // [1]
 * ```
 */
export class GoldenVectorReader {
  /** What the section header says. */
  readonly provenance: GoldenProvenance;
  /** The file's name, for messages. */
  readonly name: string;
  #r: CaptureReader;

  /**
   * Opens a golden vector file.
   *
   * @param path The file.
   * @returns The reader (close it, or use `using`).
   * @throws {GoldenVectorError} When it is not a pcapng golden vector.
   */
  static open(path: string): GoldenVectorReader {
    let r: CaptureReader;
    try {
      r = CaptureReader.openFile(path);
    } catch (e) {
      if (e instanceof TsolabError) {
        throw new GoldenVectorError(`${path}: ${e.message}`, { path }, {
          cause: e,
        });
      }
      throw e;
    }
    try {
      return new GoldenVectorReader(r, path);
    } catch (e) {
      r.close();
      throw e;
    }
  }

  /**
   * Reads a golden vector held in memory.
   *
   * @param bytes The file's bytes.
   * @param name Its name, for messages.
   * @returns The reader.
   * @throws {GoldenVectorError} When it is not a pcapng golden vector.
   */
  static fromBytes(bytes: Uint8Array, name: string): GoldenVectorReader {
    let r: CaptureReader;
    try {
      r = CaptureReader.fromBytes(bytes);
    } catch (e) {
      if (e instanceof TsolabError) {
        throw new GoldenVectorError(`${name}: ${e.message}`, { path: name }, {
          cause: e,
        });
      }
      throw e;
    }
    return new GoldenVectorReader(r, name);
  }

  /**
   * Checks the section header and takes the provenance from it.
   *
   * @param reader A capture reader positioned at the first frame.
   * @param name The file's name, for messages.
   * @throws {GoldenVectorError} When the file is pcap, or its section
   *   header is not a golden vector's.
   */
  constructor(reader: CaptureReader, name: string) {
    this.#r = reader;
    this.name = name;
    if (reader.format !== "pcapng") {
      throw new GoldenVectorError(
        `${name}: not a golden vector (a ${reader.format} file; golden vectors are pcapng)`,
        { path: name },
      );
    }
    this.provenance = parseProvenance(reader.sections[0]?.comments ?? [], name);
  }

  /**
   * Yields each ingress frame with its metadata and expected frames.
   *
   * @returns A generator of cases, in file order.
   * @throws {GoldenVectorError} When the file has a second section, an
   *   egress frame without an ingress frame before it, an ingress frame
   *   without its comment, a comment that does not parse, flags that
   *   disagree with the comment, fewer expected frames than announced, or
   *   a frame from an interface other than 0 and 1.
   */
  *cases(): Generator<GoldenCase, void, undefined> {
    const it = this.#frames();
    let pending = it.next();
    let index = 0;
    while (!pending.done) {
      const ingress = pending.value;
      const at = this.#where(ingress);
      if (ingress.interfaceId !== GOLDEN_INGRESS) {
        throw new GoldenVectorError(
          `${at}: egress frame without an ingress frame before it (interface ${ingress.interfaceId})`,
          { path: this.name, frame: ingress.number },
        );
      }
      const text = (ingress.comments ?? []).find((c) =>
        /(^|\s)segments=/.test(c)
      );
      if (text === undefined) {
        throw new GoldenVectorError(
          `${at}: ingress frame has no segments= comment`,
          { path: this.name, frame: ingress.number },
        );
      }
      const meta = parseGoldenMeta(text, at);
      const flagged = ((ingress.epbFlags ?? 0) & EPB_FLAG_TSO) !== 0;
      if (flagged !== (meta.superPacket !== null)) {
        throw new GoldenVectorError(
          flagged
            ? `${at}: epb_flags mark a super-packet but the comment has no gso_size=`
            : `${at}: the comment describes a super-packet but epb_flags bit 11 is clear`,
          { path: this.name, frame: ingress.number },
        );
      }
      if (meta.superPacket === null ? meta.segments !== 1 : meta.segments < 1) {
        throw new GoldenVectorError(
          `${at}: segments=${meta.segments} is impossible for a ${
            meta.superPacket === null
              ? "pass-through frame (1)"
              : "super-packet (at least 1)"
          }`,
          { path: this.name, frame: ingress.number },
        );
      }
      const expected: Frame[] = [];
      pending = it.next();
      while (!pending.done && pending.value.interfaceId === GOLDEN_EGRESS) {
        expected.push(pending.value);
        pending = it.next();
      }
      if (expected.length !== meta.segments) {
        throw new GoldenVectorError(
          `${at}: segments=${meta.segments} but ${expected.length} expected frame${
            expected.length === 1 ? "" : "s"
          } follow${expected.length === 1 ? "s" : ""}`,
          { path: this.name, frame: ingress.number },
        );
      }
      yield { index: index++, ingress, meta, expected };
    }
  }

  *#frames(): Generator<Frame, void, undefined> {
    const it = this.#r.frames();
    for (;;) {
      let next: IteratorResult<Frame, void>;
      try {
        next = it.next();
      } catch (e) {
        if (e instanceof TsolabError && !(e instanceof GoldenVectorError)) {
          throw new GoldenVectorError(`${this.name}: ${e.message}`, {
            path: this.name,
          }, { cause: e });
        }
        throw e;
      }
      if (next.done) return;
      const f = next.value;
      if ((f.section ?? 0) !== 0 || this.#r.sections.length > 1) {
        throw new GoldenVectorError(
          `${
            this.#where(f)
          }: a golden vector has one section, this file has more`,
          { path: this.name, frame: f.number },
        );
      }
      if (f.interfaceId !== GOLDEN_INGRESS && f.interfaceId !== GOLDEN_EGRESS) {
        throw new GoldenVectorError(
          `${
            this.#where(f)
          }: interface ${f.interfaceId} is neither ingress (0) nor egress (1)`,
          { path: this.name, frame: f.number },
        );
      }
      if (f.data.length !== f.origLen) {
        throw new GoldenVectorError(
          `${
            this.#where(f)
          }: frame is truncated (${f.data.length} of ${f.origLen} bytes)`,
          { path: this.name, frame: f.number },
        );
      }
      yield f;
    }
  }

  #where(f: Frame): string {
    return `${this.name}: frame ${f.number} at offset ${f.fileOffset}`;
  }

  /** Closes the file (no-op for memory). */
  close(): void {
    this.#r.close();
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Opens a golden vector for streaming.
 *
 * @param path The file.
 * @returns The reader.
 * @throws {GoldenVectorError} When it is not a golden vector.
 *
 * @example
 * ```ts
 * import { createGoldenVector, openGoldenVector } from "./golden_vector.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".pcapng" });
 * createGoldenVector(path, {
 *   scenario: "demo", origin: "reference", source: "socket",
 *   command: "example", toolVersion: "tsolab 0.1.0", extra: {},
 * }).close();
 * using r = openGoldenVector(path);
 * r.provenance.scenario; // "demo"
 * Deno.removeSync(path);
 * ```
 */
export function openGoldenVector(path: string): GoldenVectorReader {
  return GoldenVectorReader.open(path);
}

/**
 * Reads a whole golden vector into memory, with its counts.
 *
 * @param path The file.
 * @returns The provenance, every case and the counts.
 * @throws {GoldenVectorError} When the file is not a valid golden vector.
 *
 * @example
 * ```ts
 * import { createGoldenVector, readGoldenVector } from "./golden_vector.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".pcapng" });
 * const w = createGoldenVector(path, {
 *   scenario: "demo", origin: "reference", source: "socket",
 *   command: "example", toolVersion: "tsolab 0.1.0", extra: {},
 * });
 * const frame = { data: new Uint8Array(60), timestampNs: 0n };
 * w.writeCase(frame, null, [frame]);
 * w.close();
 * const v = readGoldenVector(path);
 * [v.passThrough, v.cases[0]!.meta.superPacket]; // [1, null]
 * Deno.removeSync(path);
 * ```
 */
export function readGoldenVector(path: string): GoldenVector {
  using r = GoldenVectorReader.open(path);
  return collect(r, path);
}

/**
 * Reads a whole golden vector held in memory.
 *
 * @param bytes The file's bytes.
 * @param name Its name, for messages.
 * @returns The provenance, every case and the counts.
 * @throws {GoldenVectorError} When the bytes are not a valid golden vector.
 *
 * @example
 * ```ts
 * import { bytesSink } from "./byte_sink.ts";
 * import { GoldenVectorWriter, readGoldenVectorBytes } from "./golden_vector.ts";
 * const sink = bytesSink();
 * const frame = { data: new Uint8Array(60), timestampNs: 0n };
 * new GoldenVectorWriter(sink, {
 *   scenario: "demo", origin: "reference", source: "socket",
 *   command: "example", toolVersion: "tsolab 0.1.0", extra: {},
 * }).writeCase(frame, null, [frame]);
 * readGoldenVectorBytes(sink.bytes(), "demo.pcapng").cases.length; // 1
 * ```
 */
export function readGoldenVectorBytes(
  bytes: Uint8Array,
  name: string,
): GoldenVector {
  return collect(GoldenVectorReader.fromBytes(bytes, name), name);
}

function collect(r: GoldenVectorReader, path: string): GoldenVector {
  const v: GoldenVector = {
    path,
    provenance: r.provenance,
    cases: [],
    superPackets: 0,
    segments: 0,
    passThrough: 0,
  };
  for (const c of r.cases()) {
    v.cases.push(c);
    if (c.meta.superPacket !== null) {
      v.superPackets++;
      v.segments += c.expected.length;
    } else v.passThrough++;
  }
  return v;
}
