import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { DeviceRegistration } from '@edgeproof/contracts';
import { createDrivers, type DeviceDriver, type DriversConfig } from '@edgeproof/devices';
import { ApiClient, ApiError } from './api-client.ts';
import { ArtifactCache } from './artifact-cache.ts';
import { DeviceSlot } from './device-slot.ts';
import { Heartbeat } from './heartbeat.ts';
import { JobLoop } from './job-loop.ts';
import { createLogger, type Logger } from './logger.ts';
import type { EvaluateOutcome } from './processors/evaluate.ts';

export const AGENT_VERSION = '0.2.0';

export interface AgentConfig {
  apiUrl: string;
  token: string;
  /** the agent name; default: the agent the token is bound to (a different name is refused by the API) */
  name?: string | undefined;
  /** take the agent over from another live process at once instead of waiting until it is silent */
  takeover?: boolean;
  cacheDir: string;
  /** the drivers to serve; default: createDrivers(driversConfig) */
  drivers?: DeviceDriver[];
  driversConfig?: DriversConfig;
  logger?: Logger;
  /** how long stop() lets running jobs finish before handing them back; default 30 s */
  shutdownGraceMs?: number;
  /** how long one long poll for a job waits; default 20 s */
  pollWaitMs?: number;
  /** called after each job with what became of it (tests, metrics) */
  onOutcome?: (jobId: string, outcome: EvaluateOutcome) => void;
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
 * Registers this agent's devices with the API, then serves each device with a loop that long-polls
 * the API for its next job (one job at a time per device) and reports device status every heartbeat
 * interval. The API is all it talks to: no queue, no database.
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
    { agent: name, agentId: registered.agentId, epoch: registered.epoch, devices: slots.map((s) => ({ id: s.id, localKey: s.localKey })) },
    'agent registered',
  );

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
  const heartbeat = new Heartbeat({
    api,
    agentId: registered.agentId,
    slots,
    intervalMs: registered.heartbeatIntervalMs,
    logger,
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'superseded') markSuperseded(err.message);
    },
  });
  const loops = slots.map(
    (slot) =>
      new JobLoop({
        api,
        slot,
        logger: logger.child({ device: slot.localKey }),
        pollWaitMs: config.pollWaitMs ?? 20_000,
        healthRecheckMs: Math.max(100, registered.heartbeatIntervalMs),
        deps: { api, cache, onBusyChange: () => heartbeat.kick(), onSuperseded: markSuperseded },
        ...(config.onOutcome ? { onOutcome: config.onOutcome } : {}),
      }),
  );
  // a device that is unhealthy from the start takes no job until a heartbeat finds it healthy
  for (const slot of slots) await slot.checkHealth();
  heartbeat.start();
  for (const loop of loops) loop.start();

  let stopping: Promise<void> | undefined;
  stop = () => {
    stopping ??= (async () => {
      logger.info('agent stopping');
      const stopped = Promise.all(loops.map((l) => l.stop()));
      const grace = config.shutdownGraceMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([stopped.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), grace)))]);
      clearTimeout(timer);
      if (timedOut) {
        logger.warn({ graceMs: grace }, 'handing running jobs back; they run again elsewhere');
        for (const l of loops) l.abortRunning();
        await stopped;
      }
      await heartbeat.stop();
      await Promise.all(drivers.map((d) => d.dispose()));
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
