/**
 * The candidate-vs-baseline interval behind the dashboard's comparison and the release gate:
 * `bootstrapRatioOfMedians` (@edgeproof/metrics: each resample counted at its ranks in a sample
 * sorted once, medians read off the counts) against the straightforward bootstrap it replaced
 * (resample with simple-statistics' sampleWithReplacement, then its median: Floyd-Rivest selection
 * on a copy), for the dashboard's shape: 20 devices × 5,000 samples per role, 1,000 resamples each,
 * seeded per device. Both run in this process, interleaved ×3; wall time with performance.now().
 * The intervals must be identical (same seeded draws, same order statistics).
 */
import Table from 'cli-table3';
import { median, quantileSorted, sampleWithReplacement } from 'simple-statistics';
import { bootstrapRatioOfMedians, seededRandom } from '@edgeproof/metrics';
import { syntheticLatencies } from '../apps/api/test/dashboard-seed.ts';
import { median as medianOf } from './support/platform.ts';

const DEVICES = 20;
const SAMPLES = 5000;
const ITERATIONS = 1000;
const CONFIDENCE = 0.95;
const ROUNDS = 3;

type Interval = [number, number];

function previousBootstrap(candidate: number[], baseline: number[], seed: number): Interval {
  const random = seededRandom(seed);
  const ratios: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const mc = median(sampleWithReplacement(candidate, candidate.length, random));
    ratios.push(mc / median(sampleWithReplacement(baseline, baseline.length, random)));
  }
  ratios.sort((x, y) => x - y);
  const alpha = (1 - CONFIDENCE) / 2;
  return [quantileSorted(ratios, alpha), quantileSorted(ratios, 1 - alpha)];
}

function currentBootstrap(candidate: number[], baseline: number[], seed: number): Interval {
  const r = bootstrapRatioOfMedians(candidate, baseline, { seed, iterations: ITERATIONS, confidence: CONFIDENCE });
  return [r.lower, r.upper];
}

const devices = Array.from({ length: DEVICES }, (_, d) => ({
  candidate: syntheticLatencies(SAMPLES, 2 * (1 + d / 10) * 1.08, 1000 + d),
  baseline: syntheticLatencies(SAMPLES, 2 * (1 + d / 10), 2000 + d),
  seed: 7 * d + 1,
}));

function timeAll(run: (c: number[], b: number[], seed: number) => Interval): { ms: number; intervals: Interval[] } {
  const start = performance.now();
  const intervals = devices.map((d) => run(d.candidate, d.baseline, d.seed));
  return { ms: performance.now() - start, intervals };
}

const previous: number[] = [];
const current: number[] = [];
let identical = true;
for (let round = 0; round < ROUNDS; round++) {
  const p = timeAll(previousBootstrap);
  const c = timeAll(currentBootstrap);
  previous.push(p.ms);
  current.push(c.ms);
  identical &&= p.intervals.every((iv, i) => iv[0] === c.intervals[i]?.[0] && iv[1] === c.intervals[i]?.[1]);
}

const ratio = medianOf(current) / medianOf(previous);
const table = new Table({ head: ['measure', 'value', 'target', 'met'] });
table.push(
  [`previous: resample + select each median (median of ${ROUNDS})`, `${medianOf(previous).toFixed(0)} ms`, '', ''],
  [`current: ranks counted, sorted once (median of ${ROUNDS})`, `${medianOf(current).toFixed(0)} ms`, '', ''],
  ['current / previous', ratio.toFixed(3), '≤ 0.5', ratio <= 0.5 ? 'yes' : 'NO'],
  ['intervals identical for every device and round', identical ? 'yes' : 'no', 'yes', identical ? 'yes' : 'NO'],
);
console.log(`bootstrap of the median ratio, ${DEVICES} devices × ${SAMPLES} samples × candidate+baseline, ${ITERATIONS} resamples each`);
console.log(`rounds (previous / current ms): ${previous.map((p, i) => `${p.toFixed(0)} / ${(current[i] as number).toFixed(0)}`).join(', ')}`);
console.log(table.toString());
if (!identical) process.exitCode = 1;
