import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { iou } from '@edgeproof/metrics';
import { generateScenario, ITEM_CLASSES, maskFrameCode, maskFrameCodeI420, packI420, parseY4m, yuv420ToRgba } from '@edgeproof/scenes';
import { afterAll, describe, expect, it } from 'vitest';
import { buildItemDetector, DETECTOR_STRIDE, heatmapToDetections, ItemDetector, LABELS, type Detection } from '../src/index.ts';
import { hasPythonOnnx, onnxCheckerError, ortNode, tempDir } from './helpers.ts';

const tmp = tempDir('detector');
afterAll(() => tmp.cleanup());
const detector = buildItemDetector();
const modelPath = join(tmp.dir, 'detector.onnx');
writeFileSync(modelPath, detector.bytes);

describe('item detector model', () => {
  it.skipIf(!hasPythonOnnx)('passes onnx.checker (full check)', () => {
    expect(onnxCheckerError(modelPath)).toBeNull();
  });

  it('has one heat-map channel per catalogue class, in catalogue order, at 1/4 resolution', async () => {
    expect(detector.labels).toEqual(ITEM_CLASSES.map((c) => c.name));
    expect(LABELS).toEqual(detector.labels);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(modelPath);
    expect(session.inputNames).toEqual(['image']);
    for (const [h, w] of [[240, 320], [480, 640]] as const) {
      const out = await session.run({ image: new ort.Tensor('float32', new Float32Array(3 * h * w).fill(0.5), [1, 3, h, w]) });
      expect(out.heatmap?.dims).toEqual([1, ITEM_CLASSES.length, h / DETECTOR_STRIDE, w / DETECTOR_STRIDE]);
      // mid grey is no product colour
      expect(Math.max(...(out.heatmap?.data as Float32Array))).toBe(0);
    }
    await session.release();
  });

  it('finds the visible items of a generated scene with IoU ≥ 0.5 and the right class', async () => {
    const scene = generateScenario({ seed: 21, durationSeconds: 6 });
    const video = parseY4m(scene.video);
    const run = await ItemDetector.create(ortNode, modelPath, LABELS, 1);
    let visible = 0;
    let found = 0;
    let detections = 0;
    let correct = 0;
    for (let f = 0; f < video.frameCount; f += 2) {
      const rgba = yuv420ToRgba(video.frame(f), 320, 240);
      maskFrameCode(rgba, 320, 240);
      const dets = await run.detect({ format: 'RGBA', data: rgba, width: 320, height: 240 });
      const i420 = packI420(video.frame(f));
      maskFrameCodeI420(i420, 320, 240);
      const fromI420 = await run.detect({ format: 'I420', data: i420, width: 320, height: 240 });
      // the camera's planes give the boxes of the same frame converted to RGBA the way Chromium does (chroma per 2x2 block)
      const chromium = yuv420ToRgba(video.frame(f), 320, 240, { upsample: 'nearest' });
      maskFrameCode(chromium, 320, 240);
      const fromRgba = await run.detect({ format: 'RGBA', data: chromium, width: 320, height: 240 });
      expect(fromI420.map((d) => d.label)).toEqual(fromRgba.map((d) => d.label));
      fromI420.forEach((d, k) => d.bbox.forEach((v, c) => expect(Math.abs(v - (fromRgba[k]?.bbox[c] as number))).toBeLessThan(0.5)));
      const gt = scene.groundTruth.filter((r) => r.frame === f + 1);
      const box = (d: Detection) => ({ x: d.bbox[0], y: d.bbox[1], w: d.bbox[2], h: d.bbox[3] });
      const label = (classId: number) => ITEM_CLASSES.find((c) => c.id === classId)?.name;
      for (const g of gt.filter((r) => r.visibility >= 0.8)) {
        visible++;
        if (dets.some((d) => d.label === label(g.classId) && iou(box(d), g) >= 0.5)) found++;
      }
      detections += dets.length;
      correct += dets.filter((d) => gt.some((g) => d.label === label(g.classId) && iou(box(d), g) >= 0.5)).length;
    }
    await run.dispose();
    expect(visible).toBeGreaterThan(50);
    expect(found / visible).toBeGreaterThanOrEqual(0.9);
    expect(correct / detections).toBeGreaterThanOrEqual(0.85);
  });
});

describe('heat map post-processing', () => {
  /** heat map of one class where a w×h rectangle at (x, y) covers each cell by its pixel fraction */
  function rectHeat(gw: number, gh: number, rects: Array<[number, number, number, number]>, level = 0.9): Float32Array {
    const heat = new Float32Array(gw * gh);
    const s = DETECTOR_STRIDE;
    for (const [x, y, w, h] of rects) {
      for (let r = 0; r < gh; r++) {
        for (let c = 0; c < gw; c++) {
          const ox = Math.max(0, Math.min(x + w, (c + 1) * s) - Math.max(x, c * s));
          const oy = Math.max(0, Math.min(y + h, (r + 1) * s) - Math.max(y, r * s));
          heat[r * gw + c] = (heat[r * gw + c] as number) + ((ox * oy) / (s * s)) * level;
        }
      }
    }
    return heat;
  }

  it('places box edges inside border cells from their coverage', () => {
    const heat = rectHeat(20, 15, [[6, 9, 21, 13]]);
    const dets = heatmapToDetections(heat, 15, 20, ['box'], { width: 80, height: 60 });
    expect(dets).toHaveLength(1);
    const [x, y, w, h] = dets[0]?.bbox ?? [];
    expect(x).toBeCloseTo(6, 5);
    expect(y).toBeCloseTo(9, 5);
    expect(w).toBeCloseTo(21, 5);
    expect(h).toBeCloseTo(13, 5);
    expect(dets[0]?.score).toBeCloseTo(0.9, 5);
  });

  it('separates components, per class, and drops specks', () => {
    const a = rectHeat(20, 15, [[4, 4, 16, 16], [50, 30, 20, 20]]);
    const speck = rectHeat(20, 15, [[60, 4, 6, 6]]);
    const heat = new Float32Array(2 * 300);
    heat.set(a, 0);
    heat.set(speck, 300);
    const dets = heatmapToDetections(heat, 15, 20, ['a', 'b'], { width: 80, height: 60 });
    expect(dets.map((d) => d.label)).toEqual(['a', 'a']);
    expect(dets.map((d) => d.bbox.map(Math.round))).toEqual([[4, 4, 16, 16], [50, 30, 20, 20]]);
    expect(heatmapToDetections(heat, 15, 20, ['a', 'b'], { width: 80, height: 60 }, { minAreaPx: 10 }).map((d) => d.label)).toEqual(['a', 'a', 'b']);
  });

  it('clips boxes to the frame', () => {
    const dets = heatmapToDetections(rectHeat(20, 15, [[0, 50, 30, 10]]), 15, 20, ['a'], { width: 78, height: 58 });
    expect(dets[0]?.bbox.map((v) => Math.round(v))).toEqual([0, 50, 30, 8]);
  });
});
