import { z } from 'zod';
import { DeviceStatus, DeviceTier, JobStatus, RunStatus, TaskKind } from './common.ts';
import { ApprovalOut, AuditEntryOut } from './approvals.ts';
import { GateStatus, GateVerdict, RuleResult } from './gates.ts';
import { ModelVersionOut } from './models.ts';
import { OpProfile } from './results.ts';
import { RuntimeRow } from './runtime-table.ts';

/**
 * Page-shaped, read-only views for the dashboard (apps/web). They carry summaries, never raw
 * latency samples: the distribution plots get quantiles and histogram bins computed by the API.
 */

export const DashDevice = z.object({
  id: z.uuid(),
  localKey: z.string(),
  platform: z.string(),
  tier: DeviceTier,
  maker: z.string().nullable(),
  model: z.string().nullable(),
});
export type DashDevice = z.infer<typeof DashDevice>;

export const ApprovalBadge = z.object({
  version: z.string(),
  platform: z.string(),
  tier: z.string(),
  channel: z.string(),
  kind: z.enum(['automatic', 'manual', 'override']),
});
export type ApprovalBadge = z.infer<typeof ApprovalBadge>;

export const VerdictBrief = z.object({
  gate: z.uuid(),
  version: z.string(),
  status: GateStatus,
  verdict: GateVerdict.nullable(),
  policyName: z.string(),
  createdAt: z.string(),
});
export type VerdictBrief = z.infer<typeof VerdictBrief>;

export const DashModel = z.object({
  name: z.string(),
  taskKind: TaskKind,
  owner: z.string(),
  latestVersion: z.string().nullable(),
  versions: z.number().int(),
  /** active approvals of any version of the model */
  approvals: z.array(ApprovalBadge),
  lastVerdict: VerdictBrief.nullable(),
});
export type DashModel = z.infer<typeof DashModel>;

export const DashModels = z.object({ items: z.array(DashModel) });
export type DashModels = z.infer<typeof DashModels>;

export const LatencyFigures = z.object({
  count: z.number().int(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  sessionCreateMs: z.number(),
  firstInferenceMs: z.number(),
  peakMemoryBytes: z.number().nullable(),
  thermalState: z.string(),
  /** the reasons when the latency was measured under contention (environment.contended), else null/absent */
  contended: z.string().nullable().optional(),
});
export type LatencyFigures = z.infer<typeof LatencyFigures>;

export const VersionFigures = z.object({
  latency: LatencyFigures.nullable(),
  accuracy: z.object({ top1: z.number(), top5: z.number(), samples: z.number().int() }).nullable(),
  /** worst output's maximum absolute error against the host reference */
  parity: z.object({ maxAbsError: z.number(), minCosine: z.number().nullable(), samples: z.number().int() }).nullable(),
  /** jobs of this version on this device that failed, with their reasons */
  failures: z.array(z.object({ benchmark: z.string(), error: z.string() })),
});
export type VersionFigures = z.infer<typeof VersionFigures>;

export const RunBrief = z.object({
  id: z.uuid(),
  status: RunStatus,
  version: z.string(),
  baseline: z.string().nullable(),
  createdAt: z.string(),
});
export type RunBrief = z.infer<typeof RunBrief>;

export const GateDetail = VerdictBrief.extend({
  baseline: z.string().nullable(),
  scope: z.object({ platform: z.string(), tiers: z.array(z.string()), channel: z.string() }),
  results: z.array(RuleResult),
  error: z.string().nullable(),
});
export type GateDetail = z.infer<typeof GateDetail>;

export const VersionPage = z.object({
  version: ModelVersionOut,
  taskKind: TaskKind,
  /** the run the figures come from (the latest one measuring this version as candidate, or ?run=) */
  run: RunBrief.nullable(),
  runs: z.array(RunBrief),
  devices: z.array(z.object({ device: DashDevice, candidate: VersionFigures, baseline: VersionFigures.nullable() })),
  /** the run's figures per device, version and runtime: several forms or runtimes side by side */
  runtimes: z.array(RuntimeRow),
  gate: GateDetail.nullable(),
  approvals: z.array(ApprovalOut),
});
export type VersionPage = z.infer<typeof VersionPage>;

export const Quantiles = z.object({
  min: z.number(),
  p5: z.number(),
  p25: z.number(),
  p50: z.number(),
  p75: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
});
export type Quantiles = z.infer<typeof Quantiles>;

export const LatencyDistribution = z.object({
  device: DashDevice,
  role: z.enum(['candidate', 'baseline']),
  version: z.string(),
  count: z.number().int(),
  quantiles: Quantiles,
  /** counts per bin of the shared `edges` (length edges.length − 1) */
  counts: z.array(z.number().int()),
  /** samples outside the shared edges (below the first, above the last) */
  below: z.number().int(),
  above: z.number().int(),
});
export type LatencyDistribution = z.infer<typeof LatencyDistribution>;

export const LatencyDistributions = z.object({
  unit: z.literal('ms'),
  run: z.uuid().nullable(),
  /** bin edges shared by every device so histograms compare; they span the 0.5th–99.5th percentile of all samples */
  edges: z.array(z.number()),
  items: z.array(LatencyDistribution),
});
export type LatencyDistributions = z.infer<typeof LatencyDistributions>;

export const MetricComparison = z.object({
  metric: z.string(),
  unit: z.string(),
  better: z.enum(['lower', 'higher']),
  candidate: z.number().nullable(),
  baseline: z.number().nullable(),
  /** candidate − baseline */
  delta: z.number().nullable(),
  /** candidate / baseline − 1 */
  relative: z.number().nullable(),
  /** interval of `relative` (latency.p50: bootstrap of the ratio of medians) */
  ci: z.object({ lower: z.number(), upper: z.number(), confidence: z.number() }).nullable(),
});
export type MetricComparison = z.infer<typeof MetricComparison>;

export const VersionComparison = z.object({
  run: z.uuid().nullable(),
  candidate: z.string(),
  baseline: z.string().nullable(),
  devices: z.array(z.object({ device: DashDevice, metrics: z.array(MetricComparison) })),
  /** file properties: size and gzip size */
  model: z.array(MetricComparison),
});
export type VersionComparison = z.infer<typeof VersionComparison>;

export const TrendMetric = z.enum(['latency.p50', 'latency.p90', 'latency.p99', 'latency.sessionCreate', 'latency.firstInference', 'memory.peak', 'accuracy.top1', 'parity.maxAbsError']);
export type TrendMetric = z.infer<typeof TrendMetric>;

export const TrendPoint = z.object({
  version: z.string(),
  versionCreatedAt: z.string(),
  device: DashDevice,
  value: z.number(),
  run: z.uuid(),
  measuredAt: z.string(),
});
export type TrendPoint = z.infer<typeof TrendPoint>;

export const Trends = z.object({
  model: z.string(),
  metric: TrendMetric,
  unit: z.string(),
  /** versions in upload order */
  versions: z.array(z.object({ version: z.string(), createdAt: z.string(), approved: z.array(ApprovalBadge) })),
  points: z.array(TrendPoint),
});
export type Trends = z.infer<typeof Trends>;

export const RunProgressJob = z.object({
  id: z.uuid(),
  benchmark: z.string(),
  role: z.enum(['candidate', 'baseline', 'variant']),
  version: z.string(),
  device: DashDevice,
  status: JobStatus,
  attempts: z.number().int(),
  reroutes: z.number().int(),
  error: z.string().nullable(),
  queuedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** p50 of a finished latency job, top-1 of an accuracy job, max abs error of a parity job */
  headline: z.object({ label: z.string(), value: z.number(), unit: z.string() }).nullable(),
  /** a finished latency job's per-operator profile, when its runtime gave one (Android TFLite through benchmark_model) */
  opProfile: OpProfile.optional(),
});
export type RunProgressJob = z.infer<typeof RunProgressJob>;

export const RunProgress = z.object({
  run: RunBrief.extend({
    model: z.string(),
    requestedBy: z.string(),
    finishedAt: z.string().nullable(),
    progress: z.object({ total: z.number().int(), queued: z.number().int(), running: z.number().int(), succeeded: z.number().int(), failed: z.number().int(), cancelled: z.number().int() }),
  }),
  jobs: z.array(RunProgressJob),
});
export type RunProgress = z.infer<typeof RunProgress>;

export const DashDeviceRow = z.object({
  device: DashDevice,
  agent: z.string(),
  driver: z.string(),
  osVersion: z.string().nullable(),
  status: DeviceStatus,
  statusReason: z.string().nullable(),
  consecutiveHealthFailures: z.number().int(),
  lastHeartbeatAt: z.string(),
  currentJob: z.object({ id: z.uuid(), run: z.uuid(), benchmark: z.string(), model: z.string(), version: z.string() }).nullable(),
  /** hottest sensor of the latest result that reported temperatures; null where the device exposes none */
  temperatureC: z.number().nullable(),
  /** battery level 0–1 where the device reports one (attributes.batteryLevel) */
  battery: z.number().nullable(),
  /** share of the last 24 h spent running jobs, and per-hour shares (oldest first, 24 values) */
  utilisation: z.object({ day: z.number(), hourly: z.array(z.number()) }),
});
export type DashDeviceRow = z.infer<typeof DashDeviceRow>;

export const DashDevices = z.object({ items: z.array(DashDeviceRow), windowEnd: z.string() });
export type DashDevices = z.infer<typeof DashDevices>;

export const DashApprovals = z.object({ approvals: z.array(ApprovalOut), audit: z.array(AuditEntryOut) });
export type DashApprovals = z.infer<typeof DashApprovals>;
