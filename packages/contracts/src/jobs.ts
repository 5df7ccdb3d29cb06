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

export const DeviceBatch = z.object({ index: z.number().int().min(1), size: z.number().int().min(1) }).refine((b) => b.index <= b.size, { message: 'index must be ≤ size' });
export type DeviceBatch = z.infer<typeof DeviceBatch>;

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
  /**
   * This job's place among the run's jobs queued together, back to back, for its device (latency jobs
   * first). A driver may carry its device session from one to the next where that cannot change the
   * measurement, and says in environment.timing what was shared.
   */
  deviceBatch: DeviceBatch.optional(),
});
export type EvaluateJobPayload = z.infer<typeof EvaluateJobPayload>;

/**
 * The lock token from `POST /v1/agent/jobs/next`. A job an agent process fetched is locked to it: start,
 * result and failure must carry its token. A job nobody fetched may be reported without one.
 */
const LockToken = z.string().min(1).max(200);

export const JobStart = z.strictObject({ attempt: z.number().int().min(1), lockToken: LockToken.optional() });
export type JobStart = z.infer<typeof JobStart>;

export const JobStartReply = z.object({
  /** false when the job already has a result or was failed/re-routed: the agent must not measure */
  proceed: z.boolean(),
  reason: z.string().optional(),
});
export type JobStartReply = z.infer<typeof JobStartReply>;

export const JobFailure = z.strictObject({
  attempt: z.number().int().min(1),
  lockToken: LockToken.optional(),
  error: z.string().min(1).max(10_000),
  /** true when the queue will not try again */
  final: z.boolean(),
});
export type JobFailure = z.infer<typeof JobFailure>;

/** `POST /v1/agent/jobs/next`: the long poll for the next job of some of the agent's devices. */
export const JobNextRequest = z.strictObject({
  /** the devices that can take a job now (default: every device of the agent) */
  devices: z.array(z.uuid()).max(1000).optional(),
  /** how long to hold the request open when no job is ready; 0 answers at once */
  waitMs: z.number().int().min(0).max(30_000).default(20_000),
});
export type JobNextRequest = z.infer<typeof JobNextRequest>;

/** A job handed to one agent process, locked to it until completed, failed or its lock expires. */
export const JobLease = z.object({
  jobId: z.uuid(),
  deviceId: z.uuid(),
  /** 1 on the first attempt; a re-run after a stall keeps the number, a retry after a failure raises it */
  attempt: z.number().int().min(1),
  /** send with every call about this job; lost when the lock expires */
  lockToken: LockToken,
  /** renew the lock (POST /v1/agent/jobs/:jobId/lock) well within this */
  lockDurationMs: z.number().int().positive(),
  payload: EvaluateJobPayload,
});
export type JobLease = z.infer<typeof JobLease>;

export const JobLockRenew = z.strictObject({ lockToken: LockToken });
export type JobLockRenew = z.infer<typeof JobLockRenew>;

export const JobLockReply = z.object({
  /** true: stop the job now (it was cancelled); report nothing more for it */
  cancel: z.boolean(),
  reason: z.string().optional(),
  lockDurationMs: z.number().int().positive(),
});
export type JobLockReply = z.infer<typeof JobLockReply>;
