import { performance } from 'node:perf_hooks';
import type { LatencySummary } from '@edgeproof/contracts';
import { summarize } from '@edgeproof/metrics';
import { atMeasureMax, INTERLEAVE_BLOCK, INTERLEAVE_ORDER, INTERLEAVE_SEQUENCE, interleavedWarmingUp, measureDone } from '@edgeproof/harness-web/measure-rule';
import type * as ort from 'onnxruntime-node';
import type { DriverJob, DriverResult } from '../driver.ts';
import { latencyInputSet } from '../inputs/input-sets.ts';
import { hostEnvironment } from './result-environment.ts';
import { markMeasureEnd, markMeasureStart, markWarmupStart, peakMemoryBytes } from './phases.ts';
import { createSession, toFeeds, type Feeds } from '../reference/onnx-session.ts';
import { deviceSessionOptions } from './device-session.ts';

interface Side {
  session: ort.InferenceSession;
  feeds: Feeds;
  sessionCreateMs: number;
  firstInferenceMs: number;
  warmupRuns: number;
  samples: number[];
  measureMs: number;
}

async function open(job: DriverJob, model: DriverJob['model'], threads: number): Promise<{ side: Side; shapes: Record<string, number[]> }> {
  const input = await latencyInputSet({ ...job, model });
  const t0 = performance.now();
  const session = await createSession(model.path, deviceSessionOptions(threads));
  const sessionCreateMs = performance.now() - t0;
  const feeds = toFeeds(input.tensors, session.inputNames);
  const t1 = performance.now();
  await session.run(feeds);
  return { side: { session, feeds, sessionCreateMs, firstInferenceMs: performance.now() - t1, warmupRuns: 0, samples: [], measureMs: 0 }, shapes: input.shapes };
}

function summary(side: Side, warmupSeconds: number, peakMemoryBytes: number): LatencySummary {
  return {
    kind: 'latency',
    unit: 'ms',
    sessionCreateMs: side.sessionCreateMs,
    firstInferenceMs: side.firstInferenceMs,
    warmup: { runs: side.warmupRuns, seconds: warmupSeconds },
    measure: { runs: side.samples.length, seconds: side.measureMs / 1000 },
    stats: summarize(side.samples),
    peakMemoryBytes,
  };
}

/**
 * Latency of the job's model (A) and a baseline (B) in one process and one session each, measured
 * alternately in blocks (A B B A …) so that load, drift and heat hit both alike. Warmup alternates
 * single runs. Each side's measurement obeys the job's minimums and maximums on its own clock.
 * The result is A's; B's summary and samples are in environment.extra.interleaved.
 */
export async function runInterleavedLatency(job: DriverJob, baseline: NonNullable<DriverJob['baseline']>): Promise<DriverResult> {
  const s = job.settings;
  const a = await open(job, job.model, s.threads);
  const b = await open(job, baseline, s.threads);
  const sides = [a.side, b.side] as const;

  markWarmupStart();
  const warmupStart = performance.now();
  while (interleavedWarmingUp(s, Math.min(sides[0].warmupRuns, sides[1].warmupRuns), performance.now() - warmupStart)) {
    for (const x of sides) {
      await x.session.run(x.feeds);
      x.warmupRuns++;
    }
  }
  const warmupSeconds = (performance.now() - warmupStart) / 1000 / 2;

  const done = (x: Side) => measureDone(s, x.samples.length, x.measureMs);
  markMeasureStart();
  for (let round = 0; !sides.every(done); round++) {
    const x = sides[INTERLEAVE_SEQUENCE[round % INTERLEAVE_SEQUENCE.length] as 0 | 1];
    // both sides keep alternating until both are done; only a side at its maximum sits out
    if (atMeasureMax(s, x.samples.length, x.measureMs)) continue;
    for (let i = 0; i < INTERLEAVE_BLOCK && x.samples.length < s.measureMaxRuns; i++) {
      const t = performance.now();
      await x.session.run(x.feeds);
      const ms = performance.now() - t;
      x.samples.push(ms);
      x.measureMs += ms;
    }
  }
  markMeasureEnd();
  await Promise.all(sides.map((x) => x.session.release()));

  const peak = peakMemoryBytes();
  const interleaved = {
    order: INTERLEAVE_ORDER,
    peakMemoryNote: 'peak memory is of the one process that ran both models',
    baseline: { version: baseline.version, sha256: baseline.sha256, summary: summary(b.side, warmupSeconds, peak), rawSamples: b.side.samples },
  };
  return {
    summary: summary(a.side, warmupSeconds, peak),
    rawSamples: a.side.samples,
    environment: await hostEnvironment(job, a.shapes, { interleaved }),
  };
}
