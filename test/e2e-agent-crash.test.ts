import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@edgeproof/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickSettings, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { TEST_AGENT } from '../apps/api/test/helpers.ts';

/** The agent is a real separate process here, so it can be SIGKILLed mid-job. */
describe('agent killed in the middle of a job', () => {
  let p: TestPlatform;
  const children: ChildProcess[] = [];

  const spawnAgent = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'apps/agent/src/main.ts')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        API_URL: p.api.url,
        AGENT_TOKEN: p.api.tokens.agent,
        // a supervisor restarting a killed agent takes it over at once; the job comes back when its lock expires
        // (the agent reaches only the API: an unreachable REDIS_URL proves it)
        REDIS_URL: 'redis://unreachable.invalid:6379',
        POLL_WAIT_MS: '1000',
        AGENT_TAKEOVER: 'true',
                AGENT_CACHE_DIR: p.agentCacheDir,
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  };
  const until = async <T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    p = await startTestPlatform();
    await p.client.ensureModel({ name: 'mnist-mlp', taskKind: 'classification', owner: 'tests' });
    await p.client.uploadModelVersion('mnist-mlp', join(p.zooDir, p.zoo.files.mnistMlp.file), { version: '1.0.0' });
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await p.close();
  });

  it('re-runs the job after a restart and stores exactly one result', async () => {
    const first = spawnAgent();
    const device = await until('the agent to register', async () => (await p.client.listDevices()).find((d) => d.agent === TEST_AGENT));
    const run = await p.client.createRun({
      model: 'mnist-mlp',
      version: '1.0.0',
      devices: { ids: [device.id] },
      benchmarks: ['latency'],
      settings: { ...quickSettings, measureMinSeconds: 4, measureMaxSeconds: 10, measureMaxRuns: 1_000_000 },
    });
    const jobId = run.jobs[0]!.id;
    await until('the job to start', async () => (await p.client.getRun(run.id)).jobs[0]!.status === 'running');
    await new Promise((r) => setTimeout(r, 500));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect((await p.client.getRun(run.id)).jobs[0]!.result).toBeNull();

    spawnAgent();
    const done = await p.client.waitForRun(run.id, { timeoutMs: 90_000, intervalMs: 250 });
    expect(done.status).toBe('succeeded');
    expect(done.jobs[0]!.result!.summary.kind).toBe('latency');
    expect(await p.api.app.db.result.count({ where: { jobId } })).toBe(1);
  }, 120_000);
});
