import { quantileSorted } from 'simple-statistics';

/**
 * Percentile of an ascending-sorted sample, p in [0, 100].
 *
 * Definition: linear interpolation between closest ranks — Hyndman & Fan (1996) type 7, the default of
 * numpy.percentile, R's quantile() and Excel's PERCENTILE.INC. With n sorted values x[0..n-1] the position
 * is h = (n - 1) * p / 100 and the result x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
 * Delegates to simple-statistics' quantileSorted (type 7 since simple-statistics 7.9.0).
 *
 * The input must already be sorted ascending (not checked: O(n) per call would dominate callers
 * that take several percentiles of one sorted array). Throws on an empty array or p outside [0, 100].
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of an empty sample');
  if (!Number.isFinite(p) || p < 0 || p > 100) throw new RangeError(`percentile p must be in [0, 100], got ${p}`);
  return quantileSorted(sorted, p / 100);
}
