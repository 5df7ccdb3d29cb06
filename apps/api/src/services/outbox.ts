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

export type OutboxJob = Pick<Job, 'id' | 'runId' | 'deviceId' | 'benchmark' | 'role' | 'reroutes' | 'status' | 'enqueuedAt'>;

export interface EnqueueOutcome {
  enqueued: string[];
  /** left in the outbox for the next flush */
  pending: number;
  /** the stamp written on the enqueued jobs */
  at: Date;
}

const BENCHMARK_ORDER: Record<string, number> = { latency: 0, accuracy: 1, parity: 2, feature: 3 };
const ROLE_ORDER: Record<string, number> = { candidate: 0, interleaved: 0, baseline: 1, variant: 2 };

/**
 * A run's jobs for one device, in the order the device serves them: latency first (so it is measured as
 * the first job of a session would be), then accuracy, parity, feature; within each the candidate
 * before the baseline before variants.
 */
export function deviceBatches<J extends OutboxJob>(jobs: readonly J[]): J[][] {
  const groups = new Map<string, J[]>();
  for (const j of jobs) {
    const key = `${j.runId}/${j.deviceId}`;
    groups.set(key, [...(groups.get(key) ?? []), j]);
  }
  const rank = (j: J) => (BENCHMARK_ORDER[j.benchmark] ?? 9) * 10 + (ROLE_ORDER[j.role] ?? 9);
  return [...groups.values()].map((g) => g.map((j, i) => ({ j, i })).sort((a, b) => rank(a.j) - rank(b.j) || a.i - b.i).map(({ j }) => j));
}

/**
 * Queues the given unstamped jobs and stamps the ones that made it. A run's jobs for one device go on
 * its queue in one atomic add (deviceBatches order, each payload saying its place: `deviceBatch`), so
 * the device serves them back to back. Stops at the first sign that Redis is unreachable (every
 * further add would fail the same way); other failures skip one device's batch.
 */
export async function enqueueJobs<J extends OutboxJob>(
  db: Db,
  queues: DeviceQueues,
  log: FastifyBaseLogger,
  jobs: readonly J[],
  payloadOf: (job: J) => EvaluateJobPayload | Promise<EvaluateJobPayload>,
): Promise<EnqueueOutcome> {
  const enqueued: OutboxJob[] = [];
  let pending = 0;
  const batches = deviceBatches(jobs.filter((j) => j.status === 'queued' && !j.enqueuedAt));
  for (const [b, batch] of batches.entries()) {
    try {
      const entries = await Promise.all(
        batch.map(async (job, i) => ({ bullJobId: bullJobId(job), payload: { ...(await payloadOf(job)), deviceBatch: { index: i + 1, size: batch.length } } })),
      );
      await queues.addEvaluateBatch((batch[0] as J).deviceId, entries);
      enqueued.push(...batch);
    } catch (err) {
      pending += batch.length;
      const service = unavailableService(err);
      if (service) {
        pending += batches.slice(b + 1).reduce((n, x) => n + x.length, 0);
        log.warn({ err: (err as Error).message, pending }, `${service} unavailable: jobs stay in the outbox until it is back`);
        break;
      }
      log.error({ err, jobIds: batch.map((j) => j.id) }, 'could not queue jobs; they stay in the outbox');
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
  const { enqueued } = await enqueueJobs(db, queues, log, jobs, (j) => loadEvaluatePayload(db, j));
  if (enqueued.length) log.info({ jobs: enqueued.length }, 'queued jobs from the outbox');
  return enqueued.length;
}
