import { BenchmarkSettings, DatasetHeader, type EvaluateJobPayload, FeatureRunSettings, ModelSignature } from '@edgeproof/contracts';
import type { Dataset, Db, Job, Model, ModelVersion } from '@edgeproof/db';
import { featurePayload, featureRunInclude } from './feature-runs.ts';

/** What a device queue receives for one job; rebuilt from rows when a job is re-routed. */
export function buildEvaluatePayload(
  job: Job,
  version: ModelVersion & { model: Model },
  dataset: Dataset | null,
  settings: unknown,
  baseline?: ModelVersion & { model: Model },
  featureRun?: Pick<EvaluateJobPayload, 'feature' | 'scenario'>,
): EvaluateJobPayload {
  return {
    ...(featureRun ?? {}),
    ...(baseline ? { baseline: jobModel(baseline) } : {}),
    jobId: job.id,
    runId: job.runId,
    deviceId: job.deviceId,
    benchmark: job.benchmark,
    model: jobModel(version),
    dataset: dataset ? { sha256: dataset.sha256, header: DatasetHeader.parse(dataset.schema), sampleCount: dataset.sampleCount } : null,
    settings: resolveJobSettings(job.benchmark, settings),
  };
}

/**
 * The settings a driver runs with, every default applied here (BenchmarkSettings', and for a feature
 * replay FeatureRunSettings' in `feature`), so no driver applies a default of its own.
 */
export function resolveJobSettings(benchmark: Job['benchmark'], settings: unknown): BenchmarkSettings {
  const parsed = BenchmarkSettings.parse(settings);
  return benchmark === 'feature' ? { ...parsed, feature: FeatureRunSettings.parse(parsed.feature ?? {}) } : parsed;
}

/** A latency job that measures the run's candidate and baseline alternately in one session. */
export const INTERLEAVED_ROLE = 'interleaved';

/** A job that measures another form of the run's candidate (RunCreate.variants), beside it and outside any gate. */
export const VARIANT_ROLE = 'variant';

function jobModel(version: ModelVersion & { model: Model }): EvaluateJobPayload['model'] {
  return {
    versionId: version.id,
    name: version.model.name,
    version: version.version,
    sha256: version.sha256,
    format: version.format,
    signature: ModelSignature.parse(version.signature),
  };
}

/** Rebuilds a job's payload from its rows (re-routing, reconciling); interleaved jobs get their baseline back. */
export async function loadEvaluatePayload(db: Db, job: Job): Promise<EvaluateJobPayload> {
  const run = await db.evaluationRun.findUniqueOrThrow({ where: { id: job.runId }, include: { dataset: true, ...featureRunInclude } });
  const version = await db.modelVersion.findUniqueOrThrow({ where: { id: job.modelVersionId }, include: { model: true } });
  const baseline =
    job.role === INTERLEAVED_ROLE && run.baselineVersionId
      ? await db.modelVersion.findUniqueOrThrow({ where: { id: run.baselineVersionId }, include: { model: true } })
      : undefined;
  const featureRun = job.benchmark === 'feature' && run.featureBuild && run.scenario ? featurePayload(run.featureBuild, run.scenario) : undefined;
  return buildEvaluatePayload(job, version, run.dataset, run.settings, baseline, featureRun);
}

/** BullMQ job ids are per queue; a re-routed job gets a fresh one on its new queue. */
export const bullJobId = (job: Pick<Job, 'id' | 'reroutes'>) => (job.reroutes === 0 ? job.id : `${job.id}-r${job.reroutes}`);
