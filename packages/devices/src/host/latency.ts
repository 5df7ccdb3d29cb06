import { performance } from 'node:perf_hooks';
import { summarize } from '@edgeproof/metrics';
import { measureDone, warmingUp } from '@edgeproof/harness-web/measure-rule';
import type { LatencySummary } from '@edgeproof/contracts';
import type { DriverJob, DriverResult } from '../driver.ts';
import { hostEnvironment } from './result-environment.ts';
import { latencyInputSet } from '../inputs/input-sets.ts';
import { markMeasureEnd, markMeasureStart, markWarmupStart, peakMemoryBytes } from './phases.ts';
import { createSession, toFeeds } from '../reference/onnx-session.ts';
import { deviceSessionOptions } from './device-session.ts';

/**
 * Session creation and first inference are timed on their own; then warmup runs until both warmup
 * minimums are met; then measurement runs until both measure minimums are met. The maximums (runs
 * or seconds, whichever comes first) win over the minimums. Every run uses the same input tensors.
 */
export async function runLatency(job: DriverJob): Promise<DriverResult> {
  const s = job.settings;
  const input = await latencyInputSet(job);

  const createStart = performance.now();
  const session = await createSession(job.model.path, deviceSessionOptions(s.threads));
  const sessionCreateMs = performance.now() - createStart;
  const feeds = toFeeds(input.tensors, session.inputNames);

  const firstStart = performance.now();
  await session.run(feeds);
  const firstInferenceMs = performance.now() - firstStart;

  let warmupRuns = 0;
  markWarmupStart();
  const warmupStart = performance.now();
  while (warmingUp(s, warmupRuns, performance.now() - warmupStart)) {
    await session.run(feeds);
    warmupRuns++;
  }
  const warmupSeconds = (performance.now() - warmupStart) / 1000;

  const samples: number[] = [];
  markMeasureStart();
  const measureStart = performance.now();
  for (;;) {
    if (measureDone(s, samples.length, performance.now() - measureStart)) break;
    const t = performance.now();
    await session.run(feeds);
    samples.push(performance.now() - t);
  }
  const measureSeconds = (performance.now() - measureStart) / 1000;
  markMeasureEnd();
  await session.release();

  const summary: LatencySummary = {
    kind: 'latency',
    unit: 'ms',
    sessionCreateMs,
    firstInferenceMs,
    warmup: { runs: warmupRuns, seconds: warmupSeconds },
    measure: { runs: samples.length, seconds: measureSeconds },
    stats: summarize(samples),
    peakMemoryBytes: peakMemoryBytes(),
  };
  return { summary, rawSamples: samples, environment: await hostEnvironment(job, input.shapes) };
}
