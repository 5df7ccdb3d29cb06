import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostDriver } from '@edgeproof/devices';
import { childPids, isAlive } from '@edgeproof/testkit';
import { startAgent } from '../src/agent.ts';
import { FAST, startLab, type Lab } from './support/lab.ts';

const MAIN = join(import.meta.dirname, '../src/main.ts');
let lab: Lab;
let cacheDir: string;

beforeEach(async () => {
  lab = await startLab();
  cacheDir = await mkdtemp(join(tmpdir(), 'ep-agent-main-'));
});
afterEach(async () => {
  await lab.close();
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
  it('starts from API_URL and AGENT_TOKEN alone (an unreachable REDIS_URL is ignored), runs a job, exits cleanly on SIGTERM without logging the token', async () => {
    const token = await lab.agentToken('main-test');
    const agent = run({
      API_URL: lab.url,
      AGENT_TOKEN: token,
      REDIS_URL: 'redis://unreachable.invalid:6379',
      AGENT_CACHE_DIR: cacheDir,
      HOST_DEVICE_TAGS: 'a,b',
      POLL_WAIT_MS: '1000',
      LOG_LEVEL: 'debug',
    });
    try {
      await expect.poll(() => lab.calls.filter((c) => c.path.endsWith('/heartbeat')).length, { timeout: 20_000, interval: 100 }).toBeGreaterThan(0);
      expect(lab.calls.find((c) => c.path === '/v1/agents/register')?.body).toMatchObject({ name: 'main-test', devices: [{ localKey: 'host', tags: ['a', 'b'] }] });
      const device = await lab.api.app.db.device.findFirstOrThrow({ where: { agent: { name: 'main-test' } } });
      const jobId = await lab.createJob(device.id);
      expect((await lab.waitJob(jobId, ['succeeded', 'failed'])).status).toBe('succeeded');
      agent.child.kill('SIGTERM');
      expect(await agent.exited).toBe(0);
      const { stdout } = agent.output();
      expect(stdout).toContain('agent stopped');
      expect(stdout).not.toContain(token);
    } finally {
      agent.child.kill('SIGKILL');
    }
  });

  it('exits with a readable message when the environment is invalid', async () => {
    const agent = run({ API_URL: 'not a url' });
    expect(await agent.exited).toBe(1);
    expect(agent.output().stderr).toMatch(/invalid agent environment[\s\S]*API_URL[\s\S]*AGENT_TOKEN/);
  });

  it('re-runs a job whose agent died mid-measurement once its lock expires, and its inference process dies with it', async () => {
    const token = await lab.agentToken('crashy');
    const first = run({ API_URL: lab.url, AGENT_TOKEN: token, AGENT_CACHE_DIR: cacheDir, POLL_WAIT_MS: '1000', LOG_LEVEL: 'silent' });
    let second: Awaited<ReturnType<typeof startAgent>> | undefined;
    try {
      await expect.poll(() => lab.api.app.db.device.count({ where: { agent: { name: 'crashy' } } }), { timeout: 20_000, interval: 100 }).toBe(1);
      const device = await lab.api.app.db.device.findFirstOrThrow({ where: { agent: { name: 'crashy' } } });
      const jobId = await lab.createJob(device.id, { ...FAST, measureMinSeconds: 3, measureMaxRuns: 1_000_000 });

      const inference = await expect
        .poll(() => childPids(first.child.pid as number)[0], { timeout: 20_000, interval: 50 })
        .toBeDefined()
        .then(() => childPids(first.child.pid as number)[0] as number);
      first.child.kill('SIGKILL');
      await first.exited;
      // the orphaned inference process notices and ends itself
      await expect.poll(() => isAlive(inference), { timeout: 5_000, interval: 100 }).toBe(false);

      // a supervisor restarts it at once: it takes the agent over; the job comes back when its lock expires
      second = await startAgent({ apiUrl: lab.url, token, takeover: true, cacheDir, drivers: [new HostDriver()], logger: pino({ level: 'silent' }), pollWaitMs: 1_000 });
      expect(await lab.waitJob(jobId, ['succeeded', 'failed'], 30_000)).toMatchObject({ status: 'succeeded' });
      // the stalled run kept its attempt number; both starts were counted as attempts
      const starts = lab.calls.filter((c) => c.path.endsWith(`/${jobId}/start`)).map((c) => (c.body as { attempt: number }).attempt);
      expect(starts).toEqual([1, 1]);
      expect((await lab.api.app.db.job.findUniqueOrThrow({ where: { id: jobId } })).attempts).toBe(2);
      expect(await lab.api.app.db.result.count({ where: { jobId } })).toBe(1);
    } finally {
      first.child.kill('SIGKILL');
      await second?.stop();
    }
  });
});
