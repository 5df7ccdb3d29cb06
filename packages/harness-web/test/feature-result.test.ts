import { FeatureResult } from '@edgeproof/contracts';
import { describe, expect, it } from 'vitest';
import { checkFeatureResult } from '../src/feature-result.ts';

const good = () => ({ id: 3, bbox: [10.5, 20, 30, 40.25], label: 'sneaker', score: 0.75 });

/** One-field mutations of a valid track, including every boundary the schema draws. */
const mutations: Array<(t: Record<string, unknown>) => void> = [
  (t) => (t.id = -1),
  (t) => (t.id = 1.5),
  (t) => (t.id = Number.MAX_SAFE_INTEGER),
  (t) => (t.id = Number.MAX_SAFE_INTEGER + 2),
  (t) => (t.id = '3'),
  (t) => (t.id = -0),
  (t) => (t.bbox = [1, 2, 3]),
  (t) => (t.bbox = [1, 2, 3, 4, 5]),
  (t) => (t.bbox = [1, 2, -1, 4]),
  (t) => (t.bbox = [-5, -2, 0, 0]),
  (t) => (t.bbox = [1, Number.NaN, 3, 4]),
  (t) => (t.bbox = [1, 2, Number.POSITIVE_INFINITY, 4]),
  (t) => (t.bbox = [1, '2', 3, 4]),
  (t) => (t.bbox = { 0: 1, 1: 2, 2: 3, 3: 4, length: 4 }),
  (t) => (t.label = 'x'.repeat(200)),
  (t) => (t.label = 'x'.repeat(201)),
  (t) => (t.label = 7),
  (t) => (t.score = 0),
  (t) => (t.score = 1),
  (t) => (t.score = 1.0001),
  (t) => (t.score = -0.1),
  (t) => (t.score = Number.NaN),
  (t) => delete t.score,
  (t) => (t.extra = 1),
  (t) => (t.score = undefined),
];

describe('checkFeatureResult', () => {
  it('accepts and rejects exactly what the contract schema does, and returns the same tracks', () => {
    const cases: unknown[] = [[], [good()], null, undefined, {}, 'tracks', [null], [[1, 2]], new Array(2), Array.from({ length: 10_001 }, good)];
    for (const m of mutations) {
      const t = good();
      m(t);
      cases.push([t], [good(), t], [t, good()]);
    }
    // mixed results: up to four tracks, about a third of them mutated
    for (let i = 0; i < 300; i++) {
      cases.push(
        Array.from({ length: i % 5 }, (_, k) => {
          const t = good();
          if ((i * 7 + k * 3) % 10 < 3) (mutations[(i * 13 + k) % mutations.length] as (t: Record<string, unknown>) => void)(t);
          return t;
        }),
      );
    }
    for (const c of cases) {
      const fast = checkFeatureResult(c);
      const schema = FeatureResult.safeParse(c);
      expect(fast.ok, JSON.stringify(c)?.slice(0, 200)).toBe(schema.success);
      if (fast.ok && schema.success) expect(fast.tracks).toEqual(schema.data);
    }
  });

  it('copies the tracks, so a feature that reuses its result objects cannot rewrite recorded frames', () => {
    const result = [good()];
    const checked = checkFeatureResult(result);
    if (!checked.ok) throw new Error('expected ok');
    (result[0] as { bbox: number[] }).bbox[0] = 999;
    (result[0] as { id: number }).id = 42;
    expect(checked.tracks[0]).toEqual({ id: 3, bbox: [10.5, 20, 30, 40.25], label: 'sneaker', score: 0.75 });
  });

  it('names the offending field of a bad result', () => {
    const t = good();
    t.bbox = [1, 2, -3, 4];
    expect(checkFeatureResult([good(), t])).toMatchObject({ ok: false, path: '1.bbox.2' });
    expect(checkFeatureResult({ tracks: [] })).toMatchObject({ ok: false, path: '' });
  });
});
