import { fstatSync, readSync } from 'node:fs';

/**
 * Reads the protobuf wire format field by field, without decoding whole messages: a caller walks
 * only the fields it needs and skips the rest by length, so time is linear in the bytes visited and
 * memory is one read window. Works over bytes in memory or over an open file (positional reads).
 */

export const WIRE = { varint: 0, fixed64: 1, len: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

/** The bytes break the wire format (truncated, overlong varint, bad wire type). */
export class WireFormatError extends Error {
  override name = 'WireFormatError';
}

/** Random access to the bytes being read. */
export interface ByteSource {
  readonly size: number;
  /** A window of bytes starting at `pos`, at least min(`want`, size - pos) long. */
  read(pos: number, want: number): Uint8Array;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (pos) => bytes.subarray(pos) };
}

const FILE_WINDOW = 1024 * 1024;

/**
 * Reads an open file descriptor with synchronous positional reads into one reused buffer, at least
 * `window` bytes at a time (fewer at the end of the file).
 */
export function fileSource(fd: number, window = FILE_WINDOW): ByteSource {
  const size = fstatSync(fd).size;
  let buffer = Buffer.allocUnsafe(window);
  return {
    size,
    read(pos, want) {
      const length = Math.min(Math.max(want, window), size - pos);
      if (buffer.length < length) buffer = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buffer, got, length - got, pos + got);
        if (n === 0) break;
        got += n;
      }
      return buffer.subarray(0, got);
    },
  };
}

const utf8 = new TextDecoder('utf-8');

export class WireReader {
  /** absolute position of the next byte to read */
  pos = 0;
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(private readonly source: ByteSource) {}

  get size(): number {
    return this.source.size;
  }

  /** Index into `window` of `pos`, with `n` bytes available (throws when the source has fewer). */
  private ensure(n: number): number {
    const at = this.pos - this.windowStart;
    if (at >= 0 && at + n <= this.window.length) return at;
    if (this.pos + n > this.source.size) throw new WireFormatError(`unexpected end of data at byte ${this.pos} (needed ${n} more bytes)`);
    this.window = this.source.read(this.pos, n);
    this.windowStart = this.pos;
    if (this.window.length < n) throw new WireFormatError(`unexpected end of data at byte ${this.pos}`);
    return 0;
  }

  /** A varint as two 32-bit halves. */
  private varintBits(): { lo: number; hi: number } {
    const start = this.pos;
    const available = Math.min(10, this.source.size - start);
    if (available <= 0) throw new WireFormatError(`unexpected end of data at byte ${start}`);
    const at = this.ensure(available);
    const w = this.window;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < available; i++) {
      const b = w[at + i] as number;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) {
        this.pos = start + i + 1;
        return { lo: lo >>> 0, hi: hi >>> 0 };
      }
    }
    throw new WireFormatError(available < 10 ? `unexpected end of data in a varint at byte ${start}` : `varint longer than 10 bytes at byte ${start}`);
  }

  /** An int64/uint64 field as a JS number (what protobufjs' Long.toNumber gives for signed values). */
  int64(): number {
    const { lo, hi } = this.varintBits();
    return (hi | 0) * 4294967296 + lo;
  }

  /** An int32 field: the low 32 bits, signed. */
  int32(): number {
    return this.varintBits().lo | 0;
  }

  /** A tag: field number and wire type. */
  tag(): { field: number; wire: number } {
    const { lo, hi } = this.varintBits();
    if (hi !== 0) throw new WireFormatError(`field number out of range at byte ${this.pos}`);
    return { field: lo >>> 3, wire: lo & 7 };
  }

  /** Reads a length prefix and returns the end of the bytes it announces (must lie within `limit`). */
  lengthDelimited(limit: number): number {
    const at = this.pos;
    const { lo, hi } = this.varintBits();
    const end = this.pos + hi * 4294967296 + lo;
    if (end > limit) throw new WireFormatError(`length ${hi * 4294967296 + lo} at byte ${at} runs past the end of its message (byte ${limit})`);
    return end;
  }

  /** Decodes the UTF-8 bytes [pos, end) and moves past them. */
  utf8(end: number): string {
    const n = end - this.pos;
    if (n === 0) return '';
    const at = this.ensure(n);
    const text = utf8.decode(this.window.subarray(at, at + n));
    this.pos = end;
    return text;
  }

  /** Skips one field's value of wire type `wire`; groups are skipped iteratively (no recursion). */
  skip(wire: number, limit: number): void {
    let depth = 0;
    for (;;) {
      switch (wire) {
        case WIRE.varint:
          this.varintBits();
          break;
        case WIRE.fixed64:
          this.advance(8, limit);
          break;
        case WIRE.fixed32:
          this.advance(4, limit);
          break;
        case WIRE.len:
          this.pos = this.lengthDelimited(limit);
          break;
        case WIRE.startGroup:
          depth++;
          break;
        case WIRE.endGroup:
          if (depth === 0) throw new WireFormatError(`unexpected end-group at byte ${this.pos}`);
          depth--;
          break;
        default:
          throw new WireFormatError(`invalid wire type ${wire} at byte ${this.pos}`);
      }
      if (this.pos > limit) throw new WireFormatError(`field runs past the end of its message (byte ${limit})`);
      if (depth === 0) return;
      if (this.pos >= limit) throw new WireFormatError(`unterminated group before byte ${limit}`);
      wire = this.tag().wire;
    }
  }

  private advance(n: number, limit: number): void {
    if (this.pos + n > limit) throw new WireFormatError(`unexpected end of data at byte ${this.pos}`);
    this.pos += n;
  }
}

/** Throws unless a field has the wire type its schema gives it. */
export function expectWire(field: number, wire: number, expected: number, at: number): void {
  if (wire !== expected) throw new WireFormatError(`field ${field} at byte ${at} has wire type ${wire}, expected ${expected}`);
}
