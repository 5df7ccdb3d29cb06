import { AccuracyAccumulator, ParityAccumulator, summarize, topK } from '@edgeproof/metrics';
import type { AccuracySummary, LatencySummary, ParitySummary, ResultEnvironment } from '@edgeproof/contracts';
import type { HarnessSuccess, LatencyTimings } from '@edgeproof/harness-web';
import type { SkippedRuntime } from './runtime-plan.ts';
import { DriverError, type DriverJob, type DriverResult } from '../driver.ts';
import type { InputSet } from '../inputs/input-sets.ts';
import { decodeToNumbers } from './decode.ts';
import type { ReferenceOutputs } from '../reference/reference-process.ts';
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

/** The page's answer for one runtime as the job's result. */
export function harnessResult(
  job: DriverJob,
  h: HarnessSuccess,
  sets: InputSet[],
  output: string | undefined,
  ref: ReferenceOutputs | undefined,
  facts: SessionFacts,
): DriverResult {
  switch (job.benchmark) {
    case 'latency':
      return latencyResult(job, h, sets, facts);
    case 'accuracy':
      return accuracyResult(job, h, sets, output ?? '', facts);
    case 'parity':
      if (ref === undefined) throw new DriverError('failed', 'no parity reference was started');
      return parityResult(job, h, sets, ref, facts);
    default:
      throw new DriverError('unsupported', `the web harness has no "${String(job.benchmark)}" benchmark`);
  }
}

export interface RuntimeResult {
  label: string;
  result: DriverResult;
}

/**
 * A job run on several runtimes (settings.runtimes): the first runtime's result is the job's; every
 * other one rides along whole in environment.extra.runtimes (summary, raw samples, environment), and
 * runtimes the model's format rules out are listed in environment.extra.runtimesSkipped with why.
 */
export function withOtherRuntimes(results: RuntimeResult[], skipped: SkippedRuntime[]): DriverResult {
  const [first, ...others] = results;
  if (first === undefined) throw new DriverError('failed', 'the job ran on no runtime');
  if (others.length === 0 && skipped.length === 0) return first.result;
  const env = first.result.environment;
  return {
    ...first.result,
    environment: {
      ...env,
      extra: {
        ...env.extra,
        runtimeLabel: first.label,
        runtimes: others.map((o) => ({ runtime: o.label, summary: o.result.summary, rawSamples: o.result.rawSamples, environment: o.result.environment })),
        ...(skipped.length ? { runtimesSkipped: skipped } : {}),
      },
    },
  };
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
    timing:
      h.runtime === 'litert'
        ? 'both models in one page, one LiteRT.js CompiledModel each (the wasm runtime loaded before either)'
        : 'both models in one page, one onnxruntime-web session each; the first session also started the wasm runtime',
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

/**
 * The host driver's parity rules, with the page's session as the device and the reference of the model's
 * format: onnxruntime-node (ONNX), LiteRT.js on wasm in the agent's own Chromium (TFLite).
 */
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
    reference: { runtime: ref.runtime, executionProvider: ref.executionProvider, settings: ref.settings },
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
  const ort = h.runtime === 'onnxruntime-web';
  return {
    runtime: h.runtime,
    runtimeVersion: h.runtimeVersion,
    executionProvider: h.executionProvider,
    threads: h.threads,
    // LiteRT.js has no optimization level: it compiles the graph with its defaults (XNNPACK delegate on wasm)
    graphOptimization: ort ? 'all' : 'litert-default',
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
      timing: h.timing,
      runtimeDetails: h.runtimeDetails,
      timerResolutionMs: b.timerResolutionMs,
      endpoint: facts.endpoint,
      sessionOpenMs: facts.sessionOpenMs,
      harnessLoadMs: facts.harnessLoadMs,
      ...(ort ? { interOpNumThreads: 1, executionMode: 'sequential' } : {}),
      ...facts.extra,
      ...extra,
    },
  };
}
