import { describe, expect, it } from 'vitest';
import { assignWithForbidden, evaluateTracking, iou, maxWeightAssignment, type TrackBox } from '../src/index.ts';

/** A 10×10 box at x in frame f for track id. Objects 100 px apart never overlap. */
const box = (frame: number, id: number, x: number, y = 0, w = 10, h = 10): TrackBox => ({ frame, id, x, y, w, h });
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('iou', () => {
  it('computes intersection over union', () => {
    expect(iou({ x: 0, y: 0, w: 10, h: 10 }, { x: 0, y: 0, w: 10, h: 10 })).toBe(1);
    expect(iou({ x: 0, y: 0, w: 2, h: 2 }, { x: 1, y: 0, w: 2, h: 2 })).toBeCloseTo(2 / 6, 12);
    expect(iou({ x: 0, y: 0, w: 2, h: 2 }, { x: 1, y: 1, w: 2, h: 2 })).toBeCloseTo(1 / 7, 12);
    expect(iou({ x: 0, y: 0, w: 10, h: 10 }, { x: 0, y: 0, w: 5, h: 10 })).toBe(0.5);
    expect(iou({ x: 0, y: 0, w: 10, h: 10 }, { x: 2, y: 2, w: 5, h: 5 })).toBeCloseTo(25 / 100, 12); // contained
  });

  it('is 0 for disjoint, edge-touching and zero-area boxes', () => {
    expect(iou({ x: 0, y: 0, w: 1, h: 1 }, { x: 5, y: 5, w: 1, h: 1 })).toBe(0);
    expect(iou({ x: 0, y: 0, w: 1, h: 1 }, { x: 1, y: 0, w: 1, h: 1 })).toBe(0);
    expect(iou({ x: 0, y: 0, w: 0, h: 0 }, { x: 0, y: 0, w: 0, h: 0 })).toBe(0);
  });

  it('is exactly 1 for identical fractional boxes (floating point would give 1 + 2e-16), so a perfect prediction scores', () => {
    const box = { frame: 1, id: 1, x: 101.37, y: 57.83, w: 44.21, h: 38.66 };
    expect(iou(box, box)).toBe(1);
    expect(evaluateTracking([box], [{ ...box }])).toMatchObject({ mota: 1, motp: 1, idf1: 1, matches: 1 });
  });
});

describe('assignment helpers', () => {
  it('prefers more allowed pairs over a cheaper single pair', () => {
    // greedy would take (0,0) at cost 0 and leave row 1 without an allowed column
    const cost = [
      [0, 0.4],
      [0.2, null],
    ];
    expect(assignWithForbidden(2, 2, (r, c) => cost[r]?.[c] ?? null)).toEqual([[0, 1], [1, 0]]);
    expect(assignWithForbidden(0, 3, () => 0)).toEqual([]);
    expect(assignWithForbidden(2, 1, () => null)).toEqual([]);
  });

  it('maximises total weight on rectangular matrices and drops zero-weight pairs', () => {
    expect(maxWeightAssignment([[3, 3, 0], [3, 0, 0]])).toEqual([[0, 1], [1, 0]]);
    expect(maxWeightAssignment([[0, 0], [0, 5], [4, 0]])).toEqual([[1, 1], [2, 0]]);
    expect(maxWeightAssignment([])).toEqual([]);
  });
});

describe('evaluateTracking', () => {
  it('scores perfect tracking as MOTA = MOTP = IDF1 = 1', () => {
    const gt = range(1, 5).flatMap((f) => [box(f, 1, 10 * f), box(f, 2, 200 + 10 * f)]);
    const pred = gt.map((b) => ({ ...b, id: b.id + 40 }));
    expect(evaluateTracking(gt, pred)).toEqual({
      mota: 1, motp: 1, idf1: 1, idSwitches: 0, fragmentations: 0, precision: 1, recall: 1,
      falsePositives: 0, falseNegatives: 0, gtObjects: 10, predictions: 10, matches: 10,
      idtp: 10, idfp: 0, idfn: 0, frames: 5,
    });
  });

  it('counts two ID switches when a tracker swaps the identities of two objects', () => {
    // gt 1 at x=0 and gt 2 at x=200 for 6 frames; tracker ids 10/20 follow them for frames 1–3, then swap.
    const gt = range(1, 6).flatMap((f) => [box(f, 1, 0), box(f, 2, 200)]);
    const pred = range(1, 6).flatMap((f) => (f <= 3 ? [box(f, 10, 0), box(f, 20, 200)] : [box(f, 20, 0), box(f, 10, 200)]));
    const r = evaluateTracking(gt, pred);
    // CLEAR-MOT: in frame 4 each gt is matched to a different id than before → 2 mismatches
    expect(r.idSwitches).toBe(2);
    expect(r.fragmentations).toBe(0);
    expect(r.mota).toBeCloseTo(1 - 2 / 12, 12);
    expect(r.motp).toBe(1);
    // IDF1: each gt/pred trajectory pair shares 3 frames; best one-to-one matching gives IDTP = 3 + 3 = 6,
    // IDFP = 12 − 6, IDFN = 12 − 6 → IDF1 = 12 / 24
    expect(r).toMatchObject({ idtp: 6, idfp: 6, idfn: 6, idf1: 0.5, precision: 1, recall: 1 });
  });

  it('counts a missed frame as one false negative and one fragmentation', () => {
    const gt = range(1, 6).map((f) => box(f, 1, 0));
    const pred = [1, 2, 4, 5, 6].map((f) => box(f, 7, 0));
    const r = evaluateTracking(gt, pred);
    expect(r).toMatchObject({ falseNegatives: 1, falsePositives: 0, idSwitches: 0, fragmentations: 1, matches: 5 });
    expect(r.mota).toBeCloseTo(5 / 6, 12);
    expect(r.recall).toBeCloseTo(5 / 6, 12);
    expect(r.precision).toBe(1);
    expect(r.idf1).toBeCloseTo((2 * 5) / (6 + 5), 12);
  });

  it('counts an ID switch and a fragmentation when the track resumes under a new id', () => {
    const gt = range(1, 6).map((f) => box(f, 1, 0));
    const pred = [...[1, 2].map((f) => box(f, 7, 0)), ...[4, 5, 6].map((f) => box(f, 8, 0))];
    const r = evaluateTracking(gt, pred);
    expect(r).toMatchObject({ falseNegatives: 1, idSwitches: 1, fragmentations: 1 });
    expect(r.mota).toBeCloseTo(1 - 2 / 6, 12);
    // IDTP = max(2 frames with id 7, 3 frames with id 8) = 3 → IDF1 = 6 / 11
    expect(r).toMatchObject({ idtp: 3, idfn: 3, idfp: 2 });
    expect(r.idf1).toBeCloseTo(6 / 11, 12);
  });

  it('does not count a fragmentation across frames where the gt object is absent', () => {
    const gt = [1, 2, 4, 5].map((f) => box(f, 1, 0));
    const pred = [1, 2, 4, 5].map((f) => box(f, 7, 0));
    const r = evaluateTracking(gt, pred, { frames: range(1, 5) });
    expect(r).toMatchObject({ fragmentations: 0, idSwitches: 0, mota: 1, idf1: 1, frames: 5 });
  });

  it('counts false positives from unmatched and under-threshold predictions', () => {
    const gt = range(1, 5).flatMap((f) => [box(f, 1, 0), box(f, 2, 200)]);
    const pred = [
      ...gt.map((b) => ({ ...b, id: b.id + 10 })),
      box(2, 99, 500), // nothing there
      box(3, 99, 500),
    ];
    const r = evaluateTracking(gt, pred);
    expect(r).toMatchObject({ falsePositives: 2, falseNegatives: 0, matches: 10, idtp: 10, idfp: 2, idfn: 0 });
    expect(r.mota).toBeCloseTo(1 - 2 / 10, 12);
    expect(r.precision).toBeCloseTo(10 / 12, 12);
    expect(r.idf1).toBeCloseTo(20 / 22, 12);

    // IoU 1/3 < 0.5: one FN and one FP, not a match
    const shifted = evaluateTracking([box(1, 1, 0, 0, 2, 2)], [box(1, 5, 1, 0, 2, 2)]);
    expect(shifted).toMatchObject({ matches: 0, falseNegatives: 1, falsePositives: 1, mota: -1, motp: null, idf1: 0 });
  });

  it('reports MOTP as the mean IoU of matches and matches at exactly the threshold', () => {
    const gt = [box(1, 1, 0), box(2, 1, 0)];
    const pred = [box(1, 3, 0, 0, 8, 10), box(2, 3, 0, 0, 5, 10)]; // IoU 0.8, then exactly 0.5
    const r = evaluateTracking(gt, pred);
    expect(r.matches).toBe(2);
    expect(r.motp).toBeCloseTo((0.8 + 0.5) / 2, 12);
    expect(evaluateTracking(gt, pred, { iouThreshold: 0.6 })).toMatchObject({ matches: 1, falseNegatives: 1 });
  });

  it("keeps the previous frame's match while it stays above the threshold (no switch to a better box)", () => {
    const gt = [box(1, 1, 0), box(2, 1, 0)];
    const pred = [
      box(1, 5, 0), // frame 1: id 5 matches perfectly
      box(2, 5, 0, 0, 6, 10), // frame 2: id 5 still overlaps (IoU 0.6)
      box(2, 6, 0, 0, 10, 9.5), // frame 2: id 6 overlaps better (IoU 0.95)
    ];
    const r = evaluateTracking(gt, pred);
    expect(r).toMatchObject({ idSwitches: 0, matches: 2, falsePositives: 1 });
    expect(r.motp).toBeCloseTo((1 + 0.6) / 2, 12);
  });

  it('uses the optimal assignment, not greedy best-IoU matching', () => {
    // 1-D boxes (y = 0, h = 1): gt A = [0,10], gt B = [-1,8]; pred p = [0,9], q = [4,10].
    // IoU(A,p) = 0.9, IoU(A,q) = 0.6, IoU(B,p) = 0.8, IoU(B,q) = 4/11 < 0.5.
    // Greedy takes A–p (0.9) and leaves B unmatched; the optimal assignment matches A–q and B–p.
    const gt = [box(1, 1, 0, 0, 10, 1), box(1, 2, -1, 0, 9, 1)];
    const pred = [box(1, 10, 0, 0, 9, 1), box(1, 11, 4, 0, 6, 1)];
    const r = evaluateTracking(gt, pred);
    expect(r).toMatchObject({ matches: 2, falseNegatives: 0, falsePositives: 0, mota: 1 });
    expect(r.motp).toBeCloseTo((0.6 + 0.8) / 2, 12);
  });

  it('handles frames with no boxes and sequences with no boxes at all', () => {
    const gt = [box(1, 1, 0), box(3, 1, 0)];
    const pred = [box(1, 4, 0), box(3, 4, 0)];
    expect(evaluateTracking(gt, pred, { frames: [1, 2, 3, 4] })).toMatchObject({
      frames: 4, mota: 1, idf1: 1, idSwitches: 0, fragmentations: 0, gtObjects: 2, matches: 2,
    });
    expect(evaluateTracking([], [])).toEqual({
      mota: null, motp: null, idf1: null, idSwitches: 0, fragmentations: 0, precision: null, recall: null,
      falsePositives: 0, falseNegatives: 0, gtObjects: 0, predictions: 0, matches: 0,
      idtp: 0, idfp: 0, idfn: 0, frames: 0,
    });
    expect(evaluateTracking([], [], { frames: [1, 2, 3] }).frames).toBe(3);
    // predictions without any ground truth: all false positives
    expect(evaluateTracking([], [box(1, 1, 0), box(2, 1, 0)])).toMatchObject({
      mota: null, precision: 0, recall: null, falsePositives: 2, idf1: 0, idfp: 2,
    });
    // ground truth without predictions: all misses
    expect(evaluateTracking([box(1, 1, 0), box(2, 1, 0)], [])).toMatchObject({
      mota: 0, precision: null, recall: 0, falseNegatives: 2, idf1: 0, idfn: 2,
    });
  });

  it('does not depend on the order of the input boxes', () => {
    const gt = range(1, 6).flatMap((f) => [box(f, 1, 0), box(f, 2, 200)]);
    const pred = range(1, 6).flatMap((f) => (f <= 3 ? [box(f, 10, 0), box(f, 20, 200)] : [box(f, 20, 0), box(f, 10, 200)]));
    expect(evaluateTracking([...gt].reverse(), [...pred].reverse())).toEqual(evaluateTracking(gt, pred));
  });

  it('rejects invalid input', () => {
    expect(() => evaluateTracking([box(1, 1, 0), box(1, 1, 50)], [])).toThrow(/two boxes with id 1 in frame 1/);
    expect(() => evaluateTracking([], [box(1, 1, 0, 0, -1, 5)])).toThrow(/pred\[0\] has a negative/);
    expect(() => evaluateTracking([box(1, 1, Number.NaN)], [])).toThrow(/gt\[0\]\.x/);
    expect(() => evaluateTracking([], [], { iouThreshold: 0 })).toThrow(/iouThreshold/);
    expect(() => evaluateTracking([], [], { iouThreshold: 1.5 })).toThrow(/iouThreshold/);
    expect(() => evaluateTracking([box(5, 1, 0)], [], { frames: [1, 2] })).toThrow(/frame 5/);
    expect(() => evaluateTracking([], [], { frames: [1, 1] })).toThrow(/twice/);
  });
});
