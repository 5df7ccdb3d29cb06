// type-only: this module stays free of node: imports so browser harness pages can bundle it
import type { Yuv420Frame } from './y4m.ts';

/**
 * Frame-index code: a strip of black/white blocks on the bottom rows of every frame, so a harness
 * can tell which scenario frame a decoded camera frame is (the fake camera loops and features drop
 * frames). Layout, left to right, one bit per block: the start marker 11010, the 0-based frame index
 * in 20 bits (most significant first), then a CRC-8 (polynomial 0x07) of the index as 3 big-endian
 * bytes. Blocks are floor(width / 33) pixels wide; the rest of the strip is black. The strip is drawn
 * in luma only with neutral chroma and even height, so 4:2:0 subsampling cannot smear colour into it.
 */
export const FRAME_CODE_ROWS = 4;
export const FRAME_CODE_INDEX_BITS = 20;
export const FRAME_CODE_MAX_INDEX = 2 ** FRAME_CODE_INDEX_BITS - 1;
const MARKER = [1, 1, 0, 1, 0] as const;
const CRC_BITS = 8;
export const FRAME_CODE_BLOCKS = MARKER.length + FRAME_CODE_INDEX_BITS + CRC_BITS;
const MIN_BLOCK_WIDTH = 4;
/** narrowest frame that still has MIN_BLOCK_WIDTH-pixel blocks */
export const FRAME_CODE_MIN_WIDTH = FRAME_CODE_BLOCKS * MIN_BLOCK_WIDTH;
const WHITE_Y = 235;
const BLACK_Y = 16;
/** decoded blocks must differ by at least this much luma (0..255) between marker ones and zeros */
const MIN_CONTRAST = 60;

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The pixels a harness must ignore (or mask) before handing a frame to a feature. */
export function frameCodeRegion(width: number, height: number): Region {
  return { x: 0, y: height - FRAME_CODE_ROWS, width, height: FRAME_CODE_ROWS };
}

function crc8(value: number): number {
  let crc = 0;
  for (const byte of [(value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

export function frameCodeBits(index: number): number[] {
  if (!Number.isInteger(index) || index < 0 || index > FRAME_CODE_MAX_INDEX) {
    throw new RangeError(`frame index must be an integer in 0..${FRAME_CODE_MAX_INDEX}, got ${index}`);
  }
  const bits: number[] = [...MARKER];
  for (let b = FRAME_CODE_INDEX_BITS - 1; b >= 0; b--) bits.push((index >>> b) & 1);
  const crc = crc8(index);
  for (let b = CRC_BITS - 1; b >= 0; b--) bits.push((crc >>> b) & 1);
  return bits;
}

function checkGeometry(width: number, height: number): number {
  if (width < FRAME_CODE_MIN_WIDTH) throw new RangeError(`frame code needs a width of at least ${FRAME_CODE_MIN_WIDTH}, got ${width}`);
  if (height < FRAME_CODE_ROWS * 4 || height % 2 !== 0) throw new RangeError(`frame code needs an even height ≥ ${FRAME_CODE_ROWS * 4}, got ${height}`);
  return Math.floor(width / FRAME_CODE_BLOCKS);
}

/** Draws the code for `index` into the bottom rows of a 4:2:0 frame (in place). */
export function drawFrameCode(frame: Yuv420Frame, width: number, height: number, index: number): void {
  const blockWidth = checkGeometry(width, height);
  const bits = frameCodeBits(index);
  for (let row = height - FRAME_CODE_ROWS; row < height; row++) {
    for (let x = 0; x < width; x++) {
      const bit = bits[Math.floor(x / blockWidth)];
      frame.y[row * width + x] = bit === 1 ? WHITE_Y : BLACK_Y;
    }
  }
  const c = { width: Math.ceil(width / 2), height: Math.ceil(height / 2) };
  for (let row = (height - FRAME_CODE_ROWS) / 2; row < c.height; row++) {
    frame.u.fill(128, row * c.width, (row + 1) * c.width);
    frame.v.fill(128, row * c.width, (row + 1) * c.width);
  }
}

/** Luma (0..255) at pixel (x, row); the decoder reads only the strip's rows. */
type LumaAt = (x: number, row: number) => number;

function decodeFromLuma(lumaAt: LumaAt, width: number, height: number): number | null {
  if (width < FRAME_CODE_MIN_WIDTH || height < FRAME_CODE_ROWS * 4) return null;
  const blockWidth = Math.floor(width / FRAME_CODE_BLOCKS);
  const margin = Math.floor(blockWidth / 4);
  const rowStart = height - FRAME_CODE_ROWS + 1;
  const rowEnd = height - 1;
  const levels: number[] = [];
  for (let b = 0; b < FRAME_CODE_BLOCKS; b++) {
    let sum = 0;
    let n = 0;
    for (let row = rowStart; row < rowEnd; row++) {
      for (let x = b * blockWidth + margin; x < (b + 1) * blockWidth - margin; x++) {
        sum += lumaAt(x, row);
        n++;
      }
    }
    levels.push(sum / n);
  }
  const ones: number[] = [];
  const zeros: number[] = [];
  MARKER.forEach((bit, i) => (bit === 1 ? ones : zeros).push(levels[i] as number));
  const high = Math.min(...ones);
  const low = Math.max(...zeros);
  if (high - low < MIN_CONTRAST) return null;
  const threshold = (high + low) / 2;
  const bits = levels.map((l) => (l > threshold ? 1 : 0));
  let index = 0;
  for (let b = 0; b < FRAME_CODE_INDEX_BITS; b++) index = index * 2 + (bits[MARKER.length + b] as number);
  let crc = 0;
  for (let b = 0; b < CRC_BITS; b++) crc = crc * 2 + (bits[MARKER.length + FRAME_CODE_INDEX_BITS + b] as number);
  return crc === crc8(index) ? index : null;
}

/**
 * Reads the frame index back from RGBA pixels (e.g. a canvas after the browser's YUV→RGB conversion).
 * Uses luma averaged over the centre of each block on the strip's inner rows and a threshold taken from
 * the start marker, so it tolerates chroma bleeding, range/matrix differences and mild noise.
 * Returns null when there is no valid code (no marker, too little contrast, or a CRC mismatch).
 */
export function decodeFrameIndex(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): number | null {
  if (rgba.length < width * height * 4) throw new RangeError(`rgba has ${rgba.length} bytes, expected ${width * height * 4}`);
  return decodeFromLuma(
    (x, row) => {
      const i = (row * width + x) * 4;
      return 0.299 * (rgba[i] as number) + 0.587 * (rgba[i + 1] as number) + 0.114 * (rgba[i + 2] as number);
    },
    width,
    height,
  );
}

/** I420 bytes of a width × height frame: the Y plane, then the U and V planes, tightly packed. */
export function i420ByteLength(width: number, height: number): number {
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}

/** The same as decodeFrameIndex, on an I420 frame (reads the Y plane, the code's own channel). */
export function decodeFrameIndexI420(i420: Uint8Array | Uint8ClampedArray, width: number, height: number): number | null {
  if (i420.length < i420ByteLength(width, height)) throw new RangeError(`i420 has ${i420.length} bytes, expected ${i420ByteLength(width, height)}`);
  return decodeFromLuma((x, row) => i420[row * width + x] as number, width, height);
}

/** Hides the code from a feature: copies the row above the strip over the strip rows (in place). */
export function maskFrameCode(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): void {
  const region = frameCodeRegion(width, height);
  const source = (region.y - 1) * width * 4;
  for (let y = region.y; y < height; y++) rgba.copyWithin(y * width * 4, source, source + width * 4);
}

/** maskFrameCode for an I420 frame: luma rows and the chroma rows under the strip. */
export function maskFrameCodeI420(i420: Uint8Array | Uint8ClampedArray, width: number, height: number): void {
  const region = frameCodeRegion(width, height);
  for (let y = region.y; y < height; y++) i420.copyWithin(y * width, (region.y - 1) * width, region.y * width);
  const c = { width: Math.ceil(width / 2), height: Math.ceil(height / 2) };
  const firstChromaRow = Math.floor(region.y / 2);
  for (const base of [width * height, width * height + c.width * c.height]) {
    const source = base + (firstChromaRow - 1) * c.width;
    for (let row = firstChromaRow; row < c.height; row++) i420.copyWithin(base + row * c.width, source, source + c.width);
  }
}
