/** One device measuring a model on several runtimes: each runtime is judged on its own, and `where: {runtime}` picks them. */
import { describe, expect, it } from 'vitest';
import { evaluateGate, parsePolicy, PolicyError, type GateEvidence, type Measurement } from '../src/index.ts';

const samples = (median: number) => Array.from({ length: 40 }, (_, i) => median * (1 + ((i % 9) - 4) * 0.005));
const latency = (deviceId: string, role: 'candidate' | 'baseline', runtime: string, median: number): Measurement => ({
  jobId: `${deviceId}-${role}-${runtime}`,
  deviceId,
  role,
  benchmark: 'latency',
  runtime,
  status: 'succeeded',
  error: null,
  summary: { kind: 'latency', stats: { p50: median, p90: median * 1.02 }, peakMemoryBytes: 50e6 },
  rawSamples: samples(median),
  thermalState: 'unavailable',
});
const evidence = (measurements: Measurement[]): GateEvidence => ({
  candidate: { version: '2.0.0', sizeBytes: 4_000_000, gzipSizeBytes: 3_000_000 },
  baseline: { version: '1.0.0', sizeBytes: 4_000_000, gzipSizeBytes: 3_000_000 },
  devices: [{ id: 'b1', localKey: 'browser-1', platform: 'browser', tier: 'low', model: 'Chromium 156', soc: null, healthy: true }],
  measurements,
  noiseFloors: {},
  populations: {},
});

// candidate vs baseline: unchanged on LiteRT.js, 30% slower on onnxruntime-web
const both = evidence([
  latency('b1', 'candidate', 'onnxruntime-web/wasm', 13),
  latency('b1', 'candidate', 'litert/wasm', 8),
  latency('b1', 'baseline', 'onnxruntime-web/wasm', 10),
  latency('b1', 'baseline', 'litert/wasm', 8),
]);

describe('rules on a device that measured several runtimes', () => {
  it('a rule without a runtime judges each runtime, and says which', () => {
    const d = evaluateGate(parsePolicy('version: 1\nrules:\n  - { type: threshold, metric: latency.p50, max: 12ms }\n'), both);
    expect(d.results.map((r) => [r.runtime, r.status])).toEqual([
      ['onnxruntime-web/wasm', 'fail'],
      ['litert/wasm', 'pass'],
    ]);
    expect(d.results[0]?.explanation).toMatch(/^browser-1 \(browser, low\) on onnxruntime-web\/wasm: /);
    expect(d.verdict).toBe('fail');
  });

  it('where: {runtime} keeps only that runtime; a relative rule compares candidate and baseline on the same runtime', () => {
    const policy = parsePolicy(`version: 1
statistics: { minSamples: 30, bootstrapIterations: 400 }
rules:
  - { type: relative, metric: latency.p50, maxIncrease: 5%, where: { runtime: litert/wasm } }
  - { type: threshold, metric: latency.p50, max: 12ms, where: { runtime: litert/wasm } }
`);
    const d = evaluateGate(policy, both);
    expect(d.results.map((r) => [r.type, r.runtime, r.status])).toEqual([
      ['relative', 'litert/wasm', 'pass'],
      ['threshold', 'litert/wasm', 'pass'],
    ]);
    expect(d.results[0]?.observed).toBeCloseTo(1, 6);
    expect(d.verdict).toBe('pass');

    const onnx = evaluateGate(parsePolicy('version: 1\nstatistics: { minSamples: 30, bootstrapIterations: 400 }\nrules:\n  - { type: relative, metric: latency.p50, maxIncrease: 5%, where: { runtimes: [onnxruntime-web/wasm] } }\n'), both);
    expect(onnx.results).toHaveLength(1);
    expect(onnx.results[0]).toMatchObject({ runtime: 'onnxruntime-web/wasm', status: 'fail' });
    expect(onnx.results[0]?.observed).toBeCloseTo(1.3, 6);
  });

  it('a runtime nobody measured is inconclusive, naming it; a single-runtime device is not labelled with its runtime', () => {
    const d = evaluateGate(parsePolicy('version: 1\nrules:\n  - { type: threshold, metric: latency.p50, max: 12ms, where: { runtime: litert/webgpu } }\n'), both);
    expect(d.results).toEqual([expect.objectContaining({ status: 'inconclusive', explanation: 'no latency result on runtime litert/webgpu' })]);
    const one = evaluateGate(parsePolicy('version: 1\nrules:\n  - { type: threshold, metric: latency.p50, max: 12ms }\n'), evidence([latency('b1', 'candidate', 'litert/wasm', 8)]));
    expect(one.results[0]).toMatchObject({ runtime: 'litert/wasm', status: 'pass' });
    expect(one.results[0]?.explanation).toMatch(/^browser-1 \(browser, low\): /);
  });

  it('runtime and runtimes together are refused, naming the field', () => {
    expect(() => parsePolicy('version: 1\nrules:\n  - { type: threshold, metric: latency.p50, max: 12ms, where: { runtime: a, runtimes: [b] } }\n', 'p.yaml')).toThrow(PolicyError);
    expect(() => parsePolicy('version: 1\nrules:\n  - { type: threshold, metric: latency.p50, max: 12ms, where: { runtime: a, runtimes: [b] } }\n', 'p.yaml')).toThrow(/rules\[0\]\.where\.runtime: give runtime or runtimes, not both/);
  });
});
