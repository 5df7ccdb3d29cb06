import type { Db } from '@edgeproof/db';
import type { FastifyBaseLogger } from 'fastify';
import type { DeviceQueues } from '../plugins/queues.ts';
import { bullJobId, loadEvaluatePayload } from './job-payload.ts';
import { refreshRunStatus } from './run-status.ts';

export interface WatchdogOptions {
  offlineAfterMs: number;
  rerouteTimeoutMs: number;
}

/**
 * Keeps jobs from hanging: marks silent devices offline, moves their jobs to an
 * equivalent online device (or fails them after a timeout), and reconciles job rows
 * with what the queue actually holds.
 */
export class DeviceWatchdog {
  constructor(
    private readonly db: Db,
    private readonly queues: DeviceQueues,
    private readonly log: FastifyBaseLogger,
    private readonly options: WatchdogOptions,
  ) {}

  async tick(now = new Date()): Promise<void> {
    await this.markSilentDevicesOffline(now);
    await this.rerouteJobsOfOfflineDevices(now);
    await this.reconcileQueue();
  }

  private async markSilentDevicesOffline(now: Date): Promise<void> {
    const cutoff = new Date(now.getTime() - this.options.offlineAfterMs);
    const silent = await this.db.device.findMany({
      where: { status: { notIn: ['offline', 'quarantined'] }, lastHeartbeatAt: { lt: cutoff } },
    });
    for (const d of silent) {
      await this.db.device.update({
        where: { id: d.id },
        data: { status: 'offline', statusReason: `no heartbeat since ${d.lastHeartbeatAt.toISOString()}`, currentJobId: null },
      });
      this.log.warn({ deviceId: d.id }, 'device went offline');
    }
  }

  private async rerouteJobsOfOfflineDevices(now: Date): Promise<void> {
    const stranded = await this.db.job.findMany({
      where: { status: { in: ['queued', 'running'] }, device: { status: { in: ['offline', 'quarantined'] } } },
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
      if (!target) {
        await this.db.$transaction(async (tx) => {
          await tx.job.update({
            where: { id: job.id },
            data: {
              status: 'failed',
              finishedAt: now,
              error: `device ${job.device.localKey} (${job.deviceId}) is ${job.device.status} (${job.device.statusReason ?? 'no reason'}) and no equivalent device came online within ${Math.round(this.options.rerouteTimeoutMs / 1000)} s`,
            },
          });
          await refreshRunStatus(tx, job.runId);
        });
        continue;
      }
      const moved = await this.db.job.update({
        where: { id: job.id },
        data: { deviceId: target.id, reroutes: { increment: 1 }, status: 'queued', error: `re-routed from offline device ${job.device.localKey}` },
      });
      await this.queues.addEvaluate(target.id, bullJobId(moved), await loadEvaluatePayload(this.db, moved));
      this.log.info({ jobId: job.id, from: job.deviceId, to: target.id }, 're-routed job');
    }
  }

  /** Jobs whose queue entry vanished are queued again; jobs the queue gave up on are failed. */
  private async reconcileQueue(): Promise<void> {
    const open = await this.db.job.findMany({
      where: { status: { in: ['queued', 'running'] }, device: { status: { notIn: ['offline', 'quarantined'] } } },
      orderBy: { queuedAt: 'asc' },
      take: 500,
    });
    for (const job of open) {
      const bull = await this.queues.queue(job.deviceId).getJob(bullJobId(job));
      if (!bull) {
        await this.queues.addEvaluate(job.deviceId, bullJobId(job), await loadEvaluatePayload(this.db, job));
        continue;
      }
      if ((await bull.getState()) === 'failed') {
        await this.db.$transaction(async (tx) => {
          await tx.job.update({
            where: { id: job.id },
            data: { status: 'failed', finishedAt: new Date(), error: bull.failedReason || 'the queue gave up on this job' },
          });
          await refreshRunStatus(tx, job.runId);
        });
      }
    }
  }
}
