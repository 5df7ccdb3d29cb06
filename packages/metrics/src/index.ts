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
export {
  compareLatency,
  populationShares,
  populationDecision,
  noiseFloor,
  seedFromText,
  type Decision,
  type LatencyComparison,
  type LatencyComparisonOptions,
  type PopulationShares,
  type WeightedValue,
} from './gate.ts';
export { boxQuantiles, sharedBinEdges, binSorted, type Quantiles, type BinnedSample } from './histogram.ts';
export {
  featureExperience,
  quickStats,
  type LabelledBox,
  type ShownFrame,
  type ExperienceOptions,
  type ItemExperience,
  type FeatureExperience,
} from './feature/experience.ts';
export { frameDelivery, sustainedPerformance, type DeliveredFrame, type FrameDelivery, type SustainedPerformance, type WindowPerformance } from './feature/delivery.ts';
export { deriveCost, type CostSample, type DerivedCost, type DeriveCostOptions } from './feature/cost.ts';
export { createRng, shuffleInPlace, type Rng } from './prng.ts';
