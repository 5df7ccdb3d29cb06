/** Drivers report the interleaved baseline and other runtimes in `extra`; the API stores them in typed fields. */
import { describe, expect, it } from 'vitest';
import { resultRuntime, typedEnvironment, type LatencySummary, type ResultEnvironment } from '@edgeproof/contracts';
import { summarize } from '@edgeproof/metrics';

const summary: LatencySummary = {
  kind: 'latency',
  unit: 'ms',
  sessionCreateMs: 3,
  firstInferenceMs: 1,
  warmup: { runs: 5, seconds: 0.2 },
  measure: { runs: 3, seconds: 0.01 },
  stats: summarize([2, 2, 2]),
  peakMemoryBytes: null,
};
const env = (runtime: string, extra: Record<string, unknown>): ResultEnvironment => ({
  runtime,
  runtimeVersion: '1',
  executionProvider: 'wasm',
  threads: 1,
  graphOptimization: 'all',
  warmupMinRuns: 1,
  warmupMinSeconds: 0,
  measureMinRuns: 1,
  measureMinSeconds: 0,
  measureMaxRuns: 10,
  measureMaxSeconds: 1,
  inputSource: 'generated',
  inputSeed: 1,
  inputShapes: {},
  thermalState: 'unavailable',
  os: 'linux',
  cpu: 'x',
  extra,
});
const interleaved = { order: 'A B B A', baseline: { version: '1.0.0', sha256: 'ab', summary, rawSamples: [2, 2, 2] } };

describe('typedEnvironment', () => {
  it('lifts interleaved, runtimes and runtimeLabel out of extra, also inside each other runtime', () => {
    const typed = typedEnvironment(
      env('onnxruntime-web', {
        browser: 'Chromium',
        runtimeLabel: 'onnxruntime-web/wasm',
        interleaved,
        runtimes: [{ runtime: 'litert/wasm', summary, rawSamples: [1], environment: env('litert', { interleaved }) }],
      }),
    );
    expect(typed.extra).toEqual({ browser: 'Chromium' });
    expect(typed.interleaved?.baseline.rawSamples).toEqual([2, 2, 2]);
    expect(typed.runtimeLabel).toBe('onnxruntime-web/wasm');
    expect(typed.runtimes?.[0]?.environment.interleaved?.baseline.version).toBe('1.0.0');
    expect(typed.runtimes?.[0]?.environment.extra).toEqual({});
    expect(resultRuntime(typed)).toBe('onnxruntime-web/wasm');
    expect(resultRuntime(env('litert', {}))).toBe('litert/wasm');
    expect(resultRuntime(env('onnxruntime-node', {}))).toBe('onnxruntime-node');
  });

  it('leaves an environment without them as it is, and refuses a malformed baseline', () => {
    const plain = env('onnxruntime-node', { node: 'v20' });
    expect(typedEnvironment(plain)).toBe(plain);
    expect(() => typedEnvironment(env('onnxruntime-node', { interleaved: { order: 'x', baseline: { version: '1' } } }))).toThrow(/sha256|summary|rawSamples/);
  });
});
