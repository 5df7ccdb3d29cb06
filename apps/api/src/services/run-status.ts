import type { Prisma } from '@edgeproof/db';

type Tx = Prisma.TransactionClient;

/** Derives a run's status from its jobs: queued → running → succeeded | failed | partial. */
export async function refreshRunStatus(tx: Tx, runId: string): Promise<void> {
  const jobs = await tx.job.findMany({ where: { runId }, select: { status: true } });
  const count = (s: string) => jobs.filter((j) => j.status === s).length;
  const done = count('succeeded') + count('failed');
  let status: 'queued' | 'running' | 'succeeded' | 'failed' | 'partial';
  if (done === jobs.length) {
    status = count('failed') === 0 ? 'succeeded' : count('succeeded') === 0 ? 'failed' : 'partial';
  } else {
    status = count('running') > 0 || done > 0 ? 'running' : 'queued';
  }
  await tx.evaluationRun.update({
    where: { id: runId },
    data: { status, finishedAt: done === jobs.length ? new Date() : null },
  });
}
