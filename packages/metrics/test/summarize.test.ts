import { describe, expect, it } from 'vitest';
import { SampleStats } from '@edgeproof/contracts';
import { percentile, summarize } from '../src/index.ts';

describe('percentile (Hyndman-Fan type 7, numpy default)', () => {
  const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('interpolates between closest ranks: h = (n-1)·p/100', () => {
    expect(percentile(oneToTen, 50)).toBeCloseTo(5.5, 12); // h = 4.5
    expect(percentile(oneToTen, 90)).toBeCloseTo(9.1, 12); // h = 8.1
    expect(percentile(oneToTen, 25)).toBeCloseTo(3.25, 12); // h = 2.25
    // numpy.percentile([3,6,7,8,8,9,10,13,15,16,20], 25) == 7.5 (h = 2.5, between 7 and 8)
    expect(percentile([3, 6, 7, 8, 8, 9, 10, 13, 15, 16, 20], 25)).toBeCloseTo(7.5, 12);
  });

  it('returns the extremes at p = 0 and p = 100 and exact ranks without interpolation', () => {
    expect(percentile(oneToTen, 0)).toBe(1);
    expect(percentile(oneToTen, 100)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3); // h = 2 exactly
    expect(percentile([42], 99)).toBe(42);
  });

  it('rejects an empty sample and p outside [0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(/empty/);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('summarizes 1..10 with hand-computed values', () => {
    const s = summarize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(s.count).toBe(10);
    expect(s.min).toBe(1);
    expect(s.max).toBe(10);
    expect(s.mean).toBeCloseTo(5.5, 12);
    expect(s.p50).toBeCloseTo(5.5, 12); // h = 4.5
    expect(s.p90).toBeCloseTo(9.1, 12); // h = 8.1
    expect(s.p95).toBeCloseTo(9.55, 12); // h = 8.55
    expect(s.p99).toBeCloseTo(9.91, 12); // h = 8.91
    // sum of squared deviations = 82.5; sample variance = 82.5 / 9
    expect(s.stdev).toBeCloseTo(Math.sqrt(82.5 / 9), 12);
    expect(s.cv).toBeCloseTo(Math.sqrt(82.5 / 9) / 5.5, 12);
    expect(SampleStats.parse(s)).toEqual(s);
  });

  it('gives stdev 0 and cv 0 for a single sample', () => {
    expect(summarize([5])).toEqual({
      count: 1, min: 5, mean: 5, p50: 5, p90: 5, p95: 5, p99: 5, max: 5, stdev: 0, cv: 0,
    });
  });

  it('handles two samples', () => {
    const s = summarize([1, 2]);
    expect(s.p50).toBeCloseTo(1.5, 12);
    expect(s.p90).toBeCloseTo(1.9, 12);
    expect(s.p95).toBeCloseTo(1.95, 12);
    expect(s.p99).toBeCloseTo(1.99, 12);
    expect(s.stdev).toBeCloseTo(Math.SQRT1_2, 12); // sqrt(((−0.5)² + 0.5²) / 1)
    expect(s.cv).toBeCloseTo(Math.SQRT1_2 / 1.5, 12);
  });

  it('sorts unsorted input without mutating it', () => {
    const input = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    const copy = [...input];
    const s = summarize(input);
    expect(input).toEqual(copy);
    expect(s).toEqual(summarize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  });

  it('reports cv 0 when the mean is 0', () => {
    const s = summarize([-1, 1]);
    expect(s.mean).toBe(0);
    expect(s.stdev).toBeCloseTo(Math.SQRT2, 12);
    expect(s.cv).toBe(0);
  });

  it('throws on empty or non-finite input', () => {
    expect(() => summarize([])).toThrow(/empty/);
    expect(() => summarize([1, Number.NaN])).toThrow(/samples\[1\]/);
    expect(() => summarize([Number.POSITIVE_INFINITY])).toThrow(RangeError);
  });
});
