import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostDriver } from '@edgeproof/devices';
import { createRedis } from '@edgeproof/queue';
import { childPids, isAlive, testRedisUrl, uniqueQueuePrefix } from '@edgeproof/testkit';
import { startAgent } from '../src/agent.ts';
import { enqueue, evaluatePayload, FAST, modelBytes, modelSha, settled } from './support/jobs.ts';
import { startStandInApi, type StandInApi } from './support/stand-in-api.ts';

const MAIN = join(import.meta.dirname, '../src/main.ts');
let api: StandInApi;
let cacheDir: string;

beforeEach(async () => {
  api = await startStandInApi({ heartbeatIntervalMs: 100 });
  cacheDir = await mkdtemp(join(tmpdir(), 'ep-agent-main-'));
});
afterEach(async () => {
  await api.close();
  await rm(cacheDir, { recursive: true, force: true });
});

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('agent main', () => {
  it('starts from the environment, heartbeats, and exits cleanly on SIGTERM without logging the token', async () => {
    const agent = run({
      API_URL: api.url,
      AGENT_TOKEN: api.token,
      REDIS_URL: testRedisUrl(),
      AGENT_NAME: 'main-test',
      QUEUE_PREFIX: uniqueQueuePrefix(),
      AGENT_CACHE_DIR: cacheDir,
      HOST_DEVICE_TAGS: 'a,b',
      LOG_LEVEL: 'debug',
    });
    try {
      await expect.poll(() => api.heartbeats.length, { timeout: 20_000, interval: 100 }).toBeGreaterThan(0);
      expect(api.calls[0]?.body).toMatchObject({ name: 'main-test', devices: [{ localKey: 'host', tags: ['a', 'b'] }] });
      agent.child.kill('SIGTERM');
      expect(await agent.exited).toBe(0);
      const { stdout } = agent.output();
      expect(stdout).toContain('agent stopped');
      expect(stdout).not.toContain(api.token);
    } finally {
      agent.child.kill('SIGKILL');
    }
  });

  it('exits with a readable message when the environment is invalid', async () => {
    const agent = run({ API_URL: 'not a url' });
    expect(await agent.exited).toBe(1);
    expect(agent.output().stderr).toMatch(/invalid agent environment[\s\S]*API_URL[\s\S]*AGENT_TOKEN/);
  });

  it('re-runs a job whose agent died mid-measurement, and its inference process dies with it', async () => {
    api.artifacts.set(modelSha, modelBytes);
    const prefix = uniqueQueuePrefix();
    const env = {
      API_URL: api.url,
      AGENT_TOKEN: api.token,
      REDIS_URL: testRedisUrl(),
      AGENT_NAME: 'crashy',
      QUEUE_PREFIX: prefix,
      AGENT_CACHE_DIR: cacheDir,
      LOCK_DURATION_MS: '1000',
      STALLED_INTERVAL_MS: '1000',
      // the restarted agent waits for the dead process's device lease to expire
      LEASE_TTL_MS: '2000',
      LOG_LEVEL: 'silent',
    };
    const first = run(env);
    const redis = createRedis(testRedisUrl());
    let queue: Queue | undefined;
    let second: Awaited<ReturnType<typeof startAgent>> | undefined;
    try {
      await expect.poll(() => api.registered?.devices[0]?.queue, { timeout: 20_000, interval: 100 }).toBeDefined();
      const device = api.registered?.devices[0] as { id: string; queue: string };
      queue = new Queue(device.queue, { connection: redis, prefix });
      const data = evaluatePayload(device.id, {}, { ...FAST, measureMinSeconds: 3, measureMaxRuns: 1_000_000 });
      await enqueue(queue, data, 3);

      const inference = await expect
        .poll(() => childPids(first.child.pid as number)[0], { timeout: 20_000, interval: 50 })
        .toBeDefined()
        .then(() => childPids(first.child.pid as number)[0] as number);
      first.child.kill('SIGKILL');
      await first.exited;
      // the orphaned inference process notices and ends itself
      await expect.poll(() => isAlive(inference), { timeout: 5_000, interval: 100 }).toBe(false);

      second = await startAgent({
        apiUrl: api.url,
        token: api.token,
        redisUrl: testRedisUrl(),
        name: 'crashy',
        queuePrefix: prefix,
        cacheDir,
        drivers: [new HostDriver()],
        logger: pino({ level: 'silent' }),
        lockDurationMs: 1000,
        stalledIntervalMs: 1000,
        leaseTtlMs: 2000,
        leaseBusyRetryMs: 500,
      });
      const job = await settled(queue, data.jobId, 30_000);
      expect(await job.getState()).toBe('completed');
      // the stalled attempt did not count as a failed one
      expect(api.starts.map((s) => s.body.attempt)).toEqual([1, 1]);
      expect(api.results).toHaveLength(1);
      expect(api.results[0]?.body.attempt).toBe(1);
    } finally {
      first.child.kill('SIGKILL');
      await second?.stop();
      await queue?.obliterate({ force: true });
      await queue?.close();
      await redis.quit();
    }
  });
});
