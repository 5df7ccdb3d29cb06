import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '@edgeproof/metrics';
import { HostDriver } from '../src/index.ts';
import { makeJob, OCR_CLS_MODEL, writeModel, hostDevice } from './support/fixtures.ts';
import { linearClassifier } from './support/onnx-models.ts';

const driver = new HostDriver();
let dir: string;
let linearPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ep-devices-latency-'));
  linearPath = await writeModel(dir, 'linear.onnx', linearClassifier());
});
afterAll(async () => {
  await driver.dispose();
  await rm(dir, { recursive: true, force: true });
});

const host = () => hostDevice(driver);

describe('host driver latency', () => {
  it('honours the warmup and measure minimums and keeps every raw sample', async () => {
    const job = makeJob(linearPath, 'latency', {
      dims: { batch: 2 },
      warmupMinRuns: 7,
      warmupMinSeconds: 0.2,
      measureMinRuns: 30,
      measureMinSeconds: 0.3,
      // this model is fast enough to reach the default 10,000-run bound before 0.3 s
      measureMaxRuns: 1_000_000,
    });
    const result = await driver.run(await host(), job, new AbortController().signal);
    const s = result.summary;
    if (s.kind !== 'latency') throw new Error(`unexpected summary ${s.kind}`);

    expect(s.warmup.runs).toBeGreaterThanOrEqual(7);
    expect(s.warmup.seconds).toBeGreaterThanOrEqual(0.2);
    expect(s.measure.runs).toBeGreaterThanOrEqual(30);
    expect(s.measure.seconds).toBeGreaterThanOrEqual(0.3);
    expect(result.rawSamples).toHaveLength(s.measure.runs);
    expect(s.stats).toEqual(summarize(result.rawSamples));
    expect(s.stats.min).toBe(Math.min(...result.rawSamples));
    expect(s.stats.max).toBe(Math.max(...result.rawSamples));
    expect(s.stats.min).toBeGreaterThan(0);
    // the measured time is at least the sum of its runs
    expect(s.measure.seconds * 1000).toBeGreaterThanOrEqual(result.rawSamples.reduce((a, b) => a + b, 0));
    expect(s.sessionCreateMs).toBeGreaterThan(0);
    expect(s.firstInferenceMs).toBeGreaterThan(0);
    expect(s.peakMemoryBytes).toBeGreaterThan(10 * 2 ** 20);

    const env = result.environment;
    expect(env).toMatchObject({
      runtime: 'onnxruntime-node',
      runtimeVersion: '1.30.0',
      executionProvider: 'cpu',
      threads: 1,
      graphOptimization: 'all',
      warmupMinRuns: 7,
      measureMinRuns: 30,
      inputSource: 'generated',
      inputSeed: 42,
      inputShapes: { x: [2, 4] },
    });
    expect(typeof env.thermalState).toBe('string');
    if (env.thermalState === 'unavailable') expect(env.temperaturesC).toBeUndefined();
  });

  it('stops at measureMaxRuns even when the minimum seconds are not reached (max bounds win)', async () => {
    const job = makeJob(linearPath, 'latency', {
      dims: { batch: 1 },
      warmupMinRuns: 0,
      warmupMinSeconds: 0,
      measureMinRuns: 50,
      measureMinSeconds: 30,
      measureMaxRuns: 12,
    });
    const result = await driver.run(await host(), job, new AbortController().signal);
    if (result.summary.kind !== 'latency') throw new Error('not latency');
    expect(result.summary.measure.runs).toBe(12);
    expect(result.summary.warmup.runs).toBe(0);
    expect(result.rawSamples).toHaveLength(12);
    expect(result.summary.measure.seconds).toBeLessThan(30);
  });

  it('measures a real third-party model with its dynamic dimensions set in the settings', async () => {
    const job = makeJob(OCR_CLS_MODEL, 'latency', {
      inputShapes: { x: [1, 3, 48, 192] },
      threads: 2,
      warmupMinRuns: 2,
      warmupMinSeconds: 0,
      measureMinRuns: 10,
      measureMinSeconds: 0,
    });
    const result = await driver.run(await host(), job, new AbortController().signal);
    if (result.summary.kind !== 'latency') throw new Error('not latency');
    expect(result.summary.measure.runs).toBeGreaterThanOrEqual(10);
    expect(result.summary.stats.count).toBe(result.rawSamples.length);
    expect(result.summary.stats.p50).toBeGreaterThan(0);
    expect(result.environment.threads).toBe(2);
    expect(result.environment.inputShapes).toEqual({ x: [1, 3, 48, 192] });
  });
});
