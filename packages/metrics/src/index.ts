export { percentile } from './percentile.ts';
export { summarize } from './summarize.ts';
export { topK } from './topk.ts';
export { AccuracyAccumulator, type AccuracyCounts } from './accuracy.ts';
export { ParityAccumulator, NON_FINITE_ERROR, type ParityResult, type ParityValue } from './parity.ts';
export { mannWhitneyU, MANN_WHITNEY_EXACT_MAX, type MannWhitneyMethod, type MannWhitneyResult } from './mann-whitney.ts';
export { normalSurvival } from './normal.ts';
export {
  bootstrapRatioOfMedians,
  seededRandom,
  type BootstrapOptions,
  type BootstrapRatioResult,
} from './bootstrap.ts';
export { medianAbsoluteDeviation, relativeSpread, MAD_NORMAL_CONSISTENCY } from './spread.ts';
export { assignWithForbidden, maxWeightAssignment } from './assignment.ts';
export { iou, type Box, type TrackBox } from './tracking/box.ts';
export { evaluateTracking, type TrackingOptions, type TrackingResult } from './tracking/evaluate.ts';
