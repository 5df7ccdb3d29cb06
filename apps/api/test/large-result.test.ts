/**
 * A latency result with the most raw samples the contract allows (1,000,000) is accepted through the
 * agent job routes and stored exactly; one more is refused. (Prisma's own float[] insert took longer
 * than the result transaction may run and answered 503: services/raw-samples.ts.)
 */
import { readFile } from 'node:fs/promises';
import { AGENT_EPOCH_HEADER } from '@edgeproof/contracts';
import { thirdPartyModels } from '@edgeproof/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latencyResult } from '../../../test/faults/support/results.ts';
import { modelForm, startTestApi, TEST_AGENT, type TestApi } from './helpers.ts';

describe('large results', () => {
  let api: TestApi;
  let agentHeaders: Record<string, string> = {};
  let deviceId = '';
  const post = (url: string, headers: Record<string, string>, payload: object) => api.app.inject({ method: 'POST', url, headers, payload });

  beforeAll(async () => {
    api = await startTestApi();
    expect((await post('/v1/models', api.auth('ci'), { name: 'cls', taskKind: 'classification', owner: 'o' })).statusCode).toBe(201);
    const up = await api.app.inject({ method: 'POST', url: '/v1/models/cls/versions', headers: api.auth('ci'), payload: modelForm(await readFile(thirdPartyModels.ocrDirectionClassifier), { version: '1.0.0' }) });
    expect(up.statusCode, up.body).toBe(201);
    const reg = await post('/v1/agents/register', api.auth('agent'), { name: TEST_AGENT, devices: [{ localKey: 'host', platform: 'linux', driver: 'host', tier: 'mid', runtimes: ['onnxruntime-node'] }] });
    expect(reg.statusCode, reg.body).toBe(200);
    agentHeaders = { ...api.auth('agent'), [AGENT_EPOCH_HEADER]: String(reg.json().epoch) };
    deviceId = reg.json().devices[0].id;
  });
  afterAll(() => api?.close());

  async function startedJob(): Promise<{ runId: string; jobId: string }> {
    const run = await post('/v1/runs', api.auth('ci'), { model: 'cls', version: '1.0.0', devices: { ids: [deviceId] }, benchmarks: ['latency'], settings: { inputShapes: { x: [1, 3, 48, 192] } } });
    expect(run.statusCode, run.body).toBe(201);
    const jobId = run.json().jobs[0].id as string;
    expect((await post(`/v1/agent/jobs/${jobId}/start`, agentHeaders, { attempt: 1 })).statusCode).toBe(200);
    return { runId: run.json().id, jobId };
  }

  it('stores 1,000,000 raw samples exactly, as full-precision doubles', async () => {
    const { runId, jobId } = await startedJob();
    let x = 7;
    const rawSamples = Array.from({ length: 1_000_000 }, () => 0.5 + ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 0.1);
    rawSamples[0] = 1e-300;
    rawSamples[1] = 123456789.123456789;
    const res = await post(`/v1/agent/jobs/${jobId}/result`, agentHeaders, { ...latencyResult(5), rawSamples });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
    const stored = await api.app.db.result.findUniqueOrThrow({ where: { jobId } });
    expect(stored.rawSamples.length).toBe(rawSamples.length);
    expect(stored.rawSamples.every((v, i) => v === rawSamples[i])).toBe(true);
    const run = await api.app.inject({ method: 'GET', url: `/v1/runs/${runId}`, headers: api.auth('viewer') });
    expect(run.json().status).toBe('succeeded');
  });

  it('stores an ordinary small result the same way, and refuses more than 1,000,000 samples', async () => {
    const small = await startedJob();
    expect((await post(`/v1/agent/jobs/${small.jobId}/result`, agentHeaders, latencyResult(5))).statusCode).toBe(201);
    expect((await api.app.db.result.findUniqueOrThrow({ where: { jobId: small.jobId } })).rawSamples).toEqual([4, 5, 6]);

    const big = await startedJob();
    const res = await post(`/v1/agent/jobs/${big.jobId}/result`, agentHeaders, { ...latencyResult(5), rawSamples: new Array(1_000_001).fill(1) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^body\.rawSamples/);
  });
});
