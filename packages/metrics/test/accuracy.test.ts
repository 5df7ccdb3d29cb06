import { describe, expect, it } from 'vitest';
import { AccuracyAccumulator, topK } from '../src/index.ts';

describe('topK', () => {
  it('returns indices of the largest scores, best first', () => {
    expect(topK([0.1, 0.7, 0.2, 0.9, 0.05], 3)).toEqual([3, 1, 2]);
    expect(topK(Float32Array.from([3, 1, 2]), 1)).toEqual([0]);
  });

  it('breaks ties by lower index', () => {
    expect(topK([1, 5, 5, 1, 5], 2)).toEqual([1, 2]);
    expect(topK([0, 0, 0, 0], 4)).toEqual([0, 1, 2, 3]);
  });

  it('accepts k larger than the number of scores, and k = 0', () => {
    expect(topK([2, 3, 1], 10)).toEqual([1, 0, 2]);
    expect(topK([2, 3, 1], 0)).toEqual([]);
    expect(topK([], 5)).toEqual([]);
    expect(() => topK([1], -1)).toThrow(RangeError);
    expect(() => topK([1], 1.5)).toThrow(RangeError);
  });

  it('ranks NaN below everything, including -Infinity', () => {
    expect(topK([Number.NaN, Number.NEGATIVE_INFINITY, 0, Number.NaN], 4)).toEqual([2, 1, 0, 3]);
  });
});

describe('AccuracyAccumulator', () => {
  it('counts top-1, top-5 (top-all with fewer than 5 classes) and per-class figures', () => {
    const acc = new AccuracyAccumulator(['cat', 'dog', 'fox']);
    acc.add([0.1, 0.7, 0.2], 1); // predicted dog, correct
    acc.add([0.5, 0.5, 0.0], 1); // tie → cat (lower index), wrong; top-all contains dog
    acc.add(Float32Array.from([0.2, 0.1, 0.7]), 2); // fox, correct
    acc.add([0.6, 0.3, 0.1], 2); // cat, wrong
    expect(acc.summary()).toEqual({
      samples: 4,
      correctTop1: 2,
      correctTop5: 4,
      top1: 0.5,
      top5: 1,
      perClass: [
        { label: 'cat', count: 0, correctTop1: 0, predicted: 2 },
        { label: 'dog', count: 2, correctTop1: 1, predicted: 1 },
        { label: 'fox', count: 2, correctTop1: 1, predicted: 1 },
      ],
    });
  });

  it('uses the five best classes when there are more than five', () => {
    const labels = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const acc = new AccuracyAccumulator(labels);
    const scores = [7, 6, 5, 4, 3, 2, 1];
    acc.add(scores, 4); // 5th best: in top-5
    acc.add(scores, 5); // 6th best: not in top-5
    acc.add(scores, 0); // top-1
    const s = acc.summary();
    expect(s.correctTop1).toBe(1);
    expect(s.correctTop5).toBe(2);
    expect(s.top1).toBeCloseTo(1 / 3, 12);
    expect(s.top5).toBeCloseTo(2 / 3, 12);
  });

  it('reports zeros before any sample', () => {
    const s = new AccuracyAccumulator(['x']).summary();
    expect(s).toMatchObject({ samples: 0, correctTop1: 0, correctTop5: 0, top1: 0, top5: 0 });
  });

  it('rejects a score vector of the wrong length and a bad label index', () => {
    const acc = new AccuracyAccumulator(['a', 'b']);
    expect(() => acc.add([1, 2, 3], 0)).toThrow(/expected 2 scores/);
    expect(() => acc.add([1, 2], 2)).toThrow(/out of range/);
    expect(() => acc.add([1, 2], -1)).toThrow(/out of range/);
    expect(() => acc.add([1, 2], 0.5)).toThrow(/out of range/);
    expect(() => new AccuracyAccumulator([])).toThrow(RangeError);
  });
});
