import { randomUUID } from 'node:crypto';
import { EvaluateJobPayload, type JobLease } from '@edgeproof/contracts';
import type { Db } from '@edgeproof/db';
import { LeaseFencedError, type DeviceLeases } from '@edgeproof/queue';
import { UnrecoverableError, type Job } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../../errors.ts';
import type { DeviceWorkers } from './device-workers.ts';
import type { JobWakeups } from './job-wakeups.ts';

export interface AgentCaller {
  name: string;
  epoch: number;
}

interface DeviceRef {
  id: string;
  attributes: unknown;
}

export interface LockedJob {
  /** the job row's id */
  id: string;
  deviceId: string;
  /** the id of its BullMQ job (`<id>` or `<id>-rN` after re-routes) */
  bullJobId: string;
  device: DeviceRef;
}

/** a device whose lease is held elsewhere takes the job back after this long */
const LEASE_BUSY_RETRY_MS = 2_000;
/** long polls re-check their queues at least this often (a lost wake-up costs no more) */
const POLL_RECHECK_MS = 1_000;

/** The physical device behind a registration (two registrations of one phone share it). */
export function leaseKeyOf(device: DeviceRef): string {
  const key = (device.attributes as Record<string, unknown> | null)?.['leaseKey'];
  return typeof key === 'string' && key ? key : `device:${device.id}`;
}

/**
 * The job protocol between agents and the queues, run by the API (the only Redis client). A job is
 * handed out locked to a token, together with its device's lease (same token), both renewed by the
 * agent's lock renewals and both given up when the job is completed, failed or handed back.
 */
export class Dispatcher {
  constructor(
    private readonly db: Db,
    private readonly workers: DeviceWorkers,
    private readonly leases: DeviceLeases,
    private readonly wakeups: JobWakeups,
    private readonly log: FastifyBaseLogger,
  ) {}

  #holder(agent: AgentCaller, deviceId: string): string {
    return `${agent.name}/${deviceId}`;
  }

  #leaseToken(agent: AgentCaller, deviceId: string, lockToken: string): string {
    return `${this.#holder(agent, deviceId)}|${agent.epoch}|${lockToken}`;
  }

  /** Waits up to `waitMs` for a job on one of the devices; null when none came. */
  async next(agent: AgentCaller, devices: DeviceRef[], waitMs: number, signal: AbortSignal): Promise<JobLease | null> {
    const deadline = Date.now() + waitMs;
    let start = 0;
    for (;;) {
      for (let i = 0; i < devices.length; i++) {
        const device = devices[(start + i) % devices.length] as DeviceRef;
        const lease = await this.#tryDevice(agent, device);
        if (lease) return lease;
      }
      start++;
      const left = deadline - Date.now();
      if (left <= 0 || signal.aborted) return null;
      await this.wakeups.wait(devices.map((d) => d.id), Math.min(left, POLL_RECHECK_MS), signal);
    }
  }

  async #tryDevice(agent: AgentCaller, device: DeviceRef): Promise<JobLease | null> {
    for (;;) {
      const token = randomUUID();
      const job = await this.workers.fetch(device.id, token);
      if (!job?.id) return null;
      const payload = EvaluateJobPayload.safeParse(job.data);
      if (!payload.success) {
        await this.#give(job, token, `invalid job payload: ${payload.error.message}`);
        continue;
      }
      const row = await this.db.job.findUnique({ where: { id: payload.data.jobId }, select: { status: true, deviceId: true } });
      if (!row || !['queued', 'running'].includes(row.status) || row.deviceId !== device.id) {
        // finished, cancelled or moved meanwhile: nothing to measure
        await job.moveToCompleted('skipped', token, false).catch(() => undefined);
        continue;
      }
      let leased: string | null;
      try {
        leased = await this.leases.take(leaseKeyOf(device), this.#holder(agent, device.id), { agent: agent.name, epoch: agent.epoch }, token);
      } catch (err) {
        await job.moveToDelayed(Date.now(), token).catch(() => undefined);
        if (err instanceof LeaseFencedError) throw supersededError(agent, err.message);
        throw err;
      }
      if (!leased) {
        // the physical device is busy with a job of another queue (or another agent): try again soon
        await job.moveToDelayed(Date.now() + LEASE_BUSY_RETRY_MS, token);
        continue;
      }
      return {
        jobId: payload.data.jobId,
        deviceId: device.id,
        attempt: job.attemptsMade + 1,
        lockToken: token,
        lockDurationMs: this.workers.lockDurationMs,
        payload: payload.data,
      };
    }
  }

  /** A failed job whose payload cannot be read: no retry can help. */
  async #give(job: Job, token: string, reason: string): Promise<void> {
    await job.moveToFailed(new UnrecoverableError(reason), token, false).catch(() => undefined);
    this.log.error({ bullJobId: job.id, reason }, 'job given up');
  }

  /**
   * Checks that `lockToken` holds the job; without a token, that nobody does (a job no agent fetched
   * may be reported directly). 409 otherwise: the lock expired and the job belongs to another fetch.
   */
  async assertLock(job: LockedJob, lockToken: string | undefined): Promise<void> {
    const holder = await this.workers.lockToken(job.deviceId, job.bullJobId);
    if (lockToken === undefined ? holder === null : holder === lockToken) return;
    throw new AppError(
      409,
      'conflict',
      lockToken === undefined
        ? `job ${job.id} is held by an agent process (fetched with a lock token): report it with its lockToken`
        : `job ${job.id}: the lock token is not the job's (its lock expired and it was handed out again, or it was finished)`,
    );
  }

  /** Extends the job's lock and the device lease; 409 when either is gone, 409 superseded when fenced. */
  async renew(agent: AgentCaller, job: LockedJob, lockToken: string): Promise<void> {
    const bull = await this.workers.find(job.deviceId, job.bullJobId);
    const extended = bull ? await bull.extendLock(lockToken, this.workers.lockDurationMs) : 0;
    if (!extended) throw new AppError(409, 'conflict', `job ${job.id}: lock lost (expired, or the job was finished or handed out again): stop it`);
    const lease = await this.leases.renew(leaseKeyOf(job.device), this.#leaseToken(agent, job.deviceId, lockToken), { agent: agent.name, epoch: agent.epoch });
    if (lease === 'fenced') throw supersededError(agent, 'a newer process of this agent holds it now');
    if (lease === 'lost') throw new AppError(409, 'conflict', `job ${job.id}: the device lease expired; another job may be using the device: stop it`);
  }

  /** The job is done (result stored, or nothing left to do): its queue entry completes, the device is free. */
  async complete(agent: AgentCaller, job: LockedJob, lockToken: string | undefined, outcome: string): Promise<void> {
    if (lockToken === undefined) {
      // reported without being fetched: take it off its queue so no device runs it
      const bull = await this.workers.find(job.deviceId, job.bullJobId);
      await bull?.remove().catch(() => undefined);
      return;
    }
    const bull = await this.workers.find(job.deviceId, job.bullJobId);
    await bull?.moveToCompleted(outcome, lockToken, false).catch((err: unknown) => this.log.warn({ err, jobId: job.id }, 'queue entry not completed (lock lost?)'));
    await this.#releaseLease(agent, job, lockToken);
  }

  /**
   * The attempt failed. The queue retries it with backoff unless `final` or out of attempts; returns
   * whether this was the last attempt.
   */
  async fail(agent: AgentCaller, job: LockedJob, lockToken: string, error: string, final: boolean): Promise<boolean> {
    const bull = await this.workers.find(job.deviceId, job.bullJobId);
    let last = final;
    if (bull) {
      last = final || bull.attemptsMade + 1 >= (bull.opts.attempts ?? 1);
      // an unrecoverable error is not retried, whatever attempts are left
      await bull.moveToFailed(last ? new UnrecoverableError(error) : new Error(error), lockToken, false).catch((err: unknown) => this.log.warn({ err, jobId: job.id }, 'queue entry not failed (lock lost?)'));
    }
    await this.#releaseLease(agent, job, lockToken);
    return last;
  }

  /** The agent gives the job back untouched (shutting down, superseded): it runs again, no attempt spent. */
  async handBack(agent: AgentCaller, job: LockedJob, lockToken: string): Promise<void> {
    const bull = await this.workers.find(job.deviceId, job.bullJobId);
    await bull?.moveToDelayed(Date.now(), lockToken).catch((err: unknown) => this.log.warn({ err, jobId: job.id }, 'job not handed back (lock lost?)'));
    await this.#releaseLease(agent, job, lockToken);
  }

  async #releaseLease(agent: AgentCaller, job: LockedJob, lockToken: string): Promise<void> {
    await this.leases.release(leaseKeyOf(job.device), this.#leaseToken(agent, job.deviceId, lockToken)).catch(() => false);
  }
}

function supersededError(agent: AgentCaller, why: string): AppError {
  return new AppError(409, 'superseded', `agent ${agent.name}: epoch ${agent.epoch} was superseded: ${why}`);
}
