/**
 * Cancelling runs and gates: queued jobs leave their queues, running ones are told to stop, the run
 * and gate end `cancelled`, nothing is approved, and whatever an agent posts afterwards changes
 * nothing. Races between cancel and results, and between cancel and gate advancement, run many times.
 */
import { readFile } from 'node:fs/promises';
import { AGENT_EPOCH_HEADER } from '@edgeproof/contracts';
import { deviceQueueName } from '@edgeproof/queue';
import { thirdPartyModels } from '@edgeproof/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobCancelled } from '../src/services/cancel.ts';
import { advanceGate } from '../src/services/gating/gates.ts';
import { latencyResult } from '../../../test/faults/support/results.ts';
import { modelForm, startTestApi, TEST_AGENT, type TestApi } from './helpers.ts';

const policy = (opts: { confirm: boolean; maxMs?: number }) => `version: 1
name: hosts
scope: { platform: linux, tiers: [mid], channel: production }
devices: { platform: linux, pick: all }
settings: { inputShapes: { x: [1, 3, 48, 192] } }
confirm: ${opts.confirm}
rules:
  - type: threshold
    metric: latency.p90
    max: ${opts.maxMs ?? 50}ms
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Role = 'admin' | 'ml_engineer' | 'ci' | 'viewer' | 'agent';
interface RunJson {
  id: string;
  status: string;
  jobs: Array<{ id: string; status: string; device: { id: string } }>;
}

describe('cancel: runs and gates always end, and a cancelled one stays cancelled', () => {
  let api: TestApi;
  let deviceIds: string[] = [];
  let agentHeaders: Record<string, string> = {};
  const queues = new Map<string, Queue>();

  const post = (url: string, role: Role, payload: object = {}) => api.app.inject({ method: 'POST', url, headers: role === 'agent' ? agentHeaders : api.auth(role), payload });
  const get = (url: string) => api.app.inject({ method: 'GET', url, headers: api.auth('viewer') });
  const asAgent = (jobId: string, path: string, payload: object) => post(`/v1/agent/jobs/${jobId}/${path}`, 'agent', payload);
  const newRun = async (devices = deviceIds): Promise<RunJson> => {
    const res = await post('/v1/runs', 'ci', { model: 'cls', version: '1.0.0', devices: { ids: devices }, benchmarks: ['latency'], settings: { inputShapes: { x: [1, 3, 48, 192] } } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const queueOf = (deviceId: string) => {
    let q = queues.get(deviceId);
    if (!q) {
      q = new Queue(deviceQueueName(deviceId), { connection: { url: api.redisUrl }, prefix: api.queuePrefix });
      queues.set(deviceId, q);
    }
    return q;
  };
  const onQueue = async (run: RunJson) => (await Promise.all(run.jobs.map((j) => queueOf(j.device.id).getJob(j.id)))).filter(Boolean).length;
  const answer = async (run: RunJson, p90: number) => {
    for (const job of run.jobs) {
      expect((await asAgent(job.id, 'start', { attempt: 1 })).statusCode).toBe(200);
      expect((await asAgent(job.id, 'result', latencyResult(p90 - 1))).statusCode).toBe(201);
    }
  };
  const startGate = async (ref: { name: string } | { source: string }) => {
    const res = await post('/v1/gates', 'ci', { model: 'cls', version: '1.0.0', policy: ref });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; runId: string };
  };
  const runOf = async (id: string): Promise<RunJson> => (await get(`/v1/runs/${id}`)).json();

  beforeAll(async () => {
    api = await startTestApi();
    expect((await post('/v1/models', 'ci', { name: 'cls', taskKind: 'classification', owner: 'o' })).statusCode).toBe(201);
    const up = await api.app.inject({ method: 'POST', url: '/v1/models/cls/versions', headers: api.auth('ci'), payload: modelForm(await readFile(thirdPartyModels.ocrDirectionClassifier), { version: '1.0.0' }) });
    expect(up.statusCode, up.body).toBe(201);
    const devices = ['a', 'b'].map((k) => ({ localKey: `host-${k}`, platform: 'linux', driver: 'host', tier: 'mid', runtimes: ['onnxruntime-node'] }));
    const reg = await api.app.inject({ method: 'POST', url: '/v1/agents/register', headers: api.auth('agent'), payload: { name: TEST_AGENT, devices } });
    expect(reg.statusCode, reg.body).toBe(200);
    agentHeaders = { ...api.auth('agent'), [AGENT_EPOCH_HEADER]: String(reg.json().epoch) };
    deviceIds = reg.json().devices.map((d: { id: string }) => d.id);
    expect((await post('/v1/models/cls/policies', 'ml_engineer', { name: 'release', source: policy({ confirm: false }) })).statusCode).toBe(201);
    expect((await post('/v1/models/cls/policies', 'ml_engineer', { name: 'strict', source: policy({ confirm: true, maxMs: 1 }) })).statusCode).toBe(201);
  });
  afterAll(async () => {
    for (const q of queues.values()) {
      await q.obliterate({ force: true });
      await q.close();
    }
    await api?.close();
  });

  it('only ml_engineer, ci and admin may cancel (viewer and agent 403); an unknown run or gate is 404', async () => {
    const run = await newRun();
    const gate = await startGate({ name: 'release' });
    for (const role of ['viewer', 'agent'] as const) {
      for (const url of [`/v1/runs/${run.id}/cancel`, `/v1/gates/${gate.id}/cancel`]) {
        const res = await post(url, role);
        expect(res.statusCode, `${role} ${url}`).toBe(403);
        expect(res.json().error.code).toBe('forbidden');
      }
    }
    expect((await runOf(run.id)).status).toBe('queued');
    expect((await post(`/v1/runs/${run.id}/cancel`, 'ml_engineer')).statusCode).toBe(200);
    expect((await post(`/v1/gates/${gate.id}/cancel`, 'admin')).statusCode).toBe(200);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await post(`/v1/runs/${unknown}/cancel`, 'ci')).json().error.code).toBe('not_found');
    expect((await post(`/v1/gates/${unknown}/cancel`, 'ci')).statusCode).toBe(404);
  });

  it('a queued run: its jobs leave their queues and are cancelled, the run ends cancelled; cancelling again answers the same', async () => {
    const run = await newRun();
    expect(await onQueue(run)).toBe(2);
    const res = await post(`/v1/runs/${run.id}/cancel`, 'ci');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'cancelled', progress: { total: 2, cancelled: 2, queued: 0 } });
    expect(body.finishedAt).not.toBeNull();
    expect(body.jobs.map((j: { status: string; error: string }) => [j.status, j.error])).toEqual([
      ['cancelled', 'cancelled by test-ci'],
      ['cancelled', 'cancelled by test-ci'],
    ]);
    expect(await onQueue(run)).toBe(0);
    const again = await post(`/v1/runs/${run.id}/cancel`, 'ml_engineer');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(body);
    // a late start is told not to measure; the watchdog and reconciler leave it alone
    expect((await asAgent(run.jobs[0]!.id, 'start', { attempt: 1 })).json()).toMatchObject({ proceed: false, reason: 'job was cancelled' });
    await api.app.watchdog.tick();
    await api.app.reconciler.tick();
    expect(await onQueue(run)).toBe(0);
    expect((await runOf(run.id)).status).toBe('cancelled');
  });

  it('a running job is cancelled while its agent holds it: the lock renewal says stop, a late result is 409 and a late failure changes nothing', async () => {
    const run = await newRun([deviceIds[0]!]);
    const lease = await post('/v1/agent/jobs/next', 'agent', { devices: [deviceIds[0]], waitMs: 0 });
    expect(lease.statusCode, lease.body).toBe(200);
    const { jobId, lockToken } = lease.json();
    expect(jobId).toBe(run.jobs[0]!.id);
    expect((await asAgent(jobId, 'start', { attempt: 1, lockToken })).json()).toEqual({ proceed: true });
    expect((await asAgent(jobId, 'lock', { lockToken })).json()).toMatchObject({ cancel: false });
    expect(await jobCancelled(api.app.db, jobId)).toBe(false);

    expect((await post(`/v1/runs/${run.id}/cancel`, 'ci')).json()).toMatchObject({ status: 'cancelled', jobs: [{ status: 'cancelled' }] });
    expect(await jobCancelled(api.app.db, jobId)).toBe(true);
    expect((await asAgent(jobId, 'lock', { lockToken })).json()).toMatchObject({ cancel: true });
    const late = await asAgent(jobId, 'result', { ...latencyResult(), lockToken });
    expect(late.statusCode).toBe(409);
    expect(late.json().error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/is cancelled, not running/) });
    expect((await asAgent(jobId, 'failure', { attempt: 1, error: 'stopped', final: true, lockToken })).json()).toEqual({ stored: false });
    const row = await api.app.db.job.findUniqueOrThrow({ where: { id: jobId }, include: { result: true } });
    expect([row.status, row.result]).toEqual(['cancelled', null]);
    expect((await runOf(run.id)).status).toBe('cancelled');
    // the queue entry was completed with the late result: nothing hands the job out again
    expect(await queueOf(deviceIds[0]!).getJobCountByTypes('wait', 'active', 'delayed', 'prioritized')).toBe(0);
  });

  it('a finished run is 409 and stays as it was', async () => {
    const run = await newRun();
    await answer(run, 10);
    const res = await post(`/v1/runs/${run.id}/cancel`, 'ci');
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'conflict', details: { status: 'succeeded' } });
    expect((await runOf(run.id)).status).toBe('succeeded');
  });

  it('cancel racing results, 20 times: every job ends with a result or cancelled (never both), and the run matches what cancel answered', async () => {
    for (let round = 0; round < 20; round++) {
      const run = await newRun();
      for (const job of run.jobs) await asAgent(job.id, 'start', { attempt: 1 });
      // cancel leaves 0-9 ms after the results, so that either side wins some rounds
      const [cancel, ...results] = await Promise.all([
        sleep(round % 10).then(() => post(`/v1/runs/${run.id}/cancel`, 'ci')),
        ...run.jobs.map((j) => asAgent(j.id, 'result', latencyResult())),
      ]);
      const jobs = await api.app.db.job.findMany({ where: { runId: run.id }, include: { result: true } });
      for (const [i, job] of jobs.entries()) {
        expect(job.status === 'succeeded' ? job.result !== null : job.status === 'cancelled' && job.result === null, `round ${round} job ${i}`).toBe(true);
      }
      const status = (await runOf(run.id)).status;
      if (cancel.statusCode === 200) {
        expect(status).toBe('cancelled');
        expect(results.filter((r) => r.statusCode === 409).length).toBe(jobs.filter((j) => j.status === 'cancelled').length);
      } else {
        expect([cancel.statusCode, status]).toEqual([409, 'succeeded']);
      }
    }
  });

  it('a gate: cancel ends it and its run cancelled, without a verdict or approval; a read does not revive it, a second cancel answers the same, a late result is 409', async () => {
    const gate = await startGate({ name: 'release' });
    const res = await post(`/v1/gates/${gate.id}/cancel`, 'ci');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'cancelled', verdict: null, approvals: [] });
    expect((await post(`/v1/gates/${gate.id}/cancel`, 'ci')).json()).toEqual(res.json());
    const run = await runOf(gate.runId);
    expect(run.status).toBe('cancelled');
    for (const job of run.jobs) expect((await asAgent(job.id, 'result', latencyResult())).statusCode).toBe(409);
    expect((await get(`/v1/gates/${gate.id}`)).json()).toMatchObject({ status: 'cancelled', verdict: null });
    await api.app.reconciler.tick();
    expect((await get(`/v1/gates/${gate.id}`)).json().status).toBe('cancelled');
    expect(await api.app.db.approval.count({ where: { gateEvaluationId: gate.id } })).toBe(0);
  });

  it('a confirming gate: cancel stops the confirmation run too; a decided gate is 409', async () => {
    const gate = await startGate({ name: 'strict' });
    await answer(await runOf(gate.runId), 10);
    const confirming = (await get(`/v1/gates/${gate.id}`)).json();
    expect(confirming.status).toBe('confirming');
    const res = await post(`/v1/gates/${gate.id}/cancel`, 'ml_engineer');
    expect(res.json()).toMatchObject({ status: 'cancelled', verdict: null });
    expect((await runOf(gate.runId)).status).toBe('succeeded');
    expect((await runOf(confirming.confirmRunId)).status).toBe('cancelled');

    const passed = await startGate({ name: 'release' });
    await answer(await runOf(passed.runId), 10);
    expect((await get(`/v1/gates/${passed.id}`)).json()).toMatchObject({ status: 'done', verdict: 'pass' });
    const late = await post(`/v1/gates/${passed.id}/cancel`, 'ci');
    expect(late.statusCode).toBe(409);
    expect(late.json().error.details).toEqual({ status: 'done' });
  });

  it('cancelling a gate\'s run directly cancels the gate', async () => {
    const gate = await startGate({ name: 'release' });
    expect((await post(`/v1/runs/${gate.runId}/cancel`, 'ci')).statusCode).toBe(200);
    expect((await get(`/v1/gates/${gate.id}`)).json()).toMatchObject({ status: 'cancelled', verdict: null });
  });

  it('cancel racing gate advancement, 20 times each: a cancelled gate never approves and never keeps a confirmation run', async () => {
    const deps = { db: api.app.db, queues: api.app.queues, log: api.app.log };
    for (const name of ['release', 'strict'] as const) {
      for (let round = 0; round < 20; round++) {
        const gate = await startGate({ name });
        await answer(await runOf(gate.runId), 10);
        const [cancel] = await Promise.all([sleep(round % 10).then(() => post(`/v1/gates/${gate.id}/cancel`, 'ci')), advanceGate(deps, gate.id), advanceGate(deps, gate.id)]);
        const row = await api.app.db.gateEvaluation.findUniqueOrThrow({ where: { id: gate.id } });
        const approvals = await api.app.db.approval.count({ where: { gateEvaluationId: gate.id } });
        const confirmRuns = await api.app.db.evaluationRun.findMany({ where: { idempotencyKey: `gate:${gate.id}:confirm` }, select: { status: true } });
        const label = `${name} round ${round}`;
        expect(confirmRuns.length, label).toBeLessThanOrEqual(1);
        if (cancel.statusCode === 200) {
          expect([row.status, row.verdict, approvals], label).toEqual(['cancelled', null, 0]);
          expect(confirmRuns.map((r) => r.status), label).toEqual(confirmRuns.length ? ['cancelled'] : []);
        } else {
          expect([cancel.statusCode, row.status], label).toEqual([409, 'done']);
          expect(approvals, label).toBe(name === 'release' ? 1 : 0);
        }
      }
    }
  });
});
