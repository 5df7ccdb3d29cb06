/**
 * TFLite on the host device: LiteRT.js (wasm, XNNPACK) in the agent's own headless Chromium, driven
 * through a chromedriver the driver starts itself (no Appium), on MediaPipe's face detector from npm.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { DeviceRegistration } from '@edgeproof/contracts';
import { findProcesses, HostDriver } from '../src/index.ts';
import { FACE_DETECTION_TFLITE, makeTfliteJob } from './support/tflite-models.ts';

const driver = new HostDriver();
afterAll(() => driver.dispose());
const never = () => new AbortController().signal;
const host = async () => (await driver.discover())[0] as DeviceRegistration;
const leftovers = async () => [...(await findProcesses(['edgeproof-local-host-'])), ...(await findProcesses(['edgeproof-local-reference-']))];

describe('HostDriver with TFLite (LiteRT.js in a local Chromium)', () => {
  it('advertises litert/wasm only when Chromium and chromedriver run', async () => {
    expect((await host()).runtimes).toEqual(['onnxruntime-node', 'litert/wasm']);
    const missing = new HostDriver({ litert: { chromedriverPath: '/nonexistent/chromedriver' } });
    const [device] = await missing.discover();
    expect(device?.runtimes).toEqual(['onnxruntime-node']);
    expect(device?.attributes.litertUnavailable).toMatch(/^chromedriver \(\/nonexistent\/chromedriver\) does not run: /);
    const err = await missing.run(device as DeviceRegistration, makeTfliteJob(FACE_DETECTION_TFLITE, 'latency'), never()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unsupported', message: expect.stringMatching(/^the host driver runs TFLite models with LiteRT\.js in the agent's own Chromium, and chromedriver/) });
  });

  it('measures a TFLite model on the host with the same latency fields as ONNX, and leaves nothing running', async () => {
    const job = makeTfliteJob(FACE_DETECTION_TFLITE, 'latency', { warmupMinSeconds: 0.05, measureMinRuns: 25, measureMinSeconds: 0.1 });
    const result = await driver.run(await host(), job, never());
    const s = result.summary;
    if (s.kind !== 'latency') throw new Error('not latency');
    expect(s.sessionCreateMs).toBeGreaterThan(0);
    expect(s.firstInferenceMs).toBeGreaterThan(0);
    expect(s.warmup.runs).toBeGreaterThanOrEqual(1);
    expect(s.measure.runs).toBeGreaterThanOrEqual(25);
    expect(result.rawSamples).toHaveLength(s.measure.runs);
    expect(result.environment).toMatchObject({
      runtime: 'litert',
      executionProvider: 'wasm',
      inputShapes: { input: [1, 128, 128, 3] },
      extra: { browserRole: 'host', endpoint: 'chromedriver on the agent (local)', runtimeDetails: { wasmFile: 'litert_wasm_internal.js' } },
    });
    expect(result.environment.extra?.browser).toMatch(/^chromium \(agent, headless\) \d+\./);
    expect(typeof result.environment.extra?.hostCpu).toBe('string');
    expect(await leftovers()).toEqual([]);
  });

  it('parity on the host: the measured LiteRT.js session against the LiteRT.js wasm reference', async () => {
    const result = await driver.run(await host(), makeTfliteJob(FACE_DETECTION_TFLITE, 'parity', { paritySamples: 2 }), never());
    const s = result.summary;
    if (s.kind !== 'parity') throw new Error('not parity');
    expect(s.reference).toMatchObject({ runtime: 'litert', executionProvider: 'wasm' });
    // same build, same thread count, same inputs: bit-identical outputs
    expect(s.outputs.map((o) => o.maxAbsError)).toEqual([0, 0]);
    expect(result.rawSamples).toEqual([0, 0]);
    expect(await leftovers()).toEqual([]);
  });

  it('an abort during the job stops it promptly and kills the local Chromium', async () => {
    const controller = new AbortController();
    const job = makeTfliteJob(FACE_DETECTION_TFLITE, 'latency', { measureMinSeconds: 60, measureMaxSeconds: 120, timeoutSeconds: 300 });
    const running = driver.run(await host(), job, controller.signal).catch((e: unknown) => e);
    await expect.poll(() => findProcesses(['edgeproof-local-host-']).then((p) => p.length), { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 3_000));
    const abortedAt = performance.now();
    controller.abort(new Error('test says stop'));
    expect(await running).toMatchObject({ code: 'aborted' });
    expect(performance.now() - abortedAt).toBeLessThan(10_000);
    expect(await leftovers()).toEqual([]);
  });
});
