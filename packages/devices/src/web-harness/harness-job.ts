import { encodeInputSets, prepareKey, type HarnessExecutionProvider, type HarnessPrepare, type HarnessServer, type HarnessSpec, type HostedJob } from '@edgeproof/harness-web';
import { jobDeadline, type JobDeadline } from './job-deadline.ts';
import { DriverError, type DriverJob, type DriverResult } from '../driver.ts';
import { latencyInputSet, type InputSet } from '../inputs/input-sets.ts';
import { jobInputSets, scoreOutput, toPacked } from '../inputs/job-inputs.ts';
import { litertReferenceOutputs } from './litert-reference.ts';
import type { LocalChromiumOptions } from './local-chromium.ts';
import { loadHarness, runInPage } from './page-calls.ts';
import { referenceOutputs, type ReferenceOutputs } from '../reference/reference-process.ts';
import { harnessResult, withOtherRuntimes, type RuntimeResult, type SessionFacts } from './results.ts';
import { planRuntimes, runtimeLabel } from './runtime-plan.ts';

/** A WebDriver session on a browser that can reach the harness server. */
export interface HarnessSession {
  browser: WebdriverIO.Browser;
  browserVersion: string;
  openMs: number;
  /** the session's tab already holds a harness page whose runtime was started with this prepareKey */
  preparedPage?: string;
}

/** What to prepare a kept session's fresh tab with for the next job: the harness page and the runtime set-up. */
export interface PagePrep {
  url: string;
  prepare: HarnessPrepare;
}

/**
 * Where a harness job runs: a desktop browser slot (browser driver), Chrome on a phone (Android
 * driver) or the agent's own Chromium (host driver's TFLite, local-chromium.ts). The job code is the
 * same; only opening and closing the session differ.
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
  /** the device's runtimes ("litert/wasm", ...); default: both runtimes on wasm, and on executionProvider */
  runtimes?: readonly string[];
  /** the agent's own Chromium, for the TFLite parity reference; default /usr/bin/chromium and /usr/bin/chromedriver */
  localChromium?: LocalChromiumOptions;
  /** opens a session whose commands may take up to commandTimeoutMs */
  open(commandTimeoutMs: number): Promise<S>;
  /**
   * ends the session whatever state it is in (or keeps it for the next job); browserFirst: the page did
   * not answer (may be hung); next: what a kept session's fresh tab may be prepared with
   */
  close(session: S, opts: { browserFirst: boolean; next?: PagePrep }): Promise<void>;
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
 * session, and per runtime of the job (runtime-plan.ts: onnxruntime-web for ONNX, LiteRT.js for TFLite)
 * the harness page loaded and the benchmark run inside it; the session is torn down whatever happened.
 * A latency job with a baseline measures both in the page, interleaved (docs/adr/0004). The first
 * runtime gives the result; further ones go into environment.extra.runtimes. Stops promptly (and
 * still tears down) on abort or after settings.timeoutSeconds.
 */
export async function runHarnessJob<S extends HarnessSession>(
  target: HarnessTarget<S>,
  job: DriverJob,
  signal: AbortSignal,
  onTimings?: (t: JobTimings) => void,
): Promise<DriverResult> {
  const ep = target.executionProvider;
  const { plans, skipped } = planRuntimes(job, ep, target.runtimes ?? ['onnxruntime-web/wasm', 'litert/wasm', runtimeLabel('onnxruntime-web', ep), runtimeLabel('litert', ep)]);
  const baseline = job.benchmark === 'latency' ? job.baseline : undefined;
  const { server } = target;
  const sets = await jobInputSets(job);
  const output = job.benchmark === 'accuracy' && job.dataset ? scoreOutput(job.model.signature, job.dataset.header) : undefined;
  const timeoutMs = job.settings.timeoutSeconds * 1000;
  const deadline = jobDeadline(signal, job.settings.timeoutSeconds, 'browser job');
  const { stopped } = deadline;

  const hosted: HostedJob[] = [server.host({ modelPath: job.model.path, format: job.model.format, inputs: encodeInputSets(toPacked(sets)) })];
  const baselineSet = baseline ? await latencyInputSet({ ...job, model: baseline }) : undefined;
  if (baseline && baselineSet) hosted.push(server.host({ modelPath: baseline.path, format: baseline.format, inputs: encodeInputSets(toPacked([baselineSet])) }));
  const reference = job.benchmark === 'parity' ? parityReference(job, sets, target, deadline) : undefined;
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
    await browser.setTimeout({ script: Math.max(1000, timeoutMs) });
    const [main, second] = hosted as [HostedJob, HostedJob | undefined];
    const facts: SessionFacts = {
      browser: `${target.browserName} ${session.browserVersion}`,
      endpoint: target.endpoint,
      sessionOpenMs: timings.sessionOpenMs,
      harnessLoadMs: 0,
      extra: target.extra ?? {},
    };
    const results: RuntimeResult[] = [];
    for (const [i, plan] of plans.entries()) {
      // one page load per runtime: both runtimes set their wasm options once per page; the first may have been prepared before the job
      const prepared = i === 0 && session.preparedPage !== undefined && session.preparedPage === prepareKey(pagePrep(plan, job, target).prepare);
      const loadMs = prepared ? 0 : await Promise.race([loadHarness(browser, server.pageUrl(plan.executionProvider)), stopped]);
      timings.harnessLoadMs += loadMs;
      const spec: HarnessSpec = {
        benchmark: job.benchmark as HarnessSpec['benchmark'],
        runtime: plan.runtime,
        modelUrl: main.modelUrl,
        inputsUrl: main.inputsUrl,
        threads: job.settings.threads,
        simd: target.simd,
        executionProvider: plan.executionProvider,
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
      pageAnswered = false;
      const answer = await Promise.race([runInPage(browser, spec), stopped]);
      timings.pageRunMs += performance.now() - runStart;
      pageAnswered = true;
      if (!answer.ok) throw new DriverError(answer.failure.code, `in the browser: ${answer.failure.message}`);
      const ref = reference ? await Promise.race([reference, stopped]) : undefined;
      const pageFacts = prepared ? { ...facts, extra: { ...facts.extra, pagePrepared: session.preparedPage } } : facts;
      results.push({ label: plan.label, result: harnessResult(job, answer, sets, output, ref, { ...pageFacts, harnessLoadMs: loadMs }) });
    }
    return withOtherRuntimes(results, skipped);
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
      await target.close(session, { browserFirst: !pageAnswered, ...(plans[0] ? { next: pagePrep(plans[0], job, target) } : {}) });
      timings.teardownMs = performance.now() - t;
    }
    onTimings?.(timings);
  }
}

/** The page and runtime set-up of a job's runtime plan. */
function pagePrep(plan: { runtime: NonNullable<HarnessPrepare['runtime']>; executionProvider: HarnessExecutionProvider }, job: DriverJob, target: HarnessTarget<HarnessSession>): PagePrep {
  return { url: target.server.pageUrl(plan.executionProvider), prepare: { runtime: plan.runtime, threads: job.settings.threads, simd: target.simd, executionProvider: plan.executionProvider } };
}

/** ONNX: onnxruntime-node in a process of its own; TFLite: LiteRT.js wasm in the agent's own Chromium. */
function parityReference(job: DriverJob, sets: InputSet[], target: HarnessTarget<HarnessSession>, deadline: JobDeadline): Promise<ReferenceOutputs> {
  if (job.model.format === 'tflite') {
    return litertReferenceOutputs({ modelPath: job.model.path, sets, timeoutMs: job.settings.timeoutSeconds * 1000 }, deadline.stopped, target.localChromium ?? {});
  }
  return referenceOutputs({ modelPath: job.model.path, sets: sets.map((s) => s.tensors) }, deadline.signal);
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 1000) ?? '';
}
