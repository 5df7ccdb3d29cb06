import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { median } from 'simple-statistics';
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
  const c = rankSample(candidate);
  const b = rankSample(baseline);
  const ratios = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) {
    const mc = resampledMedian(c, random);
    const mb = resampledMedian(b, random);
    ratios[i] = mc / mb;
  }
  ratios.sort((x, y) => x - y);
  const alpha = (1 - confidence) / 2;
  return {
    ratio: median([...candidate]) / median([...baseline]),
    lower: percentile(ratios, alpha * 100),
    upper: percentile(ratios, (1 - alpha) * 100),
    iterations,
    confidence,
  };
}

/** A sample sorted once, with each original position's rank in the sorted order, and a scratch counter per rank. */
interface RankedSample {
  sorted: Float64Array;
  rank: Uint32Array;
  counts: Uint32Array;
}

function rankSample(samples: readonly number[]): RankedSample {
  const n = samples.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((x, y) => (samples[x] as number) - (samples[y] as number) || x - y);
  const sorted = new Float64Array(n);
  const rank = new Uint32Array(n);
  order.forEach((original, r) => {
    sorted[r] = samples[original] as number;
    rank[original] = r;
  });
  return { sorted, rank, counts: new Uint32Array(n) };
}

/**
 * The median of one resample with replacement (n draws of floor(random() * n), the same draws as
 * simple-statistics' sampleWithReplacement) without sorting or selecting: a drawn position is counted
 * at its rank in the pre-sorted sample, and the middle order statistics are read off the cumulative
 * counts. Same values, same order statistics and the same type-7 interpolation as simple-statistics'
 * median, so the result is bit-identical; O(n) per resample with no comparisons.
 */
function resampledMedian({ sorted, rank, counts }: RankedSample, random: () => number): number {
  const n = sorted.length;
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const r = rank[Math.floor(random() * n)] as number;
    counts[r] = (counts[r] as number) + 1;
  }
  const h = (n - 1) / 2;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  let seen = 0;
  let r = 0;
  while ((seen += counts[r] as number) <= lo) r++;
  const lower = sorted[r] as number;
  if (hi === lo) return lower;
  // the next order statistic is at the same rank while this rank's count covers it
  if (seen <= hi) while ((counts[++r] as number) === 0);
  const upper = sorted[r] as number;
  return lower + (h - lo) * (upper - lower);
}

function assertPositiveSamples(samples: readonly number[], what: string): void {
  assertFiniteSamples(samples, what);
  samples.forEach((v, i) => {
    if (v <= 0) throw new RangeError(`${what}[${i}] must be > 0, got ${v}`);
  });
}
