import { median, quantileSorted, sampleWithReplacement } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { bootstrapRatioOfMedians, seededRandom } from '../src/index.ts';

/** Lognormal(μ = ln(scale), σ) samples via Box-Muller on the package's seeded PRNG. */
function lognormal(n: number, scale: number, sigma: number, random: () => number): number[] {
  return Array.from({ length: n }, () => {
    const u1 = 1 - random(); // (0, 1]
    const u2 = random();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return scale * Math.exp(sigma * z);
  });
}

/** The straightforward bootstrap (resample, then select the median of each resample): the reference the ranked version must reproduce bit for bit. */
function referenceBootstrap(candidate: number[], baseline: number[], seed: number, iterations: number, confidence: number) {
  const random = seededRandom(seed);
  const ratios: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const mc = median(sampleWithReplacement(candidate, candidate.length, random));
    ratios.push(mc / median(sampleWithReplacement(baseline, baseline.length, random)));
  }
  ratios.sort((x, y) => x - y);
  const alpha = (1 - confidence) / 2;
  return { lower: quantileSorted(ratios, alpha), upper: quantileSorted(ratios, 1 - alpha) };
}

describe('seededRandom', () => {
  it('is deterministic per seed and yields values in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(() => seededRandom(1.5)).toThrow(RangeError);
  });
});

describe('bootstrapRatioOfMedians', () => {
  const random = seededRandom(2024);
  const baseline = lognormal(40, 10, 0.3, random);
  const candidate = lognormal(40, 12, 0.3, random);

  it('is deterministic: the same seed gives an identical result, another seed a different one', () => {
    const r1 = bootstrapRatioOfMedians(candidate, baseline, { seed: 42 });
    const r2 = bootstrapRatioOfMedians(candidate, baseline, { seed: 42 });
    const r3 = bootstrapRatioOfMedians(candidate, baseline, { seed: 43 });
    expect(r2).toEqual(r1);
    expect(r3.ratio).toBe(r1.ratio);
    expect([r3.lower, r3.upper]).not.toEqual([r1.lower, r1.upper]);
    expect(r1.iterations).toBe(2000);
    expect(r1.confidence).toBe(0.95);
    expect(r1.lower).toBeLessThanOrEqual(r1.ratio);
    expect(r1.upper).toBeGreaterThanOrEqual(r1.ratio);
  });

  it('gives bit-identical intervals to resampling and selecting each median, for odd, even, tied and tiny samples', () => {
    const gen = seededRandom(11);
    const tied = Array.from({ length: 301 }, () => 1 + Math.floor(gen() * 7));
    const cases: Array<[number[], number[]]> = [
      [candidate, baseline],
      [lognormal(5000, 12, 0.4, gen), lognormal(4999, 10, 0.4, gen)],
      [lognormal(101, 3, 1, gen), lognormal(100, 3, 1, gen)],
      [tied, tied.slice(0, 300)],
      [[5], [2, 3]],
      [[1, 2], [7]],
    ];
    for (const [cand, base] of cases) {
      for (const seed of [1, 42, 2 ** 31 + 5]) {
        const got = bootstrapRatioOfMedians(cand, base, { seed, iterations: 300, confidence: 0.9 });
        const want = referenceBootstrap(cand, base, seed, 300, 0.9);
        expect([got.lower, got.upper]).toEqual([want.lower, want.upper]);
      }
    }
  });

  it('reports the observed ratio of medians', () => {
    const r = bootstrapRatioOfMedians([2, 4, 6], [1, 2, 3, 4], { seed: 1, iterations: 10 });
    expect(r.ratio).toBeCloseTo(4 / 2.5, 12);
  });

  it('contains 1 when both groups are the same sample', () => {
    const r = bootstrapRatioOfMedians(baseline, baseline, { seed: 3 });
    expect(r.ratio).toBe(1);
    expect(r.lower).toBeLessThanOrEqual(1);
    expect(r.upper).toBeGreaterThanOrEqual(1);
  });

  it('widens with the confidence level', () => {
    const narrow = bootstrapRatioOfMedians(candidate, baseline, { seed: 5, confidence: 0.5 });
    const wide = bootstrapRatioOfMedians(candidate, baseline, { seed: 5, confidence: 0.99 });
    expect(wide.lower).toBeLessThan(narrow.lower);
    expect(wide.upper).toBeGreaterThan(narrow.upper);
  });

  it('covers a known ratio of 1.2 in at least 90 of 100 seeded trials', () => {
    // population medians 10 and 12 (lognormal, σ = 0.3), 40 samples each
    const gen = seededRandom(99);
    let covered = 0;
    for (let trial = 0; trial < 100; trial++) {
      const base = lognormal(40, 10, 0.3, gen);
      const cand = lognormal(40, 12, 0.3, gen);
      const r = bootstrapRatioOfMedians(cand, base, { seed: trial });
      if (r.lower <= 1.2 && 1.2 <= r.upper) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(90);
  });

  it('rejects bad input', () => {
    expect(() => bootstrapRatioOfMedians([], [1], { seed: 1 })).toThrow(/candidate must not be empty/);
    expect(() => bootstrapRatioOfMedians([1], [0, 1], { seed: 1 })).toThrow(/baseline\[0\] must be > 0/);
    expect(() => bootstrapRatioOfMedians([1], [Number.NaN], { seed: 1 })).toThrow(RangeError);
    expect(() => bootstrapRatioOfMedians([1], [1], { seed: 1, iterations: 0 })).toThrow(/iterations/);
    expect(() => bootstrapRatioOfMedians([1], [1], { seed: 1, confidence: 1 })).toThrow(/confidence/);
  });
});
