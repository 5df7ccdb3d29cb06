import type { Db, Job } from '@edgeproof/db';
import type { FastifyBaseLogger } from 'fastify';
import type { DeviceQueues } from '../plugins/queues.ts';
import { bullJobId, loadEvaluatePayload } from './job-payload.ts';
import { asLeader, Serial } from './leader.ts';
import { flushOutbox } from './outbox.ts';
import { refreshRunStatus } from './run-status.ts';

export interface WatchdogOptions {
  offlineAfterMs: number;
  rerouteTimeoutMs: number;
  /** a tick that takes longer loses its leadership (its steps stay safe: each is a conditional update) */
  tickTimeoutMs?: number;
}

const OPEN = ['queued', 'running'] as const;

/**
 * Keeps jobs from hanging: marks silent devices offline, moves their jobs to an equivalent online
 * device (or fails them after a timeout), queues jobs left in the outbox and reconciles job rows with
 * what the queue actually holds. With several API replicas one ticks at a time (advisory lock), and
 * ticks of one process never overlap.
 */
export class DeviceWatchdog {
  readonly #serial = new Serial();

  constructor(
    private readonly db: Db,
    private readonly queues: DeviceQueues,
    private readonly log: FastifyBaseLogger,
    private readonly options: WatchdogOptions,
  ) {}

  /** One pass; false when another replica was ticking (this one then did nothing). */
  async tick(now = new Date()): Promise<boolean> {
    return this.#serial.run(async () => {
      const outcome = await asLeader(
        this.db,
        'device-watchdog',
        async () => {
          await this.markSilentDevicesOffline(now);
          await this.rerouteJobsOfOfflineDevices(now);
          await this.reconcileQueue();
        },
        this.options.tickTimeoutMs ?? 120_000,
      );
      return outcome.led;
    });
  }

  private async markSilentDevicesOffline(now: Date): Promise<void> {
    const cutoff = new Date(now.getTime() - this.options.offlineAfterMs);
    const silent = await this.db.device.findMany({
      where: { status: { notIn: ['offline', 'quarantined'] }, lastHeartbeatAt: { lt: cutoff } },
    });
    for (const d of silent) {
      const { count } = await this.db.device.updateMany({
        where: { id: d.id, status: { notIn: ['offline', 'quarantined'] }, lastHeartbeatAt: { lt: cutoff } },
        data: { status: 'offline', statusReason: `no heartbeat since ${d.lastHeartbeatAt.toISOString()}`, currentJobId: null },
      });
      if (count) this.log.warn({ deviceId: d.id }, 'device went offline');
    }
  }

  private async rerouteJobsOfOfflineDevices(now: Date): Promise<void> {
    const stranded = await this.db.job.findMany({
      where: { status: { in: [...OPEN] }, device: { status: { in: ['offline', 'quarantined'] } } },
      include: { device: true },
      take: 500,
    });
    for (const job of stranded) {
      const target = await this.db.device.findFirst({
        where: { equivalenceClass: job.device.equivalenceClass, id: { not: job.deviceId }, status: { in: ['idle', 'busy'] } },
        orderBy: [{ status: 'asc' }, { lastHeartbeatAt: 'desc' }],
      });
      const waitedMs = now.getTime() - job.queuedAt.getTime();
      if (!target && waitedMs < this.options.rerouteTimeoutMs) continue;
      // a job still locked by a live worker is not stranded yet; its lock expires on its own
      if (!(await this.queues.removeIfIdle(job.deviceId, bullJobId(job)))) continue;
      // every change below holds only if the row is still as read: a job moves (or fails) once
      const unchanged = { id: job.id, deviceId: job.deviceId, reroutes: job.reroutes, status: { in: [...OPEN] } };
      if (!target) {
        await this.db.$transaction(async (tx) => {
          const { count } = await tx.job.updateMany({
            where: unchanged,
            data: {
              status: 'failed',
              finishedAt: now,
              error: `device ${job.device.localKey} (${job.deviceId}) is ${job.device.status} (${job.device.statusReason ?? 'no reason'}) and no equivalent device came online within ${Math.round(this.options.rerouteTimeoutMs / 1000)} s`,
            },
          });
          if (count) await refreshRunStatus(tx, job.runId);
        });
        continue;
      }
      const { count } = await this.db.job.updateMany({
        where: unchanged,
        data: { deviceId: target.id, reroutes: { increment: 1 }, status: 'queued', enqueuedAt: null, error: `re-routed from offline device ${job.device.localKey}` },
      });
      if (!count) continue;
      const moved = await this.db.job.findUniqueOrThrow({ where: { id: job.id } });
      await this.#enqueue(moved);
      this.log.info({ jobId: job.id, from: job.deviceId, to: target.id }, 're-routed job');
    }
  }

  /** Queues a job that is (back) in the outbox and stamps it; if Redis fails, the next flush does. */
  async #enqueue(job: Job): Promise<void> {
    await this.queues.addEvaluate(job.deviceId, bullJobId(job), await loadEvaluatePayload(this.db, job));
    await this.db.job.updateMany({ where: { id: job.id, deviceId: job.deviceId, reroutes: job.reroutes, enqueuedAt: null }, data: { enqueuedAt: new Date() } });
  }

  /** Outbox jobs are queued; jobs whose queue entry vanished are queued again; jobs the queue gave up on are failed. */
  private async reconcileQueue(): Promise<void> {
    await flushOutbox(this.db, this.queues, this.log);
    const open = await this.db.job.findMany({
      where: { status: { in: [...OPEN] }, enqueuedAt: { not: null }, device: { status: { notIn: ['offline', 'quarantined'] } } },
      orderBy: { queuedAt: 'asc' },
      take: 500,
    });
    for (const job of open) {
      const bull = await this.queues.getJob(job.deviceId, bullJobId(job));
      if (!bull) {
        // re-read: a job re-routed or finished since the list was read needs nothing
        const now = await this.db.job.findFirst({ where: { id: job.id, deviceId: job.deviceId, reroutes: job.reroutes, status: { in: [...OPEN] } } });
        if (now) await this.queues.addEvaluate(job.deviceId, bullJobId(job), await loadEvaluatePayload(this.db, now));
        continue;
      }
      if ((await bull.getState()) === 'failed') {
        await this.db.$transaction(async (tx) => {
          const { count } = await tx.job.updateMany({
            where: { id: job.id, deviceId: job.deviceId, reroutes: job.reroutes, status: { in: [...OPEN] }, result: { is: null } },
            data: { status: 'failed', finishedAt: new Date(), error: bull.failedReason || 'the queue gave up on this job' },
          });
          if (count) await refreshRunStatus(tx, job.runId);
        });
      }
    }
  }
}
