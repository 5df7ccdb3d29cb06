import { median, medianAbsoluteDeviation as ssMad } from 'simple-statistics';
import { assertFiniteSamples } from './validate.ts';

/**
 * Scale factor that makes the MAD a consistent estimator of the standard deviation for normal data
 * (1 / Φ⁻¹(3/4)). Multiply a MAD by it to compare against a stdev.
 */
export const MAD_NORMAL_CONSISTENCY = 1.482602218505602;

/** Median absolute deviation from the median (raw, unscaled). Throws on empty or non-finite input. */
export function medianAbsoluteDeviation(samples: readonly number[]): number {
  assertFiniteSamples(samples);
  return ssMad(samples);
}

/**
 * Robust relative spread: MAD / |median| (raw MAD, unscaled). A robust counterpart of the coefficient of
 * variation for A/A noise floors — multiply by MAD_NORMAL_CONSISTENCY to put it on the cv scale for
 * Gaussian data. 0 when the MAD is 0; throws when the median is 0 with a non-zero MAD, or on empty /
 * non-finite input.
 */
export function relativeSpread(samples: readonly number[]): number {
  const mad = medianAbsoluteDeviation(samples);
  if (mad === 0) return 0;
  const m = median(samples);
  if (m === 0) throw new RangeError('relativeSpread is undefined when the median is 0');
  return mad / Math.abs(m);
}
