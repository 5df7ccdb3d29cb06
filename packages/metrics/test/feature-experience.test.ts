import { describe, expect, it } from 'vitest';
import { featureExperience, type LabelledBox, type ShownFrame } from '../src/index.ts';

const box = (frame: number, id: number, x: number, label = 'can'): LabelledBox => ({ frame, id, x, y: 10, w: 20, h: 20, label });
const shown = (frame: number, tracks: ShownFrame['tracks'], latency = 10): ShownFrame => ({ frame, captureMs: frame * 100, resultMs: frame * 100 + latency, tracks });
const track = (id: number, x: number, label = 'can') => ({ id, x, y: 10, w: 20, h: 20, label });

describe('featureExperience', () => {
  it('measures time to first result in scenario time plus that frame latency', () => {
    // item in view from frame 1; first correct track at frame 4; 10 fps → 300 ms + 25 ms latency
    const gt = [1, 2, 3, 4, 5].map((f) => box(f, 7, 0));
    const frames = [shown(1, []), shown(2, []), shown(3, [track(1, 60)]), shown(4, [track(1, 0)], 25), shown(5, [track(1, 0)])];
    const e = featureExperience(gt, frames, { fps: 10 });
    expect(e.items).toHaveLength(1);
    expect(e.items[0]).toMatchObject({ id: 7, firstGtFrame: 1, firstCorrectFrame: 4, timeToFirstResultMs: 325, framesInView: 5, framesShown: 2, flickers: 0 });
    expect(e.timeToFirstResultMs).toEqual({ p50: 325, p90: 325, mean: 325, max: 325 });
    expect(e.shownRatio).toBeCloseTo(2 / 5);
  });

  it('counts flickers and id changes only while the item is in view, and run lengths in scenario ms', () => {
    // in view 1..8; shown 1,2 | hidden 3 | shown 4 (new id) 5 | hidden 6 | shown 7,8; then leaves at 9 (not a flicker)
    const gt = [1, 2, 3, 4, 5, 6, 7, 8].map((f) => box(f, 1, 0));
    const frames = [
      shown(1, [track(5, 0)]),
      shown(2, [track(5, 1)]),
      shown(3, []),
      shown(4, [track(6, 0)]),
      shown(5, [track(6, 0)]),
      shown(6, [track(6, 40)]),
      shown(7, [track(6, 0)]),
      shown(8, [track(6, 0)]),
      shown(9, [track(6, 0)]),
    ];
    const e = featureExperience(gt, frames, { fps: 20 });
    const item = e.items[0];
    expect(item).toMatchObject({ flickers: 2, idChanges: 1, framesInView: 8, framesShown: 6, timeToFirstResultMs: 10 });
    expect(item?.meanShownRunMs).toBeCloseTo(100); // three runs of 2 frames at 20 fps
    expect(e.flickers).toBe(2);
  });

  it('does not count a track with the wrong label, unless labels are ignored', () => {
    const gt = [box(1, 1, 0, 'orange')];
    const frames = [shown(1, [track(1, 0, 'can')])];
    expect(featureExperience(gt, frames, { fps: 10 }).itemsNeverShown).toBe(1);
    expect(featureExperience(gt, frames, { fps: 10, matchLabels: false }).itemsNeverShown).toBe(0);
  });

  it('assigns one track to one item: two crossing items, one track, one of them shown', () => {
    const gt = [box(1, 1, 0), box(1, 2, 2)];
    const e = featureExperience(gt, [shown(1, [track(9, 1)])], { fps: 10 });
    expect(e.items.map((i) => i.framesShown).sort()).toEqual([0, 1]);
  });

  it('judges only processed frames: dropped frames are neither shown nor hidden', () => {
    const gt = [1, 2, 3, 4].map((f) => box(f, 1, 0));
    const e = featureExperience(gt, [shown(1, [track(1, 0)]), shown(4, [track(1, 0)])], { fps: 10 });
    expect(e.items[0]).toMatchObject({ framesInView: 2, framesShown: 2, flickers: 0 });
  });

  it('handles empty input and rejects bad options', () => {
    expect(featureExperience([], [], { fps: 10 })).toMatchObject({ itemsInView: 0, shownRatio: null, timeToFirstResultMs: null, meanShownRunMs: null });
    expect(() => featureExperience([], [], { fps: 0 })).toThrow(/fps/);
    expect(() => featureExperience([], [], { fps: 10, iouThreshold: 0 })).toThrow(/iouThreshold/);
  });
});
