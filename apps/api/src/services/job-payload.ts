import { BenchmarkSettings, DatasetHeader, type EvaluateJobPayload, ModelSignature } from '@edgeproof/contracts';
import type { Dataset, Job, Model, ModelVersion } from '@edgeproof/db';

/** What a device queue receives for one job; rebuilt from rows when a job is re-routed. */
export function buildEvaluatePayload(
  job: Job,
  version: ModelVersion & { model: Model },
  dataset: Dataset | null,
  settings: unknown,
): EvaluateJobPayload {
  return {
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

/** BullMQ job ids are per queue; a re-routed job gets a fresh one on its new queue. */
export const bullJobId = (job: Pick<Job, 'id' | 'reroutes'>) => (job.reroutes === 0 ? job.id : `${job.id}-r${job.reroutes}`);
