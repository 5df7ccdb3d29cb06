import type { HarnessServer } from '@edgeproof/harness-web';
import type { DriverJob, DriverResult } from '../driver.ts';
import { runBrowserFeatureJob } from './feature-job.ts';
import { runHarnessJob, type HarnessTarget, type JobTimings } from './harness-job.ts';
import { endpointLabel, type ResolvedBrowserOptions } from './options.ts';
import { closeSession, openSession, type BrowserSession } from './session.ts';

export type { JobTimings } from './harness-job.ts';

export interface SlotContext {
  opts: ResolvedBrowserOptions;
  server: HarnessServer;
  slotName: string;
  chromedriverPort: number;
}

/** A desktop browser slot as a harness target: a fresh session and profile directory per job. */
export function slotTarget(ctx: SlotContext): HarnessTarget<BrowserSession> {
  const { opts } = ctx;
  return {
    server: ctx.server,
    executionProvider: opts.executionProvider,
    simd: opts.simd,
    endpoint: endpointLabel(opts.endpoint),
    browserName: 'chromium',
    open: (commandTimeoutMs) => openSession(opts, { slotName: ctx.slotName, chromedriverPort: ctx.chromedriverPort, commandTimeoutMs }),
    close: (session, o) => closeSession(opts, session, o),
  };
}

/** One job on one browser slot: a feature replay, or a benchmark in the harness page. */
export async function runBrowserJob(
  ctx: SlotContext,
  job: DriverJob,
  signal: AbortSignal,
  onTimings?: (t: JobTimings) => void,
): Promise<DriverResult> {
  if (job.benchmark === 'feature') return runBrowserFeatureJob(ctx, job, signal);
  return runHarnessJob(slotTarget(ctx), job, signal, onTimings);
}
