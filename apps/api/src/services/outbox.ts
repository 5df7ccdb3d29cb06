import type { EvaluateJobPayload } from '@edgeproof/contracts';
import type { Db, Job } from '@edgeproof/db';
import type { FastifyBaseLogger } from 'fastify';
import type { DeviceQueues } from '../plugins/queues.ts';
import { unavailableService } from '../unavailable.ts';
import { bullJobId, loadEvaluatePayload } from './job-payload.ts';

/**
 * The job outbox: a job row is written with its run (`enqueuedAt` null) and put on its device queue
 * only after that commit, then stamped. Whatever could not be queued (Redis down, the process died
 * in between) stays unstamped, and `flushOutbox` (the watchdog's reconcile pass) queues it later.
 * Queueing twice is harmless: BullMQ ignores a job id it already holds, so each job runs once.
 */

export type OutboxJob = Pick<Job, 'id' | 'deviceId' | 'reroutes' | 'status' | 'enqueuedAt'>;

export interface EnqueueOutcome {
  enqueued: string[];
  /** left in the outbox for the next flush */
  pending: number;
  /** the stamp written on the enqueued jobs */
  at: Date;
}

/**
 * Queues the given unstamped jobs and stamps the ones that made it. Stops at the first sign that
 * Redis is unreachable (every further add would fail the same way); other failures skip one job.
 */
export async function enqueueJobs(
  db: Db,
  queues: DeviceQueues,
  log: FastifyBaseLogger,
  jobs: readonly OutboxJob[],
  payloadOf: (job: OutboxJob) => EvaluateJobPayload | Promise<EvaluateJobPayload>,
): Promise<EnqueueOutcome> {
  const enqueued: OutboxJob[] = [];
  let pending = 0;
  for (const [i, job] of jobs.entries()) {
    if (job.status !== 'queued' || job.enqueuedAt) continue;
    try {
      await queues.addEvaluate(job.deviceId, bullJobId(job), await payloadOf(job));
      enqueued.push(job);
    } catch (err) {
      pending++;
      const service = unavailableService(err);
      if (service) {
        pending += jobs.slice(i + 1).filter((j) => j.status === 'queued' && !j.enqueuedAt).length;
        log.warn({ err: (err as Error).message, pending }, `${service} unavailable: jobs stay in the outbox until it is back`);
        break;
      }
      log.error({ err, jobId: job.id }, 'could not queue job; it stays in the outbox');
    }
  }
  // stamped only where the row still names the queue entry just added (not re-routed meanwhile)
  const now = new Date();
  const byReroutes = new Map<number, string[]>();
  for (const j of enqueued) byReroutes.set(j.reroutes, [...(byReroutes.get(j.reroutes) ?? []), j.id]);
  for (const [reroutes, ids] of byReroutes) {
    await db.job.updateMany({ where: { id: { in: ids }, reroutes, enqueuedAt: null }, data: { enqueuedAt: now } });
  }
  return { enqueued: enqueued.map((j) => j.id), pending, at: now };
}

/** Queues every queued job still in the outbox, oldest first; returns how many were queued. */
export async function flushOutbox(db: Db, queues: DeviceQueues, log: FastifyBaseLogger, limit = 500): Promise<number> {
  const jobs = await db.job.findMany({ where: { status: 'queued', enqueuedAt: null }, orderBy: { queuedAt: 'asc' }, take: limit });
  if (!jobs.length) return 0;
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const { enqueued } = await enqueueJobs(db, queues, log, jobs, (j) => loadEvaluatePayload(db, byId.get(j.id) as Job));
  if (enqueued.length) log.info({ jobs: enqueued.length }, 'queued jobs from the outbox');
  return enqueued.length;
}
