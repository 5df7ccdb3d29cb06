import { createProducerRedis, deviceQueueName, jobCatalog, PRODUCER_COMMAND_TIMEOUT_MS, type JobPayload } from '@edgeproof/queue';
import { Queue, type Job } from 'bullmq';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../unavailable.ts';

const RETENTION = { removeOnComplete: { age: 24 * 3600, count: 10_000 }, removeOnFail: { age: 7 * 24 * 3600 } };

/** Producer side of the device queues: one BullMQ queue per device, opened on demand. */
export class DeviceQueues {
  private readonly queues = new Map<string, Queue>();
  /** called after a job was added for a device (wakes the long polls waiting for it) */
  onAdded: (deviceId: string) => void = () => undefined;

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {}

  queue(deviceId: string): Queue {
    let q = this.queues.get(deviceId);
    if (!q) {
      q = new Queue(deviceQueueName(deviceId), { connection: this.redis, prefix: this.prefix });
      // connection errors are reported once by the plugin's own listener
      q.on('error', () => undefined);
      this.queues.set(deviceId, q);
    }
    return q;
  }

  /**
   * Runs a queue operation only while Redis is connected, and never longer than the producer's
   * command timeout: a Queue opened while Redis is down would otherwise wait for it indefinitely.
   */
  async #op<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.redis.status !== 'ready') throw new ServiceUnavailableError('Redis', `Redis is not connected (${this.redis.status}): cannot ${what}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ServiceUnavailableError('Redis', `Redis did not answer within ${PRODUCER_COMMAND_TIMEOUT_MS} ms: cannot ${what}`)), PRODUCER_COMMAND_TIMEOUT_MS);
    });
    try {
      return await Promise.race([fn(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Adds an evaluation job; `bullJobId` makes a repeated add a no-op. */
  async addEvaluate(deviceId: string, bullJobId: string, payload: JobPayload<'evaluate'>): Promise<void> {
    const kind = jobCatalog.evaluate;
    const data = kind.schema.parse(payload);
    await this.#op(`queue job ${bullJobId}`, () =>
      this.queue(deviceId).add(kind.name, data, {
        jobId: bullJobId,
        attempts: kind.attempts,
        backoff: kind.backoff,
        ...RETENTION,
      }),
    );
    this.onAdded(deviceId);
  }

  /**
   * Adds a device's jobs in one atomic step (BullMQ addBulk: one MULTI), so they sit back to back in
   * its queue and the device serves them in a row; all are added or none.
   */
  async addEvaluateBatch(deviceId: string, entries: readonly { bullJobId: string; payload: JobPayload<'evaluate'> }[]): Promise<void> {
    const kind = jobCatalog.evaluate;
    const bulk = entries.map((e) => ({
      name: kind.name,
      data: kind.schema.parse(e.payload),
      opts: { jobId: e.bullJobId, attempts: kind.attempts, backoff: kind.backoff, ...RETENTION },
    }));
    await this.#op(`queue ${entries.length} jobs`, () => this.queue(deviceId).addBulk(bulk));
    this.onAdded(deviceId);
  }

  /** The queue entry of a job, if the device's queue holds it. */
  async getJob(deviceId: string, bullJobId: string): Promise<Job | undefined> {
    return this.#op(`read job ${bullJobId}`, () => this.queue(deviceId).getJob(bullJobId));
  }

  /** Removes a job that is not locked by a live worker; true when it is gone. */
  async removeIfIdle(deviceId: string, bullJobId: string): Promise<boolean> {
    const job = await this.getJob(deviceId, bullJobId);
    if (!job) return true;
    try {
      await this.#op(`remove job ${bullJobId}`, () => job.remove());
      return true;
    } catch (err) {
      if (err instanceof ServiceUnavailableError) throw err;
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
    queues: DeviceQueues;
  }
}

export default fp<{ redisUrl: string; queuePrefix: string }>(
  async (app, opts) => {
    // answers HTTP requests: fails fast while Redis is down (503), reconnects on its own
    const redis = createProducerRedis(opts.redisUrl);
    let reported = false;
    redis.on('error', (err: Error) => {
      if (!reported) app.log.warn({ err: err.message }, 'Redis unreachable (queue producer): requests that need it answer 503 until it is back');
      reported = true;
    });
    redis.on('ready', () => {
      if (reported) app.log.info('Redis reachable again (queue producer)');
      reported = false;
    });
    // start with Redis connected when it is reachable; without it the API still starts (GET /ready says 503)
    if (redis.status !== 'ready') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, PRODUCER_COMMAND_TIMEOUT_MS);
        redis.once('ready', finish);
        function finish() {
          clearTimeout(timer);
          redis.off('ready', finish);
          resolve();
        }
      });
    }
    const queues = new DeviceQueues(redis, opts.queuePrefix);
    app.decorate('redis', redis);
    app.decorate('queues', queues);
    app.addHook('onClose', async () => {
      await queues.close();
      redis.disconnect();
    });
  },
  { name: 'queues' },
);
