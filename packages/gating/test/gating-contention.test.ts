/** Latency measured under contention is no evidence either way: rules on it are inconclusive, with the reason. */
import { describe, expect, it } from 'vitest';
import { contentionOf, evaluateGate, needsConfirmation, parsePolicy, type GateEvidence, type Measurement } from '../src/index.ts';

const device = (id: string) => ({ id, localKey: id, platform: 'linux', tier: 'mid' as const, model: `Model ${id}`, soc: null, healthy: true });
const samples = (median: number) => Array.from({ length: 40 }, (_, i) => median * (1 + ((i % 9) - 4) * 0.005));
const latency = (deviceId: string, role: 'candidate' | 'baseline', median: number, contention: string | null = null): Measurement => ({
  jobId: `${deviceId}-${role}`,
  deviceId,
  role,
  benchmark: 'latency',
  runtime: 'tflite',
  status: 'succeeded',
  error: null,
  summary: { kind: 'latency', stats: { p50: median, p90: median * 1.02 } },
  rawSamples: samples(median),
  thermalState: 'nominal',
  contention,
});
const evidence = (measurements: Measurement[], over: Partial<GateEvidence> = {}): GateEvidence => ({
  candidate: { version: '2.0.0', sizeBytes: 1, gzipSizeBytes: 1 },
  baseline: { version: '1.0.0', sizeBytes: 1, gzipSizeBytes: 1 },
  devices: [device('a'), device('b')],
  measurements,
  noiseFloors: {},
  populations: {},
  ...over,
});
const REASON = '3.1 other runnable tasks on average (1.55 per core, max 4; limit 1 per core)';

describe('gate rules on contended measurements', () => {
  it('contentionOf reads the stored environment: only contended: true counts', () => {
    expect(contentionOf({ contended: true, contentionReasons: ['a', 'b'] })).toBe('a; b');
    expect(contentionOf({ contended: true })).toBe('the agent flagged it contended');
    expect(contentionOf({ contended: false, contentionReasons: ['a'] })).toBeNull();
    expect(contentionOf({ thermalState: 'nominal' })).toBeNull();
    expect(contentionOf(null)).toBeNull();
  });

  it('a threshold rule is inconclusive on the contended device and still decided on the quiet one', () => {
    const policy = parsePolicy('version: 1\nrules:\n  - type: threshold\n    metric: latency.p50\n    max: 10ms\n');
    const d = evaluateGate(policy, evidence([latency('a', 'candidate', 5, REASON), latency('b', 'candidate', 5)]));
    expect(d.results.map((r) => [r.device?.localKey, r.status])).toEqual([
      ['a', 'inconclusive'],
      ['b', 'pass'],
    ]);
    expect(d.results[0]?.explanation).toBe(`measured under contention on a (linux, mid): ${REASON}`);
    expect(d.verdict).toBe('inconclusive');
    expect(needsConfirmation(d)).toBe(true);
    // a failing value is not a fail either when contended
    const slow = evaluateGate(policy, evidence([latency('a', 'candidate', 50, REASON)]));
    expect(slow.results[0]?.status).toBe('inconclusive');
  });

  it('a relative rule is inconclusive when either side was contended, and names which', () => {
    const policy = parsePolicy('version: 1\nstatistics: { minSamples: 30, bootstrapIterations: 200 }\nrules:\n  - type: relative\n    metric: latency.p50\n    maxIncrease: 5%\n');
    const quiet = evaluateGate(policy, evidence([latency('a', 'candidate', 5), latency('a', 'baseline', 5)]));
    expect(quiet.results[0]?.status).toBe('pass');
    const d = evaluateGate(policy, evidence([latency('a', 'candidate', 5), latency('a', 'baseline', 5, REASON)]));
    expect(d.results[0]?.status).toBe('inconclusive');
    expect(d.results[0]?.explanation).toBe(`measured under contention on a (linux, mid) (baseline): ${REASON}`);
  });

  it('a population rule counts the users of a contended device as unmeasured', () => {
    const policy = parsePolicy('version: 1\nrules:\n  - type: population\n    population: users\n    metric: latency.p50\n    max: 10ms\n    users: 90%\n');
    const populations = { users: [{ model: 'Model a', share: 50 }, { model: 'Model b', share: 50 }] };
    const quiet = evaluateGate(policy, evidence([latency('a', 'candidate', 5), latency('b', 'candidate', 5)], { populations }));
    expect(quiet.results[0]?.status).toBe('pass');
    const d = evaluateGate(policy, evidence([latency('a', 'candidate', 5, REASON), latency('b', 'candidate', 5)], { populations }));
    expect(d.results[0]?.status).toBe('inconclusive');
    expect(d.results[0]?.explanation).toContain('50.0% unmapped or unmeasured');
  });
});
