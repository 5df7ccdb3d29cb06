import type { PackedSet } from '../input-pack.ts';
import type { HarnessLoopSettings, LatencyTimings } from '../protocol.ts';
import type { BrowserWatch } from './browser-report.ts';
import { runOnce, type Feeds, type RuntimeSession } from './runtime.ts';

/** Runs per block; blocks go A B B A, as in the host driver's interleaved latency (packages/devices/src/host/interleaved-latency.ts). */
export const INTERLEAVE_BLOCK = 5;
const ORDER = [0, 1, 1, 0] as const;
export const INTERLEAVE_ORDER = `blocks of ${INTERLEAVE_BLOCK} runs, A B B A`;

export interface InterleavedSide {
  session: RuntimeSession;
  set: PackedSet;
  sessionCreateMs: number;
}

interface Side {
  session: RuntimeSession;
  feeds: Feeds;
  sessionCreateMs: number;
  firstInferenceMs: number;
  warmupRuns: number;
  samples: number[];
  measureMs: number;
}

/**
 * Latency of A (the job's model) and B (a baseline) in one page, one session each: first inference
 * of each timed on its own, warmup alternating single runs, then measurement in blocks A B B A until
 * each side has met the measure minimums on its own clock (a side at its maximum sits out).
 */
export async function measureInterleavedLatency(
  a: InterleavedSide,
  b: InterleavedSide,
  s: HarnessLoopSettings,
  watch: BrowserWatch,
): Promise<{ a: LatencyTimings; b: LatencyTimings }> {
  const opened: { session: RuntimeSession; feeds: Feeds }[] = [];
  const open = async (x: InterleavedSide): Promise<Side> => {
    const feeds = x.session.feeds(x.set);
    opened.push({ session: x.session, feeds });
    const t = performance.now();
    await runOnce(x.session, feeds);
    return { session: x.session, feeds, sessionCreateMs: x.sessionCreateMs, firstInferenceMs: performance.now() - t, warmupRuns: 0, samples: [], measureMs: 0 };
  };
  try {
    return await measureSides([await open(a), await open(b)], s, watch);
  } finally {
    for (const o of opened) o.session.dropFeeds(o.feeds);
  }
}

async function measureSides(sides: readonly [Side, Side], s: HarnessLoopSettings, watch: BrowserWatch): Promise<{ a: LatencyTimings; b: LatencyTimings }> {
  const warmupStart = performance.now();
  while (sides.some((x) => x.warmupRuns < s.warmupMinRuns) || performance.now() - warmupStart < s.warmupMinSeconds * 1000 * 2) {
    for (const x of sides) {
      await runOnce(x.session, x.feeds);
      x.warmupRuns++;
    }
  }
  const warmupSeconds = (performance.now() - warmupStart) / 1000 / 2;
  watch.sample();

  const atMax = (x: Side) => x.samples.length >= s.measureMaxRuns || x.measureMs >= s.measureMaxSeconds * 1000;
  const done = (x: Side) => atMax(x) || (x.samples.length >= s.measureMinRuns && x.measureMs >= s.measureMinSeconds * 1000);
  for (let round = 0; !sides.every(done); round++) {
    const x = sides[ORDER[round % ORDER.length] as 0 | 1];
    if (atMax(x)) continue;
    for (let i = 0; i < INTERLEAVE_BLOCK && x.samples.length < s.measureMaxRuns; i++) {
      const t = performance.now();
      await runOnce(x.session, x.feeds);
      const ms = performance.now() - t;
      x.samples.push(ms);
      x.measureMs += ms;
    }
    if (round % 20 === 0) watch.sample();
  }
  watch.sample();

  const timings = (x: Side): LatencyTimings => ({
    sessionCreateMs: x.sessionCreateMs,
    firstInferenceMs: x.firstInferenceMs,
    warmupRuns: x.warmupRuns,
    warmupSeconds,
    measureSeconds: x.measureMs / 1000,
    samples: x.samples,
  });
  return { a: timings(sides[0]), b: timings(sides[1]) };
}
