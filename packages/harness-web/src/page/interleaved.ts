import type { PackedSet } from '../input-pack.ts';
import { atMeasureMax, INTERLEAVE_BLOCK, INTERLEAVE_SEQUENCE, interleavedWarmingUp, measureDone } from '../measure-rule.ts';
import type { HarnessLoopSettings, LatencyTimings } from '../protocol.ts';
import type { BrowserWatch } from './browser-report.ts';
import { runOnce, type Feeds, type RuntimeSession } from './runtime.ts';

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
 * each side has met the measure minimums on its own clock (a side at its maximum sits out). Blocks,
 * their order and the warmup and stop rules are ../measure-rule.ts's, shared with the host driver.
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
  while (interleavedWarmingUp(s, Math.min(sides[0].warmupRuns, sides[1].warmupRuns), performance.now() - warmupStart)) {
    for (const x of sides) {
      await runOnce(x.session, x.feeds);
      x.warmupRuns++;
    }
  }
  const warmupSeconds = (performance.now() - warmupStart) / 1000 / 2;
  watch.sample();

  const atMax = (x: Side) => atMeasureMax(s, x.samples.length, x.measureMs);
  const done = (x: Side) => measureDone(s, x.samples.length, x.measureMs);
  for (let round = 0; !sides.every(done); round++) {
    const x = sides[INTERLEAVE_SEQUENCE[round % INTERLEAVE_SEQUENCE.length] as 0 | 1];
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
