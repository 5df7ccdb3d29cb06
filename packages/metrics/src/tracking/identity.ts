import { maxWeightAssignment } from '../assignment.ts';
import { iou, type TrackBox } from './box.ts';

export interface IdentityCounts {
  idtp: number;
  idfp: number;
  idfn: number;
}

/**
 * Identity counts of Ristani et al. 2016 ("Performance Measures and a Data Set for Multi-Target,
 * Multi-Camera Tracking"): a global one-to-one matching between whole gt trajectories and whole predicted
 * trajectories maximising IDTP, the number of frames in which a matched pair's boxes overlap with
 * IoU ≥ threshold (equivalently minimising IDFP + IDFN). Unmatched boxes of either side are IDFN / IDFP.
 */
export function countIdentity(
  gtByFrame: Map<number, TrackBox[]>,
  predByFrame: Map<number, TrackBox[]>,
  threshold: number,
): IdentityCounts {
  const gtIndex = new Map<number, number>();
  const predIndex = new Map<number, number>();
  let gtTotal = 0;
  let predTotal = 0;
  const index = (map: Map<number, number>, id: number): number => {
    let i = map.get(id);
    if (i === undefined) {
      i = map.size;
      map.set(id, i);
    }
    return i;
  };
  const frames = [...new Set([...gtByFrame.keys(), ...predByFrame.keys()])].sort((a, b) => a - b);
  for (const boxes of gtByFrame.values()) for (const b of boxes) index(gtIndex, b.id);
  for (const boxes of predByFrame.values()) for (const b of boxes) index(predIndex, b.id);

  const overlapFrames: number[][] = Array.from({ length: gtIndex.size }, () => new Array<number>(predIndex.size).fill(0));
  for (const frame of frames) {
    const gts = gtByFrame.get(frame) ?? [];
    const preds = predByFrame.get(frame) ?? [];
    gtTotal += gts.length;
    predTotal += preds.length;
    for (const g of gts) {
      const row = overlapFrames[gtIndex.get(g.id) as number] as number[];
      for (const p of preds) {
        if (iou(g, p) >= threshold) {
          const c = predIndex.get(p.id) as number;
          row[c] = (row[c] as number) + 1;
        }
      }
    }
  }
  let idtp = 0;
  for (const [r, c] of maxWeightAssignment(overlapFrames)) idtp += overlapFrames[r]?.[c] ?? 0;
  return { idtp, idfp: predTotal - idtp, idfn: gtTotal - idtp };
}
