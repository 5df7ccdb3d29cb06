import { percentile } from './percentile.ts';

export interface Quantiles {
  min: number;
  p5: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  p99: number;
  max: number;
}

/** Quantiles (type 7, like `percentile`) of an ascending-sorted, non-empty sample: what a box plot draws. */
export function boxQuantiles(sorted: readonly number[]): Quantiles {
  const q = (p: number) => percentile(sorted, p);
  return { min: sorted[0] as number, p5: q(5), p25: q(25), p50: q(50), p75: q(75), p95: q(95), p99: q(99), max: sorted[sorted.length - 1] as number };
}

/**
 * `bins` equal-width bin edges spanning the `trim`…(100 − `trim`) percentile range of several sorted
 * samples together, so that histograms of different devices share one x axis and a few extreme
 * outliers do not squash every bar into one. Empty input gives no edges.
 */
export function sharedBinEdges(samples: ReadonlyArray<readonly number[]>, bins: number, trim = 0.5): number[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const nonEmpty = samples.filter((s) => s.length > 0);
  if (nonEmpty.length === 0) return [];
  let lo = Math.min(...nonEmpty.map((s) => percentile(s, trim)));
  let hi = Math.max(...nonEmpty.map((s) => percentile(s, 100 - trim)));
  if (!(hi > lo)) {
    // every sample equal: one visible bar around the value
    const pad = Math.abs(lo) * 0.01 || 0.001;
    lo -= pad;
    hi += pad;
  }
  const width = (hi - lo) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
}

export interface BinnedSample {
  /** counts per bin; bin i holds edges[i] ≤ x < edges[i+1], the last bin also holds x = its upper edge */
  counts: number[];
  below: number;
  above: number;
}

/** Counts an ascending-sorted sample into the bins between `edges` (ascending, at least two). */
export function binSorted(sorted: readonly number[], edges: readonly number[]): BinnedSample {
  if (edges.length < 2) throw new RangeError('need at least two bin edges');
  const counts = new Array<number>(edges.length - 1).fill(0);
  const first = edges[0] as number;
  const last = edges[edges.length - 1] as number;
  let below = 0;
  let above = 0;
  let bin = 0;
  for (const x of sorted) {
    if (x < first) below++;
    else if (x > last) above++;
    else {
      while (bin < counts.length - 1 && x >= (edges[bin + 1] as number)) bin++;
      counts[bin] = (counts[bin] as number) + 1;
    }
  }
  return { counts, below, above };
}
