import { encodeInputSets, type HarnessExecutionProvider, type HarnessServer, type HarnessSpec, type HostedJob } from '@edgeproof/harness-web';
import { jobDeadline } from './job-deadline.ts';
import { DriverError, type DriverJob, type DriverResult } from '../driver.ts';
import { latencyInputSet } from '../host/inputs.ts';
import { browserInputSets, scoreOutput, toPacked } from './job-inputs.ts';
import { loadHarness, runInPage } from './page-calls.ts';
import { referenceOutputs, type ReferenceOutputs } from './reference-process.ts';
import { accuracyResult, latencyResult, parityResult, type SessionFacts } from './results.ts';

/** A WebDriver session on a browser that can reach the harness server. */
export interface HarnessSession {
  browser: WebdriverIO.Browser;
  browserVersion: string;
  openMs: number;
}

/**
 * Where a harness job runs: a desktop browser slot (browser driver) or Chrome on a phone (Android
 * driver). The job code is the same; only opening and closing the session differ.
 */
export interface HarnessTarget<S extends HarnessSession = HarnessSession> {
  server: HarnessServer;
  executionProvider: HarnessExecutionProvider;
  simd: 'fixed' | 'relaxed';
  /** the WebDriver endpoint, without credentials (errors and results) */
  endpoint: string;
  /** e.g. "chromium" or "chrome (Android)"; goes into environment.extra.browser with the version */
  browserName: string;
  /** merged into environment.extra */
  extra?: Record<string, unknown>;
  /** opens a session whose commands may take up to commandTimeoutMs */
  open(commandTimeoutMs: number): Promise<S>;
  /** ends the session whatever state it is in; browserFirst: the page did not answer (may be hung) */
  close(session: S, opts: { browserFirst: boolean }): Promise<void>;
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
 * One latency / accuracy / parity job in the harness page: inputs chosen as on the host, a fresh
 * session, the harness page loaded, the benchmark run inside it, and the session torn down whatever
 * happened. A latency job with a baseline measures both in the page, interleaved (docs/adr/0004).
 * Stops promptly (and still tears down) on abort or after settings.timeoutSeconds.
 */
export async function runHarnessJob<S extends HarnessSession>(
  target: HarnessTarget<S>,
  job: DriverJob,
  signal: AbortSignal,
  onTimings?: (t: JobTimings) => void,
): Promise<DriverResult> {
  if (job.model.format !== 'onnx') throw new DriverError('unsupported', `the web harness runs ONNX models only, not ${job.model.format}`);
  const baseline = job.benchmark === 'latency' ? job.baseline : undefined;
  if (baseline && baseline.format !== 'onnx') throw new DriverError('unsupported', `the web harness runs ONNX models only, not a ${baseline.format} baseline`);
  const { server } = target;
  const sets = await browserInputSets(job);
  const output = job.benchmark === 'accuracy' && job.dataset ? scoreOutput(job.model.signature, job.dataset.header) : undefined;
  const timeoutMs = job.settings.timeoutSeconds * 1000;
  const deadline = jobDeadline(signal, job.settings.timeoutSeconds, 'browser job');
  const { stopped } = deadline;

  const hosted: HostedJob[] = [server.host({ modelPath: job.model.path, inputs: encodeInputSets(toPacked(sets)) })];
  const baselineSet = baseline ? await latencyInputSet({ ...job, model: baseline }) : undefined;
  if (baseline && baselineSet) hosted.push(server.host({ modelPath: baseline.path, inputs: encodeInputSets(toPacked([baselineSet])) }));
  const reference: Promise<ReferenceOutputs> | undefined =
    job.benchmark === 'parity' ? referenceOutputs({ modelPath: job.model.path, sets: sets.map((s) => s.tensors) }, deadline.signal) : undefined;
  reference?.catch(() => {});

  let session: S | undefined;
  let pageAnswered = false;
  const timings: JobTimings = { sessionOpenMs: 0, harnessLoadMs: 0, pageRunMs: 0, teardownMs: 0 };
  try {
    const opening = target.open(timeoutMs + 60_000);
    // a session that opens after an abort is closed as soon as it exists
    opening.then(
      (s) => {
        if (deadline.signal.aborted && session === undefined) void target.close(s, { browserFirst: false });
      },
      () => {},
    );
    session = await Promise.race([opening, stopped]).catch((err: unknown) => {
      throw err instanceof DriverError ? err : new DriverError('failed', `could not open a browser session at ${target.endpoint}: ${messageOf(err)}`);
    });
    timings.sessionOpenMs = session.openMs;
    const browser = session.browser;

    timings.harnessLoadMs = await Promise.race([loadHarness(browser, server.pageUrl(target.executionProvider)), stopped]);
    await browser.setTimeout({ script: Math.max(1000, timeoutMs) });
    const [main, second] = hosted as [HostedJob, HostedJob | undefined];
    const spec: HarnessSpec = {
      benchmark: job.benchmark as HarnessSpec['benchmark'],
      modelUrl: main.modelUrl,
      inputsUrl: main.inputsUrl,
      threads: job.settings.threads,
      simd: target.simd,
      executionProvider: target.executionProvider,
      warmupMinRuns: job.settings.warmupMinRuns,
      warmupMinSeconds: job.settings.warmupMinSeconds,
      measureMinRuns: job.settings.measureMinRuns,
      measureMinSeconds: job.settings.measureMinSeconds,
      measureMaxRuns: job.settings.measureMaxRuns,
      measureMaxSeconds: job.settings.measureMaxSeconds,
      ...(output !== undefined && job.dataset ? { scoreOutput: output, labelCount: job.dataset.header.labels.length } : {}),
      ...(second ? { baseline: { modelUrl: second.modelUrl, inputsUrl: second.inputsUrl } } : {}),
    };
    const runStart = performance.now();
    const answer = await Promise.race([runInPage(browser, spec), stopped]);
    timings.pageRunMs = performance.now() - runStart;
    pageAnswered = true;
    if (!answer.ok) throw new DriverError(answer.failure.code, `in the browser: ${answer.failure.message}`);

    const facts: SessionFacts = {
      browser: `${target.browserName} ${session.browserVersion}`,
      endpoint: target.endpoint,
      sessionOpenMs: timings.sessionOpenMs,
      harnessLoadMs: timings.harnessLoadMs,
      extra: target.extra ?? {},
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
        throw new DriverError('unsupported', `the web harness has no "${String(job.benchmark)}" benchmark`);
    }
  } catch (err) {
    if (err instanceof DriverError) throw err;
    if (deadline.signal.aborted) throw deadline.signal.reason as Error;
    const message = messageOf(err);
    if (GONE.test(message)) throw new DriverError('crashed', `the browser went away during the job: ${message}`, { cause: err });
    throw new DriverError('failed', `browser session error: ${message}`, { cause: err });
  } finally {
    deadline.finish();
    for (const h of hosted) h.remove();
    if (session) {
      const t = performance.now();
      await target.close(session, { browserFirst: !pageAnswered });
      timings.teardownMs = performance.now() - t;
    }
    onTimings?.(timings);
  }
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 1000) ?? '';
}
