import type { Db, RunRow } from '@edgeproof/db';
import type { FastifyBaseLogger } from 'fastify';
import { AppError, notFound } from '../errors.ts';
import type { DeviceQueues } from '../plugins/queues.ts';
import { bullJobId } from './job-payload.ts';
import { FINISHED_RUN_STATUSES, OPEN_JOB_STATUSES, refreshRunStatus, type RunStatus } from './run-status.ts';
import { loadRun } from './runs.ts';

export interface CancelDeps {
  db: Db;
  queues: DeviceQueues;
  log: FastifyBaseLogger;
}

/**
 * Whether the job was cancelled: the agent running it must stop and report nothing more (the lock
 * renewal answers `cancel: true` when this is true).
 */
export async function jobCancelled(db: Db, jobId: string): Promise<boolean> {
  const job = await db.job.findUnique({ where: { id: jobId }, select: { status: true } });
  return job?.status === 'cancelled';
}

/**
 * Cancels a run: its queued jobs leave their device queues, its running jobs are marked cancelled
 * (their agents learn it at the next lock renewal; a result or failure posted later changes nothing),
 * and the run ends `cancelled`. Cancelling a cancelled run answers it again; a finished run is 409.
 * Job rows are locked before the run row (by id), the order every job writer uses.
 */
export async function cancelRun(deps: CancelDeps, runId: string, by: string): Promise<RunRow> {
  const before = await deps.db.evaluationRun.findUnique({ where: { id: runId }, select: { status: true } });
  if (!before) throw notFound(`run ${runId}`);
  if (before.status !== 'cancelled') {
    if (FINISHED_RUN_STATUSES.includes(before.status)) throw finished(runId, before.status);
    const cancelled = await deps.db.$transaction(async (tx) => {
      const open = await tx.$queryRaw<{ id: string; deviceId: string; reroutes: number; status: string }[]>`
        SELECT "id", "deviceId", "reroutes", "status"::text AS "status" FROM "Job"
        WHERE "runId" = ${runId}::uuid AND "status" IN ('queued', 'running') ORDER BY "id" FOR UPDATE`;
      if (open.length) {
        await tx.job.updateMany({
          where: { id: { in: open.map((j) => j.id) }, status: { in: [...OPEN_JOB_STATUSES] } },
          data: { status: 'cancelled', finishedAt: new Date(), error: `cancelled by ${by}` },
        });
      }
      const locked = await tx.$queryRaw<{ status: RunStatus }[]>`SELECT "status"::text AS "status" FROM "EvaluationRun" WHERE "id" = ${runId}::uuid FOR UPDATE`;
      const status = locked[0]?.status;
      if (!open.length && status !== 'cancelled') {
        // every job finished before the cancel got to it: the run ends as its jobs say
        const derived = await refreshRunStatus(tx, runId);
        if (derived && FINISHED_RUN_STATUSES.includes(derived)) throw finished(runId, derived);
      }
      if (status !== 'cancelled') await tx.evaluationRun.update({ where: { id: runId }, data: { status: 'cancelled', finishedAt: new Date() } });
      return open;
    });
    // queued jobs leave their queues; a running one is locked by its agent and stops at its next renewal
    // (an entry left behind is skipped when handed out: its row is cancelled)
    for (const job of cancelled.filter((j) => j.status === 'queued')) {
      await deps.queues.removeIfIdle(job.deviceId, bullJobId(job)).catch((err: unknown) => deps.log.warn({ err, jobId: job.id }, 'cancelled job left on its queue'));
    }
    deps.log.info({ runId, by, jobs: cancelled.length }, 'run cancelled');
  }
  return (await loadRun(deps.db, runId)) as RunRow;
}

function finished(runId: string, status: string): AppError {
  return new AppError(409, 'conflict', `run ${runId} already finished (${status}): only a queued or running run can be cancelled`, { status });
}
