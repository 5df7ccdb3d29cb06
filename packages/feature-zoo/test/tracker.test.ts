import { describe, expect, it } from 'vitest';
import { IouTracker, type Bbox, type Detection } from '../src/index.ts';

const det = (label: string, bbox: Bbox): Detection => ({ bbox, label, classIndex: 0, score: 0.9 });

describe('IouTracker', () => {
  it('confirms a track after two hits and keeps its id while it moves', () => {
    const t = new IouTracker();
    expect(t.update([det('a', [10, 10, 20, 20])], 0)).toEqual([]);
    const ids = new Set<number>();
    for (let f = 1; f < 20; f++) {
      const shown = t.update([det('a', [10 + 4 * f, 10, 20, 20])], f);
      expect(shown).toHaveLength(1);
      expect(shown[0]?.bbox).toEqual([10 + 4 * f, 10, 20, 20]);
      ids.add(shown[0]?.id ?? -1);
    }
    expect([...ids]).toEqual([1]);
  });

  it('keeps identities through a crossing of two items with different labels', () => {
    const t = new IouTracker();
    const idOf = new Map<string, Set<number>>([['a', new Set()], ['b', new Set()]]);
    for (let f = 0; f < 30; f++) {
      const shown = t.update([det('a', [5 * f, 50, 30, 30]), det('b', [150 - 5 * f, 55, 30, 30])], f);
      for (const s of shown) idOf.get(s.label)?.add(s.id);
    }
    expect(idOf.get('a')?.size).toBe(1);
    expect(idOf.get('b')?.size).toBe(1);
  });

  it('uses constant-velocity prediction on tracking-only frames and to bridge a gap', () => {
    const t = new IouTracker({ maxCoastRuns: 0 });
    t.update([det('a', [0, 0, 10, 10])], 0);
    t.update([det('a', [6, 0, 10, 10])], 1);
    expect(t.predict(2)[0]?.bbox).toEqual([12, 0, 10, 10]);
    expect(t.predict(3)[0]?.bbox).toEqual([18, 0, 10, 10]);
    // missed for three frames: a fast item would not overlap its old box, the prediction does
    expect(t.update([], 4)).toEqual([]);
    const again = t.update([det('a', [30, 0, 10, 10])], 5);
    expect(again.map((s) => s.id)).toEqual([1]);
  });

  it('coasts a confirmed track through one missed detection, then hides it; drops it after maxAge', () => {
    const t = new IouTracker({ maxAgeFrames: 3 });
    t.update([det('a', [0, 0, 10, 10])], 0);
    t.update([det('a', [0, 0, 10, 10])], 1);
    expect(t.update([], 2).map((s) => s.id)).toEqual([1]);
    expect(t.update([], 3)).toEqual([]);
    expect(t.update([], 5)).toEqual([]);
    t.update([det('a', [0, 0, 10, 10])], 6);
    expect(t.update([det('a', [0, 0, 10, 10])], 7).map((s) => s.id)).toEqual([2]);
  });

  it('never associates across labels and starts afresh when the video loops', () => {
    const t = new IouTracker({ minHits: 1 });
    expect(t.update([det('a', [0, 0, 10, 10])], 0).map((s) => s.id)).toEqual([1]);
    // 'a' coasts one missed run at its box; 'b' on top of it is a new track
    expect(t.update([det('b', [0, 0, 10, 10])], 1).map((s) => [s.id, s.label])).toEqual([[1, 'a'], [2, 'b']]);
    expect(t.update([det('b', [0, 0, 10, 10])], 2).map((s) => s.id)).toEqual([2]);
    expect(t.update([det('b', [0, 0, 10, 10])], 0).map((s) => s.id)).toEqual([3]);
  });
});
