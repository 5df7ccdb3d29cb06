import { chromaSize, type Yuv420Frame } from './y4m.ts';

/**
 * BT.601 RGB ↔ YCbCr 4:2:0. Scenes are written in limited ("studio", Y 16..235) range, which is how
 * browsers interpret a camera frame without colour-space metadata; the converter back to RGBA also does
 * full range so tests can check decoders against either interpretation.
 */
export type YuvRange = 'limited' | 'full';
export type ChromaUpsampling = 'nearest' | 'bilinear';

const clamp8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** Luma of an RGB triple (0..255) as Y' in the given range. */
export function lumaOf(r: number, g: number, b: number, range: YuvRange = 'limited'): number {
  const yFull = 0.299 * r + 0.587 * g + 0.114 * b;
  return range === 'full' ? yFull : 16 + (yFull * 219) / 255;
}

/** Interleaved RGB (3 bytes per pixel) → 4:2:0 planes; chroma is the mean of each 2x2 block. */
export function rgbToYuv420(rgb: Uint8Array, width: number, height: number, range: YuvRange = 'limited'): Yuv420Frame {
  if (rgb.length !== width * height * 3) throw new RangeError(`rgb has ${rgb.length} bytes, expected ${width * height * 3}`);
  const c = chromaSize(width, height);
  const y = new Uint8Array(width * height);
  const cb = new Float32Array(c.width * c.height);
  const cr = new Float32Array(c.width * c.height);
  const n = new Uint8Array(c.width * c.height);
  const cScale = range === 'full' ? 1 : 224 / 255;
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const i = py * width + px;
      const r = rgb[i * 3] as number;
      const g = rgb[i * 3 + 1] as number;
      const b = rgb[i * 3 + 2] as number;
      y[i] = clamp8(lumaOf(r, g, b, range));
      const ci = (py >> 1) * c.width + (px >> 1);
      cb[ci] = (cb[ci] as number) + (-0.168736 * r - 0.331264 * g + 0.5 * b) * cScale;
      cr[ci] = (cr[ci] as number) + (0.5 * r - 0.418688 * g - 0.081312 * b) * cScale;
      n[ci] = (n[ci] as number) + 1;
    }
  }
  const u = new Uint8Array(c.width * c.height);
  const v = new Uint8Array(c.width * c.height);
  for (let i = 0; i < u.length; i++) {
    u[i] = clamp8(128 + (cb[i] as number) / (n[i] as number));
    v[i] = clamp8(128 + (cr[i] as number) / (n[i] as number));
  }
  return { y, u, v };
}

export interface ToRgbaOptions {
  range?: YuvRange;
  upsample?: ChromaUpsampling;
}

/** 4:2:0 planes → RGBA (alpha 255), as a browser would draw the frame to a canvas. */
export function yuv420ToRgba(
  frame: Yuv420Frame,
  width: number,
  height: number,
  { range = 'limited', upsample = 'bilinear' }: ToRgbaOptions = {},
): Uint8ClampedArray {
  const c = chromaSize(width, height);
  const out = new Uint8ClampedArray(width * height * 4);
  const ys = range === 'full' ? 1 : 255 / 219;
  const y0 = range === 'full' ? 0 : 16;
  const cs = range === 'full' ? 1 : 255 / 224;
  // horizontal sampling positions, shared by every row; chroma samples sit at the centre of each 2x2 block
  const xa = new Int32Array(width);
  const xb = new Int32Array(width);
  const xw = new Float32Array(width);
  for (let px = 0; px < width; px++) {
    if (upsample === 'nearest') {
      xa[px] = px >> 1;
      xb[px] = px >> 1;
      continue;
    }
    const fx = Math.min(Math.max((px - 0.5) / 2, 0), c.width - 1);
    xa[px] = Math.floor(fx);
    xb[px] = Math.min(Math.floor(fx) + 1, c.width - 1);
    xw[px] = fx - Math.floor(fx);
  }
  const { u, v } = frame;
  for (let py = 0; py < height; py++) {
    let ra: number;
    let rb: number;
    let ay: number;
    if (upsample === 'nearest') {
      ra = (py >> 1) * c.width;
      rb = ra;
      ay = 0;
    } else {
      const fy = Math.min(Math.max((py - 0.5) / 2, 0), c.height - 1);
      ra = Math.floor(fy) * c.width;
      rb = Math.min(Math.floor(fy) + 1, c.height - 1) * c.width;
      ay = fy - Math.floor(fy);
    }
    for (let px = 0; px < width; px++) {
      const a = xa[px] as number;
      const b = xb[px] as number;
      const ax = xw[px] as number;
      const ub = ((u[ra + a] as number) * (1 - ax) + (u[ra + b] as number) * ax) * (1 - ay) + ((u[rb + a] as number) * (1 - ax) + (u[rb + b] as number) * ax) * ay;
      const vb = ((v[ra + a] as number) * (1 - ax) + (v[ra + b] as number) * ax) * (1 - ay) + ((v[rb + a] as number) * (1 - ax) + (v[rb + b] as number) * ax) * ay;
      const i = py * width + px;
      const yv = ((frame.y[i] as number) - y0) * ys;
      const cb = (ub - 128) * cs;
      const cr = (vb - 128) * cs;
      const o = i * 4;
      out[o] = yv + 1.402 * cr;
      out[o + 1] = yv - 0.344136 * cb - 0.714136 * cr;
      out[o + 2] = yv + 1.772 * cb;
      out[o + 3] = 255;
    }
  }
  return out;
}

/** The planes of a 4:2:0 frame in one I420 buffer (Y, U, V, tightly packed), the layout VideoFrame.copyTo gives. */
export function packI420(frame: Yuv420Frame): Uint8Array {
  const out = new Uint8Array(frame.y.length + frame.u.length + frame.v.length);
  out.set(frame.y, 0);
  out.set(frame.u, frame.y.length);
  out.set(frame.v, frame.y.length + frame.u.length);
  return out;
}
