import { describe, expect, it } from 'vitest';
import type { DriverResult } from '../src/index.ts';
import { withOtherRuntimes } from '../src/web-harness/results.ts';
import { planRuntimes } from '../src/web-harness/runtime-plan.ts';
import { FACE_DETECTION_TFLITE, makeTfliteJob } from './support/tflite-models.ts';

const BROWSER = ['onnxruntime-web/wasm', 'litert/wasm'];
const WITH_GPU = ['onnxruntime-web/wasm', 'litert/wasm', 'litert/webgpu'];

describe('planRuntimes: the runtimes a harness job runs on', () => {
  it("defaults to the device's own runtime for the format on its execution provider", () => {
    expect(planRuntimes(makeTfliteJob(FACE_DETECTION_TFLITE, 'latency'), 'wasm', BROWSER)).toEqual({
      plans: [{ label: 'litert/wasm', runtime: 'litert', executionProvider: 'wasm' }],
      skipped: [],
    });
  });

  it('keeps the order of settings.runtimes, drops duplicates, and skips what the format rules out', () => {
    const job = makeTfliteJob(FACE_DETECTION_TFLITE, 'latency', { runtimes: ['litert/webgpu', 'onnxruntime-web/wasm', 'litert/wasm', 'litert/webgpu', 'tflite-gpu'] });
    const { plans, skipped } = planRuntimes(job, 'wasm', WITH_GPU);
    expect(plans.map((p) => p.label)).toEqual(['litert/webgpu', 'litert/wasm']);
    expect(skipped.map((s) => s.runtime)).toEqual(['onnxruntime-web/wasm', 'tflite-gpu']);
  });

  it('refuses a candidate and a baseline of different formats for one interleaved A/B', () => {
    const job = makeTfliteJob(FACE_DETECTION_TFLITE, 'latency');
    const onnxBaseline = { ...job.model, format: 'onnx' as const, version: '1' };
    expect(() => planRuntimes({ ...job, baseline: onnxBaseline }, 'wasm', BROWSER)).toThrow(/one format, not tflite and onnx/);
  });
});

describe('withOtherRuntimes', () => {
  const result = (runtime: string, sample: number): DriverResult => ({
    summary: { kind: 'parity', samples: 1, outputs: [], reference: { runtime: 'litert', executionProvider: 'wasm', settings: '' } },
    rawSamples: [sample],
    environment: { runtime, runtimeVersion: '1', executionProvider: 'wasm', threads: 1, graphOptimization: '', warmupMinRuns: 1, warmupMinSeconds: 0, measureMinRuns: 1, measureMinSeconds: 0, measureMaxRuns: 1, measureMaxSeconds: 1, inputSource: 'generated', inputSeed: 1, inputShapes: {}, thermalState: 'unavailable', os: '', cpu: '', extra: { a: 1 } },
  });

  it('one runtime and nothing skipped: the result as it is', () => {
    const only = result('litert', 1);
    expect(withOtherRuntimes([{ label: 'litert/wasm', result: only }], [])).toBe(only);
  });

  it('the first runtime is the result; the others ride along whole in environment.extra.runtimes', () => {
    const merged = withOtherRuntimes(
      [
        { label: 'litert/webgpu', result: result('litert', 1) },
        { label: 'litert/wasm', result: result('litert', 2) },
      ],
      [{ runtime: 'onnxruntime-web/wasm', reason: 'format' }],
    );
    expect(merged.rawSamples).toEqual([1]);
    expect(merged.environment.extra).toMatchObject({
      a: 1,
      runtimeLabel: 'litert/webgpu',
      runtimes: [{ runtime: 'litert/wasm', rawSamples: [2], summary: { kind: 'parity' }, environment: { runtime: 'litert' } }],
      runtimesSkipped: [{ runtime: 'onnxruntime-web/wasm', reason: 'format' }],
    });
  });
});
