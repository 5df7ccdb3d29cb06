import { deviceQueueName } from '@edgeproof/queue';
import { Job, Worker } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';

export interface DeviceWorkerOptions {
  prefix: string;
  /** how long a fetched job stays locked without renewal; a dead agent's job comes back after this */
  lockDurationMs: number;
  /** how often stalled (lock-expired) jobs are looked for */
  stalledIntervalMs: number;
  /** stalls after which BullMQ gives a job up (each stall is a re-run: an agent died holding it) */
  maxStalledCount: number;
  /** called when BullMQ fails a job by itself (stalled too often) */
  onQueueFailure: (deviceId: string, job: Job | undefined, reason: string) => void;
}

/**
 * One manual BullMQ worker per device queue (no processor: jobs are fetched with `getNextJob` and a
 * lock token the agent then holds), opened on first use. Each runs BullMQ's stall detection, which
 * returns a job whose lock expired to its queue: that is how a killed agent's job runs again.
 */
export class DeviceWorkers {
  readonly #workers = new Map<string, Worker>();
  readonly #connection: Redis;
  readonly #opts: DeviceWorkerOptions;
  readonly #log: FastifyBaseLogger;

  constructor(connection: Redis, opts: DeviceWorkerOptions, log: FastifyBaseLogger) {
    this.#connection = connection;
    this.#opts = opts;
    this.#log = log;
  }

  get lockDurationMs(): number {
    return this.#opts.lockDurationMs;
  }

  worker(deviceId: string): Worker {
    let w = this.#workers.get(deviceId);
    if (!w) {
      w = new Worker(deviceQueueName(deviceId), null, {
        connection: this.#connection,
        prefix: this.#opts.prefix,
        autorun: false,
        lockDuration: this.#opts.lockDurationMs,
        stalledInterval: this.#opts.stalledIntervalMs,
        maxStalledCount: this.#opts.maxStalledCount,
      });
      w.on('error', (err) => this.#log.warn({ err, deviceId }, 'device queue worker error'));
      w.on('stalled', (jobId) => this.#log.warn({ deviceId, bullJobId: jobId }, 'job lock expired (agent gone?): back on its queue'));
      w.on('failed', (job, err) => this.#opts.onQueueFailure(deviceId, job, err.message));
      void w.startStalledCheckTimer().catch((err: unknown) => this.#log.warn({ err, deviceId }, 'stall detection did not start'));
      this.#workers.set(deviceId, w);
    }
    return w;
  }

  /** The next job of the device's queue locked to `token`, or undefined when none is ready. */
  async fetch(deviceId: string, token: string): Promise<Job | undefined> {
    return (await this.worker(deviceId).getNextJob(token, { block: false })) ?? undefined;
  }

  /** A job by its queue id, for a call that names it (any replica may get the call). */
  async find(deviceId: string, bullJobId: string): Promise<Job | undefined> {
    return (await Job.fromId(this.worker(deviceId), bullJobId)) ?? undefined;
  }

  /** The token the job is locked with right now, or null when nobody holds it. */
  async lockToken(deviceId: string, bullJobId: string): Promise<string | null> {
    return this.#connection.get(`${this.#opts.prefix}:${deviceQueueName(deviceId)}:${bullJobId}:lock`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#workers.values()].map((w) => w.close(true).catch(() => undefined)));
    this.#workers.clear();
  }
}
