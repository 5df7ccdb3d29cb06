import { z } from 'zod';
import { FeatureSummary } from './feature-results.ts';

export const SampleStats = z.object({
  count: z.number().int(),
  min: z.number(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
  stdev: z.number(),
  /** coefficient of variation: stdev / mean */
  cv: z.number(),
});
export type SampleStats = z.infer<typeof SampleStats>;

/** One operator (node) of TFLite's op profile: benchmark_model --enable_op_profiling, "Run Order" table. */
export const OpProfileRow = z.object({
  /** "CONV_2D", "TfLiteXNNPackDelegate", an XNNPACK operator ("Convolution (NHWC, QC8) GEMM"), ... */
  nodeType: z.string(),
  /** as the tool prints it, e.g. "[MobilenetV1/Conv2d_0/Relu6]:0" */
  name: z.string(),
  /** "primary", "subgraph 1", ... or "delegate internal" (a delegate's own per-operator profile) */
  graph: z.string(),
  /** average start offset within a run; older tools only */
  startMs: z.number().nullable(),
  firstMs: z.number(),
  avgMs: z.number(),
  /** share of the run's time, and the cumulative share in table order; null when the tool printed nan */
  percent: z.number().nullable(),
  cdfPercent: z.number().nullable(),
  memKb: z.number(),
  /** per run; older tools print 0 */
  timesCalled: z.number().int(),
});
export type OpProfileRow = z.infer<typeof OpProfileRow>;

/** TFLite's "Summary by node type" table. */
export const OpProfileNodeType = z.object({
  nodeType: z.string(),
  graph: z.string(),
  count: z.number().int(),
  avgMs: z.number(),
  percent: z.number().nullable(),
  cdfPercent: z.number().nullable(),
  memKb: z.number(),
  timesCalled: z.number().int(),
});
export type OpProfileNodeType = z.infer<typeof OpProfileNodeType>;

/** Per-operator profile of the measured (not the initialization) runs, as the runtime's profiler reported it. */
export const OpProfile = z.object({
  source: z.string(),
  /** runs the profile averages over (the profiler's own "Timings (microseconds): count=N") */
  runs: z.number().int().nullable(),
  rows: z.array(OpProfileRow).max(5000),
  byNodeType: z.array(OpProfileNodeType).max(1000),
});
export type OpProfile = z.infer<typeof OpProfile>;

export const LatencySummary = z.object({
  kind: z.literal('latency'),
  unit: z.literal('ms'),
  sessionCreateMs: z.number(),
  firstInferenceMs: z.number(),
  warmup: z.object({ runs: z.number().int(), seconds: z.number() }),
  measure: z.object({ runs: z.number().int(), seconds: z.number() }),
  stats: SampleStats,
  /** peak resident set size of the process that ran inference, when the device can tell */
  peakMemoryBytes: z.number().nullable(),
  /** per-operator profile, when the runtime gave one (Android TFLite through benchmark_model) */
  opProfile: OpProfile.optional(),
});
export type LatencySummary = z.infer<typeof LatencySummary>;

export const AccuracySummary = z.object({
  kind: z.literal('accuracy'),
  samples: z.number().int(),
  correctTop1: z.number().int(),
  correctTop5: z.number().int(),
  top1: z.number(),
  top5: z.number(),
  perClass: z.array(
    z.object({ label: z.string(), count: z.number().int(), correctTop1: z.number().int(), predicted: z.number().int() }),
  ),
  datasetSha256: z.string(),
  /** output tensor the scores were read from */
  output: z.string(),
});
export type AccuracySummary = z.infer<typeof AccuracySummary>;

export const ParityOutput = z.object({
  name: z.string(),
  elements: z.number().int(),
  maxAbsError: z.number(),
  meanAbsError: z.number(),
  /** 1 for identical vectors (all-zero included); null when one norm is 0 and they differ */
  cosineSimilarity: z.number().nullable(),
  /** pairs where exactly one side was NaN/Infinity; each counts as an error of Number.MAX_VALUE */
  nonFiniteMismatches: z.number().int().optional(),
});
export type ParityOutput = z.infer<typeof ParityOutput>;

export const ParitySummary = z.object({
  kind: z.literal('parity'),
  samples: z.number().int(),
  outputs: z.array(ParityOutput),
  reference: z.object({ runtime: z.string(), executionProvider: z.string(), settings: z.string() }),
});
export type ParitySummary = z.infer<typeof ParitySummary>;

export const ResultSummary = z.discriminatedUnion('kind', [LatencySummary, AccuracySummary, ParitySummary, FeatureSummary]);
export type ResultSummary = z.infer<typeof ResultSummary>;

/**
 * The load on the machine that ran the measurement (Linux /proc), sampled from outside the measuring
 * process during the measurement window (see packages/devices/src/host/README.md). Percentages are of
 * the whole machine (all cores): 100 = every core busy.
 */
export const HostLoad = z.object({
  /** how and where it was sampled, e.g. "/proc/stat every 100 ms by the agent, measurement window" */
  method: z.string(),
  cores: z.number().int(),
  /** length of the window the CPU figures cover (from the sample before it starts to the one after it ends) */
  windowMs: z.number(),
  samples: z.number().int(),
  /** /proc/loadavg right before and right after the measurement: 1/5/15-min averages, runnable/total tasks */
  loadavgBefore: z.object({ load1: z.number(), load5: z.number(), load15: z.number(), runnable: z.number().int(), total: z.number().int() }).nullable(),
  loadavgAfter: z.object({ load1: z.number(), load5: z.number(), load15: z.number(), runnable: z.number().int(), total: z.number().int() }).nullable(),
  /** CPU busy (user+nice+system+irq+softirq) over the window, % of all cores */
  busyPct: z.number(),
  /** CPU time stolen by the hypervisor over the window, % of all cores */
  stealPct: z.number(),
  iowaitPct: z.number(),
  /** CPU time of the measuring processes (inference process / browser of the session), % of all cores */
  measurementCpuPct: z.number(),
  /** busyPct minus measurementCpuPct: what everything else on the machine used */
  otherBusyPct: z.number(),
  /** runnable tasks (procs_running of /proc/stat) that are not the measurement's nor the sampler's, per sample */
  othersRunnable: z.object({ mean: z.number(), max: z.number(), perCore: z.number() }),
  /** same, from the sample taken right before the measurement started */
  othersRunnableBefore: z.number().nullable(),
});
export type HostLoad = z.infer<typeof HostLoad>;

/** Limits above which a measurement counts as taken under contention (configured per agent). */
export const ContentionThresholds = z.object({
  /** other runnable tasks per core, mean over the window (≥) */
  othersRunnablePerCore: z.number(),
  /** steal % of all cores (>) */
  stealPct: z.number(),
  /** CPU busy % of all cores not used by the measurement (>) */
  otherBusyPct: z.number(),
});
export type ContentionThresholds = z.infer<typeof ContentionThresholds>;

/** Where a job's device time went, measured by the driver from the job's start on the device to its result. */
export const DeviceTiming = z.object({
  /** job start → warmup start: process/session/page start, inputs, model load, first inference */
  setupMs: z.number(),
  warmupMs: z.number(),
  /** the measurement itself (latency: the timed runs; accuracy/parity: the evaluated samples) */
  measuredMs: z.number(),
  /** measurement end → result in the driver's hands: release, environment capture, IPC, teardown */
  teardownMs: z.number(),
  totalMs: z.number(),
  method: z.string(),
  /** host: the inference process had served earlier jobs (nothing of their sessions is kept) */
  sharedWorker: z.boolean().optional(),
  workerAgeMs: z.number().optional(),
  /** jobs this process has run, this one included */
  workerJobsServed: z.number().int().optional(),
  /** resident memory the process held at the job's start beyond a fresh one's (part of the job's peak memory) */
  workerRetainedBytes: z.number().optional(),
  /** browser: the WebDriver session (browser process) had served earlier jobs; this job got a fresh tab */
  sharedSession: z.boolean().optional(),
  sessionAgeMs: z.number().optional(),
  sessionJobsServed: z.number().int().optional(),
  /** the job's place among its run's jobs served back to back on this device (EvaluateJobPayload.deviceBatch) */
  batch: z.object({ index: z.number().int(), size: z.number().int() }).optional(),
  /** what this job shared with the jobs before it on the device, in words; [] = nothing */
  shared: z.array(z.string()).optional(),
});
export type DeviceTiming = z.infer<typeof DeviceTiming>;

const ResultEnvironmentBase = z.object({
  runtime: z.string(),
  runtimeVersion: z.string(),
  executionProvider: z.string(),
  threads: z.number().int(),
  graphOptimization: z.string(),
  warmupMinRuns: z.number().int(),
  warmupMinSeconds: z.number(),
  measureMinRuns: z.number().int(),
  measureMinSeconds: z.number(),
  measureMaxRuns: z.number().int(),
  measureMaxSeconds: z.number(),
  inputSource: z.string(),
  inputSeed: z.number().int(),
  /** resolved input shapes used for this measurement */
  inputShapes: z.record(z.string(), z.array(z.number().int())),
  /** "nominal", "throttling", ... or "unavailable" when the device exposes nothing; never guessed */
  thermalState: z.string(),
  temperaturesC: z.record(z.string(), z.number()).optional(),
  os: z.string(),
  cpu: z.string(),
  extra: z.record(z.string(), z.unknown()).optional(),
  /** load on the measuring machine during the measurement; absent when the device cannot tell */
  hostLoad: HostLoad.optional(),
  /** true when hostLoad is above the agent's contention thresholds: gate rules on it are inconclusive */
  contended: z.boolean().optional(),
  /** why it is contended, one line per exceeded threshold */
  contentionReasons: z.array(z.string()).optional(),
  contentionThresholds: ContentionThresholds.optional(),
  timing: DeviceTiming.optional(),
  /** the runtime as the device advertises it ("litert/wasm", "onnxruntime-node", "tflite"); see resultRuntime */
  runtimeLabel: z.string().optional(),
});

/** The baseline of an interleaved A/B latency job, measured in the same session, alternating with the candidate. */
export const InterleavedBaseline = z.object({
  /** how the two alternated, e.g. "blocks of 5 runs, A B B A" */
  order: z.string(),
  /** how each side's time was taken, where the device states it */
  timing: z.string().optional(),
  peakMemoryNote: z.string().optional(),
  baseline: z.looseObject({ version: z.string(), sha256: z.string(), summary: LatencySummary, rawSamples: z.array(z.number()) }),
});
export type InterleavedBaseline = z.infer<typeof InterleavedBaseline>;

/** One more runtime the same job measured (settings.runtimes), in full. */
export const RuntimeResult = z.object({
  runtime: z.string(),
  summary: ResultSummary,
  rawSamples: z.array(z.number()),
  environment: ResultEnvironmentBase.extend({ interleaved: InterleavedBaseline.optional() }),
});
export type RuntimeResult = z.infer<typeof RuntimeResult>;

export const ResultEnvironment = ResultEnvironmentBase.extend({
  /** latency with a baseline measured alternately in the same session (run.interleave) */
  interleaved: InterleavedBaseline.optional(),
  /** the other runtimes of settings.runtimes, each a whole result; the job's own is the first runtime */
  runtimes: z.array(RuntimeResult).optional(),
  /** runtimes of settings.runtimes the model's format rules out, with why */
  runtimesSkipped: z.array(z.object({ runtime: z.string(), reason: z.string() })).optional(),
});
export type ResultEnvironment = z.infer<typeof ResultEnvironment>;

const WEB_RUNTIMES = new Set(['onnxruntime-web', 'litert']);

/**
 * The runtime a result was measured on, as devices advertise runtimes: `runtimeLabel` where the driver
 * set it, else `runtime/executionProvider` for the web harness's runtimes, else `runtime`.
 */
export function resultRuntime(env: { runtime: string; executionProvider: string; runtimeLabel?: string | undefined }): string {
  if (env.runtimeLabel) return env.runtimeLabel;
  return WEB_RUNTIMES.has(env.runtime) ? `${env.runtime}/${env.executionProvider}` : env.runtime;
}

export const ResultPost = z.strictObject({
  attempt: z.number().int().min(1),
  /** the job's lock token from `POST /v1/agent/jobs/next` (see JobStart) */
  lockToken: z.string().min(1).max(200).optional(),
  summary: ResultSummary,
  rawSamples: z.array(z.number()).max(1_000_000),
  environment: ResultEnvironment,
});
export type ResultPost = z.infer<typeof ResultPost>;

const LIFTED = ['interleaved', 'runtimes', 'runtimesSkipped', 'runtimeLabel'] as const;

function lift<T extends { extra?: Record<string, unknown> | undefined }>(env: T, keys: readonly string[]): T {
  const extra = env.extra;
  if (!extra || !keys.some((k) => k in extra)) return env;
  const rest = Object.fromEntries(Object.entries(extra).filter(([k]) => !keys.includes(k)));
  const lifted = Object.fromEntries(keys.filter((k) => k in extra && !(k in env)).map((k) => [k, extra[k]]));
  return { ...env, ...lifted, extra: rest };
}

/**
 * A driver's environment with the interleaved baseline, the other runtimes and the runtime label in
 * their own fields (also inside each other runtime's environment): drivers put them in `extra`, the
 * API stores them typed and validated.
 */
export function typedEnvironment(env: ResultEnvironment): ResultEnvironment {
  const top = lift(env, LIFTED) as ResultEnvironment & { runtimes?: unknown };
  const runtimes = Array.isArray(top.runtimes)
    ? top.runtimes.map((r: unknown) => (r !== null && typeof r === 'object' && 'environment' in r ? { ...r, environment: lift((r as { environment: { extra?: Record<string, unknown> } }).environment, ['interleaved']) } : r))
    : top.runtimes;
  return top === env ? env : ResultEnvironment.parse({ ...top, ...(runtimes === undefined ? {} : { runtimes }) });
}

const InterleavedWithoutSamples = InterleavedBaseline.extend({ baseline: InterleavedBaseline.shape.baseline.omit({ rawSamples: true }) });
/** A result environment as `samples=false` reads give it: no raw samples inside either. */
export const ResultEnvironmentWithoutSamples = ResultEnvironment.extend({
  interleaved: InterleavedWithoutSamples.optional(),
  runtimes: z.array(RuntimeResult.omit({ rawSamples: true }).extend({ environment: RuntimeResult.shape.environment.extend({ interleaved: InterleavedWithoutSamples.optional() }) })).optional(),
});
