import { createRedis, deviceQueueName, jobCatalog, type JobPayload } from '@edgeproof/queue';
import { Queue } from 'bullmq';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';

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
      this.queues.set(deviceId, q);
    }
    return q;
  }

  /** Adds an evaluation job; `bullJobId` makes a repeated add a no-op. */
  async addEvaluate(deviceId: string, bullJobId: string, payload: JobPayload<'evaluate'>): Promise<void> {
    const kind = jobCatalog.evaluate;
    await this.queue(deviceId).add(kind.name, kind.schema.parse(payload), {
      jobId: bullJobId,
      attempts: kind.attempts,
      backoff: kind.backoff,
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
    this.onAdded(deviceId);
  }

  /** Removes a job that is not locked by a live worker; true when it is gone. */
  async removeIfIdle(deviceId: string, bullJobId: string): Promise<boolean> {
    const job = await this.queue(deviceId).getJob(bullJobId);
    if (!job) return true;
    try {
      await job.remove();
      return true;
    } catch {
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
    const redis = createRedis(opts.redisUrl);
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
