import type { TrackBox } from './box.ts';
import { countClearMot } from './clear-mot.ts';
import { frameSequence, groupByFrame } from './frames.ts';
import { countIdentity } from './identity.ts';

export interface TrackingOptions {
  /** Minimum IoU for a gt/pred pair to count as a match, in (0, 1] (default 0.5, as MOTChallenge). */
  iouThreshold?: number;
  /**
   * Every frame of the sequence, including frames with no boxes at all. Defaults to the frames that have a
   * gt or pred box. Only matters for `frames` and for which frame is "previous" in CLEAR-MOT step 1.
   */
  frames?: readonly number[];
}

export interface TrackingResult {
  /** 1 − (FN + FP + IDSW) / gtObjects; can be negative; null when there is no gt box. */
  mota: number | null;
  /** Mean IoU of the matched pairs, in [0, 1] (overlap, not distance; MOTChallenge prints it ×100); null without matches. */
  motp: number | null;
  /** 2·IDTP / (2·IDTP + IDFP + IDFN); null when there are no boxes at all. */
  idf1: number | null;
  idSwitches: number;
  fragmentations: number;
  /** matches / pred boxes; null without pred boxes. */
  precision: number | null;
  /** matches / gt boxes; null without gt boxes. */
  recall: number | null;
  falsePositives: number;
  falseNegatives: number;
  gtObjects: number;
  predictions: number;
  matches: number;
  idtp: number;
  idfp: number;
  idfn: number;
  frames: number;
}

/**
 * Multi-object tracking metrics of predicted tracks against ground truth: CLEAR-MOT (MOTA, MOTP, ID
 * switches, fragmentations; see countClearMot) and identity metrics (IDF1; see countIdentity).
 * Boxes are {frame, id, x, y, w, h} with (x, y) the top-left corner. Throws on a non-finite field, a
 * negative size, two boxes with the same id in one frame on one side, or an invalid threshold.
 */
export function evaluateTracking(
  gt: readonly TrackBox[],
  pred: readonly TrackBox[],
  { iouThreshold = 0.5, frames: declaredFrames }: TrackingOptions = {},
): TrackingResult {
  if (!Number.isFinite(iouThreshold) || iouThreshold <= 0 || iouThreshold > 1) {
    throw new RangeError(`iouThreshold must be in (0, 1], got ${iouThreshold}`);
  }
  const gtByFrame = groupByFrame(gt, 'gt');
  const predByFrame = groupByFrame(pred, 'pred');
  const frames = frameSequence(gtByFrame, predByFrame, declaredFrames);
  const mot = countClearMot(gtByFrame, predByFrame, frames, iouThreshold);
  const id = countIdentity(gtByFrame, predByFrame, iouThreshold);
  const boxes = mot.gtObjects + mot.predictions;
  return {
    mota: mot.gtObjects === 0 ? null : 1 - (mot.falseNegatives + mot.falsePositives + mot.idSwitches) / mot.gtObjects,
    motp: mot.matches === 0 ? null : mot.iouSum / mot.matches,
    idf1: boxes === 0 ? null : (2 * id.idtp) / boxes,
    idSwitches: mot.idSwitches,
    fragmentations: mot.fragmentations,
    precision: mot.predictions === 0 ? null : mot.matches / mot.predictions,
    recall: mot.gtObjects === 0 ? null : mot.matches / mot.gtObjects,
    falsePositives: mot.falsePositives,
    falseNegatives: mot.falseNegatives,
    gtObjects: mot.gtObjects,
    predictions: mot.predictions,
    matches: mot.matches,
    idtp: id.idtp,
    idfp: id.idfp,
    idfn: id.idfn,
    frames: frames.length,
  };
}
