/** Minimal valid results, as an agent posts them, for tests that exercise the job protocol rather than measurements. */
const environment = {
  runtime: 'onnxruntime-node', runtimeVersion: '1.30.0', executionProvider: 'cpu', threads: 1, graphOptimization: 'all',
  warmupMinRuns: 1, warmupMinSeconds: 0.5, measureMinRuns: 3, measureMinSeconds: 0.1, measureMaxRuns: 10, measureMaxSeconds: 1,
  inputSource: 'generated', inputSeed: 42, inputShapes: { x: [1, 3, 48, 192] }, thermalState: 'nominal', os: 'linux', cpu: 'test cpu',
};

export function latencyResult(p50 = 5, attempt = 1) {
  return {
    attempt,
    summary: {
      kind: 'latency', unit: 'ms', sessionCreateMs: 1, firstInferenceMs: 1, warmup: { runs: 1, seconds: 0.1 }, measure: { runs: 3, seconds: 0.1 },
      stats: { count: 3, min: p50 - 1, mean: p50, p50, p90: p50 + 1, p95: p50 + 1, p99: p50 + 1, max: p50 + 1, stdev: 1, cv: 1 / p50 },
      peakMemoryBytes: null,
    },
    rawSamples: [p50 - 1, p50, p50 + 1],
    environment,
  };
}

export function parityResult(attempt = 1) {
  return {
    attempt,
    summary: {
      kind: 'parity', samples: 1, outputs: [{ name: 'y', elements: 2, maxAbsError: 0, meanAbsError: 0, cosineSimilarity: 1 }],
      reference: { runtime: 'onnxruntime-node', executionProvider: 'cpu', settings: 'default' },
    },
    rawSamples: [0],
    environment,
  };
}

export const resultFor = (benchmark: 'latency' | 'parity') => (benchmark === 'latency' ? latencyResult() : parityResult());
