import type { Prisma } from '@edgeproof/db';

type Tx = Prisma.TransactionClient;
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'partial' | 'cancelled';

/** A run in one of these states is over: nothing changes it any more. */
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'partial', 'cancelled'];
/** A job in one of these states still needs a device. */
export const OPEN_JOB_STATUSES = ['queued', 'running'] as const;

/** The run's status from its job counts: queued → running → succeeded | failed | partial | cancelled. */
export function deriveRunStatus(counts: Partial<Record<string, number>>): RunStatus {
  const n = (s: string) => counts[s] ?? 0;
  const total = Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0);
  const done = n('succeeded') + n('failed') + n('cancelled');
  if (done === total) {
    if (n('cancelled') > 0) return 'cancelled';
    return n('failed') === 0 ? 'succeeded' : n('succeeded') === 0 ? 'failed' : 'partial';
  }
  return n('running') > 0 || done > 0 ? 'running' : 'queued';
}

/**
 * Derives a run's status from its jobs, under a lock on the run row taken before the jobs are read:
 * two results committing at once would otherwise each see the other's job still running and leave
 * the run `running` forever. Call it in the transaction that changed a job, after the change; every
 * writer takes job rows before the run row, so the lock order is always job → run. A cancelled run
 * stays cancelled. Returns the status it wrote (or kept).
 */
export async function refreshRunStatus(tx: Tx, runId: string): Promise<RunStatus | null> {
  const locked = await tx.$queryRaw<{ status: RunStatus; finishedAt: Date | null }[]>`
    SELECT "status"::text AS "status", "finishedAt" FROM "EvaluationRun" WHERE "id" = ${runId}::uuid FOR UPDATE`;
  const run = locked[0];
  if (!run) return null;
  if (run.status === 'cancelled') return run.status;
  const groups = await tx.job.groupBy({ by: ['status'], where: { runId }, _count: { _all: true } });
  const status = deriveRunStatus(Object.fromEntries(groups.map((g) => [g.status, g._count._all])));
  const finished = FINISHED_RUN_STATUSES.includes(status);
  if (status !== run.status || finished !== (run.finishedAt !== null)) {
    await tx.evaluationRun.update({ where: { id: runId }, data: { status, finishedAt: finished ? (run.finishedAt ?? new Date()) : null } });
  }
  return status;
}
