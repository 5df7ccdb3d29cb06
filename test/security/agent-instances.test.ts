/**
 * Two live processes of one agent (same name, same token, same host device): the second takes the
 * agent over; from then on the first is refused and stops. Over 20 jobs no two ever held the device
 * at once (the lease history in Redis, written atomically with each acquire and release, says so).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { DeviceLeases, type LeaseEvent } from '@edgeproof/queue';
import { repoRoot } from '@edgeproof/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AGENT } from '../../apps/api/test/helpers.ts';
import { quickSettings, startTestPlatform, type TestPlatform } from '../support/platform.ts';

const JOBS = 20;

interface AgentProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

describe('two live processes of one agent', () => {
  let p: TestPlatform;
  const children: ChildProcess[] = [];

  const spawnAgent = (extra: Record<string, string> = {}): AgentProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'apps/agent/src/main.ts')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        API_URL: p.api.url,
        AGENT_TOKEN: p.api.tokens.agent,
        AGENT_CACHE_DIR: p.agentCacheDir,
        REDIS_URL: 'redis://unreachable.invalid:6379',
        POLL_WAIT_MS: '1000',
        LOG_LEVEL: 'silent',
        ...extra,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    children.push(child);
    return { child, exited: new Promise((r) => child.once('exit', (code) => r(code))), stderr: () => err };
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

  it('the second takes over, the first is fenced off and exits, and no two jobs ever share the device', async () => {
    const first = spawnAgent();
    const device = await until('the first process to register', async () => (await p.client.listDevices()).find((d) => d.agent === TEST_AGENT && d.status !== 'offline'));
    const runs: { id: string }[] = [];
    const queueJobs = async (n: number) => {
      for (let i = 0; i < n; i++) runs.push(await p.client.createRun({ model: 'mnist-mlp', version: '1.0.0', devices: { ids: [device.id] }, benchmarks: ['latency'], settings: quickSettings }));
    };
    // most jobs now; the rest once the second process has taken over, so that it has work however
    // fast the first one was on this machine
    const LATE_JOBS = 5;
    await queueJobs(JOBS - LATE_JOBS);
    const finished = async () => {
      const all = await Promise.all(runs.map((r) => p.client.getRun(r.id)));
      return all.filter((r) => r.status === 'succeeded').length;
    };
    await until('a few jobs of the first process', async () => (await finished()) >= 3, 90_000);
    const epochBefore = (await p.api.app.db.agent.findUniqueOrThrow({ where: { name: TEST_AGENT } })).epoch;

    // a second process without takeover waits while the first is live: it registers nothing
    const waiting = spawnAgent();
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await p.api.app.db.agent.findUniqueOrThrow({ where: { name: TEST_AGENT } })).epoch).toBe(epochBefore);
    waiting.child.kill('SIGTERM');
    await waiting.exited;

    const second = spawnAgent({ AGENT_TAKEOVER: 'true' });
    const code = await Promise.race([first.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000))]);
    expect(code).toBe(3);
    expect(first.stderr()).toMatch(/superseded/);
    expect((await p.api.app.db.agent.findUniqueOrThrow({ where: { name: TEST_AGENT } })).epoch).toBe(epochBefore + 1);
    await queueJobs(LATE_JOBS);

    await until('every job', async () => (await finished()) === JOBS, 180_000);
    second.child.kill('SIGTERM');
    await second.exited;

    const jobs = await p.api.app.db.job.findMany({ where: { runId: { in: runs.map((r) => r.id) } }, include: { result: true } });
    expect(jobs).toHaveLength(JOBS);
    expect(jobs.every((j) => j.status === 'succeeded' && j.result !== null)).toBe(true);
    expect(await p.api.app.db.result.count({ where: { jobId: { in: jobs.map((j) => j.id) } } })).toBe(JOBS);

    const redis = new Redis(p.api.redisUrl);
    const history = await new DeviceLeases(redis, { prefix: p.api.queuePrefix }).history();
    await redis.quit();
    const intervals = leaseIntervals(history);
    // every job ran under a lease; both epochs held the device at some point
    expect(intervals.length).toBeGreaterThanOrEqual(JOBS);
    expect(new Set(intervals.map((i) => i.epoch))).toEqual(new Set([epochBefore, epochBefore + 1]));
    for (let i = 1; i < intervals.length; i++) {
      const prev = intervals[i - 1] as Interval;
      const cur = intervals[i] as Interval;
      expect(cur.fromUs, `lease ${cur.token} taken while ${prev.token} still held the device`).toBeGreaterThanOrEqual(prev.toUs);
    }
  }, 300_000);
});

interface Interval {
  token: string;
  epoch: number | null;
  fromUs: number;
  toUs: number;
}

/** Acquire → release pairs of the one device, by start time; a lease never released ends at +∞. */
function leaseIntervals(history: LeaseEvent[]): Interval[] {
  const open = new Map<string, LeaseEvent>();
  const out: Interval[] = [];
  for (const e of history) {
    if (e.event === 'acquire') open.set(e.token, e);
    else {
      const a = open.get(e.token);
      if (a) out.push({ token: e.token, epoch: a.epoch, fromUs: a.atUs, toUs: e.atUs });
      open.delete(e.token);
    }
  }
  for (const a of open.values()) out.push({ token: a.token, epoch: a.epoch, fromUs: a.atUs, toUs: Number.POSITIVE_INFINITY });
  return out.sort((x, y) => x.fromUs - y.fromUs);
}
