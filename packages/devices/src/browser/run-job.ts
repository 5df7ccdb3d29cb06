import { encodeInputSets, type HarnessServer, type HarnessSpec } from '@edgeproof/harness-web';
import { DriverError, type DriverJob, type DriverResult } from '../driver.ts';
import { runBrowserFeatureJob } from './feature-job.ts';
import { browserInputSets, scoreOutput, toPacked } from './job-inputs.ts';
import { endpointLabel, type ResolvedBrowserOptions } from './options.ts';
import { loadHarness, runInPage } from './page-calls.ts';
import { referenceOutputs, type ReferenceOutputs } from './reference-process.ts';
import { accuracyResult, latencyResult, parityResult, type SessionFacts } from './results.ts';
import { closeSession, openSession, type BrowserSession } from './session.ts';

export interface SlotContext {
  opts: ResolvedBrowserOptions;
  server: HarnessServer;
  slotName: string;
  chromedriverPort: number;
}

/** Phases of one job, for overhead accounting (bench/browser-harness.ts). */
export interface JobTimings {
  sessionOpenMs: number;
  harnessLoadMs: number;
  pageRunMs: number;
  teardownMs: number;
}

const GONE = /chrome not reachable|disconnected|session deleted|invalid session id|no such window|target (window )?(already )?closed|crash|ECONNREFUSED|socket hang up|ECONNRESET/i;

/**
 * One job on one browser slot: inputs chosen as on the host, a fresh session and profile, the harness
 * page loaded, the benchmark run inside it, and the session torn down whatever happened.
 * Stops promptly (and still tears down) on abort or after settings.timeoutSeconds.
 */
export async function runBrowserJob(
  ctx: SlotContext,
  job: DriverJob,
  signal: AbortSignal,
  onTimings?: (t: JobTimings) => void,
): Promise<DriverResult> {
  if (job.benchmark === 'feature') return runBrowserFeatureJob(ctx, job, signal);
  if (job.model.format !== 'onnx') throw new DriverError('unsupported', `the browser driver runs ONNX models only, not ${job.model.format}`);
  const { opts, server } = ctx;
  const sets = await browserInputSets(job);
  const output = job.benchmark === 'accuracy' && job.dataset ? scoreOutput(job.model.signature, job.dataset.header) : undefined;
  const timeoutMs = job.settings.timeoutSeconds * 1000;
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new DriverError('timeout', `browser job timed out after ${job.settings.timeoutSeconds}s`)), timeoutMs);
  const onAbort = () => stop.abort(new DriverError('aborted', `browser job aborted: ${reasonText(signal.reason)}`));
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const stopped = new Promise<never>((_, reject) => {
    const fire = () => reject(stop.signal.reason as Error);
    if (stop.signal.aborted) fire();
    else stop.signal.addEventListener('abort', fire, { once: true });
  });
  stopped.catch(() => {});

  const hosted = server.host({ modelPath: job.model.path, inputs: encodeInputSets(toPacked(sets)) });
  const reference: Promise<ReferenceOutputs> | undefined =
    job.benchmark === 'parity' ? referenceOutputs({ modelPath: job.model.path, sets: sets.map((s) => s.tensors) }, stop.signal) : undefined;
  reference?.catch(() => {});

  let session: BrowserSession | undefined;
  let pageAnswered = false;
  const timings: JobTimings = { sessionOpenMs: 0, harnessLoadMs: 0, pageRunMs: 0, teardownMs: 0 };
  try {
    const opening = openSession(opts, { slotName: ctx.slotName, chromedriverPort: ctx.chromedriverPort, commandTimeoutMs: timeoutMs + 60_000 });
    // a session that opens after an abort is closed as soon as it exists
    opening.then(
      (s) => {
        if (stop.signal.aborted && session === undefined) void closeSession(opts, s);
      },
      () => {},
    );
    session = await Promise.race([opening, stopped]).catch((err: unknown) => {
      throw err instanceof DriverError ? err : new DriverError('failed', `could not open a browser session at ${endpointLabel(opts.endpoint)}: ${messageOf(err)}`);
    });
    timings.sessionOpenMs = session.openMs;
    const browser = session.browser;

    timings.harnessLoadMs = await Promise.race([loadHarness(browser, server.pageUrl(opts.executionProvider)), stopped]);
    await browser.setTimeout({ script: Math.max(1000, timeoutMs) });
    const spec: HarnessSpec = {
      benchmark: job.benchmark,
      modelUrl: hosted.modelUrl,
      inputsUrl: hosted.inputsUrl,
      threads: job.settings.threads,
      simd: opts.simd,
      executionProvider: opts.executionProvider,
      warmupMinRuns: job.settings.warmupMinRuns,
      warmupMinSeconds: job.settings.warmupMinSeconds,
      measureMinRuns: job.settings.measureMinRuns,
      measureMinSeconds: job.settings.measureMinSeconds,
      measureMaxRuns: job.settings.measureMaxRuns,
      measureMaxSeconds: job.settings.measureMaxSeconds,
      ...(output !== undefined && job.dataset ? { scoreOutput: output, labelCount: job.dataset.header.labels.length } : {}),
    };
    const runStart = performance.now();
    const answer = await Promise.race([runInPage(browser, spec), stopped]);
    timings.pageRunMs = performance.now() - runStart;
    pageAnswered = true;
    if (!answer.ok) throw new DriverError(answer.failure.code, `in the browser: ${answer.failure.message}`);

    const facts: SessionFacts = {
      browserVersion: session.browserVersion,
      endpoint: endpointLabel(opts.endpoint),
      sessionOpenMs: timings.sessionOpenMs,
      harnessLoadMs: timings.harnessLoadMs,
    };
    switch (job.benchmark) {
      case 'latency':
        return latencyResult(job, answer, sets, facts);
      case 'accuracy':
        return accuracyResult(job, answer, sets, output ?? '', facts);
      case 'parity':
        if (reference === undefined) throw new DriverError('failed', 'no parity reference was started');
        return parityResult(job, answer, sets, await Promise.race([reference, stopped]), facts);
      default:
        throw new DriverError('unsupported', `the browser driver has no "${String(job.benchmark)}" benchmark`);
    }
  } catch (err) {
    if (err instanceof DriverError) throw err;
    if (stop.signal.aborted) throw stop.signal.reason as Error;
    const message = messageOf(err);
    if (GONE.test(message)) throw new DriverError('crashed', `the browser went away during the job: ${message}`, { cause: err });
    throw new DriverError('failed', `browser session error: ${message}`, { cause: err });
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    hosted.remove();
    if (!stop.signal.aborted) stop.abort(new DriverError('aborted', 'job finished'));
    if (session) {
      const t = performance.now();
      await closeSession(opts, session, { browserFirst: !pageAnswered });
      timings.teardownMs = performance.now() - t;
    }
    onTimings?.(timings);
  }
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 1000) ?? '';
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'signal aborted';
}
