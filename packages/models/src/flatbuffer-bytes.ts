import * as flatbuffers from 'flatbuffers';
import type { ByteSource } from './protobuf-wire.ts';

/**
 * A flatbuffers ByteBuffer that checks every read the generated accessors make, over a file read
 * in cached pages. The stock runtime does no bounds checks at all: past the end it reads
 * `undefined` (as 0), and a corrupt offset silently yields nonsense. Here every read outside the
 * file throws FlatbufferBoundsError, and offsets and vtables that break the format (a uoffset is
 * unsigned and points forward, a vtable lies within the file, a field lies within its table)
 * throw FlatbufferFormatError.
 */

/** A read would fall outside the file: the file is truncated, or an offset in it is corrupt. */
export class FlatbufferBoundsError extends RangeError {
  override name = 'FlatbufferBoundsError';
}

/** The bytes are inside the file but break the FlatBuffers format. */
export class FlatbufferFormatError extends Error {
  override name = 'FlatbufferFormatError';
}

/** A string is longer than the reader allows (`maxStringBytes`). */
export class FlatbufferStringLimitError extends Error {
  override name = 'FlatbufferStringLimitError';
}

export const FLATBUFFER_PAGE_BYTES = 64 * 1024;
/** pages kept: 4 MiB of the file in memory at most */
const MAX_PAGES = 64;
const SIZEOF_UOFFSET = 4;

export class CheckedByteBuffer extends flatbuffers.ByteBuffer {
  readonly size: number;
  private readonly pages = new Map<number, Uint8Array>();
  private lastPageNo = -1;
  private lastPage: Uint8Array = new Uint8Array(0);
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(
    private readonly source: ByteSource,
    /** the longest string __string decodes */
    readonly maxStringBytes: number,
  ) {
    // the runtime's own byte array stays empty: every read below goes through byte()
    super(new Uint8Array(0));
    this.size = source.size;
  }

  override capacity(): number {
    return this.size;
  }

  /**
   * The generated `xxxArray()` accessors view the runtime's byte array directly, with no checks
   * (a Node Buffer's ArrayBuffer is often a shared pool, so they could even read other memory):
   * they must not be used on this buffer. Use the element accessors.
   */
  override bytes(): Uint8Array {
    throw new Error('CheckedByteBuffer has no byte array: use the element accessors, not xxxArray()');
  }

  /** Throws unless `length` bytes at `offset` lie within the file. */
  check(offset: number, length: number, what: string): void {
    if (!(Number.isSafeInteger(offset) && offset >= 0 && length >= 0 && offset + length <= this.size)) {
      throw new FlatbufferBoundsError(`${what} at byte ${offset} (${length} bytes) lies outside the file (${this.size} bytes)`);
    }
  }

  private byte(offset: number): number {
    const pageNo = Math.floor(offset / FLATBUFFER_PAGE_BYTES);
    const page = pageNo === this.lastPageNo ? this.lastPage : this.page(pageNo);
    return page[offset - pageNo * FLATBUFFER_PAGE_BYTES] as number;
  }

  private page(pageNo: number): Uint8Array {
    let page = this.pages.get(pageNo);
    if (page === undefined) {
      const start = pageNo * FLATBUFFER_PAGE_BYTES;
      const want = Math.min(FLATBUFFER_PAGE_BYTES, this.size - start);
      const window = this.source.read(start, want);
      if (window.length < want) throw new FlatbufferBoundsError(`the file ended early at byte ${start + window.length}`);
      // a copy (not Buffer#slice, which is a view): a source may reuse its window on the next read
      page = new Uint8Array(want);
      page.set(window.subarray(0, want));
      if (this.pages.size >= MAX_PAGES) this.pages.delete(this.pages.keys().next().value as number);
    } else {
      this.pages.delete(pageNo); // re-inserted below: Map order is the LRU order
    }
    this.pages.set(pageNo, page);
    this.lastPageNo = pageNo;
    this.lastPage = page;
    return page;
  }

  /** `length` bytes at `offset`, copied. */
  slice(offset: number, length: number, what: string): Uint8Array {
    this.check(offset, length, what);
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.byte(offset + i);
    return out;
  }

  override readUint8(offset: number): number {
    this.check(offset, 1, 'a byte');
    return this.byte(offset);
  }

  override readUint16(offset: number): number {
    this.check(offset, 2, 'a 16-bit value');
    return this.byte(offset) | (this.byte(offset + 1) << 8);
  }

  override readInt16(offset: number): number {
    return (this.readUint16(offset) << 16) >> 16;
  }

  // readInt8, readUint32, readInt64, readUint64 and readFloat32/64 of the runtime call these three
  override readInt32(offset: number): number {
    this.check(offset, 4, 'a 32-bit value');
    return this.byte(offset) | (this.byte(offset + 1) << 8) | (this.byte(offset + 2) << 16) | (this.byte(offset + 3) << 24);
  }

  /** Where the uoffset stored at `offset` points (unsigned, forward, inside the file). */
  target(offset: number, what: string): number {
    const to = offset + (this.readInt32(offset) >>> 0);
    this.check(to, SIZEOF_UOFFSET, what);
    return to;
  }

  override __offset(tablePos: number, vtableOffset: number): number {
    const vtable = tablePos - this.readInt32(tablePos);
    this.check(vtable, 4, `the vtable of the table at byte ${tablePos}`);
    const vtableSize = this.readUint16(vtable);
    const tableSize = this.readUint16(vtable + 2);
    if (vtableSize < 4 || vtableSize % 2 !== 0 || tableSize < 4) {
      throw new FlatbufferFormatError(`the table at byte ${tablePos} has a malformed vtable at byte ${vtable}`);
    }
    this.check(vtable, vtableSize, `the vtable of the table at byte ${tablePos}`);
    this.check(tablePos, tableSize, `the table at byte ${tablePos}`);
    if (vtableOffset + 2 > vtableSize) return 0;
    const field = this.readUint16(vtable + vtableOffset);
    if (field !== 0 && (field < 4 || field >= tableSize)) {
      throw new FlatbufferFormatError(`a field of the table at byte ${tablePos} lies outside the table (${field} >= ${tableSize})`);
    }
    return field;
  }

  override __indirect(offset: number): number {
    return this.target(offset, 'a table');
  }

  override __union(t: flatbuffers.Table, offset: number): flatbuffers.Table {
    t.bb_pos = this.target(offset, 'a union value');
    t.bb = this;
    return t;
  }

  override __vector(offset: number): number {
    return this.target(offset, 'a vector') + SIZEOF_UOFFSET;
  }

  /** Checks that the elements, at least one byte each, fit in the file, so a loop over them ends within the file. */
  override __vector_len(offset: number): number {
    const start = this.target(offset, 'a vector');
    const length = this.readInt32(start) >>> 0;
    this.check(start + SIZEOF_UOFFSET, length, `a vector of ${length} elements`);
    return length;
  }

  override __string(offset: number, encoding?: flatbuffers.Encoding): string | Uint8Array {
    const start = this.target(offset, 'a string');
    const length = this.readInt32(start) >>> 0;
    if (length > this.maxStringBytes) {
      throw new FlatbufferStringLimitError(`a string at byte ${start} is ${length} bytes long (at most ${this.maxStringBytes})`);
    }
    // FlatBuffers strings end with a NUL byte after `length` bytes
    this.check(start + SIZEOF_UOFFSET, length + 1, `a string of ${length} bytes`);
    if (this.byte(start + SIZEOF_UOFFSET + length) !== 0) {
      throw new FlatbufferFormatError(`the string at byte ${start} is not NUL-terminated`);
    }
    const bytes = this.slice(start + SIZEOF_UOFFSET, length, 'a string');
    if (encoding === flatbuffers.Encoding.UTF8_BYTES) return bytes;
    try {
      return this.utf8.decode(bytes);
    } catch {
      throw new FlatbufferFormatError(`the string at byte ${start} is not valid UTF-8`);
    }
  }
}
