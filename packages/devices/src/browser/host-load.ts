import type { DeviceTiming, ResultEnvironment } from '@edgeproof/contracts';
import type { DriverJob, DriverResult } from '../driver.ts';
import { contentionFields } from '../load/contention.ts';
import { LoadSampler, pidsWith } from '../load/sampler.ts';
import { isLoopback } from '../web-harness/chromium.ts';
import type { JobTimings } from '../web-harness/harness-job.ts';
import type { ResolvedBrowserOptions } from './options.ts';
import type { SessionUse, SlotSessions } from './slot-sessions.ts';

const SAMPLE_INTERVAL_MS = 100;
const epochNow = () => performance.timeOrigin + performance.now();
const r1 = (x: number) => Math.max(0, Math.round(x * 10) / 10);

/**
 * A harness job on a browser slot, with what the agent saw around it: where the device time went
 * (environment.timing) and, when the browser runs on this machine (loopback endpoint), the machine's
 * load from the moment the job's session was ready to the moment its closing started (harness page
 * load, the page's session creation, warmup and measurement), with the CPU of the session's browser
 * processes (those with its --user-data-dir) counted as the measurement's.
 */
export async function observeBrowserJob(
  o: ResolvedBrowserOptions,
  sessions: SlotSessions,
  batch: DriverJob['batch'],
  run: (onTimings: (t: JobTimings) => void) => Promise<DriverResult>,
  onTimings?: (t: JobTimings) => void,
): Promise<DriverResult> {
  const startMs = epochNow();
  const local = isLoopback(o.endpoint.url);
  const sampler = local
    ? new LoadSampler({
        pids: () => {
          const dir = sessions.profileDir;
          return dir ? pidsWith(`--user-data-dir=${dir}`) : [];
        },
        intervalMs: SAMPLE_INTERVAL_MS,
        pidsRefreshMs: 1000,
        method: `/proc/stat, /proc/loadavg and the session's browser processes (--user-data-dir) every ${SAMPLE_INTERVAL_MS} ms, read by the agent; from the session being ready to its closing (page load, warmup, measurement)`,
      }).start()
    : undefined;
  const window: { start?: number; end?: number } = {};
  sessions.onPhase = (phase) => {
    const at = sampler?.sampleNow(true) ?? epochNow();
    if (phase === 'opened') window.start = at;
    else window.end = at;
  };
  sessions.last = undefined;
  let timings: JobTimings | undefined;
  let result: DriverResult;
  try {
    result = await run((t) => {
      timings = t;
      onTimings?.(t);
    });
  } finally {
    sessions.onPhase = undefined;
    sampler?.stop();
  }
  // a feature replay has its own session and timings (feature-job.ts): nothing to add here
  if (result.summary.kind === 'feature') return result;
  const endMs = epochNow();
  // set by the sessions during the run (TypeScript narrowed it to undefined above)
  const use = sessions.last as SessionUse | undefined;
  const s = result.summary;
  const latency = s.kind === 'latency';
  const warmupMs = latency ? s.warmup.seconds * 1000 : 0;
  const measuredMs = latency ? s.measure.seconds * 1000 : (timings?.pageRunMs ?? 0);
  const teardownMs = timings?.teardownMs ?? 0;
  const totalMs = endMs - startMs;
  const timing: DeviceTiming = {
    setupMs: r1(totalMs - warmupMs - measuredMs - teardownMs),
    warmupMs: r1(warmupMs),
    measuredMs: r1(measuredMs),
    teardownMs: r1(teardownMs),
    totalMs: r1(totalMs),
    method: latency
      ? 'agent clock from BrowserDriver.run to the result in hand; warmup and measurement as the page timed them; teardown = closing the session (or replacing its tab); setup = the rest'
      : 'agent clock from BrowserDriver.run to the result in hand; measured = the page run (includes the page creating its session); teardown = closing the session (or replacing its tab)',
    ...(use ? { sharedSession: use.shared, sessionAgeMs: use.ageMs, sessionJobsServed: use.jobsServed } : {}),
    ...(batch ? { batch } : {}),
    shared: sharedOf(use, result.environment.extra?.['pagePrepared']),
  };
  const load = sampler && window.start !== undefined && window.end !== undefined ? sampler.summarize(window.start, window.end) : null;
  const environment: ResultEnvironment = {
    ...result.environment,
    ...(latency ? contentionFields(load, o.contention) : load ? { hostLoad: load } : {}),
    timing,
  };
  return { ...result, environment };
}

/** What the job took over from the jobs before it on the slot, in words (environment.timing.shared). */
function sharedOf(use: SessionUse | undefined, pagePrepared: unknown): string[] {
  const shared: string[] = [];
  if (use?.shared) shared.push('WebDriver session and browser process (the job got a fresh tab: no page, wasm memory or worker of an earlier job)');
  if (typeof pagePrepared === 'string') shared.push(`harness page loaded and ${pagePrepared} started in the tab before the job came (no model loaded)`);
  return shared;
}
