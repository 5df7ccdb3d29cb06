import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { median, sampleWithReplacement } from 'simple-statistics';
import { percentile } from './percentile.ts';
import { assertFiniteSamples, assertPositiveInteger, assertProbability } from './validate.ts';

export interface BootstrapOptions {
  /** PRNG seed (integer, reduced to 32 bits); the same inputs and seed always give the same result. */
  seed: number;
  /** Number of bootstrap resamples (default 2000). */
  iterations?: number;
  /** Two-sided confidence level in (0, 1) (default 0.95). */
  confidence?: number;
}

export interface BootstrapRatioResult {
  /** median(candidate) / median(baseline) of the observed samples. */
  ratio: number;
  /** Lower bound of the percentile-bootstrap confidence interval. */
  lower: number;
  /** Upper bound of the percentile-bootstrap confidence interval. */
  upper: number;
  iterations: number;
  confidence: number;
}

/** A deterministic source of uniform [0, 1) doubles (xoroshiro128+ from pure-rand, 53-bit floats). The integer seed is reduced to 32 bits. */
export function seededRandom(seed: number): () => number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const rng = xoroshiro128plus(seed | 0);
  return () => uniformFloat64(rng);
}

/**
 * Percentile-bootstrap confidence interval for median(candidate) / median(baseline), e.g. a latency
 * ratio (> 1 = candidate slower). Each iteration resamples both groups independently with replacement
 * (same sizes as the inputs), candidate first then baseline, from one seeded stream; the interval is
 * the (1−c)/2 and (1+c)/2 type-7 percentiles of the resampled ratios.
 *
 * Samples must be finite and strictly positive (a ratio of medians is only meaningful for positive
 * quantities, and a zero baseline median has no ratio). Throws otherwise.
 */
export function bootstrapRatioOfMedians(
  candidate: readonly number[],
  baseline: readonly number[],
  { seed, iterations = 2000, confidence = 0.95 }: BootstrapOptions,
): BootstrapRatioResult {
  assertPositiveSamples(candidate, 'candidate');
  assertPositiveSamples(baseline, 'baseline');
  assertPositiveInteger(iterations, 'iterations');
  assertProbability(confidence, 'confidence', { open: true });
  const random = seededRandom(seed);
  const c = [...candidate];
  const b = [...baseline];
  const ratios = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) {
    const mc = median(sampleWithReplacement(c, c.length, random));
    const mb = median(sampleWithReplacement(b, b.length, random));
    ratios[i] = mc / mb;
  }
  ratios.sort((x, y) => x - y);
  const alpha = (1 - confidence) / 2;
  return {
    ratio: median(c) / median(b),
    lower: percentile(ratios, alpha * 100),
    upper: percentile(ratios, (1 - alpha) * 100),
    iterations,
    confidence,
  };
}

function assertPositiveSamples(samples: readonly number[], what: string): void {
  assertFiniteSamples(samples, what);
  samples.forEach((v, i) => {
    if (v <= 0) throw new RangeError(`${what}[${i}] must be > 0, got ${v}`);
  });
}
