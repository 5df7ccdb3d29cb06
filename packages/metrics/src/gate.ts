import { median } from 'simple-statistics';
import { bootstrapRatioOfMedians } from './bootstrap.ts';
import { mannWhitneyU } from './mann-whitney.ts';

export type Decision = 'pass' | 'fail' | 'inconclusive';

export interface LatencyComparisonOptions {
  /** largest acceptable median(candidate) / median(baseline), e.g. 1.05 for "+5%" */
  allowedRatio: number;
  /** two-sided confidence level of the bootstrap interval (default 0.95) */
  confidence?: number;
  /** fewer samples than this in either group is inconclusive (default 30) */
  minSamples?: number;
  iterations?: number;
  seed: number;
}

export interface LatencyComparison {
  decision: Decision;
  /** observed median ratio, null when there were too few samples */
  ratio: number | null;
  ci: { lower: number; upper: number; confidence: number } | null;
  /** one-sided Mann-Whitney p for "candidate is slower" */
  pValue: number | null;
  reason: 'regression' | 'within-allowance' | 'interval-spans-threshold' | 'too-few-samples';
}

/**
 * Decides whether a candidate's latency regressed against a baseline measured on the same device.
 * A regression ("fail") only when the whole bootstrap interval of the ratio of medians lies above
 * the allowed ratio; "pass" when the whole interval lies at or below it; otherwise "inconclusive".
 * The Mann-Whitney p-value is reported as supporting evidence, not used for the decision.
 */
export function compareLatency(candidate: readonly number[], baseline: readonly number[], opts: LatencyComparisonOptions): LatencyComparison {
  const minSamples = opts.minSamples ?? 30;
  if (!(opts.allowedRatio > 0)) throw new RangeError(`allowedRatio must be > 0, got ${opts.allowedRatio}`);
  if (candidate.length < minSamples || baseline.length < minSamples) {
    return { decision: 'inconclusive', ratio: null, ci: null, pValue: null, reason: 'too-few-samples' };
  }
  const boot = bootstrapRatioOfMedians(candidate, baseline, {
    seed: opts.seed,
    confidence: opts.confidence ?? 0.95,
    ...(opts.iterations !== undefined ? { iterations: opts.iterations } : {}),
  });
  const pValue = mannWhitneyU(candidate, baseline).pAGreater;
  const ci = { lower: boot.lower, upper: boot.upper, confidence: boot.confidence };
  if (boot.lower > opts.allowedRatio) return { decision: 'fail', ratio: boot.ratio, ci, pValue, reason: 'regression' };
  if (boot.upper <= opts.allowedRatio) return { decision: 'pass', ratio: boot.ratio, ci, pValue, reason: 'within-allowance' };
  return { decision: 'inconclusive', ratio: boot.ratio, ci, pValue, reason: 'interval-spans-threshold' };
}

export interface WeightedValue {
  /** share of users (any non-negative scale) */
  share: number;
  /** the metric on the device these users map to; null when unmapped or not measured */
  value: number | null;
}

export interface PopulationShares {
  /** normalised shares (they sum to 1 unless every share is 0) */
  passing: number;
  failing: number;
  unknown: number;
}

/** Splits a user population into passing / failing / unknown shares for `value <bound> threshold`. */
export function populationShares(rows: readonly WeightedValue[], bound: 'max' | 'min', threshold: number): PopulationShares {
  const total = rows.reduce((s, r) => {
    if (!(r.share >= 0) || !Number.isFinite(r.share)) throw new RangeError(`share must be a finite number ≥ 0, got ${r.share}`);
    return s + r.share;
  }, 0);
  if (total === 0) return { passing: 0, failing: 0, unknown: 0 };
  let passing = 0;
  let failing = 0;
  let unknown = 0;
  for (const r of rows) {
    const w = r.share / total;
    if (r.value === null || !Number.isFinite(r.value)) unknown += w;
    else if (bound === 'max' ? r.value <= threshold : r.value >= threshold) passing += w;
    else failing += w;
  }
  return { passing, failing, unknown };
}

/**
 * "For `required` of users the bound holds": pass when the passing share reaches it, fail when it
 * cannot be reached even if every unknown user passed, else inconclusive.
 */
export function populationDecision(shares: PopulationShares, required: number): Decision {
  const eps = 1e-9;
  if (shares.passing + eps >= required) return 'pass';
  if (shares.passing + shares.unknown + eps < required) return 'fail';
  return 'inconclusive';
}

/**
 * A device's noise floor from A/A comparisons (the same version measured twice): the median of
 * |ratio − 1| over the pairs' ratios of medians. Null without pairs.
 */
export function noiseFloor(ratios: readonly number[]): { floor: number; worst: number } | null {
  const deviations = ratios.filter((r) => Number.isFinite(r) && r > 0).map((r) => Math.abs(r - 1));
  if (deviations.length === 0) return null;
  return { floor: median(deviations), worst: Math.max(...deviations) };
}

/** A stable 31-bit seed from text (FNV-1a), so re-evaluating the same evidence gives the same interval. */
export function seedFromText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & 0x7fffffff;
}
