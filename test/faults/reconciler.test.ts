/**
 * The reconciler finishes what could not finish on its own: runs whose jobs are all done but whose
 * status says otherwise (corrupted here directly in the database), gates whose run finished but
 * which were never advanced, and gates waiting on a run that was cancelled.
 */
import { readFile } from 'node:fs/promises';
import { AGENT_EPOCH_HEADER } from '@edgeproof/contracts';
import { thirdPartyModels } from '@edgeproof/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelForm, startTestApi, TEST_AGENT, type TestApi } from '../../apps/api/test/helpers.ts';
import { latencyResult } from './support/results.ts';

const policy = `version: 1
name: hosts
scope: { platform: linux, tiers: [mid], channel: production }
devices: { platform: linux, pick: all }
settings: { inputShapes: { x: [1, 3, 48, 192] } }
confirm: false
rules:
  - type: threshold
    metric: latency.p90
    max: 50ms
`;

describe('faults: the reconciler brings runs and gates to an end', () => {
  let api: TestApi;
  let agentHeaders: Record<string, string> = {};
  let deviceIds: string[] = [];
  const post = (url: string, payload: object, headers: Record<string, string> = api.auth("ci")) => api.app.inject({ method: 'POST', url, headers, payload });

  /** a run whose jobs all got a result (or, with `fail`, whose first job failed) */
  const finishedRun = async (fail = false) => {
    const res = await post('/v1/runs', { model: 'cls', version: '1.0.0', devices: { ids: deviceIds }, benchmarks: ['latency'], settings: { inputShapes: { x: [1, 3, 48, 192] } } });
    expect(res.statusCode, res.body).toBe(201);
    const run = res.json() as { id: string; jobs: Array<{ id: string }> };
    for (const [i, job] of run.jobs.entries()) {
      await post(`/v1/agent/jobs/${job.id}/start`, { attempt: 1 }, agentHeaders);
      const report = fail && i === 0 ? post(`/v1/agent/jobs/${job.id}/failure`, { attempt: 1, error: 'boom', final: true }, agentHeaders) : post(`/v1/agent/jobs/${job.id}/result`, latencyResult(), agentHeaders);
      expect((await report).statusCode).toBeLessThan(300);
    }
    return run;
  };
  const runRow = (id: string) => api.app.db.evaluationRun.findUniqueOrThrow({ where: { id } });

  beforeAll(async () => {
    api = await startTestApi();
    await post('/v1/models', { name: 'cls', taskKind: 'classification', owner: 'o' });
    const up = await api.app.inject({ method: 'POST', url: '/v1/models/cls/versions', headers: api.auth('ci'), payload: modelForm(await readFile(thirdPartyModels.ocrDirectionClassifier), { version: '1.0.0' }) });
    expect(up.statusCode, up.body).toBe(201);
    const devices = ['a', 'b'].map((k) => ({ localKey: `host-${k}`, platform: 'linux', driver: 'host', tier: 'mid', runtimes: ['onnxruntime-node'] }));
    const reg = await api.app.inject({ method: 'POST', url: '/v1/agents/register', headers: api.auth('agent'), payload: { name: TEST_AGENT, devices } });
    agentHeaders = { ...api.auth('agent'), [AGENT_EPOCH_HEADER]: String(reg.json().epoch) };
    deviceIds = reg.json().devices.map((d: { id: string }) => d.id);
    expect((await post('/v1/models/cls/policies', { name: 'release', source: policy }, api.auth('ml_engineer'))).statusCode).toBe(201);
  });
  afterAll(() => api?.close());

  it('a run left running (or queued) with every job done is finished as its jobs say', async () => {
    const ok = await finishedRun();
    const partial = await finishedRun(true);
    await api.app.db.evaluationRun.update({ where: { id: ok.id }, data: { status: 'running', finishedAt: null } });
    await api.app.db.evaluationRun.update({ where: { id: partial.id }, data: { status: 'queued', finishedAt: null } });
    expect(await api.app.reconciler.tick()).toMatchObject({ led: true, runsFinished: 2 });
    expect(await runRow(ok.id)).toMatchObject({ status: 'succeeded', finishedAt: expect.any(Date) });
    expect(await runRow(partial.id)).toMatchObject({ status: 'partial', finishedAt: expect.any(Date) });
    // nothing left to do: a repeat changes nothing
    expect(await api.app.reconciler.tick()).toMatchObject({ runsFinished: 0 });
  });

  it('a run whose jobs were cancelled (and nothing else open) ends cancelled', async () => {
    const run = await finishedRun();
    await api.app.db.job.update({ where: { id: run.jobs[0]!.id }, data: { status: 'cancelled' } });
    await api.app.db.evaluationRun.update({ where: { id: run.id }, data: { status: 'running', finishedAt: null } });
    await api.app.reconciler.tick();
    expect((await runRow(run.id)).status).toBe('cancelled');
  });

  it('a run with a job still open is left alone', async () => {
    const res = await post('/v1/runs', { model: 'cls', version: '1.0.0', devices: { ids: deviceIds }, benchmarks: ['latency'], settings: { inputShapes: { x: [1, 3, 48, 192] } } });
    const run = res.json() as { id: string; jobs: Array<{ id: string }> };
    await post(`/v1/agent/jobs/${run.jobs[0]!.id}/start`, { attempt: 1 }, agentHeaders);
    await post(`/v1/agent/jobs/${run.jobs[0]!.id}/result`, latencyResult(), agentHeaders);
    await api.app.reconciler.tick();
    expect((await runRow(run.id)).status).toBe('running');
  });

  it('a gate whose run finished is decided (and approves once) without anyone reading it; a gate on a cancelled run ends cancelled', async () => {
    const gate = (await post('/v1/gates', { model: 'cls', version: '1.0.0', policy: { name: 'release' } })).json();
    for (const job of (await api.app.db.job.findMany({ where: { runId: gate.runId } }))) {
      await post(`/v1/agent/jobs/${job.id}/start`, { attempt: 1 }, agentHeaders);
      await post(`/v1/agent/jobs/${job.id}/result`, latencyResult(), agentHeaders);
    }
    // as if the last result's transaction had committed but its run update had been lost
    await api.app.db.evaluationRun.update({ where: { id: gate.runId }, data: { status: 'running', finishedAt: null } });
    const stuck = (await post('/v1/gates', { model: 'cls', version: '1.0.0', policy: { name: 'release' } })).json();
    await api.app.db.evaluationRun.update({ where: { id: stuck.runId }, data: { status: 'cancelled', finishedAt: new Date() } });

    await api.app.reconciler.tick();
    expect(await api.app.db.gateEvaluation.findUniqueOrThrow({ where: { id: gate.id } })).toMatchObject({ status: 'done', verdict: 'pass' });
    expect(await api.app.db.approval.count({ where: { gateEvaluationId: gate.id } })).toBe(1);
    expect(await api.app.db.gateEvaluation.findUniqueOrThrow({ where: { id: stuck.id } })).toMatchObject({ status: 'cancelled', verdict: null, error: `its run ${stuck.runId} was cancelled` });
    await api.app.reconciler.tick();
    expect(await api.app.db.approval.count({ where: { gateEvaluationId: gate.id } })).toBe(1);
  });
});
