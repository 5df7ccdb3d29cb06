import { wilcoxonRankSum } from 'simple-statistics';
import { normalSurvival } from './normal.ts';
import { assertFiniteSamples } from './validate.ts';

export type MannWhitneyMethod = 'auto' | 'exact' | 'normal';

export interface MannWhitneyResult {
  /** U for sample a: the number of pairs (a_i, b_j) with a_i > b_j, ties counting 1/2 (= scipy's statistic). */
  u1: number;
  /** U for sample b: n1·n2 − u1. */
  u2: number;
  /** min(u1, u2), the value textbook tables use. */
  u: number;
  /** (u1 − n1·n2/2 ∓ 0.5) / σ with tie-corrected σ, continuity-corrected towards 0; > 0 means a tends larger; 0 when σ = 0. */
  z: number;
  /** Two-sided p-value (H1: the distributions differ). */
  pTwoSided: number;
  /** One-sided p-value for H1: a is stochastically greater than b (scipy alternative='greater'). */
  pAGreater: number;
  /** Probability of superiority u1 / (n1·n2) = P(A > B) + P(A = B)/2; 0.5 = no effect, 1 = every a above every b. */
  effectSize: number;
  /** Rank-biserial correlation 2·effectSize − 1, in [-1, 1]. */
  rankBiserial: number;
  /** How the p-values were obtained. */
  method: 'exact' | 'normal';
}

/** Largest sample size (each group) for which 'auto' uses the exact null distribution. */
export const MANN_WHITNEY_EXACT_MAX = 20;

/**
 * Mann-Whitney U (Wilcoxon rank-sum) test of a against b.
 *
 * Ranks use the average rank for ties. p-values:
 * - 'exact': the exact permutation distribution of U (valid without ties);
 * - 'normal': normal approximation with tie-corrected variance
 *   σ² = n1·n2/12 · ((n+1) − Σ(t³ − t)/(n(n−1))) and continuity correction 0.5 (as scipy's default);
 * - 'auto' (default): exact when both n1, n2 ≤ 20 and there are no ties, else normal.
 * Same conventions as scipy.stats.mannwhitneyu (statistic = u1; two-sided p = 2·P(U ≥ max(u1, u2)), capped at 1).
 * Throws on an empty sample or a non-finite value, and on method 'exact' with ties or n > 20.
 */
export function mannWhitneyU(
  a: readonly number[],
  b: readonly number[],
  { method = 'auto' }: { method?: MannWhitneyMethod } = {},
): MannWhitneyResult {
  assertFiniteSamples(a, 'a');
  assertFiniteSamples(b, 'b');
  const n1 = a.length;
  const n2 = b.length;
  const n = n1 + n2;
  const u1 = wilcoxonRankSum(a, b) - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const tieTerm = tieCorrection([...a, ...b]);
  const small = n1 <= MANN_WHITNEY_EXACT_MAX && n2 <= MANN_WHITNEY_EXACT_MAX;
  if (method === 'exact' && (!small || tieTerm > 0)) {
    throw new RangeError(`exact Mann-Whitney needs n1, n2 ≤ ${MANN_WHITNEY_EXACT_MAX} and no ties`);
  }
  const exact = method === 'exact' || (method === 'auto' && small && tieTerm === 0);

  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = sigma === 0 ? 0 : (Math.sign(u1 - mu) * Math.max(0, Math.abs(u1 - mu) - 0.5)) / sigma;

  let pAGreater: number;
  let pTwoSided: number;
  if (exact) {
    const sf = exactSurvival(n1, n2); // sf[k] = P(U ≥ k)
    pAGreater = sf[Math.ceil(u1)] ?? 0;
    pTwoSided = 2 * (sf[Math.ceil(Math.max(u1, u2))] ?? 0);
  } else if (sigma === 0) {
    // every value tied: no evidence either way
    pAGreater = 1;
    pTwoSided = 1;
  } else {
    pAGreater = normalSurvival((u1 - mu - 0.5) / sigma);
    pTwoSided = 2 * normalSurvival((Math.max(u1, u2) - mu - 0.5) / sigma);
  }
  const effectSize = u1 / (n1 * n2);
  return {
    u1,
    u2,
    u: Math.min(u1, u2),
    z,
    pTwoSided: clamp01(pTwoSided),
    pAGreater: clamp01(pAGreater),
    effectSize,
    rankBiserial: 2 * effectSize - 1,
    method: exact ? 'exact' : 'normal',
  };
}

/** Σ(t³ − t) over groups of tied values. */
function tieCorrection(values: number[]): number {
  values.sort((x, y) => x - y);
  let sum = 0;
  let run = 1;
  for (let i = 1; i <= values.length; i++) {
    if (i < values.length && values[i] === values[i - 1]) {
      run++;
    } else {
      sum += run * run * run - run;
      run = 1;
    }
  }
  return sum;
}

/**
 * Survival function of U under H0 without ties: sf[k] = P(U ≥ k), k = 0..n1·n2.
 * Counts come from the recurrence c(m, n; u) = c(m−1, n; u−n) + c(m, n−1; u) (Mann & Whitney 1947);
 * counts stay below C(40, 20) ≈ 1.4e11, exact in doubles.
 */
function exactSurvival(n1: number, n2: number): number[] {
  // row[n][u] = c(m, n; u) for the current m
  let row: number[][] = Array.from({ length: n2 + 1 }, () => [1]); // m = 0: U = 0 in one way
  for (let m = 1; m <= n1; m++) {
    const next: number[][] = [];
    for (let n = 0; n <= n2; n++) {
      const counts = new Array<number>(m * n + 1).fill(0);
      // largest value is an a: it beats all n b's, the rest is an (m−1, n) arrangement
      (row[n] as number[]).forEach((c, u) => {
        counts[u + n] = (counts[u + n] as number) + c;
      });
      if (n > 0) {
        // largest value is a b: it adds nothing, the rest is an (m, n−1) arrangement
        (next[n - 1] as number[]).forEach((c, u) => {
          counts[u] = (counts[u] as number) + c;
        });
      }
      next.push(counts);
    }
    row = next;
  }
  const counts = row[n2] as number[];
  const total = counts.reduce((s, c) => s + c, 0);
  const sf = new Array<number>(counts.length + 1).fill(0);
  for (let k = counts.length - 1; k >= 0; k--) sf[k] = (sf[k + 1] as number) + (counts[k] as number) / total;
  return sf;
}

function clamp01(p: number): number {
  return Math.min(1, Math.max(0, p));
}
