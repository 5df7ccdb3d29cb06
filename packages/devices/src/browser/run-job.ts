import type { HarnessServer } from '@edgeproof/harness-web';
import type { DriverJob, DriverResult } from '../driver.ts';
import { runBrowserFeatureJob } from './feature-job.ts';
import { endpointLabel } from '../web-harness/chromium.ts';
import { runHarnessJob, type HarnessTarget, type JobTimings } from '../web-harness/harness-job.ts';
import type { ResolvedBrowserOptions } from './options.ts';
import { closeSession, openSession, type BrowserSession } from './session.ts';
import type { SessionRequest, SlotSessions } from './slot-sessions.ts';

export type { JobTimings } from '../web-harness/harness-job.ts';

export interface SlotContext {
  opts: ResolvedBrowserOptions;
  server: HarnessServer;
  slotName: string;
  chromedriverPort: number;
  /** the device's advertised runtimes (registration) */
  runtimes?: readonly string[];
  /** the slot's sessions, kept between jobs that allow it (slot-sessions.ts); absent: a new session per job */
  sessions?: SlotSessions;
}

/** A desktop browser slot as a harness target: a fresh session and profile directory per job, or (reuse, batch) a kept session's fresh tab. */
export function slotTarget(ctx: SlotContext, req: SessionRequest = { reuse: false }): HarnessTarget<BrowserSession> {
  const { opts } = ctx;
  return {
    server: ctx.server,
    executionProvider: opts.executionProvider,
    simd: opts.simd,
    endpoint: endpointLabel(opts.endpoint),
    browserName: 'chromium',
    ...(ctx.runtimes ? { runtimes: ctx.runtimes } : {}),
    localChromium: opts.localChromium,
    open: (commandTimeoutMs) =>
      ctx.sessions ? ctx.sessions.open(commandTimeoutMs, req) : openSession(opts, { slotName: ctx.slotName, chromedriverPort: ctx.chromedriverPort, commandTimeoutMs }),
    close: (session, o) => (ctx.sessions ? ctx.sessions.close(session, o, req) : closeSession(opts, session, o)),
  };
}

/** One job on one browser slot: a feature replay, or a benchmark in the harness page. */
export async function runBrowserJob(
  ctx: SlotContext,
  job: DriverJob,
  signal: AbortSignal,
  onTimings?: (t: JobTimings) => void,
): Promise<DriverResult> {
  if (job.benchmark === 'feature') {
    // its own session with a fake camera, on the slot's chromedriver port: a kept session goes first
    await ctx.sessions?.closeKept();
    return runBrowserFeatureJob(ctx, job, signal);
  }
  const req: SessionRequest = { reuse: job.settings.reuseBrowserSession === true, ...(job.runId ? { runId: job.runId } : {}), ...(job.batch && ctx.opts.continueBatches ? { batch: job.batch } : {}) };
  return runHarnessJob(slotTarget(ctx, req), job, signal, onTimings);
}
