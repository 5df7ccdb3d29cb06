import type { FeatureBuildRow } from './feature-mappers.ts';
import type { Scenario } from './generated/prisma/client.ts';
import type {
  CiContext,
  DatasetOut,
  DeviceOut,
  JobOut,
  ModelOut,
  ModelSignature,
  ModelVersionOut,
  ResultOut,
  RunOut,
  RunSummaryOut,
} from '@edgeproof/contracts';
import { BenchmarkSettings, DatasetHeader, ResultEnvironment, ResultSummary } from '@edgeproof/contracts';
import type { Agent, Dataset, Device, EvaluationRun, Job, Model, ModelVersion, Result } from './generated/prisma/client.ts';

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export function toModelOut(m: Model, latestVersion: string | null): ModelOut {
  return {
    id: m.id,
    name: m.name,
    taskKind: m.taskKind,
    owner: m.owner,
    description: m.description,
    createdBy: m.createdBy,
    createdAt: iso(m.createdAt),
    latestVersion,
  };
}

export function toModelVersionOut(v: ModelVersion, modelName: string, baseUrl: string): ModelVersionOut {
  return {
    id: v.id,
    model: modelName,
    version: v.version,
    gitCommit: v.gitCommit,
    sha256: v.sha256,
    sizeBytes: Number(v.sizeBytes),
    gzipSizeBytes: Number(v.gzipSizeBytes),
    format: v.format,
    signature: v.signature as ModelSignature,
    createdBy: v.createdBy,
    createdAt: iso(v.createdAt),
    downloadUrl: `${baseUrl}/v1/models/${encodeURIComponent(modelName)}/versions/${encodeURIComponent(v.version)}/download`,
  };
}

export function toDatasetOut(d: Dataset): DatasetOut {
  return {
    id: d.id,
    name: d.name,
    version: d.version,
    taskKind: d.taskKind,
    sha256: d.sha256,
    sizeBytes: Number(d.sizeBytes),
    sampleCount: d.sampleCount,
    header: DatasetHeader.parse(d.schema),
    createdBy: d.createdBy,
    createdAt: iso(d.createdAt),
  };
}

export function toDeviceOut(d: Device & { agent: Agent }): DeviceOut {
  return {
    id: d.id,
    agent: d.agent.name,
    localKey: d.localKey,
    platform: d.platform,
    driver: d.driver,
    maker: d.maker,
    model: d.model,
    osVersion: d.osVersion,
    soc: d.soc,
    cpu: d.cpu,
    cores: d.cores,
    ramMb: d.ramMb,
    tier: d.tier,
    tags: d.tags,
    runtimes: d.runtimes,
    equivalenceClass: d.equivalenceClass,
    attributes: d.attributes as Record<string, unknown>,
    status: d.status,
    statusReason: d.statusReason,
    consecutiveHealthFailures: d.consecutiveHealthFailures,
    currentJobId: d.currentJobId,
    lastHeartbeatAt: iso(d.lastHeartbeatAt),
  };
}

export function toResultOut(r: Result): ResultOut {
  return {
    attempt: r.attempt,
    summary: ResultSummary.parse(r.summary),
    rawSamples: r.rawSamples,
    environment: ResultEnvironment.parse(r.environment),
    createdAt: iso(r.createdAt),
  };
}

export type JobRow = Job & { device: Device; result: Result | null; modelVersion?: Pick<ModelVersion, 'version'> };

export function toJobOut(j: JobRow, versionNames: ReadonlyMap<string, string>): JobOut {
  return {
    id: j.id,
    benchmark: j.benchmark,
    role: j.role === 'baseline' || j.role === 'variant' ? j.role : 'candidate',
    modelVersion: j.modelVersion?.version ?? versionNames.get(j.modelVersionId) ?? j.modelVersionId,
    device: { id: j.device.id, platform: j.device.platform, tier: j.device.tier, model: j.device.model, localKey: j.device.localKey },
    status: j.status,
    attempts: j.attempts,
    reroutes: j.reroutes,
    error: j.error,
    queuedAt: iso(j.queuedAt),
    enqueuedAt: isoOrNull(j.enqueuedAt),
    startedAt: isoOrNull(j.startedAt),
    finishedAt: isoOrNull(j.finishedAt),
    result: j.result ? toResultOut(j.result) : null,
  };
}

export type RunRow = EvaluationRun & {
  modelVersion: ModelVersion & { model: Model };
  baselineVersion: ModelVersion | null;
  dataset: Dataset | null;
  jobs: JobRow[];
  /** feature runs: present when the query included them */
  featureBuild?: FeatureBuildRow | null;
  scenario?: Scenario | null;
};

export type RunSummaryRow = Omit<RunRow, 'jobs'> & { jobs: Array<Pick<Job, 'status'>> };

export function toRunSummaryOut(r: RunSummaryRow): RunSummaryOut {
  const count = (s: Job['status']) => r.jobs.filter((j) => j.status === s).length;
  return {
    id: r.id,
    model: r.modelVersion.model.name,
    version: r.modelVersion.version,
    baseline: r.baselineVersion?.version ?? null,
    dataset: r.dataset ? { name: r.dataset.name, version: r.dataset.version } : null,
    ...(r.featureBuild ? { feature: { name: r.featureBuild.name, version: r.featureBuild.version } } : {}),
    ...(r.scenario ? { scenario: { name: r.scenario.name, version: r.scenario.version } } : {}),
    deviceSelector: r.deviceSelector as Record<string, unknown>,
    benchmarks: r.benchmarks,
    settings: BenchmarkSettings.parse(r.settings),
    requestedBy: r.requestedBy,
    ci: (r.ciContext as CiContext | null) ?? null,
    status: r.status,
    progress: { total: r.jobs.length, queued: count('queued'), running: count('running'), succeeded: count('succeeded'), failed: count('failed'), cancelled: count('cancelled') },
    createdAt: iso(r.createdAt),
    finishedAt: isoOrNull(r.finishedAt),
  };
}

export function toRunOut(r: RunRow): RunOut {
  const names = new Map<string, string>([[r.modelVersion.id, r.modelVersion.version]]);
  if (r.baselineVersion) names.set(r.baselineVersion.id, r.baselineVersion.version);
  return { ...toRunSummaryOut(r), jobs: r.jobs.map((j) => toJobOut(j, names)) };
}
