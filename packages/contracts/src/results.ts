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

export const ResultEnvironment = z.object({
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
});
export type ResultEnvironment = z.infer<typeof ResultEnvironment>;

export const ResultPost = z.strictObject({
  attempt: z.number().int().min(1),
  /** the job's lock token from `POST /v1/agent/jobs/next` (see JobStart) */
  lockToken: z.string().min(1).max(200).optional(),
  summary: ResultSummary,
  rawSamples: z.array(z.number()).max(1_000_000),
  environment: ResultEnvironment,
});
export type ResultPost = z.infer<typeof ResultPost>;
