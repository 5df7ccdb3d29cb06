/**
 * Faults during real work: two real API processes behind a load balancer, on a PostgreSQL and a Redis
 * of this test's own, and four real agent processes (one host device each) that reach the API over
 * HTTP only. While runs and gates measure, the test SIGKILLs agents mid-job (20 times, each restarted
 * at once), SIGKILLs API replicas (5), and restarts Redis (3) and PostgreSQL (3). During every outage
 * it creates a run: the answer comes within 5 s (a run, or 503 `unavailable`), and the same
 * Idempotency-Key, retried once the service is back, gives one run, never two.
 *
 * Afterwards: every job has exactly one result or a stated failure, every run and gate has ended, a
 * killed job was re-run with its attempts counted, no two leases of one device overlapped, and
 * nothing was created that nobody asked for.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunCreateInput } from '@edgeproof/contracts';
import { createDb, type Db } from '@edgeproof/db';
import { EdgeproofClient } from '@edgeproof/cli';
import { buildZoo, defaultZooDir, ZOO_FILES } from '@edgeproof/model-zoo';
import { DeviceLeases, type LeaseEvent } from '@edgeproof/queue';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/services.ts';
import { startBalancer, type Balancer } from './support/balancer.ts';
import { NodeProcess, untilHealthy } from './support/processes.ts';
import { startRestartablePostgres, startRestartableRedis, type RestartablePostgres, type RestartableRedis } from './support/services.ts';

const AGENTS = 4;
const FAULTS = { agent: 20, api: 5, redis: 3, postgres: 3 } as const;
const QUEUE_PREFIX = 'chaos';
/** short but real latency jobs: a kill lands mid-measurement often */
const SETTINGS = { warmupMinRuns: 1, warmupMinSeconds: 0.05, measureMinRuns: 20, measureMinSeconds: 0.6, measureMaxSeconds: 1.5, dims: { batch: 1 } };
const GATE_POLICY = `version: 1
name: chaos
devices: { platform: linux, pick: all }
settings: { dims: { batch: 1 }, warmupMinRuns: 1, warmupMinSeconds: 0.05, measureMinRuns: 20, measureMinSeconds: 0.6, measureMaxSeconds: 1.5 }
confirm: false
approve: false
rules:
  - type: threshold
    metric: latency.p90
    max: 10s
`;

type Fault = keyof typeof FAULTS;

interface Probe {
  fault: Fault;
  key: string;
  status: number;
  code: string | undefined;
  ms: number;
}

/** a seeded shuffle, so a failing order can be replayed (FAULT_SEED) */
function shuffled<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0 || 1;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults: agents, API replicas, Redis and PostgreSQL killed during a run', () => {
  let pg: RestartablePostgres;
  let redis: RestartableRedis;
  let balancer: Balancer;
  let artifactRoot: string;
  let cacheRoot: string;
  let db: Db;
  const apis: NodeProcess[] = [];
  const agents: NodeProcess[] = [];
  const adminToken = randomBytes(24).toString('hex');
  let ml: EdgeproofClient;
  let mlToken = '';
  let deviceAgent = new Map<string, number>();

  const startApi = async (i: number) => {
    const api = apis[i] as NodeProcess;
    api.start();
    await untilHealthy(`http://127.0.0.1:${api.env().PORT}/health`, 60_000, api.name);
  };

  beforeAll(async () => {
    [pg, redis] = await Promise.all([startRestartablePostgres(), startRestartableRedis()]);
    artifactRoot = await mkdtemp(join(tmpdir(), 'ep-chaos-artifacts-'));
    cacheRoot = await mkdtemp(join(tmpdir(), 'ep-chaos-agents-'));
    const ports = [await freePort(), await freePort()];
    for (const [i, port] of ports.entries()) {
      const env = {
        ...process.env,
        DATABASE_URL: pg.url,
        REDIS_URL: redis.url,
        HOST: '127.0.0.1',
        PORT: String(port),
        QUEUE_PREFIX,
        ARTIFACT_ROOT: artifactRoot,
        EDGEPROOF_ADMIN_TOKEN: adminToken,
        LOG_LEVEL: 'warn',
        JOB_LOCK_DURATION_MS: '5000',
        JOB_STALLED_INTERVAL_MS: '1000',
        HEARTBEAT_INTERVAL_MS: '1000',
        WATCHDOG_INTERVAL_MS: '1000',
        DEVICE_OFFLINE_AFTER_MS: '30000',
      };
      apis.push(new NodeProcess(`api-${i}`, 'apps/api/src/server.ts', () => env));
    }
    await startApi(0);
    await startApi(1);
    balancer = await startBalancer(ports);
    const admin = new EdgeproofClient(balancer.url, adminToken);
    mlToken = await admin.createToken('chaos-ml', 'ml_engineer');
    ml = new EdgeproofClient(balancer.url, mlToken, { retries: 8, retryDelayMs: 500 });
    for (let i = 0; i < AGENTS; i++) {
      const token = await admin.createToken(`chaos-agent-${i}`, 'agent', `chaos-${i}`);
      const { DATABASE_URL: _db, ...withoutDatabase } = process.env;
      const env = {
        ...withoutDatabase,
        API_URL: balancer.url,
        AGENT_TOKEN: token,
        AGENT_CACHE_DIR: join(cacheRoot, String(i)),
        // unreachable on purpose: an agent needs only the API
        REDIS_URL: 'redis://unreachable.invalid:6379',
        POLL_WAIT_MS: '1000',
        AGENT_TAKEOVER: 'true',
        SHUTDOWN_GRACE_MS: '1000',
        LOG_LEVEL: 'warn',
      };
      const agent = new NodeProcess(`chaos-${i}`, 'apps/agent/src/main.ts', () => env);
      agents.push(agent);
      agent.start();
    }
    const zooDir = defaultZooDir();
    await buildZoo(zooDir);
    await ml.ensureModel({ name: 'mnist', taskKind: 'classification', owner: 'chaos' });
    await ml.uploadModelVersion('mnist', join(zooDir, ZOO_FILES.mnistMlp), { version: '1.0.0' });
    const deadline = Date.now() + 90_000;
    for (;;) {
      const devices = (await ml.listDevices()).filter((d) => d.agent?.startsWith('chaos-') && d.status !== 'offline');
      if (devices.length === AGENTS) {
        deviceAgent = new Map(devices.map((d) => [d.id, Number((d.agent as string).slice('chaos-'.length))]));
        break;
      }
      if (Date.now() > deadline) throw new Error(`agents did not register: ${agents.map((a) => a.logTail(1500)).join('\n')}`);
      await sleep(250);
    }
    db = createDb(pg.url);
  }, 240_000);

  afterAll(async () => {
    for (const a of agents) await a.kill('SIGKILL');
    for (const a of apis) await a.kill('SIGKILL');
    await balancer?.close();
    await db?.$disconnect();
    await redis?.destroy();
    await pg?.destroy();
    if (artifactRoot) await rm(artifactRoot, { recursive: true, force: true });
    if (cacheRoot) await rm(cacheRoot, { recursive: true, force: true });
  }, 60_000);

  it(`${FAULTS.agent} agent kills, ${FAULTS.api} API kills, ${FAULTS.redis} Redis and ${FAULTS.postgres} PostgreSQL restarts: everything ends once, nothing is lost or doubled`, async () => {
    const seed = Number(process.env.FAULT_SEED ?? Date.now() % 100_000);
    const deviceIds = [...deviceAgent.keys()];
    const run: RunCreateInput = { model: 'mnist', version: '1.0.0', devices: { ids: deviceIds }, benchmarks: ['latency'], settings: SETTINGS };
    const runIds = new Set<string>();
    const gateIds: string[] = [];
    const probes: Probe[] = [];
    const probeKeys = new Set<string>();
    const done: Record<Fault, number> = { agent: 0, api: 0, redis: 0, postgres: 0 };
    let killedMidJob = 0;
    const started = Date.now();

    const createRun = async () => runIds.add((await ml.createRun(run)).id);
    /** a run created while a service is down: answered within 5 s either way */
    const probe = async (fault: Fault) => {
      const key = randomUUID();
      probeKeys.add(key);
      const t0 = Date.now();
      let status = 0;
      let code: string | undefined;
      try {
        const res = await fetch(`${balancer.url}/v1/runs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${mlToken}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(run),
          signal: AbortSignal.timeout(15_000),
        });
        status = res.status;
        const body = (await res.json()) as { id?: string; error?: { code: string } };
        code = body.error?.code;
        if (body.id) runIds.add(body.id);
      } catch (err) {
        code = (err as Error).message;
      }
      probes.push({ fault, key, status, code, ms: Date.now() - t0 });
    };
    /** the agent of a device with a running job, waiting for one up to `ms` */
    const agentMidJob = async (ms: number): Promise<number | null> => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const running = await db.job.findFirst({ where: { status: 'running', runId: { in: [...runIds] }, startedAt: { lt: new Date(Date.now() - 300) } }, orderBy: { startedAt: 'desc' } }).catch(() => null);
        const agent = running ? deviceAgent.get(running.deviceId) : undefined;
        if (agent !== undefined && agents[agent]?.running) return agent;
        await sleep(100);
      }
      return null;
    };

    for (let i = 0; i < 10; i++) await createRun();
    for (let i = 0; i < 2; i++) gateIds.push((await ml.createGate({ model: 'mnist', version: '1.0.0', policy: { source: GATE_POLICY, file: 'chaos.yaml' } })).gate.id);

    const plan = shuffled(
      (Object.entries(FAULTS) as Array<[Fault, number]>).flatMap(([f, n]) => Array.from({ length: n }, () => f)),
      seed,
    );
    for (const [n, fault] of plan.entries()) {
      // more work keeps arriving while things break (its jobs are part of what must end once)
      if (n % 2 === 0) await createRun();
      switch (fault) {
        case 'agent': {
          const midJob = await agentMidJob(15_000);
          const i = midJob ?? n % AGENTS;
          if (midJob !== null) killedMidJob++;
          await agents[i]?.kill('SIGKILL');
          agents[i]?.start();
          break;
        }
        case 'api': {
          const i = done.api % apis.length;
          await apis[i]?.kill('SIGKILL');
          await sleep(1_000);
          await startApi(i);
          break;
        }
        case 'redis':
          await redis.stop();
          await probe('redis');
          await sleep(1_000);
          await redis.start();
          break;
        case 'postgres':
          await pg.stop();
          await probe('postgres');
          await sleep(1_000);
          await pg.start();
          break;
      }
      done[fault]++;
      await sleep(1_500);
    }

    // the probes' keys, retried now that everything is up: one run each
    for (const key of probeKeys) {
      const again = await ml.createRun(run, key);
      runIds.add(again.id);
      expect((await ml.createRun(run, key)).id).toBe(again.id);
    }

    const finished = ['succeeded', 'failed', 'partial', 'cancelled'];
    const deadline = Date.now() + 300_000;
    for (;;) {
      const open = await db.evaluationRun.count({ where: { status: { notIn: finished as never } } });
      const openGates = await db.gateEvaluation.count({ where: { status: { in: ['running', 'confirming'] } } });
      if (open === 0 && openGates === 0) break;
      if (Date.now() > deadline) {
        throw new Error(`${open} runs and ${openGates} gates never ended\n${apis.map((a) => a.logTail()).join('\n')}\n${agents.map((a) => a.logTail(1500)).join('\n')}`);
      }
      await sleep(500);
    }
    const wallMs = Date.now() - started;

    const gates = await db.gateEvaluation.findMany();
    const known = new Set([...runIds, ...gates.flatMap((g) => [g.runId, g.confirmRunId].filter((x): x is string => x !== null))]);
    const runs = await db.evaluationRun.findMany({ include: { jobs: { include: { result: true } } } });
    // every job: exactly one result (Result.jobId is unique) or a stated failure
    const jobs = runs.flatMap((r) => r.jobs);
    const failed = jobs.filter((j) => j.status !== 'succeeded');
    // time beyond measurement: what the devices measured (their samples), in parallel, against the wall clock
    const busyMsPerDevice = new Map<string, number>();
    for (const j of jobs) {
      if (j.result) busyMsPerDevice.set(j.deviceId, (busyMsPerDevice.get(j.deviceId) ?? 0) + j.result.rawSamples.reduce((a, b) => a + b, 0));
    }
    const busiestMs = Math.max(...busyMsPerDevice.values());
    const attempts = jobs.reduce((a, j) => a + j.attempts, 0);
    console.info(
      `chaos (FAULT_SEED=${seed}): ${JSON.stringify(done)} faults (${killedMidJob} agent kills mid-job); ${runs.length} runs, ${jobs.length} jobs ` +
        `(${jobs.length - failed.length} succeeded, ${failed.length} failed${failed.length ? `: ${[...new Set(failed.map((j) => j.error))].slice(0, 3).join(' | ')}` : ''}), ${attempts} attempts; ` +
        `probes ${probes.map((p) => `${p.fault}:${p.status}/${p.ms}ms`).join(' ')}; wall ${(wallMs / 1000).toFixed(1)} s, busiest device measured ` +
        `${(busiestMs / 1000).toFixed(1)} s, time beyond the measured time ${((wallMs - busiestMs) / 1000).toFixed(1)} s; balancer ${JSON.stringify([...balancer.served.values()])}`,
    );
    // nothing that nobody asked for: every run is one the test created, or a gate's
    expect(gates.map((g) => g.id).sort()).toEqual([...gateIds].sort());
    expect(gates.every((g) => g.status === 'done' || g.status === 'error'), JSON.stringify(gates.map((g) => [g.status, g.error]))).toBe(true);
    expect(await db.approval.count()).toBe(0);
    expect(runs.filter((r) => !known.has(r.id)).map((r) => r.id)).toEqual([]);
    expect(runs.length).toBe(known.size);

    for (const j of jobs) {
      if (j.status === 'succeeded') expect(j.result, `job ${j.id} succeeded without a result`).not.toBeNull();
      else {
        expect(j.status, `job ${j.id}`).toBe('failed');
        expect(j.result).toBeNull();
        expect(j.error, `job ${j.id} failed without saying why`).toBeTruthy();
      }
    }
    expect(jobs.length).toBeGreaterThanOrEqual(40);
    // a job whose agent was killed mid-measurement ran again, and its attempts say so
    expect(jobs.filter((j) => j.attempts > 1).length).toBeGreaterThanOrEqual(Math.min(1, killedMidJob));

    // no two leases of one device overlapped: a lease that was never given back (its agent was
    // killed) ended at the latest when the next one of its device was taken, since a lease is
    // only taken when free
    const leaseRedis = new Redis(redis.url);
    const history = await new DeviceLeases(leaseRedis, { prefix: QUEUE_PREFIX }).history();
    await leaseRedis.quit();
    expect(leaseOverlaps(history)).toEqual([]);
    // and by the database: jobs that ran once never overlapped on one device (a re-run job keeps
    // the start of its first attempt, so its span says nothing)
    const byDevice = new Map<string, Array<[number, number]>>();
    for (const j of jobs) {
      if (j.status === 'succeeded' && j.attempts === 1 && j.startedAt && j.finishedAt) byDevice.set(j.deviceId, [...(byDevice.get(j.deviceId) ?? []), [j.startedAt.getTime(), j.finishedAt.getTime()]]);
    }
    for (const [device, spans] of byDevice) {
      spans.sort((a, b) => a[0] - b[0]);
      for (let k = 1; k < spans.length; k++) expect((spans[k] as [number, number])[0], `two jobs at once on ${device}`).toBeGreaterThanOrEqual((spans[k - 1] as [number, number])[1]);
    }

    // every probe answered within 5 s: a run, or 503 unavailable
    for (const p of probes) {
      expect(p.ms, `${p.fault} probe`).toBeLessThan(5_000);
      expect([200, 201, 503], `${p.fault} probe: ${p.status} ${p.code}`).toContain(p.status);
      if (p.status === 503) expect(p.code).toBe('unavailable');
    }
    expect(probes.filter((p) => p.fault === 'postgres').every((p) => p.status === 503)).toBe(true);

    expect(done).toEqual(FAULTS);
  }, 900_000);
});

/** pairs of leases of one device held at the same time, by the lease history */
function leaseOverlaps(history: LeaseEvent[]): string[] {
  const byResource = new Map<string, LeaseEvent[]>();
  for (const e of history) byResource.set(e.resource, [...(byResource.get(e.resource) ?? []), e]);
  const overlaps: string[] = [];
  for (const [resource, events] of byResource) {
    let held: string | null = null;
    for (const e of events) {
      if (e.event === 'acquire') {
        // acquired while another lease was still given out and never returned: it had expired (NX)
        held = e.token;
      } else if (e.token !== held) {
        overlaps.push(`${resource}: ${e.token} released while ${held ?? 'nothing'} was the newest lease`);
      } else held = null;
    }
  }
  return overlaps;
}
