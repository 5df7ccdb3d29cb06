import { assignWithForbidden } from '../assignment.ts';
import { iou, type TrackBox } from './box.ts';

export interface ClearMotCounts {
  gtObjects: number;
  predictions: number;
  matches: number;
  falsePositives: number;
  falseNegatives: number;
  idSwitches: number;
  fragmentations: number;
  /** Sum of IoU over all matches (MOTP numerator). */
  iouSum: number;
}

/**
 * CLEAR-MOT event counting (Bernardin & Stiefelhagen 2008) as done by the MOTChallenge devkit and
 * py-motmetrics, frame by frame in the given order:
 * 1. keep each correspondence (gt → pred) of the previous evaluated frame when both are present and IoU ≥ threshold;
 * 2. match the remaining gt and pred boxes by Kuhn-Munkres on cost 1 − IoU, pairs below the threshold
 *    forbidden (most matches first, then least cost);
 * 3. a match whose gt object was last matched (in any earlier frame) to a different pred id is an ID switch;
 * 4. unmatched gt boxes are false negatives, unmatched pred boxes false positives;
 * 5. a fragmentation is counted each time a gt object is matched again after being present but unmatched
 *    since its previous match (frames where the gt object is absent do not interrupt it, as in py-motmetrics).
 */
export function countClearMot(
  gtByFrame: Map<number, TrackBox[]>,
  predByFrame: Map<number, TrackBox[]>,
  frames: readonly number[],
  threshold: number,
): ClearMotCounts {
  const counts: ClearMotCounts = {
    gtObjects: 0,
    predictions: 0,
    matches: 0,
    falsePositives: 0,
    falseNegatives: 0,
    idSwitches: 0,
    fragmentations: 0,
    iouSum: 0,
  };
  let previous = new Map<number, number>(); // gt id → pred id, previous evaluated frame
  const lastMatch = new Map<number, number>(); // gt id → pred id, most recent match in any frame
  const interrupted = new Set<number>(); // gt ids present-but-unmatched since their last match

  for (const frame of frames) {
    const gts = gtByFrame.get(frame) ?? [];
    const preds = predByFrame.get(frame) ?? [];
    const current = new Map<number, number>();
    const gtMatched = new Set<number>(); // indices into gts
    const predMatched = new Set<number>(); // indices into preds
    const record = (gi: number, pi: number, overlap: number): void => {
      const g = gts[gi] as TrackBox;
      const p = preds[pi] as TrackBox;
      gtMatched.add(gi);
      predMatched.add(pi);
      current.set(g.id, p.id);
      const last = lastMatch.get(g.id);
      if (last !== undefined && last !== p.id) counts.idSwitches++;
      if (interrupted.delete(g.id)) counts.fragmentations++;
      lastMatch.set(g.id, p.id);
      counts.matches++;
      counts.iouSum += overlap;
    };

    // 1. keep last frame's correspondences that are still valid
    gts.forEach((g, gi) => {
      const predId = previous.get(g.id);
      if (predId === undefined) return;
      const pi = preds.findIndex((p) => p.id === predId);
      if (pi < 0) return;
      const overlap = iou(g, preds[pi] as TrackBox);
      if (overlap >= threshold) record(gi, pi, overlap);
    });

    // 2. optimal assignment of the rest
    const restGt = gts.map((_, i) => i).filter((i) => !gtMatched.has(i));
    const restPred = preds.map((_, i) => i).filter((i) => !predMatched.has(i));
    const overlaps = restGt.map((gi) => restPred.map((pi) => iou(gts[gi] as TrackBox, preds[pi] as TrackBox)));
    const pairs = assignWithForbidden(restGt.length, restPred.length, (r, c) => {
      const o = overlaps[r]?.[c] ?? 0;
      return o >= threshold ? 1 - o : null;
    });
    for (const [r, c] of pairs) record(restGt[r] as number, restPred[c] as number, overlaps[r]?.[c] ?? 0);

    // 3. misses and false positives
    gts.forEach((g, gi) => {
      if (!gtMatched.has(gi) && lastMatch.has(g.id)) interrupted.add(g.id);
    });
    counts.gtObjects += gts.length;
    counts.predictions += preds.length;
    counts.falseNegatives += gts.length - gtMatched.size;
    counts.falsePositives += preds.length - predMatched.size;
    previous = current;
  }
  return counts;
}
