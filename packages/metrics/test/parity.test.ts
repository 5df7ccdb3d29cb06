import { describe, expect, it } from 'vitest';
import { ParityOutput } from '@edgeproof/contracts';
import { NON_FINITE_ERROR, ParityAccumulator } from '../src/index.ts';

describe('ParityAccumulator', () => {
  it('reports zero error and cosine 1 for identical outputs', () => {
    const p = new ParityAccumulator();
    p.add('logits', Float32Array.from([0.5, -1, 2]), [0.5, -1, 2]);
    expect(p.summary()).toEqual([
      { name: 'logits', elements: 3, maxAbsError: 0, meanAbsError: 0, cosineSimilarity: 1, nonFiniteMismatches: 0 },
    ]);
  });

  it('computes errors and cosine over the concatenation of all samples', () => {
    const p = new ParityAccumulator();
    p.add('y', [1, 2], [1, 2]);
    p.add('y', [3], [4]);
    const [y] = p.summary();
    expect(y?.elements).toBe(3);
    expect(y?.maxAbsError).toBe(1);
    expect(y?.meanAbsError).toBeCloseTo(1 / 3, 12);
    // d = (1,2,3), r = (1,2,4): d·r = 17, |d| = √14, |r| = √21
    expect(y?.cosineSimilarity).toBeCloseTo(17 / Math.sqrt(14 * 21), 12);
    expect(ParityOutput.parse(y)).toMatchObject({ name: 'y', elements: 3 });
  });

  it('keeps outputs apart, in first-added order', () => {
    const p = new ParityAccumulator();
    p.add('b', [1], [1]);
    p.add('a', [0, 0], [0, 1]);
    p.add('b', [2], [2]);
    expect(p.summary().map((o) => [o.name, o.elements])).toEqual([['b', 2], ['a', 2]]);
  });

  it('gives cosine 1 for identical all-zero outputs and null when only one norm is zero', () => {
    const p = new ParityAccumulator();
    p.add('zeros', [0, 0, 0], [0, 0, 0]);
    p.add('deadDevice', [0, 0], [1, 2]);
    p.add('empty', [], []);
    const byName = Object.fromEntries(p.summary().map((o) => [o.name, o]));
    expect(byName['zeros']?.cosineSimilarity).toBe(1);
    expect(byName['deadDevice']?.cosineSimilarity).toBeNull();
    expect(byName['deadDevice']?.maxAbsError).toBe(2);
    expect(byName['empty']).toMatchObject({ elements: 0, maxAbsError: 0, meanAbsError: 0, cosineSimilarity: 1 });
  });

  it('gives cosine -1 for opposite vectors', () => {
    const p = new ParityAccumulator();
    p.add('x', [1, -2], [-1, 2]);
    expect(p.summary()[0]?.cosineSimilarity).toBeCloseTo(-1, 12);
  });

  it('treats NaN on one side as a non-finite mismatch and NaN on both sides as agreement', () => {
    const p = new ParityAccumulator();
    p.add('x', [Number.NaN, 1, Number.NaN, Number.POSITIVE_INFINITY], [0, 1, Number.NaN, Number.POSITIVE_INFINITY]);
    const [x] = p.summary();
    expect(x?.maxAbsError).toBe(NON_FINITE_ERROR);
    expect(x?.meanAbsError).toBe(NON_FINITE_ERROR / 4);
    expect(x?.nonFiniteMismatches).toBe(1);
    // only the finite pair (1, 1) enters the cosine
    expect(x?.cosineSimilarity).toBe(1);
    // contract-valid: z.number() rejects Infinity and NaN
    expect(() => ParityOutput.parse(x)).not.toThrow();
  });

  it('treats different infinities as a non-finite mismatch and caps sums that overflow', () => {
    const p = new ParityAccumulator();
    p.add('x', [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1], [Number.NEGATIVE_INFINITY, 5, 1]);
    const [x] = p.summary();
    expect(x?.nonFiniteMismatches).toBe(2);
    expect(x?.maxAbsError).toBe(NON_FINITE_ERROR);
    expect(x?.meanAbsError).toBe(NON_FINITE_ERROR);
    expect(() => ParityOutput.parse(x)).not.toThrow();
  });

  it('compares bigint exactly and booleans as 0/1', () => {
    const p = new ParityAccumulator();
    p.add('ids', BigInt64Array.from([9007199254740993n, 5n]), [9007199254740992n, 5n]);
    p.add('mask', [true, false, true], [true, true, true]);
    const byName = Object.fromEntries(p.summary().map((o) => [o.name, o]));
    expect(byName['ids']?.maxAbsError).toBe(1); // Number() of both would round to the same double
    expect(byName['mask']).toMatchObject({ elements: 3, maxAbsError: 1, meanAbsError: 1 / 3 });
  });

  it('throws on a length mismatch, naming the output', () => {
    const p = new ParityAccumulator();
    expect(() => p.add('boxes', [1, 2, 3], [1, 2])).toThrow(/"boxes".*3.*2/);
  });
});
