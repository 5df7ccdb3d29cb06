import { describe, expect, it } from 'vitest';
import { evaluateGate, needsConfirmation, parsePolicy, PolicyError, type GateEvidence, type Measurement } from '../src/index.ts';

const device = (id: string, tier: 'low' | 'mid' | 'high', extra: Partial<GateEvidence['devices'][number]> = {}) => ({
  id,
  localKey: id,
  platform: 'android',
  tier,
  model: null,
  soc: null,
  healthy: true,
  ...extra,
});

/** 40 latency samples around `median` (spread ±2%), deterministic. */
const samples = (median: number, n = 40) => Array.from({ length: n }, (_, i) => median * (1 + ((i % 9) - 4) * 0.005));
const latency = (deviceId: string, role: 'candidate' | 'baseline', median: number, extra: Partial<Measurement> = {}): Measurement => ({
  jobId: `${deviceId}-${role}`,
  deviceId,
  role,
  benchmark: 'latency',
  runtime: 'tflite',
  status: 'succeeded',
  error: null,
  summary: { kind: 'latency', stats: { p50: median, p90: median * 1.02 }, peakMemoryBytes: 50e6 },
  rawSamples: samples(median),
  thermalState: 'nominal',
  ...extra,
});
const accuracy = (deviceId: string, role: 'candidate' | 'baseline', top1: number): Measurement => ({
  jobId: `${deviceId}-${role}-acc`,
  deviceId,
  role,
  benchmark: 'accuracy',
  runtime: 'tflite',
  status: 'succeeded',
  error: null,
  summary: { kind: 'accuracy', top1, top5: 0.99 },
  rawSamples: [],
  thermalState: null,
});

const evidence = (measurements: Measurement[], over: Partial<GateEvidence> = {}): GateEvidence => ({
  candidate: { version: '2.0.0', sizeBytes: 4_000_000, gzipSizeBytes: 3_010_000 },
  baseline: { version: '1.0.0', sizeBytes: 3_900_000, gzipSizeBytes: 3_000_000 },
  devices: [device('a', 'low'), device('b', 'mid')],
  measurements,
  noiseFloors: {},
  populations: {},
  ...over,
});

const POLICY = `version: 1
statistics: { minSamples: 30, bootstrapIterations: 400 }
rules:
  - type: relative
    metric: latency.p50
    maxIncrease: 5%
  - type: relative
    metric: accuracy.top1
    maxDecrease: 0.5pp
  - type: threshold
    metric: model.gzipDelta
    max: 16KB
  - type: coverage
    tiers: [low, mid]
`;

describe('parsePolicy', () => {
  it('names the file, line, column and field path of every problem', () => {
    const text = 'version: 1\nrules:\n  - type: threshold\n    metric: latency.p90\n    maxx: 50ms\n  - type: relatve\n    metric: latency.p50\n';
    const err = (() => {
      try {
        parsePolicy(text, 'edgeproof.policy.yaml');
      } catch (e) {
        return e as PolicyError;
      }
      throw new Error('expected a PolicyError');
    })();
    expect(err).toBeInstanceOf(PolicyError);
    expect(err.issues.map((i) => [i.path, i.line])).toEqual([
      ['rules[0].maxx', 5],
      ['rules[0].max', 3],
      ['rules[1].type', 6],
    ]);
    expect(err.message).toContain('edgeproof.policy.yaml:5:5: rules[0].maxx: unknown field');
    expect(err.message).toContain("rules[1].type: Invalid discriminator value. Expected 'threshold' | 'relative' | 'coverage' | 'population'");
  });

  it('reports YAML syntax errors with their position, and unit mistakes with what was expected', () => {
    expect(() => parsePolicy('version: 1\nrules: [\n', 'p.yaml')).toThrow(/^p\.yaml:\d+:\d+: YAML: /);
    expect(() => parsePolicy('version: 1\nrules:\n  - { type: threshold, metric: model.size, max: 5 parsecs }\n', 'p.yaml')).toThrow(
      'p.yaml:3:44: rules[0].max: expected a number of bytes or a size like "5MB" or "512KiB" for model.size, got "5 parsecs"',
    );
    expect(() => parsePolicy('version: 1\nrules:\n  - { type: relative, metric: accuracy.top1, maxIncrease: 5% }\n')).toThrow(/rules\[0\]\.maxIncrease: accuracy\.top1 is higher-is-better: use maxDecrease/);
  });

  it('applies defaults and converts units', () => {
    const p = parsePolicy(POLICY);
    expect(p.baseline).toBe('approved');
    expect(p.scope.channel).toBe('production');
    expect(p.rules[0]).toMatchObject({ type: 'relative', allowed: 0.05, confidence: 0.95, direction: 'increase' });
    expect(p.rules[1]).toMatchObject({ allowed: 0.005, direction: 'decrease' });
    expect(p.rules[2]).toMatchObject({ bound: 'max', value: 16_000 });
  });
});

describe('evaluateGate', () => {
  const policy = parsePolicy(POLICY);

  it('passes equal builds and reports CI, p-value and an explanation per device', () => {
    const d = evaluateGate(policy, evidence([latency('a', 'candidate', 10), latency('a', 'baseline', 10), latency('b', 'candidate', 5), latency('b', 'baseline', 5), accuracy('a', 'candidate', 0.9), accuracy('a', 'baseline', 0.902)]));
    expect(d.verdict).toBe('pass');
    const lat = d.results.filter((r) => r.metric === 'latency.p50');
    expect(lat).toHaveLength(2);
    expect(lat[0]).toMatchObject({ device: { id: 'a' }, observed: 1, threshold: 1.05, status: 'pass' });
    expect(lat[0]?.ci?.upper).toBeLessThanOrEqual(1.05);
    expect(lat[0]?.pValue).toBeGreaterThan(0.3);
    expect(d.results.find((r) => r.metric === 'accuracy.top1')?.explanation).toBe('a (android, low): 90.00% vs 90.20% (down 0.20%; allowed drop 0.50%)');
    expect(d.results.find((r) => r.metric === 'model.gzipDelta')).toMatchObject({ observed: 10_000, threshold: 16_000, status: 'pass' });
  });

  it('fails a regression whose whole interval is above the allowance, and a real accuracy drop', () => {
    const d = evaluateGate(
      policy,
      evidence([latency('a', 'candidate', 13), latency('a', 'baseline', 10), accuracy('a', 'candidate', 0.88), accuracy('a', 'baseline', 0.9), latency('b', 'candidate', 5)], {
        candidate: { version: '2.0.0', sizeBytes: 4_000_000, gzipSizeBytes: 3_020_000 },
      }),
    );
    expect(d.verdict).toBe('fail');
    expect(d.results.find((r) => r.metric === 'model.gzipDelta')).toMatchObject({ observed: 20_000, status: 'fail' });
    expect(d.results.find((r) => r.metric === 'latency.p50' && r.device?.id === 'a')).toMatchObject({ status: 'fail', observed: expect.closeTo(1.3, 6) });
    expect(d.results.find((r) => r.metric === 'accuracy.top1')?.status).toBe('fail');
    expect(needsConfirmation(d)).toBe(true);
  });

  it('is inconclusive on a throttled device, with too few samples, or when a job failed; never fails on them', () => {
    const d = evaluateGate(policy, evidence([
      latency('a', 'candidate', 20, { thermalState: 'serious' }),
      latency('a', 'baseline', 10),
      latency('b', 'candidate', 20, { rawSamples: samples(20, 10) }),
      latency('b', 'baseline', 10, { rawSamples: samples(10, 10) }),
    ]));
    const lat = d.results.filter((r) => r.metric === 'latency.p50');
    expect(lat.map((r) => r.status)).toEqual(['inconclusive', 'inconclusive']);
    expect(lat[0]?.explanation).toContain('throttled during the measurement (thermal state serious/nominal)');
    expect(lat[1]?.explanation).toContain('10/10 samples, fewer than 30');
    const failedJob = evaluateGate(policy, evidence([latency('a', 'candidate', 10), latency('a', 'baseline', 10, { status: 'failed', error: 'device lost' })]));
    expect(failedJob.results.find((r) => r.metric === 'latency.p50')?.explanation).toBe('a (android, low): the baseline job failed: device lost');
  });

  it('leaves noisy devices out of relative rules when asked, skips relative rules without a baseline, and checks coverage', () => {
    const noisy = parsePolicy(POLICY.replace('maxIncrease: 5%', 'maxIncrease: 5%\n    excludeNoisyDevices: true'));
    const d = evaluateGate(noisy, evidence([latency('a', 'candidate', 13), latency('a', 'baseline', 10)], { noiseFloors: { a: 0.12 } }));
    expect(d.results[0]).toMatchObject({ status: 'skipped', explanation: 'a (android, low) is noisy (A/A noise floor 12.0% > 5.0%): left out' });
    expect(d.results.find((r) => r.type === 'coverage')).toMatchObject({ status: 'fail', explanation: expect.stringContaining('tier mid has 0 of 1') });
    const first = evaluateGate(policy, evidence([latency('a', 'candidate', 13), latency('b', 'candidate', 3)], { baseline: null }));
    expect(first.results.filter((r) => r.type === 'relative').map((r) => r.status)).toEqual(['skipped', 'skipped']);
    expect(first.results.find((r) => r.type === 'coverage')?.status).toBe('pass');
  });

  it('does not ask for a confirmation run when only model-file facts fail', () => {
    const onlySize = parsePolicy('version: 1\nrules:\n  - { type: threshold, metric: model.size, max: 1MB }\n');
    const d = evaluateGate(onlySize, evidence([]));
    expect(d.verdict).toBe('fail');
    expect(needsConfirmation(d)).toBe(false);
  });
});
