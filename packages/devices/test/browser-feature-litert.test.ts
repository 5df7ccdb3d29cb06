/**
 * A feature bundle that pins a TFLite model and runs it with the harness's LiteRT.js (init's `litert()`
 * loader, as `ort` is handed over): MediaPipe's face detector on every camera frame of a generated
 * scenario, in headless Chromium through Appium, with the fake camera playing the scenario.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRegistration, FeatureSummary } from '@edgeproof/contracts';
import { writeScenario, type GeneratedScenario } from '@edgeproof/scenes';
import { freePort, repoRoot, startAppium, type TestAppium } from '@edgeproof/testkit';
import { BrowserDriver, findProcesses, type DriverJob } from '../src/index.ts';
import { FACE_DETECTION_TFLITE, makeTfliteJob } from './support/tflite-models.ts';

/** Samples the frame's luma (I420 Y plane, or RGBA green) into BlazeFace's [1,128,128,3] input and reports its best face score. */
const BUNDLE = `
let lrt, model, input;
export async function init(o) {
  lrt = await o.litert();
  model = await lrt.loadAndCompile(o.modelUrls.face, { accelerator: 'wasm' });
  input = new Float32Array(128 * 128 * 3);
}
export async function process(f) {
  const step = f.format === 'I420' ? 1 : 4;
  for (let y = 0; y < 128; y++) for (let x = 0; x < 128; x++) {
    const v = f.data[(Math.floor((y * f.height) / 128) * f.width + Math.floor((x * f.width) / 128)) * step + (step === 4 ? 1 : 0)] / 127.5 - 1;
    input.fill(v, (y * 128 + x) * 3, (y * 128 + x) * 3 + 3);
  }
  const t = new lrt.Tensor(input, [1, 128, 128, 3]);
  const out = await model.run([t]);
  t.delete();
  const scores = out[1].toTypedArray();
  for (const o of out) o.delete();
  let best = -Infinity;
  for (const s of scores) best = Math.max(best, s);
  return [{ id: 1, bbox: [0, 0, f.width, f.height], label: 'face', score: 1 / (1 + Math.exp(-best)) }];
}
export function dispose() { model?.delete(); }
`;

let appium: TestAppium;
let driver: BrowserDriver;
let device: DeviceRegistration;
let dir: string;
let scene: GeneratedScenario & { paths: Record<'manifest' | 'video' | 'groundTruth', string> };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ep-feature-litert-'));
  scene = writeScenario(join(dir, 'scene'), { seed: 3, durationSeconds: 2 });
  await writeFile(join(dir, 'face-bundle.js'), BUNDLE);
  appium = await startAppium({ repoRoot, drivers: ['chromium'] });
  driver = new BrowserDriver({ endpoint: { url: appium.url }, chromedriverBasePort: await freePort(), profileRoot: dir });
  [device] = (await driver.discover()) as [DeviceRegistration];
}, 180_000);

afterAll(async () => {
  await driver?.dispose();
  await appium?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('feature bundle with a pinned TFLite model', () => {
  it('loads it with the harness LiteRT.js and runs it on every processed frame, reported as the litert runtime', async () => {
    const job: DriverJob = {
      ...makeTfliteJob(FACE_DETECTION_TFLITE, 'feature', { timeoutSeconds: 90, feature: {} }),
      feature: { name: 'face-check', version: '1', platform: 'web', path: join(dir, 'face-bundle.js'), sha256: '0'.repeat(64), models: { face: { path: FACE_DETECTION_TFLITE, name: 'blazeface', version: '1', format: 'tflite' } } },
      scenario: { manifest: scene.manifest, videoPath: scene.paths.video, groundTruthPath: scene.paths.groundTruth },
    };
    const result = await driver.run(device, job, new AbortController().signal);
    const s = result.summary as FeatureSummary;
    expect(s.kind).toBe('feature');
    expect(s.records.length).toBeGreaterThan(0);
    const scores = s.records.flatMap((r) => r.tracks.map((t) => t.score));
    expect(scores).toHaveLength(s.records.length);
    // real inference: sigmoid scores, not a constant placeholder
    expect(scores.every((x) => x > 0 && x < 1)).toBe(true);
    expect(new Set(scores.map((x) => x.toFixed(6))).size).toBeGreaterThan(1);
    expect(result.environment).toMatchObject({ runtime: 'litert', runtimeVersion: '2.5.3', extra: { litertVersion: '2.5.3' } });
    expect(result.environment.extra?.onnxruntimeWebVersion).toMatch(/^1\./);
    expect(await findProcesses([dir])).toEqual([]);
  }, 120_000);
});
