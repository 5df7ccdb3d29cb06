import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeatureSettings } from '@edgeproof/contracts';
import { generateScenario, parseY4m, yuv420ToRgba } from '@edgeproof/scenes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildFeatureBundles,
  evaluateFeatureBundles,
  loadFeatureBundle,
  parseFeatureSettings,
  replayFeature,
  type FeatureBuildManifest,
} from '../src/index.ts';
import { countingOrt, ortNode, tempDir } from './helpers.ts';

const tmp = tempDir('bundles');
let builds: FeatureBuildManifest;
const modelUrls = () => ({ detector: join(tmp.dir, builds.detector.file) });
beforeAll(async () => {
  builds = await buildFeatureBundles(tmp.dir);
});
afterAll(() => tmp.cleanup());

describe('feature bundles', () => {
  it('are standalone ES modules described by feature-builds.json', () => {
    const written = JSON.parse(readFileSync(join(tmp.dir, 'feature-builds.json'), 'utf8'));
    expect(Object.keys(written.bundles)).toEqual(['reference', 'detection-only']);
    for (const b of Object.values(builds.bundles)) {
      const text = readFileSync(b.path, 'utf8');
      expect(createHash('sha256').update(text).digest('hex')).toBe(b.sha256);
      expect(text).not.toMatch(/^\s*import\s|require\(|node:/m);
      expect(text).toMatch(/export\s*{[^}]*\binit\b[^}]*}/);
      expect(b.models).toEqual({ detector: builds.detector.file });
    }
    expect(written.detector.sha256).toBe(builds.detector.sha256);
  });

  it('checks settings like the contract schema does', () => {
    expect(parseFeatureSettings({})).toEqual(FeatureSettings.parse({}));
    for (const key of ['processEveryK', 'detectionInterval', 'threads'] as const) {
      const shape = FeatureSettings.shape[key].unwrap();
      const [min, max] = [shape.minValue as number, shape.maxValue as number];
      for (const v of [min, max]) expect(parseFeatureSettings({ [key]: v })[key]).toBe(v);
      for (const v of [min - 1, max + 1, 1.5, '2']) {
        expect(FeatureSettings.safeParse({ [key]: v }).success).toBe(false);
        expect(() => parseFeatureSettings({ [key]: v })).toThrow(`settings.${key}: must be an integer in ${min}..${max}`);
      }
    }
    expect(() => parseFeatureSettings({ fps: 3 })).toThrow('settings.fps: unknown setting');
  });

  it('fail init and process with clear reasons', async () => {
    const feature = await loadFeatureBundle(join(tmp.dir, builds.bundles.reference.file));
    await expect(feature.process({ format: 'RGBA', data: new Uint8ClampedArray(4), width: 1, height: 1, timestampMs: 0, index: 0 })).rejects.toThrow('process called before init');
    await expect(feature.init({ modelUrls: {}, settings: {}, ort: ortNode })).rejects.toThrow('modelUrls.detector is required');
    await expect(feature.init({ modelUrls: modelUrls(), settings: { processEveryK: 0 }, ort: ortNode })).rejects.toThrow('settings.processEveryK');
    await expect(feature.init({ modelUrls: modelUrls(), settings: {}, ort: {} })).rejects.toThrow('ort must be an onnxruntime instance');
    await expect(feature.init({ modelUrls: { detector: join(tmp.dir, 'missing.onnx') }, settings: {}, ort: ortNode })).rejects.toThrow();
    await feature.init({ modelUrls: modelUrls(), settings: {}, ort: ortNode });
    await expect(feature.process({ format: 'RGBA', data: new Uint8ClampedArray(10), width: 4, height: 4, timestampMs: 0, index: 0 })).rejects.toThrow('frame.data must be 64 bytes of RGBA for 4x4');
    await expect(feature.process({ format: 'I420', data: new Uint8Array(10), width: 4, height: 4, timestampMs: 0, index: 0 })).rejects.toThrow('frame.data must be 24 bytes of I420 for 4x4');
    await expect(feature.process({ format: 'NV12' as 'I420', data: new Uint8Array(24), width: 4, height: 4, timestampMs: 0, index: 0 })).rejects.toThrow('frame.format must be "I420" or "RGBA", got NV12');
    await feature.dispose();
  });

  it('honour processEveryK and detectionInterval (counted detector runs)', async () => {
    const scene = generateScenario({ seed: 5, durationSeconds: 2 });
    const video = parseY4m(scene.video);
    const feature = await loadFeatureBundle(join(tmp.dir, builds.bundles.reference.file));
    for (const [settings, expectedRuns] of [
      [{}, 30],
      [{ processEveryK: 3 }, 10],
      [{ detectionInterval: 5 }, 6],
      [{ processEveryK: 2, detectionInterval: 3 }, 5],
    ] as const) {
      const counting = countingOrt();
      const r = await replayFeature(feature, { modelUrls: modelUrls(), settings, ort: counting.ort }, video, { fps: 15 });
      expect(counting.runs()).toBe(expectedRuns);
      expect(r.decodedIndices).toEqual(Array.from({ length: 30 }, (_, i) => i));
    }
    // skipped frames repeat the previous answer
    const counting = countingOrt();
    await feature.init({ modelUrls: modelUrls(), settings: { processEveryK: 2 }, ort: counting.ort });
    const frame = (i: number) => ({ format: 'RGBA' as const, data: yuv420ToRgba(video.frame(i), 320, 240), width: 320, height: 240, timestampMs: i * 66, index: i });
    const first = await feature.process(frame(20));
    expect(await feature.process(frame(21))).toEqual(first);
    await feature.dispose();
  });

  it('score in Node: the reference tracker beats detection-only on IDF1 and ID switches', async () => {
    const scene = generateScenario({ seed: 7, durationSeconds: 8 });
    const [reference, detectionOnly] = await evaluateFeatureBundles({
      ort: ortNode,
      builds,
      buildDir: tmp.dir,
      video: scene.video,
      groundTruth: scene.groundTruth,
      fps: scene.manifest.fps,
    });
    if (!reference || !detectionOnly) throw new Error('two evaluations expected');
    expect(reference.framesExact && detectionOnly.framesExact).toBe(true);
    const ref = reference.tracking;
    const worse = detectionOnly.tracking;
    expect(ref.gtObjects).toBe(scene.groundTruth.length);
    expect(ref.mota).toBeGreaterThanOrEqual(0.75);
    expect(ref.idf1).toBeGreaterThanOrEqual(0.8);
    expect(ref.idSwitches).toBeLessThanOrEqual(5);
    expect(ref.idf1 as number).toBeGreaterThan((worse.idf1 as number) + 0.5);
    expect(worse.idSwitches).toBeGreaterThan(10 * Math.max(1, ref.idSwitches));
    // same detector: the difference is the tracker, not detection quality
    expect(Math.abs((ref.recall as number) - (worse.recall as number))).toBeLessThan(0.1);
  });

  it('run with onnxruntime-web (wasm) in Node too, like in the browser, with the same results as onnxruntime-node', async () => {
    const ortWeb = await import('onnxruntime-web');
    const scene = generateScenario({ seed: 9, durationSeconds: 2 });
    const video = parseY4m(scene.video);
    const feature = await loadFeatureBundle(join(tmp.dir, builds.bundles.reference.file));
    const web = await replayFeature(feature, { modelUrls: modelUrls(), settings: {}, ort: ortWeb }, video, { fps: 15 });
    const node = await replayFeature(feature, { modelUrls: modelUrls(), settings: {}, ort: ortNode }, video, { fps: 15 });
    expect(web.predictions.length).toBeGreaterThan(20);
    expect(web.predictions.map((p) => [p.frame, p.id, p.label])).toEqual(node.predictions.map((p) => [p.frame, p.id, p.label]));
    web.predictions.forEach((p, i) => {
      const n = node.predictions[i];
      expect(Math.abs(p.x - (n?.x ?? NaN)) + Math.abs(p.w - (n?.w ?? NaN))).toBeLessThan(0.1);
    });
  });
});
