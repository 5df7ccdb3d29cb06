import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeviceRegistration } from '@edgeproof/contracts';
import { createDrivers, type DeviceDriver, type DriversConfig } from '@edgeproof/devices';
import { createRedis, DEFAULT_QUEUE_PREFIX, DeviceLeases, jobCatalog, LeaseFencedError } from '@edgeproof/queue';
import { ApiClient, ApiError } from './api-client.ts';
import { ArtifactCache } from './artifact-cache.ts';
import { DeviceSlot } from './device-slot.ts';
import { Heartbeat } from './heartbeat.ts';
import { createLogger, type Logger } from './logger.ts';
import { createEvaluateProcessor, type EvaluateOutcome } from './processors/evaluate.ts';

export const AGENT_VERSION = '0.1.0';

export interface AgentConfig {
  apiUrl: string;
  token: string;
  redisUrl: string;
  /** the agent name; default: the agent the token is bound to (a different name is refused by the API) */
  name?: string | undefined;
  /** take the agent over from another live process at once instead of waiting until it is silent */
  takeover?: boolean;
  queuePrefix?: string;
  cacheDir: string;
  /** the drivers to serve; default: createDrivers(driversConfig) */
  drivers?: DeviceDriver[];
  driversConfig?: DriversConfig;
  logger?: Logger;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** how long stop() lets running jobs finish before cancelling them; default 30 s */
  shutdownGraceMs?: number;
  /** device lease TTL in Redis (renewed every third of it while a job runs); default 30 s */
  leaseTtlMs?: number;
  /** a job whose device is leased elsewhere waits this long before trying again; default 5 s */
  leaseBusyRetryMs?: number;
}

export interface AgentDevice {
  id: string;
  localKey: string;
  queue: string;
  driver: string;
  registration: DeviceRegistration;
}

export interface RunningAgent {
  agentId: string;
  name: string;
  /** the fencing epoch the API gave this process */
  epoch: number;
  devices: AgentDevice[];
  /** resolves with the reason once another process of the same agent has taken over and this one stopped */
  superseded: Promise<string>;
  stop(): Promise<void>;
}

/**
 * Registers this agent's devices with the API, then serves one BullMQ worker per device (one job at a
 * time) and reports device status every heartbeat interval.
 */
export async function startAgent(config: AgentConfig): Promise<RunningAgent> {
  const logger = config.logger ?? createLogger('info');
  const drivers = config.drivers ?? createDrivers(config.driversConfig ?? {});
  const api = new ApiClient({ baseUrl: config.apiUrl, token: config.token });
  const cache = new ArtifactCache(config.cacheDir, (sha, dest) => api.downloadArtifact(sha, dest));

  const found: { registration: DeviceRegistration; driver: DeviceDriver }[] = [];
  for (const driver of drivers) {
    for (const registration of await driver.discover()) found.push({ registration, driver });
  }
  const name = config.name ?? (await api.whoami()).agent;
  if (!name) throw new Error('AGENT_TOKEN is not an agent token bound to an agent (create one with POST /v1/tokens {role: "agent", agent})');
  const registered = await api.register({
    name,
    instanceId: randomUUID(),
    takeover: config.takeover ?? false,
    hostname: os.hostname(),
    agentVersion: AGENT_VERSION,
    devices: found.map((f) => f.registration),
  });
  const slots = found.map(({ registration, driver }) => {
    const assigned = registered.devices.find((d) => d.localKey === registration.localKey);
    if (!assigned) throw new Error(`the API registered no device for local key "${registration.localKey}"`);
    return new DeviceSlot(assigned.id, assigned.queue, registration, driver);
  });
  logger.info(
    { agent: name, agentId: registered.agentId, epoch: registered.epoch, devices: slots.map((s) => ({ id: s.id, localKey: s.localKey, queue: s.queue })) },
    'agent registered',
  );

  const connection: Redis = createRedis(config.redisUrl);
  const leases = new DeviceLeases(connection, { prefix: config.queuePrefix ?? DEFAULT_QUEUE_PREFIX, ttlMs: config.leaseTtlMs ?? 30_000 });
  const workers = new Map<DeviceSlot, Worker>();
  let stop: () => Promise<void> = async () => undefined;
  let markSuperseded: (reason: string) => void = () => undefined;
  const superseded = new Promise<string>((resolve) => {
    let seen = false;
    markSuperseded = (reason) => {
      if (seen) return;
      seen = true;
      logger.error({ agent: name, epoch: registered.epoch, reason }, 'another process of this agent took over: stopping');
      void stop().then(() => resolve(reason));
    };
  });
  const onFenceError = (err: unknown) => {
    if (isSuperseded(err)) markSuperseded(err instanceof Error ? err.message : String(err));
  };
  const heartbeat = new Heartbeat({
    api,
    agentId: registered.agentId,
    slots,
    intervalMs: registered.heartbeatIntervalMs,
    logger,
    onError: onFenceError,
    onHealth: async (slot) => {
      const worker = workers.get(slot);
      if (!worker) return;
      // an unhealthy device takes no new jobs until it recovers
      if (!slot.health.ok && !worker.isPaused()) await worker.pause(true);
      else if (slot.health.ok && worker.isPaused()) worker.resume();
    },
  });

  for (const slot of slots) {
    const processor = createEvaluateProcessor({
      api,
      cache,
      slot,
      logger: logger.child({ device: slot.localKey }),
      onBusyChange: () => heartbeat.kick(),
      onSuperseded: markSuperseded,
      leases: { store: leases, holder: name, fence: { agent: name, epoch: registered.epoch }, busyRetryMs: config.leaseBusyRetryMs ?? 5_000 },
    });
    const worker = new Worker<unknown, EvaluateOutcome>(
      slot.queue,
      async (job, token, signal) => {
        if (job.name !== jobCatalog.evaluate.name) throw new Error(`no processor for job kind "${job.name}"`);
        return processor(job, token, signal);
      },
      {
        connection,
        prefix: config.queuePrefix ?? DEFAULT_QUEUE_PREFIX,
        concurrency: 1,
        lockDuration: config.lockDurationMs ?? 30_000,
        stalledInterval: config.stalledIntervalMs ?? 30_000,
        autorun: false,
      },
    );
    worker.on('error', (err) => logger.error({ err, device: slot.localKey }, 'worker error'));
    workers.set(slot, worker);
  }
  // a device that is unhealthy from the start takes no job; resume() starts it once it recovers
  for (const [slot, worker] of workers) {
    if ((await slot.checkHealth()).ok) void worker.run().catch((err: unknown) => logger.error({ err }, 'worker stopped'));
    else await worker.pause(true);
  }
  heartbeat.start();

  let stopping: Promise<void> | undefined;
  stop = () => {
    stopping ??= (async () => {
      logger.info('agent stopping');
      const all = [...workers.values()];
      const closed = Promise.all(all.map((w) => w.close()));
      const grace = config.shutdownGraceMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        closed.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), grace))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        logger.warn({ graceMs: grace }, 'cancelling running jobs; they will be retried');
        for (const w of all) w.cancelAllJobs('agent shutting down');
        await closed;
      }
      await heartbeat.stop();
      await Promise.all(drivers.map((d) => d.dispose()));
      await connection.quit().catch(() => connection.disconnect());
      logger.info('agent stopped');
    })();
    return stopping;
  };

  return {
    agentId: registered.agentId,
    name,
    epoch: registered.epoch,
    superseded,
    devices: slots.map((s) => ({ id: s.id, localKey: s.localKey, queue: s.queue, driver: s.driver.kind, registration: s.registration })),
    stop,
  };
}

/** The API's answer to a process that another instance of its agent has taken over. */
export function isSuperseded(err: unknown): boolean {
  return (err instanceof ApiError && err.code === 'superseded') || err instanceof LeaseFencedError;
}
