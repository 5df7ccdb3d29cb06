import type { Db } from '@edgeproof/db';

/**
 * Whether an unfinished job queued to one of the agent's devices reads this artifact: its model (the
 * run's candidate or a variant), the run's baseline, the run's dataset, the feature build and the models it pins, or the scenario's files.
 */
export async function agentNeedsArtifact(db: Db, agentName: string, sha256: string): Promise<boolean> {
  const job = await db.job.findFirst({
    where: {
      status: { in: ['queued', 'running'] },
      device: { agent: { name: agentName } },
      OR: [
        // the job's own version: the run's candidate, or a variant of it
        { modelVersion: { sha256 } },
        { run: { modelVersion: { sha256 } } },
        { run: { baselineVersion: { sha256 } } },
        { run: { dataset: { sha256 } } },
        { run: { featureBuild: { sha256 } } },
        { run: { featureBuild: { models: { some: { modelVersion: { sha256 } } } } } },
        { run: { scenario: { OR: [{ videoSha256: sha256 }, { groundTruthSha256: sha256 }] } } },
      ],
    },
    select: { id: true },
  });
  return job !== null;
}
