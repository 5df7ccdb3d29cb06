/** RunCreate.variants: other forms of the candidate, measured beside it; bad names are refused and store nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDashboard, type Seeded } from './dashboard-seed.ts';
import { startTestApi, type TestApi } from './helpers.ts';

describe('runs with variants', () => {
  let api: TestApi;
  let seeded: Seeded;
  beforeAll(async () => {
    api = await startTestApi({}, { listen: true });
    seeded = await seedDashboard(api, { devices: 2, samplesPerJob: 40 });
  });
  afterAll(async () => api?.close());

  const post = (payload: Record<string, unknown>) =>
    api.app.inject({ method: 'POST', url: '/v1/runs', headers: api.auth('ml_engineer'), payload: { model: seeded.model, version: '1.1.0', devices: { ids: [seeded.deviceIds[0]] }, benchmarks: ['latency'], settings: { dims: { batch: 1 } }, ...payload } });
  const counts = async () => (await api.app.sql.query<{ runs: number; jobs: number }>('SELECT (SELECT count(*) FROM "EvaluationRun")::int AS runs, (SELECT count(*) FROM "Job")::int AS jobs')).rows[0];

  it('refuses an unknown variant, the candidate or the baseline named again, naming the field, and stores nothing', async () => {
    const before = await counts();
    const unknown = await post({ variants: ['9.9.9'] });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'not_found', message: `variants[0]: version 9.9.9 of model ${seeded.model} does not exist` });
    const self = await post({ variants: ['1.1.0'] });
    expect(self.statusCode).toBe(422);
    expect(self.json().error.message).toBe("variants[0]: version 1.1.0 is already the run's candidate, baseline or another variant");
    const twice = await post({ baseline: '1.0.0', variants: ['1.0.0'] });
    expect(twice.statusCode).toBe(422);
    const empty = await post({ variants: [] });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toMatch(/variants/);
    expect(await counts()).toEqual(before);
  });

  it('a variant gets its own jobs with role variant, read back with its version; gates and comparisons leave it out', async () => {
    const res = await post({ model: seeded.model, version: '1.0.0', variants: ['1.1.0'], benchmarks: ['latency'] });
    expect(res.statusCode, res.body).toBe(201);
    const jobs = res.json().jobs as { role: string; modelVersion: string; benchmark: string }[];
    expect(jobs.map((j) => [j.role, j.modelVersion, j.benchmark]).sort()).toEqual([
      ['candidate', '1.0.0', 'latency'],
      ['variant', '1.1.0', 'latency'],
    ]);
    const read = await api.app.inject({ method: 'GET', url: `/v1/runs/${res.json().id}?samples=false`, headers: api.auth('viewer') });
    expect((read.json().jobs as { role: string; modelVersion: string }[]).map((j) => [j.role, j.modelVersion]).sort()).toEqual([
      ['candidate', '1.0.0'],
      ['variant', '1.1.0'],
    ]);
    const table = await api.app.inject({ method: 'GET', url: `/v1/runs/${res.json().id}/runtimes`, headers: api.auth('viewer') });
    expect(table.statusCode).toBe(200);
    expect(table.json()).toEqual({ run: res.json().id, rows: [] });
    const missing = await api.app.inject({ method: 'GET', url: '/v1/runs/00000000-0000-4000-8000-000000000000/runtimes', headers: api.auth('viewer') });
    expect(missing.statusCode).toBe(404);
  });

  it('the seeded run reads side by side: candidate and baseline per device with size, gzip size, latency and parity', async () => {
    const res = await api.app.inject({ method: 'GET', url: `/v1/runs/${seeded.runId}/runtimes`, headers: api.auth('viewer') });
    const rows = res.json().rows as { device: { id: string }; version: string; role: string; runtime: string; sizeBytes: number; latency: { p50: number } | null; parity: unknown }[];
    expect(rows.map((r) => [r.device.id, r.version, r.role, r.runtime])).toEqual(
      seeded.deviceIds.flatMap((id) => [
        [id, '1.1.0', 'candidate', 'onnxruntime-node'],
        [id, '1.0.0', 'baseline', 'onnxruntime-node'],
      ]).sort((a, b) => seeded.deviceIds.indexOf(a[0]!) - seeded.deviceIds.indexOf(b[0]!)),
    );
    for (const r of rows) {
      expect(r.sizeBytes).toBeGreaterThan(0);
      expect(r.latency?.p50).toBeGreaterThan(0);
    }
  });
});
