/**
 * Agent tokens act for one agent, and only its live process: every forged or stale agent call is
 * refused with the stated status and leaves every table and the artifact store as they were.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AGENT_EPOCH_HEADER } from '@edgeproof/contracts';
import { thirdPartyModels } from '@edgeproof/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelForm, startTestApi, type TestApi } from '../../apps/api/test/helpers.ts';
import { hashToken, newTokenValue } from '../../apps/api/src/services/tokens.ts';
import { snapshot } from './support/snapshot.ts';

const latency = (attempt = 1) => ({
  attempt,
  summary: {
    kind: 'latency', unit: 'ms', sessionCreateMs: 1, firstInferenceMs: 1, warmup: { runs: 1, seconds: 0.1 }, measure: { runs: 3, seconds: 0.1 },
    stats: { count: 3, min: 0.1, mean: 0.1, p50: 0.1, p90: 0.1, p95: 0.1, p99: 0.1, max: 0.1, stdev: 0, cv: 0 }, peakMemoryBytes: null,
  },
  rawSamples: [0.1, 0.1, 0.1],
  environment: {
    runtime: 'onnxruntime-node', runtimeVersion: '1.30.0', executionProvider: 'cpu', threads: 1, graphOptimization: 'all',
    warmupMinRuns: 1, warmupMinSeconds: 0.5, measureMinRuns: 3, measureMinSeconds: 0.1, measureMaxRuns: 10, measureMaxSeconds: 1,
    inputSource: 'generated', inputSeed: 42, inputShapes: {}, thermalState: 'unavailable', os: 'linux', cpu: 'x',
  },
});

interface Agent {
  name: string;
  token: string;
  agentId: string;
  deviceId: string;
  epoch: number;
  headers: Record<string, string>;
}

describe('agent identity: one token, one agent, one live process', () => {
  let api: TestApi;
  let a: Agent;
  let b: Agent;
  let modelSha = '';

  const inject = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) =>
    api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const register = (token: string, body: object) => inject('POST', '/v1/agents/register', { authorization: `Bearer ${token}` }, body);
  const device = { localKey: 'host', platform: 'linux', driver: 'host', tier: 'mid', runtimes: ['onnxruntime-node'] };
  const newAgent = async (name: string): Promise<Agent> => {
    const token = await api.agentToken(name);
    const res = await register(token, { name, instanceId: randomUUID(), devices: [device] });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    return { name, token, agentId: r.agentId, deviceId: r.devices[0].id, epoch: r.epoch, headers: { authorization: `Bearer ${token}`, [AGENT_EPOCH_HEADER]: String(r.epoch) } };
  };
  const newJob = async (agent: Agent): Promise<string> => {
    const res = await inject('POST', '/v1/runs', api.auth('ci'), { model: 'cls', version: '1.0.0', devices: { ids: [agent.deviceId] }, benchmarks: ['latency'], settings: { inputShapes: { x: [1, 3, 48, 192] } } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().jobs[0].id;
  };
  const unchanged = async (attack: () => Promise<void>) => {
    const before = await snapshot(api.app.db, api.artifactRoot);
    await attack();
    expect(await snapshot(api.app.db, api.artifactRoot)).toEqual(before);
  };

  beforeAll(async () => {
    api = await startTestApi();
    await inject('POST', '/v1/models', api.auth('ci'), { name: 'cls', taskKind: 'classification', owner: 'o' });
    const up = await inject('POST', '/v1/models/cls/versions', api.auth('ci'), modelForm(await readFile(thirdPartyModels.ocrDirectionClassifier), { version: '1.0.0' }) as never);
    expect(up.statusCode, up.body).toBe(201);
    modelSha = up.json().sha256;
    a = await newAgent('lab-a');
    b = await newAgent('lab-b');
  });
  afterAll(() => api.close());

  it("another agent's token cannot start, fail or post a result for a job, nor fetch what it reads: 403", async () => {
    const job = await newJob(a);
    await unchanged(async () => {
      for (const [path, body] of [['start', { attempt: 1 }], ['result', latency()], ['failure', { attempt: 1, error: 'forged', final: true }]] as const) {
        const res = await inject('POST', `/v1/agent/jobs/${job}/${path}`, b.headers, body);
        expect(res.statusCode, path).toBe(403);
        expect(res.json().error.message).toMatch(/queued to a device of agent lab-a; this token acts for agent lab-b/);
      }
      const art = await inject('GET', `/v1/artifacts/${modelSha}`, b.headers);
      expect(art.statusCode).toBe(403);
      expect(art.json().error.message).toMatch(/no unfinished job on agent lab-b's devices/);
    });
    // the owner may: it reads the model its job pins
    expect((await inject('GET', `/v1/artifacts/${modelSha}`, a.headers)).statusCode).toBe(200);
    // a forged result after a real start is still refused
    expect((await inject('POST', `/v1/agent/jobs/${job}/start`, a.headers, { attempt: 1 })).json()).toEqual({ proceed: true });
    await unchanged(async () => {
      expect((await inject('POST', `/v1/agent/jobs/${job}/result`, b.headers, latency())).statusCode).toBe(403);
    });
  });

  it('an agent token registers only its own agent, and heartbeats only its own devices: 403', async () => {
    await unchanged(async () => {
      const res = await register(b.token, { name: 'lab-a', takeover: true, devices: [device] });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toMatch(/body\.name: this token may register only agent lab-b/);
      const fresh = await register(b.token, { name: 'lab-new', devices: [device] });
      expect(fresh.statusCode).toBe(403);
      const beat = await inject('POST', `/v1/agents/${a.agentId}/heartbeat`, b.headers, { devices: [{ localKey: 'host', status: 'unhealthy', reason: 'forged' }] });
      expect(beat.statusCode).toBe(403);
      expect(beat.json().error.message).toMatch(/params\.agentId: this token may heartbeat only agent lab-b's devices/);
    });
  });

  it('tokens not bound to an agent (admin, other roles, a legacy agent token) cannot act as an agent: 403', async () => {
    const legacy = newTokenValue();
    await api.app.db.apiToken.create({ data: { name: 'legacy', role: 'agent', tokenHash: hashToken(legacy) } });
    const job = await newJob(a);
    await unchanged(async () => {
      for (const token of [api.tokens.admin, api.tokens.ci, legacy]) {
        const reg = await register(token, { name: 'lab-a', devices: [device] });
        expect(reg.statusCode).toBe(403);
        expect(reg.json().error.message).toMatch(/needs an agent token bound to an agent/);
        const start = await inject('POST', `/v1/agent/jobs/${job}/start`, { authorization: `Bearer ${token}`, [AGENT_EPOCH_HEADER]: String(a.epoch) }, { attempt: 1 });
        expect(start.statusCode).toBe(403);
      }
      expect((await inject('GET', `/v1/artifacts/${modelSha}`, { authorization: `Bearer ${legacy}` })).statusCode).toBe(403);
    });
  });

  it('agent calls without the epoch are 400; a second live process is 409 until it takes over, then the first is 409 superseded', async () => {
    const job = await newJob(a);
    await unchanged(async () => {
      const noEpoch = await inject('POST', `/v1/agent/jobs/${job}/start`, { authorization: `Bearer ${a.token}` }, { attempt: 1 });
      expect(noEpoch.statusCode).toBe(400);
      expect(noEpoch.json().error.message).toMatch(/headers\.agent-epoch: required/);
      const second = await register(a.token, { name: 'lab-a', instanceId: randomUUID(), devices: [device] });
      expect(second.statusCode).toBe(409);
      expect(second.json().error).toMatchObject({ code: 'conflict' });
      expect(second.json().error.message).toMatch(/live in another process .* register with takeover: true/);
    });
    const takeover = await register(a.token, { name: 'lab-a', instanceId: randomUUID(), takeover: true, devices: [device] });
    expect(takeover.statusCode).toBe(200);
    expect(takeover.json().epoch).toBe(a.epoch + 1);
    await unchanged(async () => {
      for (const [path, body] of [['start', { attempt: 1 }], ['result', latency()], ['failure', { attempt: 1, error: 'stale', final: true }]] as const) {
        const res = await inject('POST', `/v1/agent/jobs/${job}/${path}`, a.headers, body);
        expect(res.statusCode, path).toBe(409);
        expect(res.json().error.code).toBe('superseded');
      }
      const beat = await inject('POST', `/v1/agents/${a.agentId}/heartbeat`, a.headers, { devices: [{ localKey: 'host', status: 'idle' }] });
      expect(beat.statusCode).toBe(409);
    });
    a = { ...a, epoch: takeover.json().epoch, headers: { ...a.headers, [AGENT_EPOCH_HEADER]: String(takeover.json().epoch) } };
    expect((await inject('POST', `/v1/agent/jobs/${job}/start`, a.headers, { attempt: 1 })).json()).toEqual({ proceed: true });
  });

  it('processes racing to register a silent agent: exactly one wins, the others get 409', async () => {
    await api.app.db.agent.update({ where: { name: 'lab-b' }, data: { lastHeartbeatAt: new Date(Date.now() - 3_600_000) } });
    const before = (await api.app.db.agent.findUniqueOrThrow({ where: { name: 'lab-b' } })).epoch;
    const answers = await Promise.all(Array.from({ length: 8 }, () => register(b.token, { name: 'lab-b', instanceId: randomUUID(), devices: [device] })));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const won = answers.find((r) => r.statusCode === 200)?.json();
    expect(won.epoch).toBe(before + 1);
    expect((await api.app.db.agent.findUniqueOrThrow({ where: { name: 'lab-b' } })).epoch).toBe(before + 1);
    b = { ...b, epoch: won.epoch, headers: { ...b.headers, [AGENT_EPOCH_HEADER]: String(won.epoch) } };
  });

  it('a late result for a failed job is 409 and the job stays failed', async () => {
    const job = await newJob(a);
    await inject('POST', `/v1/agent/jobs/${job}/start`, a.headers, { attempt: 1 });
    expect((await inject('POST', `/v1/agent/jobs/${job}/failure`, a.headers, { attempt: 1, error: 'timed out', final: true })).json()).toEqual({ stored: true });
    await unchanged(async () => {
      const late = await inject('POST', `/v1/agent/jobs/${job}/result`, a.headers, latency());
      expect(late.statusCode).toBe(409);
      expect(late.json().error.message).toMatch(/is failed, not running/);
    });
    expect((await api.app.db.job.findUniqueOrThrow({ where: { id: job } })).status).toBe('failed');
  });

  it('results posted at the same instant: one is stored, the others are told so; a result racing a final failure never leaves both', async () => {
    for (let round = 0; round < 10; round++) {
      const job = await newJob(a);
      await inject('POST', `/v1/agent/jobs/${job}/start`, a.headers, { attempt: 1 });
      const posts = await Promise.all(Array.from({ length: 8 }, () => inject('POST', `/v1/agent/jobs/${job}/result`, a.headers, latency())));
      expect(posts.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
      expect(await api.app.db.result.count({ where: { jobId: job } })).toBe(1);
    }
    for (let round = 0; round < 10; round++) {
      const job = await newJob(a);
      await inject('POST', `/v1/agent/jobs/${job}/start`, a.headers, { attempt: 1 });
      const [result, failure] = await Promise.all([
        inject('POST', `/v1/agent/jobs/${job}/result`, a.headers, latency()),
        inject('POST', `/v1/agent/jobs/${job}/failure`, a.headers, { attempt: 1, error: 'lost the device', final: true }),
      ]);
      const row = await api.app.db.job.findUniqueOrThrow({ where: { id: job }, include: { result: true } });
      if (row.status === 'succeeded') {
        expect([result.statusCode, failure.json()]).toEqual([201, { stored: false }]);
        expect(row.result).not.toBeNull();
      } else {
        expect(row.status).toBe('failed');
        expect([result.statusCode, failure.json()]).toEqual([409, { stored: true }]);
        expect(row.result).toBeNull();
      }
    }
  });
});
