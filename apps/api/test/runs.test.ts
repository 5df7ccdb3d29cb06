import { AGENT_EPOCH_HEADER } from '@edgeproof/contracts';
import { readFile } from 'node:fs/promises';
import { deviceQueueName } from '@edgeproof/queue';
import { thirdPartyModels } from '@edgeproof/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelForm, startTestApi, TEST_AGENT, type TestApi } from './helpers.ts';

const environment = {
  runtime: 'onnxruntime-node',
  runtimeVersion: '1.30.0',
  executionProvider: 'cpu',
  threads: 1,
  graphOptimization: 'all',
  warmupMinRuns: 1,
  warmupMinSeconds: 0.5,
  measureMinRuns: 50,
  measureMinSeconds: 1,
  measureMaxRuns: 10000,
  measureMaxSeconds: 60,
  inputSource: 'generated',
  inputSeed: 42,
  inputShapes: { x: [1, 3, 48, 192] },
  thermalState: 'unavailable',
  os: 'linux',
  cpu: 'test cpu',
};
const latencyResult = (attempt: number, p50: number) => ({
  attempt,
  summary: {
    kind: 'latency',
    unit: 'ms',
    sessionCreateMs: 12,
    firstInferenceMs: 3,
    warmup: { runs: 10, seconds: 0.5 },
    measure: { runs: 3, seconds: 1 },
    stats: { count: 3, min: p50 - 1, mean: p50, p50, p90: p50 + 1, p95: p50 + 1, p99: p50 + 1, max: p50 + 1, stdev: 1, cv: 1 / p50 },
    peakMemoryBytes: 1000,
  },
  rawSamples: [p50 - 1, p50, p50 + 1],
  environment,
});

describe('runs API', () => {
  let api: TestApi;
  let deviceIds: string[] = [];
  let agentId = '';
  let agentHeaders: Record<string, string> = {};
  const queues = new Map<string, Queue>();

  const register = (devices: object[]) =>
    api.app.inject({ method: 'POST', url: '/v1/agents/register', headers: api.auth('agent'), payload: { name: TEST_AGENT, devices } });
  const device = (localKey: string, tier: string) => ({ localKey, platform: 'linux', driver: 'host', tier, runtimes: ['onnxruntime-node'], cpu: 'x' });
  const queueOf = (id: string) => {
    let q = queues.get(id);
    if (!q) {
      q = new Queue(deviceQueueName(id), { connection: { url: api.redisUrl }, prefix: api.queuePrefix });
      queues.set(id, q);
    }
    return q;
  };
  const createRun = (payload: object, headers: Record<string, string> = {}, role: 'ci' | 'viewer' = 'ci') =>
    api.app.inject({ method: 'POST', url: '/v1/runs', headers: { ...api.auth(role), ...headers }, payload });

  beforeAll(async () => {
    api = await startTestApi();
    await api.app.inject({ method: 'POST', url: '/v1/models', headers: api.auth('ci'), payload: { name: 'cls', taskKind: 'classification', owner: 'o' } });
    const bytes = await readFile(thirdPartyModels.ocrDirectionClassifier);
    for (const version of ['1.0.0', '0.9.0']) {
      const up = await api.app.inject({ method: 'POST', url: '/v1/models/cls/versions', headers: api.auth('ci'), payload: modelForm(bytes, { version }) });
      expect(up.statusCode).toBeLessThan(300);
    }
    const reg = await register([device('host-a', 'mid'), device('host-b', 'mid'), device('phone-low', 'low')]);
    expect(reg.statusCode).toBe(200);
    agentId = reg.json().agentId;
    agentHeaders = { ...api.auth('agent'), [AGENT_EPOCH_HEADER]: String(reg.json().epoch) };
    deviceIds = reg.json().devices.map((d: { id: string }) => d.id);
  });
  afterAll(async () => {
    for (const q of queues.values()) {
      await q.pause();
      await q.obliterate({ force: true });
      await q.close();
    }
    await api.close();
  });

  const base = { model: 'cls', version: '1.0.0', benchmarks: ['latency'], settings: { inputShapes: { x: [1, 3, 48, 192] } } };

  it('expands a run into one queued job per device and benchmark, on each device queue', async () => {
    const res = await createRun({ ...base, devices: { tiers: ['mid', 'low'], pick: 'one-per-tier' }, benchmarks: ['latency', 'parity'] });
    expect(res.statusCode).toBe(201);
    const run = res.json();
    expect(run.jobs).toHaveLength(4);
    expect(new Set(run.jobs.map((j: { device: { tier: string } }) => j.device.tier))).toEqual(new Set(['mid', 'low']));
    expect(run.progress).toMatchObject({ total: 4, queued: 4 });
    for (const job of run.jobs) {
      const bull = await queueOf(job.device.id).getJob(job.id);
      expect(bull?.data.jobId).toBe(job.id);
      expect(bull?.data.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('returns the same run for a repeated Idempotency-Key', async () => {
    const payload = { ...base, devices: { ids: [deviceIds[0]] } };
    const first = await createRun(payload, { 'idempotency-key': 'ci-123' });
    const second = await createRun(payload, { 'idempotency-key': 'ci-123' });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
    const other = await createRun({ ...payload, version: '0.9.0' }, { 'idempotency-key': 'ci-123' });
    expect(other.statusCode).toBe(409);
  });

  it('refuses bad runs with the right status and stores nothing', async () => {
    const before = await api.app.db.evaluationRun.count();
    const viewer = await createRun({ ...base, devices: { ids: [deviceIds[0]] } }, {}, 'viewer');
    expect(viewer.statusCode).toBe(403);
    const unknownDevice = await createRun({ ...base, devices: { ids: ['00000000-0000-4000-8000-000000000000'] } });
    expect(unknownDevice.statusCode).toBe(404);
    expect(unknownDevice.json().error.message).toMatch(/device/);
    const unknownVersion = await createRun({ ...base, version: '9.9.9', devices: { ids: [deviceIds[0]] } });
    expect(unknownVersion.statusCode).toBe(404);
    const missingDim = await createRun({ ...base, settings: {}, devices: { ids: [deviceIds[0]] } });
    expect(missingDim.statusCode).toBe(422);
    expect(missingDim.json().error.message).toMatch(/x/);
    const noDataset = await createRun({ ...base, benchmarks: ['accuracy'], devices: { ids: [deviceIds[0]] } });
    expect(noDataset.statusCode).toBe(400);
    expect(noDataset.json().error.message).toMatch(/dataset/);
    const badBenchmark = await createRun({ ...base, benchmarks: ['speed'], devices: { ids: [deviceIds[0]] } });
    expect(badBenchmark.statusCode).toBe(400);
    expect(badBenchmark.json().error.message).toMatch(/body\.benchmarks\.0/);
    const noMatch = await createRun({ ...base, devices: { tiers: ['high'] } });
    expect(noMatch.statusCode).toBe(422);
    expect(await api.app.db.evaluationRun.count()).toBe(before);
  });

  it('stores one result per job however often the agent posts it', async () => {
    const run = (await createRun({ ...base, devices: { ids: [deviceIds[1]] } })).json();
    const jobId = run.jobs[0].id;
    const post = (path: string, payload: object, role: 'agent' | 'ci' = 'agent') =>
      api.app.inject({ method: 'POST', url: `/v1/agent/jobs/${jobId}/${path}`, headers: role === 'agent' ? agentHeaders : api.auth(role), payload });
    expect((await post('start', { attempt: 1 })).json()).toEqual({ proceed: true });
    expect((await post('result', latencyResult(1, 5), 'ci')).statusCode).toBe(403);
    const first = await post('result', latencyResult(1, 5));
    expect(first.statusCode).toBe(201);
    const again = await post('result', latencyResult(2, 99));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ stored: false });
    expect((await post('start', { attempt: 2 })).json().proceed).toBe(false);
    const read = (await api.app.inject({ method: 'GET', url: `/v1/runs/${run.id}`, headers: api.auth('viewer') })).json();
    expect(read.status).toBe('succeeded');
    expect(read.jobs[0].result.summary.stats.p50).toBe(5);
    expect(read.jobs[0].result.rawSamples).toEqual([4, 5, 6]);
    expect(await api.app.db.result.count({ where: { jobId } })).toBe(1);
    const wrongKind = await post('result', { ...latencyResult(1, 5), summary: { kind: 'parity', samples: 1, outputs: [], reference: { runtime: 'r', executionProvider: 'cpu', settings: '' } } });
    expect(wrongKind.statusCode).toBe(200);
  });

  it('records failures: retrying ones go back to queued, final ones fail the job', async () => {
    const run = (await createRun({ ...base, devices: { ids: [deviceIds[1]] } })).json();
    const jobId = run.jobs[0].id;
    const post = (path: string, payload: object) =>
      api.app.inject({ method: 'POST', url: `/v1/agent/jobs/${jobId}/${path}`, headers: agentHeaders, payload });
    await post('start', { attempt: 1 });
    await post('failure', { attempt: 1, error: 'boom', final: false });
    let row = await api.app.db.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(row.status).toBe('queued');
    await post('failure', { attempt: 3, error: 'inference timed out after 5 s', final: true });
    row = await api.app.db.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/timed out/);
    const read = (await api.app.inject({ method: 'GET', url: `/v1/runs/${run.id}`, headers: api.auth('viewer') })).json();
    expect(read.status).toBe('failed');
  });

  it('marks silent devices offline and re-routes their queued jobs to an equivalent device', async () => {
    const run = (await createRun({ ...base, devices: { ids: [deviceIds[0]] } })).json();
    const jobId = run.jobs[0].id;
    // only host-b keeps heartbeating
    const hb = await api.app.inject({
      method: 'POST',
      url: `/v1/agents/${agentId}/heartbeat`,
      headers: agentHeaders,
      payload: { devices: [{ localKey: 'host-b', status: 'idle' }] },
    });
    expect(hb.statusCode).toBe(204);
    await api.app.db.device.update({ where: { id: deviceIds[0]! }, data: { lastHeartbeatAt: new Date(Date.now() - 60_000) } });
    await api.app.db.device.update({ where: { id: deviceIds[2]! }, data: { lastHeartbeatAt: new Date(Date.now() - 60_000) } });
    await api.app.watchdog.tick();
    const devices = (await api.app.inject({ method: 'GET', url: '/v1/devices', headers: api.auth('viewer') })).json().items;
    const a = devices.find((d: { localKey: string }) => d.localKey === 'host-a');
    expect(a.status).toBe('offline');
    expect(a.statusReason).toMatch(/no heartbeat/);
    const job = await api.app.db.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.deviceId).toBe(deviceIds[1]);
    expect(job.reroutes).toBe(1);
    expect(await queueOf(deviceIds[0]!).getJob(jobId)).toBeUndefined();
    expect((await queueOf(deviceIds[1]!).getJob(`${jobId}-r1`))?.data.deviceId).toBe(deviceIds[1]);
  });

  it('lists runs of a model with progress but without results', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/runs?model=cls&limit=2', headers: api.auth('viewer') });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).not.toBeNull();
    expect(page.items[0].progress.total).toBeGreaterThan(0);
    expect(page.items[0]).not.toHaveProperty('jobs');
    const none = await api.app.inject({ method: 'GET', url: '/v1/runs?model=other', headers: api.auth('viewer') });
    expect(none.json().items).toEqual([]);
  });

  it('fails a job whose device is offline with no equivalent after the timeout', async () => {
    const phone = deviceIds[2]!;
    await api.app.db.device.update({ where: { id: phone }, data: { status: 'idle', lastHeartbeatAt: new Date() } });
    const run = (await createRun({ ...base, devices: { ids: [phone] } })).json();
    await api.app.db.device.update({ where: { id: phone }, data: { lastHeartbeatAt: new Date(Date.now() - 60_000) } });
    await api.app.db.job.update({ where: { id: run.jobs[0].id }, data: { queuedAt: new Date(Date.now() - 3_600_000) } });
    await api.app.watchdog.tick();
    const job = await api.app.db.job.findUniqueOrThrow({ where: { id: run.jobs[0].id } });
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/offline.*no equivalent device/);
  });
});
