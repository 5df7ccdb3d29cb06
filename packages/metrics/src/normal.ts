import { errorFunction } from 'simple-statistics';

/**
 * Upper tail of the standard normal, P(Z > z), via simple-statistics' errorFunction
 * (Numerical Recipes erfc approximation, fractional error < 1.2e-7). Not the table-based
 * cumulativeStdNormalProbability, which rounds z to 0.01 and returns 4 decimals.
 */
export function normalSurvival(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return 0.5 * (1 - errorFunction(z / Math.SQRT2));
}
