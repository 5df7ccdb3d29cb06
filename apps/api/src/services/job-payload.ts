import { BenchmarkSettings, DatasetHeader, type EvaluateJobPayload, ModelSignature } from '@edgeproof/contracts';
import type { Dataset, Db, Job, Model, ModelVersion } from '@edgeproof/db';

/** What a device queue receives for one job; rebuilt from rows when a job is re-routed. */
export function buildEvaluatePayload(
  job: Job,
  version: ModelVersion & { model: Model },
  dataset: Dataset | null,
  settings: unknown,
  baseline?: ModelVersion & { model: Model },
): EvaluateJobPayload {
  return {
    ...(baseline ? { baseline: jobModel(baseline) } : {}),
    jobId: job.id,
    runId: job.runId,
    deviceId: job.deviceId,
    benchmark: job.benchmark,
    model: {
      versionId: version.id,
      name: version.model.name,
      version: version.version,
      sha256: version.sha256,
      format: version.format,
      signature: ModelSignature.parse(version.signature),
    },
    dataset: dataset ? { sha256: dataset.sha256, header: DatasetHeader.parse(dataset.schema), sampleCount: dataset.sampleCount } : null,
    settings: BenchmarkSettings.parse(settings),
  };
}

/** A latency job that measures the run's candidate and baseline alternately in one session. */
export const INTERLEAVED_ROLE = 'interleaved';

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
  const run = await db.evaluationRun.findUniqueOrThrow({ where: { id: job.runId }, include: { dataset: true } });
  const version = await db.modelVersion.findUniqueOrThrow({ where: { id: job.modelVersionId }, include: { model: true } });
  const baseline =
    job.role === INTERLEAVED_ROLE && run.baselineVersionId
      ? await db.modelVersion.findUniqueOrThrow({ where: { id: run.baselineVersionId }, include: { model: true } })
      : undefined;
  return buildEvaluatePayload(job, version, run.dataset, run.settings, baseline);
}

/** BullMQ job ids are per queue; a re-routed job gets a fresh one on its new queue. */
export const bullJobId = (job: Pick<Job, 'id' | 'reroutes'>) => (job.reroutes === 0 ? job.id : `${job.id}-r${job.reroutes}`);
