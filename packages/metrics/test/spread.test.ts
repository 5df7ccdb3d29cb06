import { describe, expect, it } from 'vitest';
import { MAD_NORMAL_CONSISTENCY, medianAbsoluteDeviation, relativeSpread } from '../src/index.ts';

describe('medianAbsoluteDeviation / relativeSpread', () => {
  it('computes the raw MAD', () => {
    // median 2; |x − 2| = 1,1,0,0,2,4,7 → median 1
    expect(medianAbsoluteDeviation([1, 1, 2, 2, 4, 6, 9])).toBe(1);
    expect(medianAbsoluteDeviation([5])).toBe(0);
  });

  it('computes MAD / |median|', () => {
    // median 10, deviations 1,0,1,0,10 → MAD 1
    expect(relativeSpread([9, 10, 11, 10, 20])).toBeCloseTo(0.1, 12);
    expect(relativeSpread([-9, -10, -11])).toBeCloseTo(0.1, 12);
    expect(relativeSpread([3, 3, 3])).toBe(0);
    expect(MAD_NORMAL_CONSISTENCY).toBeCloseTo(1 / 0.6744897501960817, 12);
  });

  it('rejects empty, non-finite, and zero-median input', () => {
    expect(() => medianAbsoluteDeviation([])).toThrow(/empty/);
    expect(() => relativeSpread([1, Number.POSITIVE_INFINITY])).toThrow(RangeError);
    expect(() => relativeSpread([-1, 0, 1])).toThrow(/median is 0/);
  });
});
