import { AccuracyAccumulator, ParityAccumulator, summarize, topK } from '@edgeproof/metrics';
import type { AccuracySummary, LatencySummary, ParitySummary, ResultEnvironment } from '@edgeproof/contracts';
import type { HarnessSuccess, LatencyTimings } from '@edgeproof/harness-web';
import { DriverError, type DriverJob, type DriverResult } from '../driver.ts';
import type { InputSet } from '../host/inputs.ts';
import { decodeToNumbers } from './decode.ts';
import type { ReferenceOutputs } from './reference-process.ts';
import { measurementSettings } from '../measurement-settings.ts';

/** What the driver knows about the session besides the page's answer. */
export interface SessionFacts {
  /** browser name and version, e.g. "chromium 131.0.6778.85" */
  browser: string;
  endpoint: string;
  sessionOpenMs: number;
  harnessLoadMs: number;
  /** merged into environment.extra (e.g. the phone's serial) */
  extra: Record<string, unknown>;
}

export function latencyResult(job: DriverJob, h: HarnessSuccess, sets: InputSet[], facts: SessionFacts): DriverResult {
  const t = h.latency;
  if (t === undefined || t.samples.length === 0) throw new DriverError('failed', 'the harness returned no latency samples');
  const summary = latencySummary(t);
  if (!job.baseline) return { summary, rawSamples: t.samples, environment: browserEnvironment(job, h, sets, facts) };
  const b = h.baselineLatency;
  if (b === undefined || b.samples.length === 0) throw new DriverError('failed', 'the harness was given a baseline but returned no baseline samples');
  // the host driver's shape (docs/adr/0004): the gate's evidence loader reads the baseline from here
  const interleaved = {
    order: h.interleaveOrder ?? 'interleaved',
    timing: 'both models in one page, one onnxruntime-web session each; the first session also started the wasm runtime',
    baseline: { version: job.baseline.version, sha256: job.baseline.sha256, summary: latencySummary(b), rawSamples: b.samples },
  };
  return { summary, rawSamples: t.samples, environment: browserEnvironment(job, h, sets, facts, { interleaved }) };
}

function latencySummary(t: LatencyTimings): LatencySummary {
  return {
    kind: 'latency',
    unit: 'ms',
    sessionCreateMs: t.sessionCreateMs,
    firstInferenceMs: t.firstInferenceMs,
    warmup: { runs: t.warmupRuns, seconds: t.warmupSeconds },
    measure: { runs: t.samples.length, seconds: t.measureSeconds },
    stats: summarize(t.samples),
    // the page cannot see the browser's resident memory; performance.memory (JS heap) is in environment.extra
    peakMemoryBytes: null,
  };
}

export function accuracyResult(job: DriverJob, h: HarnessSuccess, sets: InputSet[], output: string, facts: SessionFacts): DriverResult {
  if (job.dataset === null) throw new DriverError('invalid_input', 'an accuracy benchmark needs a dataset and the job has none');
  const labels = job.dataset.header.labels;
  const scores = h.scores ? decodeToNumbers(h.scores) : null;
  if (scores === null || scores.length !== sets.length * labels.length) {
    throw new DriverError('failed', `the harness returned ${scores?.length ?? 0} scores for ${sets.length} samples of ${labels.length} labels`);
  }
  const acc = new AccuracyAccumulator(labels);
  const correct: number[] = [];
  sets.forEach((set, i) => {
    const row = Array.from(scores.subarray(i * labels.length, (i + 1) * labels.length));
    const label = set.label ?? 0;
    acc.add(row, label);
    correct.push(topK(row, 1)[0] === label ? 1 : 0);
  });
  const summary: AccuracySummary = { ...acc.summary(), kind: 'accuracy', datasetSha256: job.dataset.sha256, output };
  return { summary, rawSamples: correct, environment: browserEnvironment(job, h, sets, facts, { output }) };
}

/** The host driver's parity rules, with the page's session as the device and onnxruntime-node as the reference. */
export function parityResult(job: DriverJob, h: HarnessSuccess, sets: InputSet[], ref: ReferenceOutputs, facts: SessionFacts): DriverResult {
  const pageOutputs = h.outputs ?? [];
  if (pageOutputs.length !== ref.outputs.length) {
    throw new DriverError('failed', `the harness returned outputs for ${pageOutputs.length} input sets, the reference has ${ref.outputs.length}`);
  }
  const acc = new ParityAccumulator();
  const maxErrors: number[] = [];
  pageOutputs.forEach((got, i) => {
    const thisSet = new ParityAccumulator();
    for (const name of h.outputNames) {
      const encoded = got[name];
      const a = encoded ? decodeToNumbers(encoded) : null;
      const b = ref.outputs[i]?.[name] ?? null;
      if (a === null || b === null) continue;
      acc.add(name, a, b);
      thisSet.add(name, a, b);
    }
    maxErrors.push(Math.max(0, ...thisSet.summary().map((o) => o.maxAbsError)));
  });
  const summary: ParitySummary = {
    kind: 'parity',
    samples: maxErrors.length,
    outputs: acc.summary(),
    reference: { runtime: 'onnxruntime-node', executionProvider: 'cpu', settings: ref.settings },
  };
  return { summary, rawSamples: maxErrors, environment: browserEnvironment(job, h, sets, facts) };
}

function browserEnvironment(
  job: DriverJob,
  h: HarnessSuccess,
  sets: InputSet[],
  facts: SessionFacts,
  extra: Record<string, unknown> = {},
): ResultEnvironment {
  const s = job.settings;
  const b = h.browser;
  const pressureStates = [...new Set(b.pressure.records.map((r) => r.state))];
  return {
    runtime: 'onnxruntime-web',
    runtimeVersion: h.runtimeVersion,
    executionProvider: h.executionProvider,
    threads: h.threads,
    graphOptimization: 'all',
    ...measurementSettings(s),
    inputShapes: sets[0]?.shapes ?? {},
    // browsers expose no thermal API; Compute Pressure is reported on its own below
    thermalState: 'unavailable',
    os: b.platform || 'unknown',
    cpu: `unnamed by the browser, ${b.hardwareConcurrency} logical cores`,
    extra: {
      browser: facts.browser,
      userAgent: b.userAgent,
      hardwareConcurrency: b.hardwareConcurrency,
      deviceMemoryGb: b.deviceMemoryGb,
      crossOriginIsolated: b.crossOriginIsolated,
      simd: h.simd,
      webgpuAdapter: b.webgpuAdapter,
      performanceMemory: b.memory,
      computePressure: { supported: b.pressure.supported, states: pressureStates, records: b.pressure.records, ...(b.pressure.error ? { error: b.pressure.error } : {}) },
      timing: 'performance.now() around each session.run inside the page; sessionCreateMs includes starting the wasm runtime',
      timerResolutionMs: b.timerResolutionMs,
      endpoint: facts.endpoint,
      sessionOpenMs: facts.sessionOpenMs,
      harnessLoadMs: facts.harnessLoadMs,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      ...facts.extra,
      ...extra,
    },
  };
}
