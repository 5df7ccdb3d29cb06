/**
 * TFLite on browser devices: LiteRT.js (@litertjs/core, XNNPACK on wasm) in real headless Chromium
 * through a real Appium server (chromium driver), on real models: MediaPipe's face detector from npm
 * and the model zoo's MNIST MLP as TFLite. Latency, accuracy, parity against LiteRT.js wasm in the
 * agent's own Chromium, interleaved A/B, settings.runtimes, and the failures (hostile file, int8, webgpu).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRegistration } from '@edgeproof/contracts';
import { buildZoo, defaultZooDir, type ZooManifest } from '@edgeproof/model-zoo';
import { validateDatasetFile } from '@edgeproof/models';
import { freePort, repoRoot, startAppium, type TestAppium } from '@edgeproof/testkit';
import { BrowserDriver, DriverError, findProcesses } from '../src/index.ts';
import { makeJob } from './support/fixtures.ts';
import { FACE_DETECTION_TFLITE, makeTfliteJob } from './support/tflite-models.ts';

let appium: TestAppium;
let driver: BrowserDriver;
let device: DeviceRegistration;
let profileRoot: string;
let zoo: ZooManifest;
const zooFile = (f: string) => join(defaultZooDir(), f);
const never = () => new AbortController().signal;
const QUICK = { warmupMinSeconds: 0.05, measureMinRuns: 30, measureMinSeconds: 0.1 };

beforeAll(async () => {
  zoo = await buildZoo(defaultZooDir());
  appium = await startAppium({ repoRoot, drivers: ['chromium'] });
  profileRoot = await mkdtemp(join(tmpdir(), 'ep-browser-litert-'));
  driver = new BrowserDriver({ endpoint: { url: appium.url }, chromedriverBasePort: await freePort(), profileRoot });
  [device] = (await driver.discover()) as [DeviceRegistration];
}, 120_000);

afterAll(async () => {
  await driver?.dispose();
  await appium?.stop();
  if (profileRoot) await rm(profileRoot, { recursive: true, force: true });
});

const leftovers = () => findProcesses([profileRoot]);

describe('BrowserDriver with LiteRT.js', () => {
  it('advertises litert/wasm beside onnxruntime-web/wasm, and no litert/webgpu without an adapter', () => {
    expect(device.runtimes).toEqual(['onnxruntime-web/wasm', 'litert/wasm']);
    expect(device.attributes.webgpuAdapter).toBe(false);
  });

  it('measures latency of a real TFLite model (BlazeFace, NHWC float32) with every field and every raw sample', async () => {
    const result = await driver.run(device, makeTfliteJob(FACE_DETECTION_TFLITE, 'latency', QUICK), never());
    const s = result.summary;
    if (s.kind !== 'latency') throw new Error('not latency');
    expect(s.sessionCreateMs).toBeGreaterThan(0);
    expect(s.firstInferenceMs).toBeGreaterThan(0);
    expect(s.warmup.runs).toBeGreaterThanOrEqual(1);
    expect(s.warmup.seconds).toBeGreaterThanOrEqual(0.05);
    expect(s.measure.runs).toBeGreaterThanOrEqual(30);
    expect(s.measure.seconds).toBeGreaterThanOrEqual(0.1);
    expect(result.rawSamples).toHaveLength(s.measure.runs);
    expect(result.rawSamples.every((x) => x > 0)).toBe(true);
    expect(s.stats.count).toBe(s.measure.runs);
    expect(s.stats.p50).toBeGreaterThan(0);
    expect(s.stats.max).toBeGreaterThanOrEqual(s.stats.p99);
    const env = result.environment;
    expect(env).toMatchObject({ runtime: 'litert', runtimeVersion: '2.5.3', executionProvider: 'wasm', threads: 1, inputShapes: { input: [1, 128, 128, 3] } });
    expect(env.extra?.timing).toMatch(/CompiledModel\.run/);
    expect(env.extra?.runtimeDetails).toMatchObject({
      accelerator: 'wasm',
      cpuKernels: 'XNNPACK (wasm)',
      wasmFile: 'litert_wasm_internal.js',
      inputDetails: [{ name: 'input', dtype: 'float32', shape: [1, 128, 128, 3] }],
      outputDetails: [
        { name: 'regressors', dtype: 'float32', shape: [1, 896, 16] },
        { name: 'classificators', dtype: 'float32', shape: [1, 896, 1] },
      ],
    });
    expect(await leftovers()).toEqual([]);
  });

  it('compares every output with the reference (LiteRT.js wasm, 1 thread, in the agent\'s own Chromium) and says so', async () => {
    const result = await driver.run(device, makeTfliteJob(FACE_DETECTION_TFLITE, 'parity', { paritySamples: 3, threads: 2 }), never());
    const s = result.summary;
    if (s.kind !== 'parity') throw new Error('not parity');
    expect(s.samples).toBe(3);
    expect(result.rawSamples).toHaveLength(3);
    expect(s.reference).toMatchObject({ runtime: 'litert', executionProvider: 'wasm' });
    expect(s.reference.settings).toMatch(/^LiteRT\.js 2\.5\.3 accelerator=wasm \(XNNPACK\) threads=1 litert_wasm_internal\.js; headless Chromium \d+\./);
    expect(s.outputs.map((o) => [o.name, o.elements])).toEqual([
      ['regressors', 3 * 896 * 16],
      ['classificators', 3 * 896],
    ]);
    // the device ran LiteRT's threaded build on 2 threads: same kernels, so (near) identical numbers
    expect(result.environment).toMatchObject({ threads: 2, extra: { runtimeDetails: { wasmFile: 'litert_wasm_threaded_internal.js' } } });
    for (const o of s.outputs) {
      expect(o.maxAbsError).toBeLessThan(1e-3);
      expect(o.cosineSimilarity).toBeGreaterThan(0.99999);
    }
    expect(await leftovers()).toEqual([]);
    expect(await findProcesses(['edgeproof-local-reference-'])).toEqual([]);
  });

  it("reproduces the zoo's MNIST TFLite accuracy on its held-out digits (edgeproof-dataset/v1)", async () => {
    const datasetPath = zooFile(zoo.files.mnistTest.file);
    const { header } = await validateDatasetFile(datasetPath);
    const job = makeTfliteJob(zooFile(zoo.files.mnistMlpTflite.file), 'accuracy', {}, { path: datasetPath, sha256: zoo.files.mnistTest.sha256, header });
    const result = await driver.run(device, job, never());
    const s = result.summary;
    if (s.kind !== 'accuracy') throw new Error('not accuracy');
    expect(s.samples).toBe(zoo.files.mnistTest.sampleCount);
    expect(s.output).toBe('probabilities');
    expect(result.rawSamples.reduce((a, b) => a + b, 0)).toBe(s.correctTop1);
    // the zoo measured the same weights in plain TypeScript; float rounding may flip a borderline digit or two
    expect(Math.abs(s.top1 - zoo.files.mnistMlpTflite.testAccuracy)).toBeLessThanOrEqual(0.002);
    expect(result.environment).toMatchObject({ runtime: 'litert', inputShapes: { input: [1, 1, 28, 28] } });
  });

  it('interleaves a TFLite candidate with a TFLite baseline in one page (A B B A)', async () => {
    const face = makeTfliteJob(FACE_DETECTION_TFLITE, 'latency', QUICK);
    const job = { ...makeTfliteJob(zooFile(zoo.files.mnistMlpTflite.file), 'latency', QUICK), baseline: { ...face.model, version: '0.4.0' } };
    const result = await driver.run(device, job, never());
    const inter = result.environment.extra?.interleaved as { order: string; timing: string; baseline: { version: string; rawSamples: number[]; summary: { measure: { runs: number } } } };
    expect(inter.order).toBe('blocks of 5 runs, A B B A');
    expect(inter.timing).toMatch(/LiteRT\.js CompiledModel each/);
    expect(inter.baseline.summary.measure.runs).toBe(inter.baseline.rawSamples.length);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    // a 784-128-10 MLP against a 128x128 conv net: the baseline is clearly slower, side by side
    expect(median(inter.baseline.rawSamples)).toBeGreaterThan(median(result.rawSamples));
  });

  it('settings.runtimes: runs the TFLite model on litert/wasm and says why onnxruntime-web/wasm was skipped', async () => {
    const job = makeTfliteJob(FACE_DETECTION_TFLITE, 'latency', { ...QUICK, runtimes: ['onnxruntime-web/wasm', 'litert/wasm'] });
    const result = await driver.run(device, job, never());
    expect(result.environment.runtime).toBe('litert');
    expect(result.environment.extra).toMatchObject({
      runtimeLabel: 'litert/wasm',
      runtimes: [],
      runtimesSkipped: [{ runtime: 'onnxruntime-web/wasm', reason: expect.stringMatching(/^a tflite model runs on litert\/\*, onnxruntime-web cannot load it/) }],
    });
  });

  it('an ONNX model asked to run on litert only is refused before any session, saying why', async () => {
    const job = makeJob(zooFile(zoo.files.mnistMlp.file), 'latency', { runtimes: ['litert/wasm'] });
    const err = await driver.run(device, job, never()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unsupported', retryable: false });
    expect((err as Error).message).toMatch(/^none of settings\.runtimes can run this onnx model: litert\/wasm: a onnx model runs on onnxruntime-web\/\*, litert cannot load it \(LiteRT\.js runs \.tflite files\)/);
  });

  it('a hostile .tflite (TFL3 identifier, garbage after it) is invalid_model, and nothing is left running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ep-bad-tflite-'));
    try {
      const job = makeTfliteJob(FACE_DETECTION_TFLITE, 'latency', QUICK);
      const good = await readFile(FACE_DETECTION_TFLITE);
      const bad = Buffer.concat([good.subarray(0, 8), Buffer.alloc(4096, 0xff)]);
      const path = join(dir, 'hostile.tflite');
      await writeFile(path, bad);
      const err = await driver.run(device, { ...job, model: { ...job.model, path } }, never()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DriverError);
      expect(err).toMatchObject({ code: 'invalid_model', retryable: false });
      expect((err as Error).message).toMatch(/^in the browser: LiteRT\.js could not load the model: /);
      expect(await leftovers()).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a full-integer int8 model is refused as unsupported: LiteRT.js 2.5.3 has no int8 tensors in JS', async () => {
    const job = makeTfliteJob(zooFile(zoo.files.mnistMlpTfliteInt8.file), 'latency', QUICK);
    expect(job.model.signature.inputs[0]?.elementType).toBe('int8');
    const err = await driver.run(device, job, never()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unsupported' });
    expect((err as Error).message).toMatch(/LiteRT\.js 2\.5\.3 cannot run this model: .*INT8.*float32, int32 and uint8 only/);
  });

  it('litert/webgpu without an adapter: refused by the plan, and by the page on a device configured for webgpu', async () => {
    const asked = makeTfliteJob(FACE_DETECTION_TFLITE, 'latency', { ...QUICK, runtimes: ['litert/webgpu'] });
    const planned = await driver.run(device, asked, never()).catch((e: unknown) => e);
    expect(planned).toMatchObject({ code: 'unsupported', message: expect.stringMatching(/^settings\.runtimes asks for litert\/webgpu, but this device has no WebGPU adapter .*no fallback to wasm/) });

    const gpu = new BrowserDriver({ endpoint: { url: appium.url }, chromedriverBasePort: await freePort(), profileRoot, executionProvider: 'webgpu' });
    try {
      const gpuDevice = { ...device, runtimes: ['onnxruntime-web/webgpu', 'litert/wasm', 'litert/webgpu'] };
      const err = await gpu.run(gpuDevice, makeTfliteJob(FACE_DETECTION_TFLITE, 'latency', QUICK), never()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'unsupported', retryable: false });
      expect((err as Error).message).toBe('in the browser: executionProvider webgpu asked (litert), but this browser gives no WebGPU adapter; no fallback to wasm is made');
    } finally {
      await gpu.dispose();
    }
    expect(await leftovers()).toEqual([]);
  });
});
