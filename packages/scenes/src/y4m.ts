import { closeSync, openSync, writeSync } from 'node:fs';
import { i420ByteLength } from './frame-code.ts';

/**
 * YUV4MPEG2 (Y4M) 4:2:0 files: the format Chromium's fake camera plays
 * (`--use-file-for-fake-video-capture`). Chromium reads at most 200 header bytes and expects every
 * frame as exactly `FRAME\n` + planes, so the writer never emits frame parameters.
 */

export const Y4M_SIGNATURE = 'YUV4MPEG2';
/** 4:2:0 chroma-siting variants; all are I420 planes (Chromium accepts these four) */
export const Y4M_COLORSPACES = ['420jpeg', '420', '420mpeg2', '420paldv'] as const;
export type Y4mColorspace = (typeof Y4M_COLORSPACES)[number];
const CHROMIUM_MAX_HEADER = 200;
/** widest and tallest frame a header may declare (larger is no camera, only an attempt to make readers allocate) */
export const Y4M_MAX_DIMENSION = 16384;
/** longest header line, and longest FRAME line with its parameters */
export const Y4M_MAX_LINE_BYTES = 4096;

export interface Y4mHeader {
  width: number;
  height: number;
  /** frame rate as a fraction, e.g. { num: 15, den: 1 } */
  fps: { num: number; den: number };
  colorspace: Y4mColorspace;
}

/** One 4:2:0 frame: full-resolution luma and half-resolution (rounded up) chroma planes. */
export interface Yuv420Frame {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

export class Y4mFormatError extends Error {
  override name = 'Y4mFormatError';
}

export function chromaSize(width: number, height: number): { width: number; height: number } {
  return { width: Math.ceil(width / 2), height: Math.ceil(height / 2) };
}

export function frameByteLength(width: number, height: number): number {
  return i420ByteLength(width, height);
}

export function formatY4mHeader(h: Y4mHeader): string {
  validateHeader(h);
  return `${Y4M_SIGNATURE} W${h.width} H${h.height} F${h.fps.num}:${h.fps.den} Ip A1:1 C${h.colorspace}\n`;
}

function validateHeader(h: Y4mHeader): void {
  for (const [k, v] of [['width', h.width], ['height', h.height], ['fps.num', h.fps.num], ['fps.den', h.fps.den]] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new Y4mFormatError(`${k} must be a positive integer, got ${v}`);
  }
  if (!Y4M_COLORSPACES.includes(h.colorspace)) throw new Y4mFormatError(`unsupported colorspace ${String(h.colorspace)}`);
}

function checkFrame(h: Y4mHeader, f: Yuv420Frame, index: number): void {
  const c = chromaSize(h.width, h.height);
  if (f.y.length !== h.width * h.height || f.u.length !== c.width * c.height || f.v.length !== c.width * c.height) {
    throw new Y4mFormatError(`frame ${index}: plane sizes ${f.y.length}/${f.u.length}/${f.v.length} do not fit ${h.width}x${h.height}`);
  }
}

const FRAME_MARKER = new TextEncoder().encode('FRAME\n');

/** The whole file in memory. */
export function encodeY4m(header: Y4mHeader, frames: Iterable<Yuv420Frame>): Uint8Array {
  const head = new TextEncoder().encode(formatY4mHeader(header));
  const parts: Uint8Array[] = [head];
  let i = 0;
  for (const f of frames) {
    checkFrame(header, f, i++);
    parts.push(FRAME_MARKER, f.y, f.u, f.v);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Streams frames to a file (never more than one frame in memory); returns the frame count. */
export function writeY4mFile(path: string, header: Y4mHeader, frames: Iterable<Yuv420Frame>): number {
  const fd = openSync(path, 'w');
  let count = 0;
  try {
    writeSync(fd, formatY4mHeader(header));
    for (const f of frames) {
      checkFrame(header, f, count++);
      writeSync(fd, FRAME_MARKER);
      writeSync(fd, f.y);
      writeSync(fd, f.u);
      writeSync(fd, f.v);
    }
  } finally {
    closeSync(fd);
  }
  return count;
}

export interface Y4mVideo {
  header: Y4mHeader;
  /** bytes of the header line, newline included */
  headerLength: number;
  frameCount: number;
  /** frame i (0-based); planes are views into the file bytes */
  frame(index: number): Yuv420Frame;
  frames(): Generator<Yuv420Frame>;
}

function parseRational(token: string, what: string): { num: number; den: number } {
  const m = /^(\d+):(\d+)$/.exec(token);
  if (!m) throw new Y4mFormatError(`${what}: expected N:D, got "${token}"`);
  const num = Number(m[1]);
  const den = Number(m[2]);
  if (num <= 0 || den <= 0 || !Number.isSafeInteger(num) || !Number.isSafeInteger(den)) {
    throw new Y4mFormatError(`${what}: must be positive integers, got "${token}"`);
  }
  return { num, den };
}

export function parseY4mHeaderLine(line: string): Y4mHeader {
  const tokens = line.split(' ').filter((t) => t.length > 0);
  if (tokens[0] !== Y4M_SIGNATURE) throw new Y4mFormatError(`not a Y4M file: expected "${Y4M_SIGNATURE}" at the start`);
  let width: number | undefined;
  let height: number | undefined;
  let fps: { num: number; den: number } | undefined;
  let colorspace: Y4mColorspace = '420jpeg';
  for (const t of tokens.slice(1)) {
    const value = t.slice(1);
    switch (t[0]) {
      case 'W':
        width = /^\d+$/.test(value) ? Number(value) : NaN;
        break;
      case 'H':
        height = /^\d+$/.test(value) ? Number(value) : NaN;
        break;
      case 'F':
        fps = parseRational(value, 'frame rate F');
        break;
      case 'I':
        if (value !== 'p' && value !== '?') throw new Y4mFormatError(`interlacing I${value} is not supported (progressive only)`);
        break;
      case 'C':
        if (!(Y4M_COLORSPACES as readonly string[]).includes(value)) {
          throw new Y4mFormatError(`colorspace C${value} is not supported (4:2:0 only: ${Y4M_COLORSPACES.join(', ')})`);
        }
        colorspace = value as Y4mColorspace;
        break;
      default: // A (aspect), X (comments): ignored
    }
  }
  if (width === undefined || !(width > 0)) throw new Y4mFormatError('header: missing or invalid width W');
  if (height === undefined || !(height > 0)) throw new Y4mFormatError('header: missing or invalid height H');
  if (width > Y4M_MAX_DIMENSION || height > Y4M_MAX_DIMENSION) {
    throw new Y4mFormatError(`header: ${width}x${height} is larger than ${Y4M_MAX_DIMENSION}x${Y4M_MAX_DIMENSION}`);
  }
  if (fps === undefined) throw new Y4mFormatError('header: missing frame rate F');
  return { width, height, fps, colorspace };
}

/** Parses a whole Y4M file held in memory; throws Y4mFormatError naming the frame on truncation. */
export function parseY4m(bytes: Uint8Array): Y4mVideo {
  const headerEnd = bytes.indexOf(0x0a);
  if (headerEnd < 0 || headerEnd > Y4M_MAX_LINE_BYTES) throw new Y4mFormatError('not a Y4M file: no header line');
  const header = parseY4mHeaderLine(new TextDecoder().decode(bytes.subarray(0, headerEnd)));
  const size = frameByteLength(header.width, header.height);
  const offsets: number[] = [];
  let at = headerEnd + 1;
  while (at < bytes.length) {
    const lineEnd = bytes.indexOf(0x0a, at);
    const marker = new TextDecoder().decode(bytes.subarray(at, Math.min(at + 5, bytes.length)));
    if (marker !== 'FRAME' || lineEnd < 0) throw new Y4mFormatError(`frame ${offsets.length}: expected "FRAME" at byte ${at}`);
    const data = lineEnd + 1;
    if (data + size > bytes.length) {
      throw new Y4mFormatError(`frame ${offsets.length}: truncated (${bytes.length - data} of ${size} bytes)`);
    }
    offsets.push(data);
    at = data + size;
  }
  const c = chromaSize(header.width, header.height);
  const luma = header.width * header.height;
  const chroma = c.width * c.height;
  const frame = (index: number): Yuv420Frame => {
    const o = offsets[index];
    if (o === undefined) throw new RangeError(`frame ${index} out of range 0..${offsets.length - 1}`);
    return {
      y: bytes.subarray(o, o + luma),
      u: bytes.subarray(o + luma, o + luma + chroma),
      v: bytes.subarray(o + luma + chroma, o + luma + 2 * chroma),
    };
  };
  return {
    header,
    headerLength: headerEnd + 1,
    frameCount: offsets.length,
    frame,
    *frames() {
      for (let i = 0; i < offsets.length; i++) yield frame(i);
    },
  };
}

/** Chromium-compatible: header short enough for its 200-byte read. */
export function isChromiumCompatible(header: Y4mHeader): boolean {
  return formatY4mHeader(header).length < CHROMIUM_MAX_HEADER - 6 && header.width % 2 === 0 && header.height % 2 === 0;
}
