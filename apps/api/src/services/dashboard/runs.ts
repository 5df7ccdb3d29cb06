import { OpProfile, type RunProgress } from '@edgeproof/contracts';
import type { Db } from '@edgeproof/db';
import { notFound } from '../../errors.ts';
import { dashDevice, resultWithoutSamples, versionFigures } from './common.ts';

/** the per-operator table a TFLite benchmark_model run stored in its latency summary, when it has one */
function opProfileOf(summary: unknown): { opProfile?: OpProfile } {
  const parsed = OpProfile.safeParse((summary as { opProfile?: unknown } | null | undefined)?.opProfile);
  return parsed.success ? { opProfile: parsed.data } : {};
}

/** A run's progress per job, without raw samples, so a page can poll it every second or two. */
export async function runProgress(db: Db, id: string): Promise<RunProgress> {
  const run = await db.evaluationRun.findUnique({
    where: { id },
    include: {
      modelVersion: { include: { model: true } },
      baselineVersion: true,
      jobs: { include: { device: true, result: resultWithoutSamples, modelVersion: { select: { version: true } } }, orderBy: [{ queuedAt: 'asc' }, { id: 'asc' }] },
    },
  });
  if (!run) throw notFound(`run ${id}`);
  const count = (s: string) => run.jobs.filter((j) => j.status === s).length;
  return {
    run: {
      id: run.id,
      model: run.modelVersion.model.name,
      version: run.modelVersion.version,
      baseline: run.baselineVersion?.version ?? null,
      status: run.status,
      requestedBy: run.requestedBy,
      createdAt: run.createdAt.toISOString(),
      finishedAt: run.finishedAt?.toISOString() ?? null,
      progress: { total: run.jobs.length, queued: count('queued'), running: count('running'), succeeded: count('succeeded'), failed: count('failed'), cancelled: count('cancelled') },
    },
    jobs: run.jobs.map((j) => {
      const f = versionFigures([j]);
      const headline = f.latency
        ? { label: 'p50', value: f.latency.p50, unit: 'ms' }
        : f.accuracy
          ? { label: 'top-1', value: f.accuracy.top1, unit: 'ratio' }
          : f.parity
            ? { label: 'max abs error', value: f.parity.maxAbsError, unit: 'number' }
            : null;
      return {
        id: j.id,
        benchmark: j.benchmark,
        role: j.role === 'baseline' || j.role === 'variant' ? j.role : ('candidate' as const),
        version: j.modelVersion.version,
        device: dashDevice(j.device),
        status: j.status,
        attempts: j.attempts,
        reroutes: j.reroutes,
        error: j.error,
        queuedAt: j.queuedAt.toISOString(),
        startedAt: j.startedAt?.toISOString() ?? null,
        finishedAt: j.finishedAt?.toISOString() ?? null,
        headline,
        ...opProfileOf(j.result?.summary),
      };
    }),
  };
}
