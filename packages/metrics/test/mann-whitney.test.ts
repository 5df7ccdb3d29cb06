import { describe, expect, it } from 'vitest';
import { mannWhitneyU, normalSurvival } from '../src/index.ts';

describe('normalSurvival', () => {
  it('matches standard normal tail values', () => {
    expect(normalSurvival(0)).toBeCloseTo(0.5, 7);
    expect(normalSurvival(1.959963984540054)).toBeCloseTo(0.025, 7);
    expect(normalSurvival(-1.6448536269514722)).toBeCloseTo(0.95, 7);
    expect(normalSurvival(3)).toBeCloseTo(0.0013498980316301, 8);
  });
});

describe('mannWhitneyU', () => {
  it("reproduces Wikipedia's tortoise-and-hare example (U = 11)", () => {
    // Wikipedia, "Mann–Whitney U test", section "Illustration of calculation methods": 6 tortoises and
    // 6 hares finish in the order T H H H H H T T T T T H. Each tortoise beats 6,1,1,1,1,1 hares → U_T = 11;
    // each hare beats 5,5,5,5,5,0 tortoises → U_H = 25; U = 11 (not significant: table critical value 5).
    const tortoises = [1, 7, 8, 9, 10, 11]; // finishing positions
    const hares = [2, 3, 4, 5, 6, 12];
    const r = mannWhitneyU(tortoises, hares);
    expect(r.u1).toBe(25); // pairs where a tortoise finished later (larger position) = U_H
    expect(r.u2).toBe(11); // = U_T
    expect(r.u).toBe(11);
    expect(r.method).toBe('exact');
    // exact null distribution of U for 6 vs 6: P(U ≥ 25) = 143 / 924 (scipy.stats.mannwhitneyu
    // method='exact' gives p = 0.30952380952380953 two-sided and 0.15476190476190477 for 'greater')
    expect(r.pAGreater).toBeCloseTo(143 / 924, 12);
    expect(r.pTwoSided).toBeCloseTo(286 / 924, 12);
    expect(r.pTwoSided).toBeGreaterThan(0.05);
    expect(r.effectSize).toBeCloseTo(25 / 36, 12);
    expect(r.rankBiserial).toBeCloseTo(2 * (25 / 36) - 1, 12);
    // normal approximation, scipy method='asymptotic': p = 0.2979530616081678
    expect(mannWhitneyU(tortoises, hares, { method: 'normal' }).pTwoSided).toBeCloseTo(0.2979530616081678, 6);
  });

  it('reproduces the scipy.stats.mannwhitneyu documentation example (ages, Conover)', () => {
    // scipy docs example: males [19, 22, 16, 29, 24] vs females [20, 11, 17, 12] → U1 = 17,
    // exact two-sided p = 0.1111111111111111, asymptotic p = 0.11134688653314041.
    // By hand: U2 = 3; the number of 5-vs-4 arrangements with U2 ≤ 3 is 1+1+2+3 = 7 of C(9,4) = 126,
    // so P(U1 ≥ 17) = 7/126 = 1/18 and the two-sided p is 1/9.
    const males = [19, 22, 16, 29, 24];
    const females = [20, 11, 17, 12];
    const exact = mannWhitneyU(males, females);
    expect(exact.u1).toBe(17);
    expect(exact.u2).toBe(3);
    expect(exact.method).toBe('exact');
    expect(exact.pAGreater).toBeCloseTo(1 / 18, 12);
    expect(exact.pTwoSided).toBeCloseTo(1 / 9, 12);
    const normal = mannWhitneyU(males, females, { method: 'normal' });
    expect(normal.method).toBe('normal');
    expect(normal.pTwoSided).toBeCloseTo(0.11134688653314041, 6);
    expect(normal.pAGreater).toBeCloseTo(0.055673443266570206, 6);
  });

  it('uses the tie-corrected normal approximation with continuity correction when there are ties', () => {
    // Pooled ranks (average for ties): 1→1; 2→3 (a,a,b); 3→6.5 (a,a,a,b); 4→10 (a,b,b); 5→12.5; 6→14; 7→15.
    // R_a = 1 + 3+3 + 3·6.5 + 10 = 36.5, U1 = 36.5 − 7·8/2 = 8.5. Tie groups t = 3,4,3,2: Σ(t³−t) = 114.
    // σ² = 7·8/12 · (16 − 114/(15·14)) = 72.1333…; z = (8.5 − 28 + 0.5)/σ = −2.2371.
    // scipy.stats.mannwhitneyu(a, b): p = 0.025279736885893914; alternative='greater': 0.9907347385044912.
    const a = [1, 2, 2, 3, 3, 3, 4];
    const b = [2, 3, 4, 4, 5, 5, 6, 7];
    const r = mannWhitneyU(a, b);
    expect(r.method).toBe('normal');
    expect(r.u1).toBe(8.5);
    expect(r.u2).toBe(47.5);
    const sigma = Math.sqrt((56 / 12) * (16 - 114 / 210));
    expect(r.z).toBeCloseTo((8.5 - 28 + 0.5) / sigma, 12);
    expect(r.pTwoSided).toBeCloseTo(0.025279736885893914, 6);
    expect(r.pAGreater).toBeCloseTo(0.9907347385044912, 6);
    expect(() => mannWhitneyU(a, b, { method: 'exact' })).toThrow(/no ties/);
  });

  it('uses the normal approximation for samples larger than 20', () => {
    // No ties, n1 = 22, n2 = 21: μ = 231, σ² = 22·21·44/12 = 1694.
    // U1 = 179 → 'greater': z = (179 − 231 − 0.5)/√1694 = −1.2756, p = 0.8989453366659476;
    // two-sided: z = (283 − 231 − 0.5)/√1694, p = 0.21083651870632147 (both scipy 1.17 asymptotic/auto).
    const a = [1.1, 2.3, 3.1, 4.8, 5.2, 6.9, 7.7, 8.4, 9.9, 10.5, 11.2, 12.8, 13.3, 14.1, 15.6, 16.4, 17.9, 18.2, 19.5, 20.7, 21.3, 22.8];
    const b = a.slice(0, 21).map((x) => x + 3.05);
    const r = mannWhitneyU(a, b);
    expect(r.method).toBe('normal');
    expect(r.u1).toBe(179);
    expect(r.pAGreater).toBeCloseTo(0.8989453366659476, 6);
    expect(r.pTwoSided).toBeCloseTo(0.21083651870632147, 6);
    expect(r.z).toBeCloseTo((179 - 231 + 0.5) / Math.sqrt(1694), 12);
  });

  it('is symmetric: swapping the samples swaps u1 and u2 and keeps the two-sided p', () => {
    const a = [3.2, 4.1, 5.5, 6.0, 7.3];
    const b = [1.0, 2.2, 2.9, 4.4];
    const ab = mannWhitneyU(a, b);
    const ba = mannWhitneyU(b, a);
    expect(ba.u1).toBe(ab.u2);
    expect(ba.pTwoSided).toBeCloseTo(ab.pTwoSided, 12);
    expect(ba.z).toBeCloseTo(-ab.z, 12);
  });

  it('detects complete separation with the exact distribution', () => {
    // every a above every b, 3 vs 3: P(U ≥ 9) = 1 / C(6,3) = 1/20
    const r = mannWhitneyU([10, 11, 12], [1, 2, 3]);
    expect(r.u1).toBe(9);
    expect(r.effectSize).toBe(1);
    expect(r.pAGreater).toBeCloseTo(1 / 20, 12);
    expect(r.pTwoSided).toBeCloseTo(1 / 10, 12);
    // single observations: P(U ≥ 1) = 1/2, two-sided capped at 1
    const one = mannWhitneyU([2], [1]);
    expect(one.pAGreater).toBeCloseTo(0.5, 12);
    expect(one.pTwoSided).toBe(1);
  });

  it('gives p = 1 and z = 0 when every value is tied', () => {
    const r = mannWhitneyU([5, 5, 5], [5, 5]);
    expect(r).toMatchObject({ u1: 3, u2: 3, z: 0, pTwoSided: 1, pAGreater: 1, effectSize: 0.5, method: 'normal' });
  });

  it('rejects empty and non-finite samples, and exact with large samples', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/a must not be empty/);
    expect(() => mannWhitneyU([1], [Number.NaN])).toThrow(/b\[0\]/);
    const big = Array.from({ length: 21 }, (_, i) => i);
    expect(() => mannWhitneyU(big, [100.5], { method: 'exact' })).toThrow(RangeError);
  });
});
