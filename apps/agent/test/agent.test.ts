import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostDriver } from '@edgeproof/devices';
import { createRedis, jobCatalog } from '@edgeproof/queue';
import { testRedisUrl, uniqueQueuePrefix } from '@edgeproof/testkit';
import { startAgent, type RunningAgent } from '../src/agent.ts';
import { evaluatePayload, enqueue, FAST, modelBytes, modelSha, settled } from './support/jobs.ts';
import { startStandInApi, type StandInApi } from './support/stand-in-api.ts';

let api: StandInApi;
let agent: RunningAgent | undefined;
let queue: Queue | undefined;
let cacheDir: string;
const prefix = uniqueQueuePrefix();
let redis: ReturnType<typeof createRedis> | undefined;

beforeEach(async () => {
  api = await startStandInApi({ heartbeatIntervalMs: 100 });
  api.artifacts.set(modelSha, modelBytes);
  cacheDir = await mkdtemp(join(tmpdir(), 'ep-agent-'));
});
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  await queue?.obliterate({ force: true });
  await queue?.close();
  queue = undefined;
  await redis?.quit();
  redis = undefined;
  await api.close();
  await rm(cacheDir, { recursive: true, force: true });
});

async function start(driver = new HostDriver()): Promise<{ agent: RunningAgent; queue: Queue; deviceId: string }> {
  agent = await startAgent({
    apiUrl: api.url,
    token: api.token,
    redisUrl: testRedisUrl(),
    name: 'test-agent',
    queuePrefix: prefix,
    cacheDir,
    drivers: [driver],
    logger: pino({ level: 'silent' }),
    shutdownGraceMs: 1_000,
  });
  const [device] = agent.devices;
  if (!device) throw new Error('no device registered');
  redis = createRedis(testRedisUrl());
  queue = new Queue(device.queue, { connection: redis, prefix });
  return { agent, queue, deviceId: device.id };
}

describe('agent', () => {
  it('registers its devices and reports them idle on every heartbeat', async () => {
    const { agent } = await start(new HostDriver({ tier: 'low', tags: ['ci'] }));
    expect(api.calls[0]).toMatchObject({ path: '/v1/agents/register', body: { name: 'test-agent' } });
    expect(agent.devices).toEqual([
      expect.objectContaining({ localKey: 'host', driver: 'host', queue: `device-${agent.devices[0]?.id}` }),
    ]);
    expect(agent.devices[0]?.registration).toMatchObject({ tier: 'low', tags: ['ci'] });
    await expect.poll(() => api.heartbeats.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
    expect(api.heartbeats.at(-1)).toEqual({ devices: [{ localKey: 'host', status: 'idle' }] });
  });

  it('runs a queued job: start, result posted, BullMQ job completed', async () => {
    const { queue, deviceId } = await start();
    const data = evaluatePayload(deviceId);
    await enqueue(queue, data, 3);
    const job = await settled(queue, data.jobId);

    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toEqual({ status: 'stored' });
    expect(api.starts).toEqual([{ jobId: data.jobId, body: { attempt: 1 } }]);
    expect(api.results).toHaveLength(1);
    const posted = api.results[0]?.body;
    expect(posted?.attempt).toBe(1);
    expect(posted?.summary.kind).toBe('latency');
    expect(posted?.rawSamples.length).toBeGreaterThanOrEqual(5);
    expect(posted?.environment.inputShapes).toEqual({ x: [1, 3, 48, 192] });
    expect(api.failures).toEqual([]);
    expect(api.downloads).toEqual([modelSha]);
    // busy while measuring, with the job's id
    expect(api.heartbeats.some((h) => h.devices[0]?.status === 'busy' && h.devices[0].currentJobId === data.jobId)).toBe(true);
    await expect.poll(() => api.heartbeats.at(-1)?.devices[0]?.status).toBe('idle');

    // a second job reuses the cached model
    const next = evaluatePayload(deviceId);
    await enqueue(queue, next, 3);
    expect((await settled(queue, next.jobId)).returnvalue).toEqual({ status: 'stored' });
    expect(api.downloads).toEqual([modelSha]);
  });

  it('does not complete the job when the result post fails: it is retried', async () => {
    const { queue, deviceId } = await start();
    api.onResult = () => 503;
    const data = evaluatePayload(deviceId);
    await enqueue(queue, data, 2);
    const job = await settled(queue, data.jobId);

    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(2);
    expect(api.starts.map((s) => s.body.attempt)).toEqual([1, 2]);
    expect(api.results.map((r) => r.body.attempt)).toEqual([1, 2]);
    expect(api.failures.map((f) => [f.body.attempt, f.body.final])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(api.failures[0]?.body.error).toContain('503');
  });

  it('completes a retried job once the result is acknowledged', async () => {
    const { queue, deviceId } = await start();
    let calls = 0;
    api.onResult = () => (++calls === 1 ? 503 : 201);
    const data = evaluatePayload(deviceId);
    await enqueue(queue, data, 3);
    const job = await settled(queue, data.jobId);
    expect(await job.getState()).toBe('completed');
    // BullMQ counts the successful attempt too
    expect(job.attemptsMade).toBe(2);
    expect(api.starts.map((s) => s.body.attempt)).toEqual([1, 2]);
    expect(api.failures.map((f) => [f.body.attempt, f.body.final])).toEqual([[1, false]]);
    expect(api.results.map((r) => r.body.attempt)).toEqual([1, 2]);
  });

  it('skips measuring when the API says not to proceed, and completes the job', async () => {
    const { queue, deviceId } = await start();
    api.onStart = () => ({ proceed: false, reason: 'already has a result' });
    const data = evaluatePayload(deviceId);
    await enqueue(queue, data, 3);
    const job = await settled(queue, data.jobId);
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toEqual({ status: 'skipped', reason: 'already has a result' });
    expect(api.results).toEqual([]);
    expect(api.downloads).toEqual([]);
  });

  it('fails for good, on the first attempt, what no retry can fix', async () => {
    const { queue, deviceId } = await start();
    const data = evaluatePayload(deviceId, {}, { ...FAST, inputShapes: {}, dims: {} });
    await enqueue(queue, data, 3);
    const job = await settled(queue, data.jobId);
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(api.starts).toHaveLength(1);
    expect(api.failures).toEqual([
      { jobId: data.jobId, body: { attempt: 1, final: true, error: expect.stringContaining('p2o.DynamicDimension.0') } },
    ]);
  });

  it('fails an unparseable payload without retry', async () => {
    const { queue } = await start();
    const jobId = randomUUID();
    await queue.add(jobCatalog.evaluate.name, { jobId, nonsense: true }, { jobId, attempts: 3 });
    const job = await settled(queue, jobId);
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/^invalid evaluate payload/);
    expect(api.failures).toEqual([{ jobId, body: { attempt: 1, final: true, error: expect.stringMatching(/^invalid evaluate payload/) } }]);
  });

  it('reports an unhealthy device with its reason and takes no job from it', async () => {
    const { queue, deviceId } = await start(new HostDriver({ minFreeMemoryMb: Number.MAX_SAFE_INTEGER }));
    await expect.poll(() => api.heartbeats.at(-1)?.devices[0]?.status, { timeout: 5_000 }).toBe('unhealthy');
    expect(api.heartbeats.at(-1)?.devices[0]?.reason).toMatch(/^low memory/);
    // every failed check is counted once, across heartbeats
    const counted = api.heartbeats.reduce((n, h) => n + (h.devices[0]?.healthFailures ?? 0), 0);
    expect(counted).toBeGreaterThanOrEqual(api.heartbeats.length);
    const data = evaluatePayload(deviceId);
    await enqueue(queue, data, 3);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await (await queue.getJob(data.jobId))?.getState()).toBe('waiting');
    expect(api.starts).toEqual([]);
  });

  it('on stop, cancels a job still running after the grace period: failure posted, job left for a retry', async () => {
    const { agent, queue, deviceId } = await start();
    const data = evaluatePayload(deviceId, {}, { ...FAST, measureMinSeconds: 60, measureMaxRuns: 1_000_000 });
    await enqueue(queue, data, 3);
    await expect.poll(() => api.heartbeats.at(-1)?.devices[0]?.status, { timeout: 10_000 }).toBe('busy');
    const before = Date.now();
    await agent.stop();
    expect(Date.now() - before).toBeLessThan(15_000);
    const job = await queue.getJob(data.jobId);
    expect(await job?.getState()).not.toBe('completed');
    expect(api.results).toEqual([]);
    expect(api.failures).toEqual([
      { jobId: data.jobId, body: { attempt: 1, final: false, error: 'inference aborted: agent shutting down' } },
    ]);
  });
});
