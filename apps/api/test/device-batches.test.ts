/**
 * A run's jobs for one device go on its queue in one atomic add, latency first, each payload saying
 * its place (deviceBatch), so the device serves them back to back; runs created at the same instant
 * never interleave their jobs on a device. Real Redis and Postgres; an agent played over the job routes.
 */
import { readFile } from 'node:fs/promises';
import { AGENT_EPOCH_HEADER, type EvaluateJobPayload } from '@edgeproof/contracts';
import { deviceQueueName } from '@edgeproof/queue';
import { thirdPartyModels } from '@edgeproof/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushOutbox } from '../src/services/outbox.ts';
import { modelForm, startTestApi, TEST_AGENT, type TestApi } from './helpers.ts';

describe('device batches', () => {
  let api: TestApi;
  let deviceIds: string[] = [];
  let agentHeaders: Record<string, string> = {};
  const queues = new Map<string, Queue>();
  const queueOf = (id: string) => {
    let q = queues.get(id);
    if (!q) queues.set(id, (q = new Queue(deviceQueueName(id), { connection: { url: api.redisUrl }, prefix: api.queuePrefix })));
    return q;
  };
  /** the device queue's waiting jobs in the order a worker takes them */
  const waiting = async (deviceId: string): Promise<EvaluateJobPayload[]> => (await queueOf(deviceId).getJobs(['wait'], 0, -1, true)).map((j) => j.data as EvaluateJobPayload);
  const createRun = (payload: object) => api.app.inject({ method: 'POST', url: '/v1/runs', headers: api.auth('ci'), payload });
  const drain = async () => {
    for (const q of queues.values()) await q.drain(true);
  };

  beforeAll(async () => {
    api = await startTestApi();
    await api.app.inject({ method: 'POST', url: '/v1/models', headers: api.auth('ci'), payload: { name: 'cls', taskKind: 'classification', owner: 'o' } });
    const bytes = await readFile(thirdPartyModels.ocrDirectionClassifier);
    for (const version of ['1.0.0', '0.9.0']) {
      expect((await api.app.inject({ method: 'POST', url: '/v1/models/cls/versions', headers: api.auth('ci'), payload: modelForm(bytes, { version }) })).statusCode).toBeLessThan(300);
    }
    const device = (localKey: string) => ({ localKey, platform: 'linux', driver: 'host', tier: 'mid', runtimes: ['onnxruntime-node'], cpu: 'x' });
    const reg = await api.app.inject({ method: 'POST', url: '/v1/agents/register', headers: api.auth('agent'), payload: { name: TEST_AGENT, devices: [device('a'), device('b')] } });
    expect(reg.statusCode).toBe(200);
    agentHeaders = { ...api.auth('agent'), [AGENT_EPOCH_HEADER]: String(reg.json().epoch) };
    deviceIds = reg.json().devices.map((d: { id: string }) => d.id);
  });
  afterAll(async () => {
    for (const q of queues.values()) {
      await q.obliterate({ force: true });
      await q.close();
    }
    await api?.close();
  });

  const base = { model: 'cls', version: '1.0.0', baseline: '0.9.0', settings: { inputShapes: { x: [1, 3, 48, 192] } } };

  it('queues a run’s jobs for each device together, latency first, candidate before baseline, each knowing its place', async () => {
    await drain();
    const res = await createRun({ ...base, devices: { ids: deviceIds }, benchmarks: ['parity', 'latency'] });
    expect(res.statusCode, res.body).toBe(201);
    const run = res.json();
    const versionOf = new Map(run.jobs.map((j: { id: string; role: string }) => [j.id, j.role]));
    for (const deviceId of deviceIds) {
      const jobs = await waiting(deviceId);
      expect(jobs.map((p) => [p.runId, p.benchmark, versionOf.get(p.jobId), p.deviceBatch])).toEqual([
        [run.id, 'latency', 'candidate', { index: 1, size: 4 }],
        [run.id, 'latency', 'baseline', { index: 2, size: 4 }],
        [run.id, 'parity', 'candidate', { index: 3, size: 4 }],
        [run.id, 'parity', 'baseline', { index: 4, size: 4 }],
      ]);
    }

    // the agent is handed them in that order through the job routes
    const handed: [string, EvaluateJobPayload['deviceBatch']][] = [];
    for (let i = 0; i < 4; i++) {
      const lease = await api.app.inject({ method: 'POST', url: '/v1/agent/jobs/next', headers: agentHeaders, payload: { devices: [deviceIds[0]], waitMs: 0 } });
      expect(lease.statusCode, lease.body).toBe(200);
      const { jobId, lockToken, payload } = lease.json();
      handed.push([payload.benchmark, payload.deviceBatch]);
      const failed = await api.app.inject({ method: 'POST', url: `/v1/agent/jobs/${jobId}/failure`, headers: agentHeaders, payload: { attempt: 1, lockToken, error: 'test: done with it', final: true } });
      expect(failed.statusCode, failed.body).toBe(200);
    }
    expect(handed.map(([b, batch]) => `${b} ${batch?.index}/${batch?.size}`)).toEqual(['latency 1/4', 'latency 2/4', 'parity 3/4', 'parity 4/4']);
  });

  it('runs created at the same instant, 6 at a time, 5 rounds: on every device each run’s jobs sit together and in order', async () => {
    for (let round = 0; round < 5; round++) {
      await drain();
      const created = await Promise.all(Array.from({ length: 6 }, () => createRun({ ...base, devices: { ids: deviceIds }, benchmarks: ['latency', 'parity'] })));
      for (const r of created) expect(r.statusCode, r.body).toBe(201);
      const runIds = new Set(created.map((r) => r.json().id as string));
      for (const deviceId of deviceIds) {
        const jobs = await waiting(deviceId);
        expect(jobs).toHaveLength(6 * 4);
        // one segment per run, indices 1..4 in order
        const segments: { runId: string; indices: number[] }[] = [];
        for (const p of jobs) {
          const last = segments.at(-1);
          if (last?.runId === p.runId) last.indices.push(p.deviceBatch?.index ?? 0);
          else segments.push({ runId: p.runId, indices: [p.deviceBatch?.index ?? 0] });
        }
        expect(segments.map((s) => s.runId).sort()).toEqual([...runIds].sort());
        for (const s of segments) expect(s.indices, `round ${round}, run ${s.runId}`).toEqual([1, 2, 3, 4]);
      }
    }
  });

  it('jobs left in the outbox are queued later as batches of their run and device', async () => {
    await drain();
    const res = await createRun({ ...base, devices: { ids: [deviceIds[1]] }, benchmarks: ['latency', 'parity'] });
    const run = res.json();
    // as if Redis had been down when the run was created: off the queue, unstamped
    await queueOf(deviceIds[1]!).drain(true);
    await api.app.db.job.updateMany({ where: { runId: run.id }, data: { enqueuedAt: null } });
    expect(await waiting(deviceIds[1]!)).toEqual([]);
    expect(await flushOutbox(api.app.db, api.app.queues, api.app.log)).toBe(4);
    expect((await waiting(deviceIds[1]!)).map((p) => [p.runId, p.benchmark, p.deviceBatch?.index, p.deviceBatch?.size])).toEqual([
      [run.id, 'latency', 1, 4],
      [run.id, 'latency', 2, 4],
      [run.id, 'parity', 3, 4],
      [run.id, 'parity', 4, 4],
    ]);
    const rows = await api.app.db.job.findMany({ where: { runId: run.id } });
    expect(rows.every((r) => r.enqueuedAt !== null)).toBe(true);
  });
});
