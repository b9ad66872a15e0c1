/**
 * Host memory as the NIC sees it through DMA: buffers the driver maps get
 * bus addresses; the NIC reads and writes by address. A mapping may be made
 * of several parts laid end to end (a driver's private copy of the headers
 * followed by the rest of the linear area), which counts as one mapping.
 * Bus addresses keep the buffer's offset inside its 4 KiB page, so requests
 * split at page boundaries as they would on a real host.
 *
 * @module
 */
import { HwUsageError } from "./errors.ts";

interface Region {
  addr: number;
  end: number;
  /** Single-range mappings: the backing bytes and where the range starts. */
  buf: Uint8Array | null;
  off: number;
  /**
   * `buf`'s backing buffer and where the range starts in it, read on first
   * use (the buffer getter is a call; most mappings are read once).
   */
  ab: ArrayBufferLike | null | undefined;
  base: number;
  /** Multi-part mappings. */
  parts: Uint8Array[] | null;
  starts: number[] | null;
  removed: boolean;
}

/**
 * A DMA-visible address space.
 *
 * @example
 * ```ts
 * import { HostMemory } from "./host_memory.ts";
 * const mem = new HostMemory();
 * const addr = mem.map([new Uint8Array([1, 2, 3])]);
 * const out = new Uint8Array(2);
 * mem.read(addr + 1, 2, out, 0);
 * out; // Uint8Array [2, 3]
 * ```
 */
export class HostMemory {
  // Sorted by address (addresses only grow); unmapped regions are marked
  // and swept out once they outnumber the live ones (long-lived mappings
  // such as the ring stay at the front, so dropping only from the front
  // would keep every region ever mapped).
  #regions: Region[] = [];
  #dead = 0;
  #last = 0;
  #unmapNext = 0;
  #next = 0x1_0000_0000;
  /** DMA mappings made so far. */
  mappings = 0;
  /** Mappings currently live. */
  live = 0;

  /**
   * Maps buffers laid end to end as one DMA mapping.
   *
   * @param parts The bytes, in order.
   * @param pageOffset Offset of the first byte inside its page (0..4095).
   * @returns The bus address of the first byte.
   *
   * @example
   * ```ts
   * import { HostMemory } from "./host_memory.ts";
   * const mem = new HostMemory();
   * (mem.map([new Uint8Array(10)], 100) % 4096); // 100
   * ```
   */
  map(parts: readonly Uint8Array[], pageOffset = 0): number {
    if (parts.length === 1) {
      return this.mapRange(parts[0]!, 0, parts[0]!.length, pageOffset);
    }
    let len = 0;
    const starts: number[] = [];
    for (const p of parts) {
      starts.push(len);
      len += p.length;
    }
    return this.#add(len, pageOffset, null, 0, [...parts], starts);
  }

  /**
   * Maps `len` bytes of `buf` starting at `off` (no copy, no view).
   *
   * @param buf The backing bytes.
   * @param off First byte.
   * @param len Length.
   * @param pageOffset Offset of the first byte inside its page.
   * @returns The bus address of the first byte.
   *
   * @example
   * ```ts
   * import { HostMemory } from "./host_memory.ts";
   * const mem = new HostMemory();
   * const page = new Uint8Array(4096);
   * mem.mapRange(page, 100, 200, 100) % 4096; // 100
   * ```
   */
  mapRange(
    buf: Uint8Array,
    off: number,
    len: number,
    pageOffset = 0,
  ): number {
    return this.#add(len, pageOffset, buf, off, null, null);
  }

  #add(
    len: number,
    pageOffset: number,
    buf: Uint8Array | null,
    off: number,
    parts: Uint8Array[] | null,
    starts: number[] | null,
  ): number {
    const addr = this.#next + (pageOffset % 4096);
    // Times 1/4096 is exactly / 4096 (a power of two), without a division.
    this.#next = Math.ceil((addr + Math.max(len, 1)) * (1 / 4096)) * 4096 +
      4096;
    this.#regions.push({
      addr,
      end: addr + len,
      buf,
      off,
      ab: buf === null ? null : undefined,
      base: 0,
      parts,
      starts,
      removed: false,
    });
    this.mappings++;
    this.live++;
    return addr;
  }

  /**
   * Removes a mapping.
   *
   * @param addr The address `map` returned.
   * @throws {HwUsageError} When nothing is mapped there.
   *
   * @example
   * ```ts
   * import { HostMemory } from "./host_memory.ts";
   * const mem = new HostMemory();
   * mem.unmap(mem.map([new Uint8Array(4)]));
   * mem.live; // 0
   * ```
   */
  unmap(addr: number): void {
    // Mappings are released in about the order they were made.
    const h = this.#regions[this.#unmapNext];
    const i = h !== undefined && h.addr === addr && !h.removed
      ? this.#unmapNext
      : this.#find(addr);
    if (i < 0 || this.#regions[i]!.addr !== addr) {
      throw new HwUsageError(
        `Cannot unmap bus address 0x${addr.toString(16)}: not a mapping`,
      );
    }
    const r = this.#regions;
    r[i]!.removed = true;
    this.live--;
    this.#dead++;
    this.#unmapNext = i + 1;
    if (this.#dead > 256 && this.#dead * 2 > r.length) {
      let k = 0;
      for (let j = 0; j < r.length; j++) {
        const x = r[j]!;
        if (!x.removed) r[k++] = x;
      }
      r.length = k;
      this.#dead = 0;
      this.#last = 0;
      this.#unmapNext = 0;
    }
  }

  #backing(r: Region): ArrayBufferLike {
    if (r.ab === undefined || r.ab === null) {
      r.ab = r.buf!.buffer;
      r.base = r.buf!.byteOffset + r.off;
    }
    return r.ab;
  }

  #find(addr: number): number {
    const r = this.#regions;
    const c = r[this.#last];
    if (c !== undefined && addr >= c.addr && addr < c.end && !c.removed) {
      return this.#last;
    }
    // DMA walks mappings in order: try the next one before searching.
    const n = r[this.#last + 1];
    if (n !== undefined && addr >= n.addr && addr < n.end && !n.removed) {
      return ++this.#last;
    }
    let lo = 0;
    let hi = r.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = r[mid]!;
      if (addr < m.addr) hi = mid - 1;
      else if (addr >= m.end && !(m.end === m.addr && addr === m.addr)) {
        lo = mid + 1;
      } else {
        if (m.removed) return -1;
        this.#last = mid;
        return mid;
      }
    }
    return -1;
  }

  /**
   * Tells whether `[addr, addr + len)` lies inside one mapping.
   *
   * @param addr Bus address.
   * @param len Length in bytes.
   * @returns True when the range is mapped.
   *
   * @example
   * ```ts
   * import { HostMemory } from "./host_memory.ts";
   * const mem = new HostMemory();
   * const a = mem.map([new Uint8Array(8)]);
   * mem.isMapped(a + 4, 8); // false
   * ```
   */
  isMapped(addr: number, len: number): boolean {
    const i = this.#find(addr);
    return i >= 0 && addr + len <= this.#regions[i]!.end;
  }

  /**
   * Where the bytes at `[addr, addr + len)` live when they lie in one
   * single-range mapping, so a DMA engine can copy them without a lookup
   * per read: the backing buffer and the byte offset of `addr` in it, or
   * null (not mapped, or a mapping made of several parts; use `read`).
   *
   * @param addr Bus address.
   * @param len Length in bytes.
   * @returns The buffer and offset, or null.
   *
   * @example
   * ```ts
   * import { HostMemory } from "./host_memory.ts";
   * const mem = new HostMemory();
   * const page = new Uint8Array(64);
   * const a = mem.mapRange(page, 16, 32);
   * mem.locate(a + 4, 8)?.offset; // 20
   * ```
   */
  locate(
    addr: number,
    len: number,
  ): { buffer: ArrayBufferLike; offset: number } | null {
    const i = this.#find(addr);
    const r = i < 0 ? undefined : this.#regions[i];
    if (r === undefined || addr + len > r.end || r.buf === null) return null;
    const ab = this.#backing(r);
    return { buffer: ab, offset: r.base + (addr - r.addr) };
  }

  /**
   * Copies `len` bytes at bus address `addr` into `dst` (a DMA read).
   *
   * @param addr Bus address.
   * @param len Bytes to copy.
   * @param dst Destination.
   * @param dstOff Offset in the destination.
   * @throws {HwUsageError} When the range is not mapped.
   *
   * @example
   * ```ts
   * import { HostMemory } from "./host_memory.ts";
   * const mem = new HostMemory();
   * const a = mem.map([new Uint8Array([9]), new Uint8Array([8])]);
   * const d = new Uint8Array(2);
   * mem.read(a, 2, d, 0); // d = [9, 8]
   * ```
   */
  read(addr: number, len: number, dst: Uint8Array, dstOff: number): void {
    if (len === 0) return;
    const i = this.#find(addr);
    const r = i < 0 ? undefined : this.#regions[i];
    if (r === undefined || addr + len > r.end) {
      throw new HwUsageError(
        `Cannot read ${len} bytes at bus address 0x${
          addr.toString(16)
        }: not mapped`,
      );
    }
    const from = addr - r.addr;
    if (r.buf !== null) {
      dst.set(new Uint8Array(this.#backing(r), r.base + from, len), dstOff);
      return;
    }
    let off = from;
    let left = len;
    let o = dstOff;
    const parts = r.parts!;
    const starts = r.starts!;
    for (let k = 0; k < parts.length && left > 0; k++) {
      const p = parts[k]!;
      const st = starts[k]!;
      if (off >= st + p.length) continue;
      const f = off - st;
      const n = Math.min(left, p.length - f);
      dst.set(p.subarray(f, f + n), o);
      o += n;
      off += n;
      left -= n;
    }
  }

  /**
   * Copies `src` to bus address `addr` (a DMA write).
   *
   * @param addr Bus address.
   * @param src The bytes.
   * @throws {HwUsageError} When the range is not mapped.
   *
   * @example
   * ```ts
   * import { HostMemory } from "./host_memory.ts";
   * const mem = new HostMemory();
   * const buf = new Uint8Array(4);
   * const a = mem.map([buf]);
   * mem.write(a + 2, new Uint8Array([7]));
   * buf[2]; // 7
   * ```
   */
  write(addr: number, src: Uint8Array): void {
    const i = this.#find(addr);
    const r = i < 0 ? undefined : this.#regions[i];
    if (r === undefined || addr + src.length > r.end) {
      throw new HwUsageError(
        `Cannot write ${src.length} bytes at bus address 0x${
          addr.toString(16)
        }: not mapped`,
      );
    }
    const from = addr - r.addr;
    if (r.buf !== null) {
      r.buf.set(src, r.off + from);
      return;
    }
    let off = from;
    let done = 0;
    const parts = r.parts!;
    const starts = r.starts!;
    for (let k = 0; k < parts.length && done < src.length; k++) {
      const p = parts[k]!;
      const st = starts[k]!;
      if (off >= st + p.length) continue;
      const f = off - st;
      const n = Math.min(src.length - done, p.length - f);
      p.set(src.subarray(done, done + n), f);
      done += n;
      off += n;
    }
  }
}
