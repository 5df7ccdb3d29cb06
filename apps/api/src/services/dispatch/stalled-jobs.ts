import type { Db } from '@edgeproof/db';
import type { Job } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import { refreshRunStatus } from '../run-status.ts';

/**
 * BullMQ gave a job up by itself (its lock expired more often than allowed: agents kept dying on it).
 * The job row says so, so that its run ends instead of waiting for a result that cannot come.
 */
export async function failStalledJob(db: Db, log: FastifyBaseLogger, deviceId: string, job: Job | undefined, reason: string): Promise<void> {
  const jobId = (job?.data as { jobId?: unknown } | undefined)?.jobId;
  if (typeof jobId !== 'string') return;
  try {
    await db.$transaction(async (tx) => {
      const { count } = await tx.job.updateMany({
        where: { id: jobId, deviceId, status: { in: ['queued', 'running'] }, result: { is: null } },
        data: { status: 'failed', error: `given up by the queue: ${reason}`, finishedAt: new Date() },
      });
      const row = count ? await tx.job.findUnique({ where: { id: jobId }, select: { runId: true } }) : null;
      if (row) await refreshRunStatus(tx, row.runId);
    });
    log.warn({ jobId, reason }, 'job given up by the queue');
  } catch (err) {
    log.error({ err, jobId }, 'could not record a job the queue gave up');
  }
}
