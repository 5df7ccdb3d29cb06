import { z } from 'zod';
import { BenchmarkKind, Sha256 } from './common.ts';
import { BenchmarkSettings } from './settings.ts';
import { DatasetHeader } from './datasets.ts';
import { ModelSignature } from './signature.ts';
import { JobFeature, JobScenario } from './feature-builds.ts';

const JobModel = z.object({
  versionId: z.uuid(),
  name: z.string(),
  version: z.string(),
  sha256: Sha256,
  format: z.enum(['onnx', 'tflite']),
  signature: ModelSignature,
});

/** What the API puts on a device's queue; the agent parses it on consume. */
export const EvaluateJobPayload = z.object({
  jobId: z.uuid(),
  runId: z.uuid(),
  deviceId: z.uuid(),
  benchmark: BenchmarkKind,
  model: JobModel,
  /** interleaved latency: the baseline measured in the same session, alternating with the model */
  baseline: JobModel.optional(),
  dataset: z.object({ sha256: Sha256, header: DatasetHeader, sampleCount: z.number().int() }).nullable(),
  settings: BenchmarkSettings,
  /** benchmark "feature": the feature build and the scenario it replays */
  feature: JobFeature.optional(),
  scenario: JobScenario.optional(),
});
export type EvaluateJobPayload = z.infer<typeof EvaluateJobPayload>;

export const JobStart = z.strictObject({ attempt: z.number().int().min(1) });
export type JobStart = z.infer<typeof JobStart>;

export const JobStartReply = z.object({
  /** false when the job already has a result or was failed/re-routed: the agent must not measure */
  proceed: z.boolean(),
  reason: z.string().optional(),
});
export type JobStartReply = z.infer<typeof JobStartReply>;

export const JobFailure = z.strictObject({
  attempt: z.number().int().min(1),
  error: z.string().min(1).max(10_000),
  /** true when the queue will not try again */
  final: z.boolean(),
});
export type JobFailure = z.infer<typeof JobFailure>;
