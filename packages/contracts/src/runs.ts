import { z } from 'zod';
import { BenchmarkKind, DeviceTier, JobStatus, RunStatus, Slug, VersionName } from './common.ts';
import { BenchmarkSettings } from './settings.ts';
import { ResultEnvironment, ResultEnvironmentWithoutSamples, ResultSummary } from './results.ts';

const VERSION_RANGE_BOUND = /^\d+(\.\d+)*$/;

export const DeviceSelector = z
  .strictObject({
    /** explicit devices; when given, attribute filters must be absent */
    ids: z.array(z.uuid()).min(1).optional(),
    platform: z.string().optional(),
    tiers: z.array(DeviceTier).min(1).optional(),
    /** every tag must be present on the device */
    tags: z.array(z.string()).optional(),
    runtime: z.string().optional(),
    model: z.string().optional(),
    /** inclusive OS version range, compared numerically part by part ("12" < "12.1" < "13"); needs osVersion on the device */
    osVersion: z
      .strictObject({ min: z.string().regex(VERSION_RANGE_BOUND).optional(), max: z.string().regex(VERSION_RANGE_BOUND).optional() })
      .refine((r) => r.min !== undefined || r.max !== undefined, { message: 'give min, max or both' })
      .optional(),
    /** the owning team: attributes.team, or a tag "team:<name>" */
    team: z.string().min(1).max(100).optional(),
    /** all matching devices, or one per tier (idle and healthy first) */
    pick: z.enum(['all', 'one-per-tier']).default('all'),
  })
  .refine((s) => !(s.ids && (s.platform ?? s.tiers ?? s.tags ?? s.runtime ?? s.model ?? s.osVersion ?? s.team)), {
    message: 'give either ids or attribute filters, not both',
    path: ['ids'],
  });
export type DeviceSelector = z.infer<typeof DeviceSelector>;

export const CiContext = z.strictObject({
  provider: z.string().max(50).optional(),
  repository: z.string().max(300).optional(),
  commit: z.string().max(64).optional(),
  branch: z.string().max(300).optional(),
  pullRequest: z.string().max(50).optional(),
  runUrl: z.string().max(1000).optional(),
});
export type CiContext = z.infer<typeof CiContext>;

export const RunCreate = z.strictObject({
  model: Slug,
  version: VersionName,
  baseline: VersionName.optional(),
  /**
   * other versions that are the candidate in another form (e.g. "1.3.0-tflite" beside "1.3.0-onnx"):
   * each is measured with the run's benchmarks on every selected device that can run its format, and
   * shown beside the candidate; they take no part in a gate
   */
  variants: z.array(VersionName).min(1).max(4).optional(),
  dataset: z.strictObject({ name: Slug, version: VersionName }).optional(),
  devices: DeviceSelector,
  benchmarks: z.array(BenchmarkKind).min(1),
  settings: BenchmarkSettings.default(BenchmarkSettings.parse({})),
  ci: CiContext.optional(),
  /** latency with a baseline: measure both in one device session, alternating (one job per device) */
  interleave: z.boolean().optional(),
  /** benchmark "feature": the feature build (pinning `model`@`version`) and the scenario it replays */
  feature: z.strictObject({ name: Slug, version: VersionName }).optional(),
  scenario: z.strictObject({ name: Slug, version: VersionName }).optional(),
});
export type RunCreate = z.infer<typeof RunCreate>;
export type RunCreateInput = z.input<typeof RunCreate>;

export const ResultOut = z.object({
  attempt: z.number().int(),
  summary: ResultSummary,
  rawSamples: z.array(z.number()),
  environment: ResultEnvironment,
  createdAt: z.string(),
});
export type ResultOut = z.infer<typeof ResultOut>;

export const JobOut = z.object({
  id: z.uuid(),
  benchmark: BenchmarkKind,
  /** variant: another form of the candidate (RunCreate.variants), measured beside it */
  role: z.enum(['candidate', 'baseline', 'variant']),
  modelVersion: z.string(),
  device: z.object({ id: z.uuid(), platform: z.string(), tier: DeviceTier, model: z.string().nullable(), localKey: z.string() }),
  status: JobStatus,
  attempts: z.number().int(),
  reroutes: z.number().int(),
  error: z.string().nullable(),
  queuedAt: z.string(),
  /** when the job was put on its device queue; null while it waits in the outbox (Redis was unreachable) */
  enqueuedAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  result: ResultOut.nullable(),
});
export type JobOut = z.infer<typeof JobOut>;

export const RunOut = z.object({
  id: z.uuid(),
  model: z.string(),
  version: z.string(),
  baseline: z.string().nullable(),
  dataset: z.object({ name: z.string(), version: z.string() }).nullable(),
  feature: z.object({ name: z.string(), version: z.string() }).nullable().optional(),
  scenario: z.object({ name: z.string(), version: z.string() }).nullable().optional(),
  deviceSelector: z.record(z.string(), z.unknown()),
  benchmarks: z.array(BenchmarkKind),
  settings: BenchmarkSettings,
  requestedBy: z.string(),
  ci: CiContext.nullable(),
  status: RunStatus,
  progress: z.object({ total: z.number().int(), queued: z.number().int(), running: z.number().int(), succeeded: z.number().int(), failed: z.number().int(), cancelled: z.number().int() }),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  jobs: z.array(JobOut),
});
export type RunOut = z.infer<typeof RunOut>;

/** A run in a list: everything but its jobs' results (read those with GET /v1/runs/:id). */
export const RunSummaryOut = RunOut.omit({ jobs: true });
export type RunSummaryOut = z.infer<typeof RunSummaryOut>;

/**
 * `GET /v1/runs/:id?samples=false`: the run without raw samples (neither the results' own nor those
 * inside their environments, e.g. an interleaved job's baseline): what a dashboard or a poll needs.
 */
export const ResultOutWithoutSamples = ResultOut.omit({ rawSamples: true }).extend({ environment: ResultEnvironmentWithoutSamples });
export type ResultOutWithoutSamples = z.infer<typeof ResultOutWithoutSamples>;
export const JobOutWithoutSamples = JobOut.extend({ result: ResultOutWithoutSamples.nullable() });
export type JobOutWithoutSamples = z.infer<typeof JobOutWithoutSamples>;
export const RunOutWithoutSamples = RunOut.extend({ jobs: z.array(JobOutWithoutSamples) });
export type RunOutWithoutSamples = z.infer<typeof RunOutWithoutSamples>;
