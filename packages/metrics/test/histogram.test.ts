import { describe, expect, it } from 'vitest';
import { binSorted, boxQuantiles, sharedBinEdges } from '../src/index.ts';

describe('histogram', () => {
  it('box quantiles follow numpy type 7', () => {
    const q = boxQuantiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // numpy.percentile([1..10], [5, 25, 50, 75, 95, 99]) = 1.45, 3.25, 5.5, 7.75, 9.55, 9.91
    expect(q).toEqual({ min: 1, p5: 1.45, p25: 3.25, p50: 5.5, p75: 7.75, p95: 9.549999999999999, p99: 9.91, max: 10 });
  });

  it('shares edges across samples over the trimmed range', () => {
    const a = Array.from({ length: 101 }, (_, i) => i); // 0..100
    const b = Array.from({ length: 101 }, (_, i) => 50 + i); // 50..150
    const edges = sharedBinEdges([a, b], 4, 0);
    expect(edges).toEqual([0, 37.5, 75, 112.5, 150]);
    expect(sharedBinEdges([[], []], 4)).toEqual([]);
    // one repeated value still gives a bin around it
    const flat = sharedBinEdges([[2, 2, 2]], 2);
    expect(flat[0]).toBeLessThan(2);
    expect(flat[2]).toBeGreaterThan(2);
    expect(() => sharedBinEdges([a], 0)).toThrow(/bins/);
  });

  it('counts every sample once, outliers apart', () => {
    const sorted = [-1, 0, 0.5, 1, 1.999, 2, 3, 4, 9];
    const r = binSorted(sorted, [0, 1, 2, 4]);
    expect(r).toEqual({ counts: [2, 2, 3], below: 1, above: 1 });
    expect(r.counts.reduce((s, c) => s + c, 0) + r.below + r.above).toBe(sorted.length);
  });
});
