/** `edgeproof run runtimes`: one row per device, version and runtime, every figure in its column. */
import type { RuntimeRow } from '@edgeproof/contracts';
import { describe, expect, it } from 'vitest';
import { renderRuntimeTable } from '../src/render/runtime-table.ts';

const device = { id: '00000000-0000-4000-8000-000000000001', localKey: 'browser-1', platform: 'browser', tier: 'low' as const, model: 'Chromium 156' };
const row = (over: Partial<RuntimeRow>): RuntimeRow => ({
  device,
  version: '1.3.0-onnx',
  format: 'onnx',
  role: 'candidate',
  runtime: 'onnxruntime-web/wasm',
  runtimeVersion: '1.30.0',
  sizeBytes: 408_000,
  gzipSizeBytes: 380_000,
  latency: { p50: 0.0412, p90: 0.05, p99: 0.09, runs: 500, sessionCreateMs: 14.2, firstInferenceMs: 0.3, interleaved: false, contended: null },
  peakMemoryBytes: null,
  accuracy: { top1: 0.9733, top5: 1, samples: 300 },
  parity: { maxAbsError: 2.4e-7, minCosine: 1, samples: 8, reference: 'onnxruntime-node/cpu (threads=1)' },
  failures: [],
  ...over,
});

describe('renderRuntimeTable', () => {
  it('puts the ONNX and TFLite forms side by side with their figures, and marks contention and failures', () => {
    const text = renderRuntimeTable([
      row({}),
      row({ version: '1.3.0-tflite', format: 'tflite', role: 'variant', runtime: 'litert/wasm', runtimeVersion: '2.5.3', sizeBytes: 410_000, latency: { p50: 0.0301, p90: 0.04, p99: 0.07, runs: 500, sessionCreateMs: 9, firstInferenceMs: 0.2, interleaved: false, contended: 'steal 30%' } }),
      row({ version: '1.2.0', role: 'baseline', latency: null, accuracy: null, parity: null, failures: [{ benchmark: 'parity', error: 'crashed' }] }),
    ]);
    const lines = text.split('\n').filter((l) => l.includes('browser-1'));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/1\.3\.0-onnx onnx.*onnxruntime-web\/wasm 1\.30\.0.*0\.0412.*0\.09.*14\.2.*n\/a.*398\.4 KiB.*371\.1 KiB.*97\.33%.*2\.40e-7/);
    expect(lines[1]).toMatch(/1\.3\.0-tflite tflite \(variant\).*litert\/wasm 2\.5\.3.*0\.0301 CONTENDED/);
    expect(lines[2]).toMatch(/1\.2\.0 onnx \(baseline\).*failed: parity/);
  });
});
