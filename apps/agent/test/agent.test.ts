import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceQueueName } from '@edgeproof/queue';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostDriver, type DeviceDriver, type HealthReport } from '@edgeproof/devices';
import { startAgent, type RunningAgent } from '../src/agent.ts';
import { FAST, startLab, type Lab } from './support/lab.ts';

let lab: Lab;
let agents: RunningAgent[] = [];
let cacheDir: string;

beforeEach(async () => {
  lab = await startLab();
  cacheDir = await mkdtemp(join(tmpdir(), 'ep-agent-'));
});
afterEach(async () => {
  for (const a of agents) await a.stop();
  agents = [];
  await lab.close();
  await rm(cacheDir, { recursive: true, force: true });
});

async function start(driver: DeviceDriver = new HostDriver(), opts: { shutdownGraceMs?: number; name?: string } = {}): Promise<{ agent: RunningAgent; deviceId: string }> {
  const name = opts.name ?? 'test-agent';
  const agent = await startAgent({
    apiUrl: lab.url,
    token: await lab.agentToken(name),
    cacheDir,
    drivers: [driver],
    logger: pino({ level: 'silent' }),
    shutdownGraceMs: opts.shutdownGraceMs ?? 1_000,
    pollWaitMs: 1_000,
  });
  agents.push(agent);
  const [device] = agent.devices;
  if (!device) throw new Error('no device registered');
  return { agent, deviceId: device.id };
}

const callsTo = (suffix: string) => lab.calls.filter((c) => c.method === 'POST' && c.path.endsWith(suffix));

describe('agent over HTTPS only', () => {
  it('learns its name from the token, registers its devices and reports them idle on every heartbeat', async () => {
    const { agent } = await start(new HostDriver({ tier: 'low', tags: ['ci'] }));
    expect(agent.name).toBe('test-agent');
    expect(lab.calls.find((c) => c.path === '/v1/agents/register')?.body).toMatchObject({ name: 'test-agent', takeover: false, devices: [{ localKey: 'host', tier: 'low', tags: ['ci'] }] });
    await expect.poll(() => callsTo('/heartbeat').length, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
    expect(callsTo('/heartbeat').at(-1)?.body).toEqual({ devices: [{ localKey: 'host', status: 'idle' }] });
    // nothing but the API: every call the agent made went to /v1
    expect(lab.calls.every((c) => c.path.startsWith('/v1/'))).toBe(true);
  });

  it('long-polls a job, starts it with its lock token, posts the result and frees the device', async () => {
    const { deviceId } = await start();
    const jobId = await lab.createJob(deviceId);
    expect(await lab.waitJob(jobId, ['succeeded', 'failed'])).toMatchObject({ status: 'succeeded', attempts: 1 });
    const result = await lab.api.app.db.result.findUniqueOrThrow({ where: { jobId } });
    expect(result.rawSamples.length).toBeGreaterThanOrEqual(5);
    expect((result.environment as { inputShapes: unknown }).inputShapes).toEqual({ x: [1, 3, 48, 192] });
    const lease = await waitFor(() => callsTo('/next').length > 0);
    expect(lease).toBe(true);
    const started = callsTo(`/${jobId}/start`)[0]?.body as { attempt: number; lockToken: string };
    expect(started).toEqual({ attempt: 1, lockToken: expect.any(String) });
    expect((callsTo(`/${jobId}/result`)[0]?.body as { lockToken: string }).lockToken).toBe(started.lockToken);
    expect(callsTo('/failure')).toEqual([]);
    await expect.poll(() => callsTo('/heartbeat').some((h) => JSON.stringify(h.body).includes(`"currentJobId":"${jobId}"`))).toBe(true);

    // the artifact is fetched once; the next job reuses the cached copy
    const next = await lab.createJob(deviceId);
    expect((await lab.waitJob(next, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect(lab.calls.filter((c) => c.path.startsWith('/v1/artifacts/'))).toHaveLength(1);
  });

  it('an API that is briefly unavailable gets the result again; a result the API fails on makes a new attempt', async () => {
    let unavailable = 0;
    lab.intercept = (c) => (c.path.endsWith('/result') && unavailable++ < 2 ? 503 : undefined);
    const { deviceId } = await start();
    const first = await lab.createJob(deviceId);
    expect(await lab.waitJob(first, ['succeeded', 'failed'])).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(callsTo(`/${first}/result`)).toHaveLength(3);
    expect(callsTo(`/${first}/failure`)).toEqual([]);

    let broken = 0;
    lab.intercept = (c) => (c.path.endsWith('/result') && broken++ === 0 ? 500 : undefined);
    const second = await lab.createJob(deviceId);
    expect(await lab.waitJob(second, ['succeeded', 'failed'])).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(callsTo(`/${second}/start`).map((c) => (c.body as { attempt: number }).attempt)).toEqual([1, 2]);
    expect(callsTo(`/${second}/failure`).map((c) => [(c.body as { attempt: number }).attempt, (c.body as { final: boolean }).final])).toEqual([[1, false]]);
    expect(await lab.api.app.db.result.count({ where: { jobId: second } })).toBe(1);
  });

  it('fails for good, on the first attempt, what no retry can fix', async () => {
    const { deviceId } = await start();
    const jobId = await lab.createJob(deviceId);
    // the model the job pins is gone from the artifact store: a retry cannot bring it back
    const version = await lab.api.app.db.modelVersion.findFirstOrThrow({ where: { version: '2.0' } });
    await rm(lab.api.app.artifacts.blobPath(version.sha256));
    const row = await lab.waitJob(jobId, ['succeeded', 'failed']);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(callsTo(`/${jobId}/start`)).toHaveLength(1);
    expect(callsTo(`/${jobId}/failure`)[0]?.body).toMatchObject({ attempt: 1, final: true });
  });

  it('an unhealthy device reports its reason and asks for no job', async () => {
    const sick: DeviceDriver = Object.assign(new HostDriver(), { healthCheck: async (): Promise<HealthReport> => ({ ok: false, reason: 'low memory: 80 MB free' }) });
    const { deviceId } = await start(sick);
    await expect.poll(() => (callsTo('/heartbeat').at(-1)?.body as { devices: { status: string }[] } | undefined)?.devices[0]?.status, { timeout: 5_000 }).toBe('unhealthy');
    const jobId = await lab.createJob(deviceId);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await lab.api.app.db.job.findUniqueOrThrow({ where: { id: jobId } })).status).toBe('queued');
    expect(callsTo('/next')).toEqual([]);
  });

  it('on stop, hands a job still running after the grace period back to its queue: no attempt spent', async () => {
    const { agent, deviceId } = await start(new HostDriver(), { shutdownGraceMs: 300 });
    const jobId = await lab.createJob(deviceId, { ...FAST, measureMinSeconds: 30, measureMaxSeconds: 60, measureMaxRuns: 1_000_000 });
    await lab.waitJob(jobId, ['running']);
    await agent.stop();
    expect(callsTo(`/${jobId}/release`)).toHaveLength(1);
    expect(callsTo(`/${jobId}/failure`)).toEqual([]);
    expect((await lab.api.app.db.job.findUniqueOrThrow({ where: { id: jobId } })).status).toBe('queued');
    // back on its device queue with no attempt spent
    const queue = new Queue(deviceQueueName(deviceId), { connection: { url: lab.api.redisUrl }, prefix: lab.api.queuePrefix });
    const queued = await queue.getJob(jobId);
    expect(['waiting', 'delayed']).toContain(await queued?.getState());
    expect(queued?.attemptsMade).toBe(0);
    await queue.close();
  });
});

async function waitFor(fn: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
