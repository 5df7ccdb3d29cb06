import { describe, expect, it } from 'vitest';
import { compareLatency, noiseFloor, populationDecision, populationShares, seedFromText, seededRandom } from '../src/index.ts';

function lognormal(n: number, scale: number, sigma: number, random: () => number): number[] {
  return Array.from({ length: n }, () => {
    const u1 = 1 - random();
    const u2 = random();
    return scale * Math.exp(sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
  });
}

describe('compareLatency', () => {
  it('never declares a regression in 200 A/A trials (same distribution, +5% allowed)', () => {
    const gen = seededRandom(7);
    const counts = { pass: 0, fail: 0, inconclusive: 0 };
    for (let t = 0; t < 200; t++) {
      const r = compareLatency(lognormal(50, 10, 0.2, gen), lognormal(50, 10, 0.2, gen), { allowedRatio: 1.05, seed: t, iterations: 500 });
      counts[r.decision]++;
    }
    expect(counts.fail).toBe(0);
    // the interval is ±~8% wide with these samples, so most A/A comparisons cannot rule out +5%
    expect(counts.pass + counts.inconclusive).toBe(200);
  });

  it('detects a 1.5x slowdown in every one of 50 trials, with a small one-sided Mann-Whitney p', () => {
    const gen = seededRandom(11);
    for (let t = 0; t < 50; t++) {
      const r = compareLatency(lognormal(40, 15, 0.2, gen), lognormal(40, 10, 0.2, gen), { allowedRatio: 1.05, seed: t, iterations: 500 });
      expect(r.decision).toBe('fail');
      expect(r.reason).toBe('regression');
      expect(r.ci?.lower).toBeGreaterThan(1.05);
      expect(r.pValue).toBeLessThan(0.001);
    }
  });

  it('passes when the whole interval is under the allowance (tight samples, equal speed)', () => {
    const base = Array.from({ length: 60 }, (_, i) => 10 + (i % 5) * 0.01);
    const r = compareLatency(base, [...base].reverse(), { allowedRatio: 1.05, seed: 1 });
    expect(r).toMatchObject({ decision: 'pass', ratio: 1, reason: 'within-allowance' });
    expect(r.ci?.upper).toBeLessThanOrEqual(1.05);
  });

  it('is inconclusive when the interval spans the allowed ratio', () => {
    // hand-built: medians 10.5 vs 10 (ratio 1.05 exactly on the threshold), wide spread
    const base = Array.from({ length: 31 }, (_, i) => 5 + i / 3);
    const cand = base.map((v) => v * 1.05);
    const r = compareLatency(cand, base, { allowedRatio: 1.05, seed: 3 });
    expect(r.ratio).toBeCloseTo(1.05, 10);
    expect(r.decision).toBe('inconclusive');
    expect(r.reason).toBe('interval-spans-threshold');
    expect(r.ci!.lower).toBeLessThan(1.05);
    expect(r.ci!.upper).toBeGreaterThan(1.05);
  });

  it('is inconclusive with too few samples and does not compute anything', () => {
    const r = compareLatency([1, 2, 3], [1, 2, 3], { allowedRatio: 1.05, seed: 1, minSamples: 30 });
    expect(r).toEqual({ decision: 'inconclusive', ratio: null, ci: null, pValue: null, reason: 'too-few-samples' });
  });

  it('is deterministic for a seed', () => {
    const gen = seededRandom(5);
    const a = lognormal(40, 10, 0.3, gen);
    const b = lognormal(40, 10, 0.3, gen);
    expect(compareLatency(a, b, { allowedRatio: 1.05, seed: seedFromText('job-1') })).toEqual(
      compareLatency(a, b, { allowedRatio: 1.05, seed: seedFromText('job-1') }),
    );
  });
});

describe('population weighting', () => {
  it('splits hand-computed shares into passing, failing and unknown', () => {
    // 50 + 30 + 15 + 5 = 100; p90 ≤ 50 ms: 40 ms passes, 60 ms fails, unmapped is unknown, 50 ms passes (≤)
    const shares = populationShares(
      [
        { share: 50, value: 40 },
        { share: 30, value: 60 },
        { share: 15, value: null },
        { share: 5, value: 50 },
      ],
      'max',
      50,
    );
    expect(shares.passing).toBeCloseTo(0.55, 12);
    expect(shares.failing).toBeCloseTo(0.3, 12);
    expect(shares.unknown).toBeCloseTo(0.15, 12);
    expect(populationDecision(shares, 0.5)).toBe('pass');
    // 55% passing + 15% unknown can reach 70% but not 95%
    expect(populationDecision(shares, 0.7)).toBe('inconclusive');
    expect(populationDecision(shares, 0.95)).toBe('fail');
  });

  it('handles min bounds and rejects negative shares', () => {
    expect(populationShares([{ share: 1, value: 0.9 }, { share: 3, value: 0.7 }], 'min', 0.8)).toEqual({ passing: 0.25, failing: 0.75, unknown: 0 });
    expect(() => populationShares([{ share: -1, value: 1 }], 'max', 1)).toThrow(RangeError);
  });
});

describe('noiseFloor', () => {
  it('is the median |ratio − 1| over A/A pairs, with the worst one', () => {
    expect(noiseFloor([1.02, 0.97, 1.01, 1.1])).toEqual({ floor: expect.closeTo(0.025, 12), worst: expect.closeTo(0.1, 12) });
    expect(noiseFloor([])).toBeNull();
  });
});
