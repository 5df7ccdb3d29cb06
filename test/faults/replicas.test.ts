/**
 * Several API replicas on one PostgreSQL and Redis: two real app instances (same DATABASE_URL,
 * REDIS_URL and QUEUE_PREFIX) tick their background loops at the same time, many times. Every
 * stranded job moves exactly once (its row and the queues agree), every gate is decided once, and a
 * gate never gets two confirmation runs.
 */
import { readFile } from 'node:fs/promises';
import { AGENT_EPOCH_HEADER } from '@edgeproof/contracts';
import { deviceQueueName } from '@edgeproof/queue';
import { thirdPartyModels } from '@edgeproof/testkit';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../apps/api/src/app.ts';
import { asLeader } from '../../apps/api/src/services/leader.ts';
import { modelForm, startTestApi, TEST_AGENT, type TestApi } from '../../apps/api/test/helpers.ts';
import { latencyResult } from './support/results.ts';

const policy = (confirm: boolean, maxMs: number) => `version: 1
name: hosts
scope: { platform: linux, tiers: [mid], channel: production }
devices: { platform: linux, pick: all }
settings: { inputShapes: { x: [1, 3, 48, 192] } }
confirm: ${confirm}
rules:
  - type: threshold
    metric: latency.p90
    max: ${maxMs}ms
`;
const host = (localKey: string) => ({ localKey, platform: 'linux', driver: 'host', tier: 'mid', runtimes: ['onnxruntime-node'], cpu: 'same cpu' });

/** A second API process on the first one's database, Redis and queue prefix. */
async function replicaOf(api: TestApi): Promise<FastifyInstance> {
  const app = await buildApp({
    DATABASE_URL: api.databaseUrl,
    REDIS_URL: api.redisUrl,
    QUEUE_PREFIX: api.queuePrefix,
    ARTIFACT_ROOT: api.artifactRoot,
    LOG_LEVEL: 'silent',
    MAX_ARTIFACT_BYTES: 64 * 1024 * 1024,
    HEARTBEAT_INTERVAL_MS: 1000,
    DEVICE_OFFLINE_AFTER_MS: 20_000,
    REROUTE_TIMEOUT_MS: 600_000,
    WATCHDOG_INTERVAL_MS: 1000,
    startWatchdog: false,
  });
  await app.ready();
  return app;
}

describe('faults: two API replicas running their background loops at once', () => {
  let api: TestApi;
  let replica: FastifyInstance;
  let agentHeaders: Record<string, string> = {};
  let devices: Record<string, string> = {};
  const queues = new Map<string, Queue>();
  const queueOf = (deviceId: string) => {
    let q = queues.get(deviceId);
    if (!q) {
      q = new Queue(deviceQueueName(deviceId), { connection: { url: api.redisUrl }, prefix: api.queuePrefix });
      queues.set(deviceId, q);
    }
    return q;
  };
  const post = (url: string, payload: object, headers: Record<string, string> = api.auth("ci")) => api.app.inject({ method: 'POST', url, headers, payload });
  const register = async (localKeys: string[]) => {
    const res = await api.app.inject({ method: 'POST', url: '/v1/agents/register', headers: api.auth('agent'), payload: { name: TEST_AGENT, devices: localKeys.map(host) } });
    expect(res.statusCode, res.body).toBe(200);
    agentHeaders = { ...api.auth('agent'), [AGENT_EPOCH_HEADER]: String(res.json().epoch) };
    devices = Object.fromEntries(res.json().devices.map((d: { id: string; localKey: string }) => [d.localKey, d.id]));
  };
  const runOn = async (deviceIds: string[]) => {
    const res = await post('/v1/runs', { model: 'cls', version: '1.0.0', devices: { ids: deviceIds }, benchmarks: ['latency'], settings: { inputShapes: { x: [1, 3, 48, 192] } } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; jobs: Array<{ id: string }> };
  };
  /** every entry of a device's queue, in any state */
  const entries = async (deviceId: string) => (await queueOf(deviceId).getJobs(['wait', 'active', 'delayed', 'prioritized', 'completed', 'failed'])).map((j) => j.id);

  beforeAll(async () => {
    api = await startTestApi();
    replica = await replicaOf(api);
    await post('/v1/models', { name: 'cls', taskKind: 'classification', owner: 'o' });
    const up = await api.app.inject({ method: 'POST', url: '/v1/models/cls/versions', headers: api.auth('ci'), payload: modelForm(await readFile(thirdPartyModels.ocrDirectionClassifier), { version: '1.0.0' }) });
    expect(up.statusCode, up.body).toBe(201);
    await register(['spare', 'a0', 'a1', 'a2', 'a3', 'a4']);
    for (const [name, source] of [['release', policy(false, 50)], ['strict', policy(true, 1)]] as const) {
      expect((await post('/v1/models/cls/policies', { name, source }, api.auth('ml_engineer'))).statusCode).toBe(201);
    }
  });
  afterAll(async () => {
    for (const q of queues.values()) {
      await q.obliterate({ force: true });
      await q.close();
    }
    await replica?.close();
    await api?.close();
  });

  it('the advisory lock: 200 ticks from both replicas at once never run two at a time', async () => {
    let inside = 0;
    let most = 0;
    let led = 0;
    const tick = (app: FastifyInstance) =>
      asLeader(
        app.db,
        'test-loop',
        async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 2));
          inside--;
          led++;
        },
        10_000,
      );
    await Promise.all(Array.from({ length: 200 }, (_, i) => tick(i % 2 ? api.app : replica)));
    expect(most).toBe(1);
    expect(led).toBeGreaterThan(0);
  });

  it('gates whose runs finished, advanced by both replicas at once (loops and reads): each decided once, approved once, at most one confirmation run', async () => {
    const gates: Array<{ id: string; runId: string; policy: 'release' | 'strict' }> = [];
    for (let i = 0; i < 10; i++) {
      const name = i % 2 ? 'strict' : 'release';
      const gate = (await post('/v1/gates', { model: 'cls', version: '1.0.0', policy: { name } })).json();
      for (const job of await api.app.db.job.findMany({ where: { runId: gate.runId } })) {
        await post(`/v1/agent/jobs/${job.id}/start`, { attempt: 1 }, agentHeaders);
        expect((await post(`/v1/agent/jobs/${job.id}/result`, latencyResult(10), agentHeaders)).statusCode).toBe(201);
      }
      gates.push({ id: gate.id, runId: gate.runId, policy: name });
    }
    const read = (app: FastifyInstance, id: string) => app.inject({ method: 'GET', url: `/v1/gates/${id}`, headers: api.auth('viewer') });
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => (i % 2 ? api.app : replica).reconciler.tick()),
      ...gates.flatMap((g) => [read(api.app, g.id), read(replica, g.id)]),
    ]);
    for (const g of gates) {
      const row = await api.app.db.gateEvaluation.findUniqueOrThrow({ where: { id: g.id } });
      const confirmRuns = await api.app.db.evaluationRun.findMany({ where: { idempotencyKey: `gate:${g.id}:confirm` }, include: { jobs: true } });
      const approvals = await api.app.db.approval.count({ where: { gateEvaluationId: g.id } });
      const audits = await api.app.db.auditEntry.count({ where: { action: 'auto-approve', reason: { startsWith: `gate ${g.id} ` } } });
      if (g.policy === 'release') {
        expect([row.status, row.verdict, approvals, audits, confirmRuns.length]).toEqual(['done', 'pass', 1, 1, 0]);
      } else {
        expect([row.status, confirmRuns.length, row.confirmRunId]).toEqual(['confirming', 1, confirmRuns[0]?.id]);
        // its jobs were queued once each
        for (const job of confirmRuns[0]!.jobs) expect((await entries(job.deviceId)).filter((id) => id?.startsWith(job.id))).toEqual([job.id]);
      }
    }
  });

  it('jobs stranded on offline devices, watchdogs of both replicas ticking together (10 rounds × 20 ticks): each job re-routed exactly once', async () => {
    const spare = devices['spare'] as string;
    const stranded = ['a0', 'a1', 'a2', 'a3', 'a4'].map((k) => devices[k] as string);
    for (let round = 0; round < 10; round++) {
      // the stranded devices are back online long enough to get jobs, then fall silent
      await api.app.db.device.updateMany({ where: { id: { in: stranded } }, data: { status: 'idle', lastHeartbeatAt: new Date() } });
      await api.app.db.device.update({ where: { id: spare }, data: { status: 'idle', lastHeartbeatAt: new Date() } });
      const jobs = (await Promise.all(Array.from({ length: 4 }, () => runOn(stranded)))).flatMap((r) => r.jobs);
      await api.app.db.device.updateMany({ where: { id: { in: stranded } }, data: { lastHeartbeatAt: new Date(Date.now() - 60_000) } });
      const ticks = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? api.app : replica).watchdog.tick()));
      expect(ticks.some(Boolean)).toBe(true);

      const rows = await api.app.db.job.findMany({ where: { id: { in: jobs.map((j) => j.id) } } });
      expect(rows.map((r) => [r.deviceId, r.reroutes, r.status, r.enqueuedAt !== null])).toEqual(rows.map(() => [spare, 1, 'queued', true]));
      const onSpare = await entries(spare);
      for (const job of jobs) {
        expect(onSpare.filter((id) => id?.startsWith(job.id)), `round ${round}`).toEqual([`${job.id}-r1`]);
      }
      for (const id of stranded) {
        const left = (await entries(id)).filter((e) => jobs.some((j) => e?.startsWith(j.id)));
        expect(left, `round ${round}: queue of a stranded device`).toEqual([]);
      }
    }
  });
});
