import type { SampleStats } from '@edgeproof/contracts';
import { mean as ssMean, sampleStandardDeviation } from 'simple-statistics';
import { percentile } from './percentile.ts';
import { assertFiniteSamples } from './validate.ts';

/**
 * Summary statistics of a sample (e.g. per-run latencies in ms).
 *
 * - percentiles: Hyndman-Fan type 7 (see `percentile`)
 * - stdev: sample standard deviation (n - 1 denominator); 0 when n < 2
 * - cv: stdev / mean; 0 when mean is 0
 *
 * The input is not mutated. Throws on an empty sample or any non-finite value.
 */
export function summarize(samples: readonly number[]): SampleStats {
  assertFiniteSamples(samples);
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = ssMean(sorted);
  const stdev = sorted.length < 2 ? 0 : sampleStandardDeviation(sorted);
  return {
    count: sorted.length,
    min: sorted[0] as number,
    mean,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] as number,
    stdev,
    cv: mean === 0 ? 0 : stdev / mean,
  };
}
