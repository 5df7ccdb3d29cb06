import { readFile } from 'node:fs/promises';
import { AGENT_EPOCH_HEADER } from '@edgeproof/contracts';
import { deviceQueueName } from '@edgeproof/queue';
import { thirdPartyModels } from '@edgeproof/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelForm, startTestApi, TEST_AGENT, type TestApi } from './helpers.ts';

const environment = {
  runtime: 'onnxruntime-node', runtimeVersion: '1.30.0', executionProvider: 'cpu', threads: 1, graphOptimization: 'all',
  warmupMinRuns: 1, warmupMinSeconds: 0.5, measureMinRuns: 50, measureMinSeconds: 1, measureMaxRuns: 10000, measureMaxSeconds: 60,
  inputSource: 'generated', inputSeed: 42, inputShapes: { x: [1, 3, 48, 192] }, thermalState: 'nominal', os: 'linux', cpu: 'test cpu',
};
const latency = (p90: number) => ({
  attempt: 1,
  summary: {
    kind: 'latency', unit: 'ms', sessionCreateMs: 12, firstInferenceMs: 3, warmup: { runs: 10, seconds: 0.5 }, measure: { runs: 3, seconds: 1 },
    stats: { count: 3, min: p90 - 2, mean: p90 - 1, p50: p90 - 1, p90, p95: p90, p99: p90, max: p90, stdev: 1, cv: 0.1 },
    peakMemoryBytes: 1000,
  },
  rawSamples: [p90 - 2, p90 - 1, p90],
  environment,
});

const policy = (extra = '') => `version: 1
name: phones
scope: { platform: android, tiers: [low], channel: production }
devices: { platform: android, pick: all }
settings: { inputShapes: { x: [1, 3, 48, 192] } }
confirm: false
rules:
  - type: threshold
    metric: latency.p90
    max: 50ms
${extra}`;

describe('gating API: gates on stored results, approvals, audit, approved builds, releases, populations', () => {
  let api: TestApi;
  const p90ByDevice: Record<string, number> = { 'pixel-7': 30, 'galaxy-a15': 45, 'moto-e13': 80 };
  let deviceIds: Record<string, string> = {};
  let agentHeaders: Record<string, string> = {};
  const queues: Queue[] = [];
  const get = (url: string, role: 'viewer' | 'admin' = 'viewer', headers: Record<string, string> = {}) =>
    api.app.inject({ method: 'GET', url, headers: { ...api.auth(role), ...headers } });
  const post = (url: string, payload: object, role: 'ci' | 'ml_engineer' | 'admin' | 'viewer' = 'ci') => api.app.inject({ method: 'POST', url, headers: api.auth(role), payload });

  /** Plays the agent: every queued job of a run gets its device's latency. */
  async function answerRun(runId: string) {
    const run = (await get(`/v1/runs/${runId}`)).json();
    for (const job of run.jobs) {
      const device = Object.entries(deviceIds).find(([, id]) => id === job.device.id)?.[0] as string;
      const asAgent = (path: string, payload: object) => api.app.inject({ method: 'POST', url: `/v1/agent/jobs/${job.id}/${path}`, headers: agentHeaders, payload });
      expect((await asAgent('start', { attempt: 1 })).statusCode).toBe(200);
      expect((await asAgent('result', latency(p90ByDevice[device] as number))).statusCode).toBe(201);
    }
  }

  /** A gate under a stored policy ({name}) or an inline one ({source}): only the first approves. */
  async function gate(version: string, ref: { name: string } | { source: string }) {
    const res = await post('/v1/gates', { model: 'cls', version, policy: 'source' in ref ? { ...ref, file: 'phones.yaml' } : ref });
    expect(res.statusCode, res.body).toBe(201);
    await answerRun(res.json().runId);
    return (await get(`/v1/gates/${res.json().id}`)).json();
  }

  beforeAll(async () => {
    api = await startTestApi();
    await post('/v1/models', { name: 'cls', taskKind: 'classification', owner: 'o' });
    const bytes = await readFile(thirdPartyModels.ocrDirectionClassifier);
    for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
      expect((await api.app.inject({ method: 'POST', url: '/v1/models/cls/versions', headers: api.auth('ci'), payload: modelForm(bytes, { version }) })).statusCode).toBeLessThan(300);
    }
    const devices = [
      { localKey: 'pixel-7', platform: 'android', driver: 'android', maker: 'Google', model: 'Pixel 7', soc: 'Tensor G2', tier: 'high', runtimes: ['onnxruntime-android'] },
      { localKey: 'galaxy-a15', platform: 'android', driver: 'android', maker: 'Samsung', model: 'SM-A155F', soc: 'Helio G99', tier: 'mid', runtimes: ['onnxruntime-android'] },
      { localKey: 'moto-e13', platform: 'android', driver: 'android', maker: 'Motorola', model: 'moto e13', soc: 'Unisoc T606', tier: 'low', runtimes: ['onnxruntime-android'] },
    ];
    const reg = await api.app.inject({ method: 'POST', url: '/v1/agents/register', headers: api.auth('agent'), payload: { name: TEST_AGENT, devices } });
    agentHeaders = { ...api.auth('agent'), [AGENT_EPOCH_HEADER]: String(reg.json().epoch) };
    deviceIds = Object.fromEntries(reg.json().devices.map((d: { id: string; localKey: string }) => [d.localKey, d.id]));
    for (const id of Object.values(deviceIds)) queues.push(new Queue(deviceQueueName(id), { connection: { url: api.redisUrl }, prefix: api.queuePrefix }));
  });
  afterAll(async () => {
    for (const q of queues) {
      await q.obliterate({ force: true });
      await q.close();
    }
    await api.close();
  });

  it('a failing gate explains itself per device; only an admin may override it, with a reason, and the audit log says so', async () => {
    const g = await gate('1.0.0', { source: policy() });
    expect(g).toMatchObject({ status: 'done', verdict: 'fail', counts: { pass: 2, fail: 1 }, approvals: [] });
    expect(g).toMatchObject({ policyOrigin: { kind: 'inline', file: 'phones.yaml' }, approval: { eligible: false, reason: 'inline-policy' } });
    const failed = g.results.find((r: { status: string }) => r.status === 'fail');
    expect(failed).toMatchObject({ rule: 'latency.p90 ≤ 50ms', device: { localKey: 'moto-e13' }, observed: 80, threshold: 50, unit: 'ms' });
    expect(failed.explanation).toContain('moto-e13 (android, low): 90th percentile inference latency 80.00 ms > 50.00 ms');

    const body = { model: 'cls', version: '1.0.0', platform: 'android', tier: 'low', reason: 'known slow phone, accepted by product' };
    expect((await post('/v1/approvals', body, 'viewer')).statusCode).toBe(403);
    expect((await post('/v1/approvals', body, 'ci')).statusCode).toBe(403);
    const denied = await post('/v1/approvals', body, 'ml_engineer');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain('overriding needs the admin role');
    expect((await post('/v1/approvals', { ...body, reason: '' }, 'admin')).statusCode).toBe(400);
    const override = await post('/v1/approvals', body, 'admin');
    expect(override.statusCode).toBe(201);
    expect(override.json()).toMatchObject({ kind: 'override', state: 'active', gate: g.id, approvedByRole: 'admin' });

    const audit = (await get('/v1/audit?model=cls')).json().items;
    expect(audit[0]).toMatchObject({ action: 'override', version: '1.0.0', actor: 'test-admin', actorRole: 'admin', reason: body.reason, evidence: { gate: g.id, gateVerdict: 'fail' } });
  });

  it('a passing gate under a stored policy approves its scope automatically; the approved build is served with an ETag to a viewer', async () => {
    p90ByDevice['moto-e13'] = 40;
    const saved = await post('/v1/models/cls/policies', { name: 'release', source: policy() }, 'ml_engineer');
    expect(saved.statusCode, saved.body).toBe(201);
    const g = await gate('1.1.0', { name: 'release' });
    expect(g).toMatchObject({ verdict: 'pass', counts: { pass: 3, fail: 0 } });
    expect(g).toMatchObject({ policyName: 'phones', policyOrigin: { kind: 'stored', name: 'release', revision: 1, id: saved.json().id, savedBy: 'test-ml_engineer' }, approval: { eligible: true, reason: 'stored-policy' } });
    expect(g.approvals).toHaveLength(1);

    const res = await get('/v1/models/cls/approved?platform=android&tier=low&channel=production');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ model: 'cls', version: '1.1.0', scope: { platform: 'android', tier: 'low', channel: 'production' }, approval: { kind: 'automatic' } });
    expect(res.json().downloadUrl).toMatch(/\/v1\/models\/cls\/versions\/1\.1\.0\/download$/);
    expect(res.json().evidenceUrl).toMatch(new RegExp(`/v1/gates/${g.id}$`));
    expect(res.json().sha256).toMatch(/^[0-9a-f]{64}$/);
    const etag = res.headers.etag as string;
    expect((await get('/v1/models/cls/approved?platform=android&tier=low', 'viewer', { 'if-none-match': etag })).statusCode).toBe(304);
    // another scope has nothing approved
    expect((await get('/v1/models/cls/approved?platform=ios')).statusCode).toBe(404);

    const audit = (await get('/v1/audit?model=cls')).json().items;
    expect(audit[0]).toMatchObject({
      action: 'auto-approve',
      version: '1.1.0',
      actorRole: 'ci',
      reason: `gate ${g.id} passed (stored policy release, revision 1)`,
      evidence: { gate: g.id, verdict: 'pass', supersedes: [{ version: '1.0.0' }], policy: { name: 'release', revision: 1, id: saved.json().id, savedBy: 'test-ml_engineer' } },
    });
    expect(audit[1]).toMatchObject({ action: 'policy-save', actor: 'test-ml_engineer', actorRole: 'ml_engineer', version: null, evidence: { policy: { name: 'release', revision: 1 } } });
  });

  it('revoking needs ml_engineer and a reason; the revoked approval is gone from the app-facing endpoint and audited', async () => {
    const active = (await get('/v1/approvals?model=cls&state=active')).json().items;
    expect(active).toHaveLength(1);
    expect((await post(`/v1/approvals/${active[0].id}/revoke`, { reason: 'crash reports' }, 'viewer')).statusCode).toBe(403);
    const revoked = await post(`/v1/approvals/${active[0].id}/revoke`, { reason: 'crash reports on Android 14' }, 'ml_engineer');
    expect(revoked.json()).toMatchObject({ state: 'revoked', revokedBy: 'test-ml_engineer', revokeReason: 'crash reports on Android 14' });
    expect((await post(`/v1/approvals/${active[0].id}/revoke`, { reason: 'again' }, 'ml_engineer')).statusCode).toBe(409);
    expect((await get('/v1/models/cls/approved?platform=android&tier=low')).statusCode).toBe(404);
    expect((await get('/v1/audit?model=cls')).json().items[0]).toMatchObject({ action: 'revoke', actor: 'test-ml_engineer', reason: 'crash reports on Android 14' });
    // a version with a passing gate may be approved by hand by an ml_engineer (kind manual)
    const manual = await post('/v1/approvals', { model: 'cls', version: '1.1.0', platform: 'android', tier: 'low', reason: 'crash fixed server-side' }, 'ml_engineer');
    expect(manual.json()).toMatchObject({ kind: 'manual', state: 'active' });
  });

  it('pins several models in a release manifest, immutably, readable with a viewer token', async () => {
    const put = (models: object[]) => api.app.inject({ method: 'PUT', url: '/v1/releases/camera-app/5.2.0', headers: api.auth('ci'), payload: { models } });
    const first = await put([{ name: 'cls', platform: 'android', tier: 'low' }, { name: 'cls', version: '2.0.0' }]);
    expect(first.statusCode).toBe(201);
    expect(first.json().models.map((m: { version: string }) => m.version)).toEqual(['1.1.0', '2.0.0']);
    expect((await put([{ name: 'cls', platform: 'android', tier: 'low' }, { name: 'cls', version: '2.0.0' }])).statusCode).toBe(200);
    expect((await put([{ name: 'cls', version: '1.0.0' }])).statusCode).toBe(409);
    const read = await get('/v1/releases/camera-app/5.2.0');
    expect(read.statusCode).toBe(200);
    expect((await get('/v1/releases/camera-app/5.2.0', 'viewer', { 'if-none-match': read.headers.etag as string })).statusCode).toBe(304);
    expect((await put([{ name: 'cls', platform: 'ios' }])).statusCode).toBe(422);
  });

  it('maps a user population onto lab devices and weights a rule by it; re-evaluates a gate under a new policy without devices', async () => {
    const csv = ['model,share,soc,tier', 'Pixel 7,30,,', 'SM-A155F,25%,,', 'Redmi 12,20,Helio G99,', 'moto e13,15,,', 'iPhone 11,5,,high', 'Nokia 1,5,,'].join('\n');
    const put = await api.app.inject({ method: 'PUT', url: '/v1/populations/eu-users', headers: api.auth('ml_engineer'), payload: { csv } });
    expect(put.statusCode, put.body).toBe(200);
    const mapping = (await get('/v1/populations/eu-users/mapping')).json();
    const how = Object.fromEntries(mapping.rows.map((r: { entry: { model: string }; match: string; device: { localKey: string } | null }) => [r.entry.model, `${r.match}:${r.device?.localKey ?? '-'}`]));
    expect(how).toEqual({ 'Pixel 7': 'model:pixel-7', 'SM-A155F': 'model:galaxy-a15', 'Redmi 12': 'soc:galaxy-a15', 'moto e13': 'model:moto-e13', 'iPhone 11': 'tier:pixel-7', 'Nokia 1': 'unmapped:-' });
    expect(mapping.unmappedShare).toBeCloseTo(0.05, 10);
    const bad = await api.app.inject({ method: 'PUT', url: '/v1/populations/bad', headers: api.auth('ml_engineer'), payload: { csv: 'device,users\nx,1' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('body.csv: csv: the header has no "model" column');

    // 1.0.0's gate measured moto-e13 at 80 ms: 85% of users (30+25+20+5, normalised) are at ≤ 50 ms, 15% fail, 5% unmapped
    const original = (await get('/v1/gates?model=cls')).json().items.find((g: { version: string }) => g.version === '1.0.0');
    const rule = `  - type: population\n    population: eu-users\n    metric: latency.p90\n    max: 50ms\n    users: "80%"\n`;
    const re = await post(`/v1/gates/${original.id}/reevaluate`, { policy: { source: policy(rule).replace(/  - type: threshold[\s\S]*?max: 50ms\n/, '') } });
    expect(re.statusCode, re.body).toBe(201);
    const pop = re.json().results[0];
    expect(re.json()).toMatchObject({ reevaluationOf: original.id, runId: original.runId, verdict: 'pass', approvals: [], approval: { eligible: false, reason: 'reevaluation' } });
    expect(pop.observed).toBeCloseTo(0.8, 10);
    expect(pop.explanation).toBe('80.0% of users meet latency.p90 ≤ 50.00 ms, 15.0% do not, 5.0% unmapped or unmeasured (need 80.0%)');
    const stricter = await post(`/v1/gates/${original.id}/reevaluate`, { policy: { source: policy(rule.replace('"80%"', '"95%"')) } });
    expect(stricter.json().verdict).toBe('fail');
  });

  it('stores policies per model (revisions), gates by stored name, and rejects a bad policy naming the field', async () => {
    const bad = await post('/v1/models/cls/policies', { name: 'phones', source: policy().replace('metric: latency.p90', 'metric: latency.p91') }, 'ml_engineer');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^body\.source: phones:\d+:\d+: rules\[0\]\.metric: unknown metric "latency\.p91"; expected one of latency\.p50/);
    expect(bad.json().error.details.issues[0]).toMatchObject({ path: 'rules[0].metric', line: 9 });
    for (let i = 0; i < 2; i++) expect((await post('/v1/models/cls/policies', { name: 'phones', source: policy() }, 'ml_engineer')).statusCode).toBe(201);
    expect((await get('/v1/models/cls/policies/phones')).json()).toMatchObject({ name: 'phones', revision: 2 });
    const saves = (await get('/v1/audit?model=cls')).json().items.filter((e: { action: string }) => e.action === 'policy-save');
    expect(saves.slice(0, 2)).toMatchObject([
      { actor: 'test-ml_engineer', actorRole: 'ml_engineer', reason: 'policy phones revision 2', evidence: { policy: { name: 'phones', revision: 2 }, previousRevision: 1 } },
      { reason: 'policy phones revision 1', evidence: { policy: { name: 'phones', revision: 1 }, previousRevision: null } },
    ]);
    expect(saves[0].evidence.policy.sha256).toMatch(/^[0-9a-f]{64}$/);
    // a stored policy approves releases, so ci may name one but not write one
    const byCi = await post('/v1/models/cls/policies', { name: 'phones', source: policy() }, 'ci');
    expect(byCi.statusCode).toBe(403);
    expect(byCi.json().error.message).toContain('ml_engineer');
    const g = await post('/v1/gates', { model: 'cls', version: '2.0.0', policy: { name: 'phones' } });
    expect(g.statusCode).toBe(201);
    expect(g.json()).toMatchObject({ policyName: 'phones', status: 'running', verdict: null, policyOrigin: { kind: 'stored', name: 'phones', revision: 2 }, approval: { eligible: true } });
    expect((await post('/v1/gates', { model: 'cls', version: '2.0.0', policy: { name: 'nope' } })).statusCode).toBe(404);
    expect((await post('/v1/gates', { model: 'cls', version: '2.0.0', policy: { source: 'version: 1\nrules: []' } }, 'viewer')).statusCode).toBe(403);
  });
});
