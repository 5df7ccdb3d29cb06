import { describe, expect, it } from 'vitest';
import {
  decodeFrameIndex,
  decodeFrameIndexI420,
  drawFrameCode,
  FRAME_CODE_MAX_INDEX,
  FRAME_CODE_ROWS,
  frameCodeRegion,
  generateScenario,
  maskFrameCode,
  maskFrameCodeI420,
  packI420,
  parseY4m,
  rgbToYuv420,
  yuv420ToRgba,
} from '../src/index.ts';
import { perturb } from './helpers.ts';

const W = 320;
const H = 240;

function codedFrame(index: number, rgbFill = 128) {
  const frame = rgbToYuv420(new Uint8Array(W * H * 3).fill(rgbFill), W, H);
  drawFrameCode(frame, W, H, index);
  return frame;
}

describe('frame-index code', () => {
  const scenario = generateScenario({ seed: 11, durationSeconds: 4 });
  const video = parseY4m(scenario.video);

  it('decodes every frame of a generated scene exactly after YUV→RGB conversion', () => {
    expect(video.frameCount).toBe(60);
    for (let i = 0; i < video.frameCount; i++) {
      const rgba = yuv420ToRgba(video.frame(i), W, H);
      expect(decodeFrameIndex(rgba, W, H)).toBe(i);
    }
  });

  it('survives other conversions, chroma upsampling, noise and value shifts', () => {
    for (let i = 0; i < video.frameCount; i += 3) {
      const full = yuv420ToRgba(video.frame(i), W, H, { range: 'full', upsample: 'nearest' });
      expect(decodeFrameIndex(full, W, H)).toBe(i);
      const noisy = perturb(yuv420ToRgba(video.frame(i), W, H), i, { noise: 8, gain: 0.8, offset: 20 });
      expect(decodeFrameIndex(noisy, W, H)).toBe(i);
    }
  });

  it('encodes indices up to the 20-bit maximum on any background', () => {
    for (const index of [0, 1, 2, 1000, 65_535, 524_288, FRAME_CODE_MAX_INDEX]) {
      for (const fill of [0, 128, 255]) {
        expect(decodeFrameIndex(yuv420ToRgba(codedFrame(index, fill), W, H), W, H)).toBe(index);
      }
    }
    expect(() => codedFrame(FRAME_CODE_MAX_INDEX + 1)).toThrow(/frame index must be an integer/);
  });

  it('returns null without a valid code: plain frames, a flipped bit, masked frames', () => {
    const plain = yuv420ToRgba(rgbToYuv420(new Uint8Array(W * H * 3).fill(90), W, H), W, H);
    expect(decodeFrameIndex(plain, W, H)).toBeNull();
    const rgba = yuv420ToRgba(codedFrame(777), W, H);
    const flipped = rgba.slice();
    const blockWidth = Math.floor(W / 33);
    const x0 = 10 * blockWidth; // a data bit
    for (let y = H - FRAME_CODE_ROWS; y < H; y++) {
      for (let x = x0; x < x0 + blockWidth; x++) for (let c = 0; c < 3; c++) flipped[(y * W + x) * 4 + c] = 255 - (flipped[(y * W + x) * 4 + c] as number);
    }
    expect(decodeFrameIndex(flipped, W, H)).toBeNull();
    maskFrameCode(rgba, W, H);
    expect(decodeFrameIndex(rgba, W, H)).toBeNull();
  });

  it('decodes and masks I420 frames (the camera\'s own layout) the same way', () => {
    for (let i = 0; i < video.frameCount; i++) {
      const i420 = packI420(video.frame(i));
      expect(decodeFrameIndexI420(i420, W, H)).toBe(i);
      const before = i420.slice();
      maskFrameCodeI420(i420, W, H);
      expect(decodeFrameIndexI420(i420, W, H)).toBeNull();
      // only the strip's luma rows and the chroma rows under it changed
      const chroma = (W / 2) * (H / 2);
      const changed = new Set<string>();
      for (let b = 0; b < i420.length; b++) {
        if (i420[b] === before[b]) continue;
        if (b < W * H) changed.add(`y${Math.floor(b / W)}`);
        else changed.add(`c${Math.floor(((b - W * H) % chroma) / (W / 2))}`);
      }
      for (const row of changed) {
        if (row.startsWith('y')) expect(Number(row.slice(1))).toBeGreaterThanOrEqual(H - FRAME_CODE_ROWS);
        else expect(Number(row.slice(1))).toBeGreaterThanOrEqual((H - FRAME_CODE_ROWS) / 2);
      }
      // the masked strip repeats the row above it
      for (let y = H - FRAME_CODE_ROWS; y < H; y++) expect(i420.subarray(y * W, (y + 1) * W)).toEqual(i420.subarray((H - FRAME_CODE_ROWS - 1) * W, (H - FRAME_CODE_ROWS) * W));
    }
    expect(() => decodeFrameIndexI420(new Uint8Array(10), W, H)).toThrow(/i420 has 10 bytes/);
  });

  it('reports the strip as the region to ignore, and the scenario manifest carries it', () => {
    expect(frameCodeRegion(W, H)).toEqual({ x: 0, y: H - FRAME_CODE_ROWS, width: W, height: FRAME_CODE_ROWS });
    expect(scenario.manifest.frameCode).toMatchObject({ x: 0, y: H - FRAME_CODE_ROWS, width: W, height: FRAME_CODE_ROWS, indexBase: 0 });
    // no ground-truth box reaches into the strip
    for (const r of scenario.groundTruth) expect(r.y + r.h).toBeLessThanOrEqual(H - FRAME_CODE_ROWS + 1e-9);
  });
});
