import { createRedis, DeviceLeases } from '@edgeproof/queue';
import fp from 'fastify-plugin';
import type { AppConfig } from '../app.ts';
import { DeviceWorkers } from '../services/dispatch/device-workers.ts';
import { Dispatcher } from '../services/dispatch/dispatcher.ts';
import { JobWakeups } from '../services/dispatch/job-wakeups.ts';
import { failStalledJob } from '../services/dispatch/stalled-jobs.ts';

declare module 'fastify' {
  interface FastifyInstance {
    dispatcher: Dispatcher;
  }
}

/** The consumer side of the device queues, on behalf of agents that reach only the API. */
export default fp<AppConfig>(
  async (app, config) => {
    // BullMQ workers need a connection that never gives up on a request; the producer's fails fast
    const connection = createRedis(config.REDIS_URL);
    connection.on('error', (err) => app.log.warn({ err: err.message }, 'dispatch Redis connection error'));
    const lockDurationMs = config.JOB_LOCK_DURATION_MS ?? 30_000;
    const workers = new DeviceWorkers(
      connection,
      {
        prefix: config.QUEUE_PREFIX,
        lockDurationMs,
        stalledIntervalMs: config.JOB_STALLED_INTERVAL_MS ?? 15_000,
        maxStalledCount: 10,
        onQueueFailure: (deviceId, job, reason) => void failStalledJob(app.db, app.log, deviceId, job, reason),
      },
      app.log,
    );
    const wakeups = new JobWakeups(connection, config.QUEUE_PREFIX);
    const leases = new DeviceLeases(connection, { prefix: config.QUEUE_PREFIX, ttlMs: lockDurationMs });
    app.queues.onAdded = (deviceId) => void wakeups.notify(deviceId);
    app.decorate('dispatcher', new Dispatcher(app.db, workers, leases, wakeups, app.log));
    app.addHook('onClose', async () => {
      await wakeups.close();
      await workers.close();
      await connection.quit().catch(() => connection.disconnect());
    });
  },
  { name: 'dispatch', dependencies: ['db', 'queues'] },
);
