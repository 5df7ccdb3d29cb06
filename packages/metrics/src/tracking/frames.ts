import type { TrackBox } from './box.ts';

/** Boxes of one side grouped by frame, each frame's boxes sorted by id. Validates every box. */
export function groupByFrame(boxes: readonly TrackBox[], side: 'gt' | 'pred'): Map<number, TrackBox[]> {
  const byFrame = new Map<number, TrackBox[]>();
  boxes.forEach((b, i) => {
    for (const key of ['frame', 'id', 'x', 'y', 'w', 'h'] as const) {
      if (typeof b[key] !== 'number' || !Number.isFinite(b[key])) {
        throw new RangeError(`${side}[${i}].${key} is not a finite number: ${String(b[key])}`);
      }
    }
    if (b.w < 0 || b.h < 0) throw new RangeError(`${side}[${i}] has a negative width or height`);
    let list = byFrame.get(b.frame);
    if (!list) {
      list = [];
      byFrame.set(b.frame, list);
    }
    list.push(b);
  });
  for (const [frame, list] of byFrame) {
    list.sort((p, q) => p.id - q.id);
    for (let i = 1; i < list.length; i++) {
      if ((list[i] as TrackBox).id === (list[i - 1] as TrackBox).id) {
        throw new RangeError(`${side} has two boxes with id ${(list[i] as TrackBox).id} in frame ${frame}`);
      }
    }
  }
  return byFrame;
}

/**
 * The ordered list of frames to evaluate: the given list (which must cover every frame that has a box, so
 * frames with no boxes at all can be declared), or else the union of frames that have a box.
 */
export function frameSequence(
  gt: Map<number, TrackBox[]>,
  pred: Map<number, TrackBox[]>,
  declared: readonly number[] | undefined,
): number[] {
  if (declared === undefined) return [...new Set([...gt.keys(), ...pred.keys()])].sort((a, b) => a - b);
  const frames = [...declared].sort((a, b) => a - b);
  frames.forEach((f, i) => {
    if (!Number.isFinite(f)) throw new RangeError(`frames[${i}] is not a finite number`);
    if (i > 0 && f === frames[i - 1]) throw new RangeError(`frame ${f} is listed twice`);
  });
  const known = new Set(frames);
  for (const [side, map] of [['gt', gt], ['pred', pred]] as const) {
    for (const f of map.keys()) {
      if (!known.has(f)) throw new RangeError(`${side} has boxes in frame ${f}, which is not in options.frames`);
    }
  }
  return frames;
}
