/**
 * The dashboard and CLI reads built in SQL (services/reads) give exactly what the Prisma mappers
 * give: runs with and without raw samples, run pages with their cursors, devices with each filter,
 * models with their latest version.
 */
import { RunOut, RunOutWithoutSamples } from '@edgeproof/contracts';
import { EdgeproofClient } from '@edgeproof/client';
import { toDeviceOut, toRunOut, toRunSummaryOut } from '@edgeproof/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageArgs, toPage } from '../src/services/pagination.ts';
import { Coalescer } from '../src/services/reads/coalesce.ts';
import { loadRun, runSummaryInclude } from '../src/services/runs.ts';
import { seedDashboard, type Seeded } from './dashboard-seed.ts';
import { startTestApi, type TestApi } from './helpers.ts';

/** what the route gave before: the Prisma row through the mapper and the response schema */
const expectedRun = async (api: TestApi, id: string) => JSON.parse(JSON.stringify(RunOut.parse(toRunOut((await loadRun(api.app.db, id))!))));

/** a run as `samples=false` should answer it: no raw samples anywhere */
function withoutSamples(run: RunOut) {
  return {
    ...run,
    jobs: run.jobs.map((j) => {
      if (!j.result) return j;
      const { rawSamples: _samples, ...result } = j.result;
      const env = result.environment as typeof result.environment & { interleaved?: { baseline: Record<string, unknown> }; runtimes?: Record<string, unknown>[] };
      if (!env.interleaved && !env.runtimes) return { ...j, result };
      const { rawSamples: _baseline, ...baseline } = env.interleaved?.baseline ?? {};
      const runtimes = env.runtimes?.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'rawSamples')));
      return { ...j, result: { ...result, environment: { ...env, ...(env.interleaved ? { interleaved: { ...env.interleaved, baseline } } : {}), ...(runtimes ? { runtimes } : {}) } } };
    }),
  };
}

describe('run, run list, device and model reads', () => {
  let api: TestApi;
  let seeded: Seeded;
  let queuedRunId = '';
  const get = (url: string) => api.app.inject({ method: 'GET', url, headers: api.auth('viewer') });

  beforeAll(async () => {
    api = await startTestApi({}, { listen: true });
    seeded = await seedDashboard(api, { devices: 2, samplesPerJob: 40, withAccuracy: true });
    // raw samples inside environments, as interleaved and multi-runtime browser jobs report them
    const job = seeded.jobs.find((j) => j.benchmark === 'latency')!;
    // the typed fields (ResultEnvironment.interleaved / runtimes), with the job's own summary and environment in them
    await api.app.sql.query(
      `UPDATE "Result" SET environment = environment || jsonb_build_object(
         'interleaved', jsonb_build_object('order', 'abab', 'baseline', jsonb_build_object('version', '1.0.0', 'sha256', 'ab', 'summary', summary, 'rawSamples', $2::jsonb)),
         'runtimes', jsonb_build_array(jsonb_build_object('runtime', 'litert/wasm', 'summary', summary, 'rawSamples', $3::jsonb, 'environment', environment)))
       WHERE "jobId" = $1::uuid`,
      [job.id, JSON.stringify([1.5, 2.25, 1e-7]), JSON.stringify([3, 4])],
    );
    const queued = await api.app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: api.auth('ml_engineer'),
      payload: { model: seeded.model, version: '1.1.0', devices: { ids: [seeded.deviceIds[0]] }, benchmarks: ['latency'], settings: { dims: { batch: 1 }, threads: 2 } },
    });
    expect(queued.statusCode, queued.body).toBe(201);
    queuedRunId = queued.json().id;
  });
  afterAll(async () => api?.close());

  it('GET /v1/runs/:id streams what the Prisma mapping gave, raw samples included', async () => {
    for (const id of [seeded.runId, queuedRunId]) {
      const res = await get(`/v1/runs/${id}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(RunOut.safeParse(res.json()).success).toBe(true);
      expect(res.json()).toEqual(await expectedRun(api, id));
    }
    const full = (await get(`/v1/runs/${seeded.runId}`)).json() as RunOut;
    expect(full.jobs.filter((j) => j.result?.rawSamples?.length === 40)).toHaveLength(4);
    expect(full.dataset).toEqual({ name: 'mnist-test', version: '1' });
  });

  it('?samples=false leaves every raw sample out, the rest unchanged', async () => {
    const full = await get(`/v1/runs/${seeded.runId}`);
    const lean = await get(`/v1/runs/${seeded.runId}?samples=false`);
    expect(lean.statusCode).toBe(200);
    expect(lean.body).not.toContain('rawSamples');
    expect(lean.json()).toEqual(withoutSamples(await expectedRun(api, seeded.runId)));
    expect(RunOutWithoutSamples.safeParse(lean.json()).success).toBe(true);
    const withExtra = seeded.jobs.find((j) => j.benchmark === 'latency')!.id;
    const leanEnv = lean.json().jobs.find((j: { id: string }) => j.id === withExtra).result.environment;
    expect(leanEnv.interleaved).toMatchObject({ order: 'abab', baseline: { version: '1.0.0', summary: { kind: 'latency' } } });
    expect(leanEnv.interleaved.baseline.rawSamples).toBeUndefined();
    expect(leanEnv.runtimes).toEqual([expect.objectContaining({ runtime: 'litert/wasm', summary: expect.objectContaining({ kind: 'latency' }) })]);
    expect(leanEnv.runtimes[0].rawSamples).toBeUndefined();
    const sampleBytes = (full.json() as RunOut).jobs.reduce((sum, j) => sum + JSON.stringify(j.result?.rawSamples ?? []).length, 0);
    expect(full.rawPayload.length - lean.rawPayload.length).toBeGreaterThan(sampleBytes);
    expect((await get(`/v1/runs/${seeded.runId}?samples=true`)).body).toBe(full.body);
    expect((await get(`/v1/runs/${seeded.runId}?samples=no`)).statusCode).toBe(400);
    const missing = await get('/v1/runs/00000000-0000-4000-8000-000000000000?samples=false');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');

    // the client's option
    const client = new EdgeproofClient(api.url, api.tokens.viewer);
    const read = await client.getRun(seeded.runId, { samples: false });
    expect(JSON.stringify(read)).not.toContain('rawSamples');
    expect(read.jobs.some((j) => j.result?.summary.kind === 'latency')).toBe(true);
    expect((await client.getRun(seeded.runId)).jobs.some((j) => (j.result?.rawSamples.length ?? 0) === 40)).toBe(true);
    expect((await client.waitForRun(seeded.runId, { timeoutMs: 5_000 })).jobs.some((j) => (j.result?.rawSamples.length ?? 0) === 40)).toBe(true);
  });

  it('GET /v1/runs pages exactly as the Prisma query did, with and without the model filter', async () => {
    const prismaPage = async (q: { model?: string; limit: number; cursor?: string }) => {
      const rows = await api.app.db.evaluationRun.findMany({ where: q.model ? { modelVersion: { model: { name: q.model } } } : {}, include: runSummaryInclude, ...pageArgs(q) });
      return JSON.parse(JSON.stringify(toPage(rows, q.limit, toRunSummaryOut)));
    };
    for (const model of [seeded.model, undefined]) {
      const all = await get(`/v1/runs${model ? `?model=${model}` : ''}`);
      expect(all.json()).toEqual(await prismaPage({ ...(model ? { model } : {}), limit: 50 }));
      expect(all.json().items).toHaveLength(2);
      let cursor: string | undefined;
      const seen: string[] = [];
      do {
        const page = await get(`/v1/runs?limit=1${model ? `&model=${model}` : ''}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.json()).toEqual(await prismaPage({ ...(model ? { model } : {}), limit: 1, ...(cursor ? { cursor } : {}) }));
        seen.push(...page.json().items.map((r: { id: string }) => r.id));
        cursor = page.json().nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual([queuedRunId, seeded.runId]);
    }
    expect((await get('/v1/runs?model=nothing-here')).json()).toEqual({ items: [], nextCursor: null });
    expect((await get(`/v1/runs?cursor=00000000-0000-4000-8000-000000000000`)).json()).toEqual(await prismaPage({ limit: 50, cursor: '00000000-0000-4000-8000-000000000000' }));
    const queued = (await get(`/v1/runs?model=${seeded.model}`)).json().items[0];
    expect(queued).toMatchObject({ id: queuedRunId, progress: { total: 1, queued: 1 }, settings: { threads: 2, measureMinRuns: 50 } });
  });

  it('GET /v1/devices answers what toDeviceOut gave, for every filter', async () => {
    const prismaDevices = async (where: object) =>
      JSON.parse(JSON.stringify((await api.app.db.device.findMany({ where, include: { agent: true }, orderBy: [{ tier: 'asc' }, { platform: 'asc' }, { localKey: 'asc' }] })).map(toDeviceOut)));
    await api.app.sql.query(`UPDATE "Device" SET status = 'quarantined', "statusReason" = 'test', "currentJobId" = gen_random_uuid() WHERE id = $1::uuid`, [seeded.deviceIds[1]]);
    const cases: Array<[string, object]> = [['', {}], ['?platform=android', { platform: 'android' }], ['?tier=mid', { tier: 'mid' }], ['?status=quarantined', { status: 'quarantined' }], ['?platform=ios&tier=low', { platform: 'ios', tier: 'low' }]];
    for (const [query, where] of cases) {
      const res = await get(`/v1/devices${query}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().items, query).toEqual(await prismaDevices(where));
    }
    expect((await get('/v1/devices')).json().items).toHaveLength(2);
    expect((await get('/v1/devices?status=quarantined')).json().items).toHaveLength(1);
  });

  it('identical device lists asked for at once share queries, yet never answer with data older than the request', async () => {
    const url = '/v1/devices?status=quarantined';
    let stop = false;
    // other dashboards polling the same list all along
    const pollers = Array.from({ length: 8 }, async () => {
      while (!stop) await get(url);
    });
    try {
      for (let i = 0; i < 15; i++) {
        const quarantined = i % 2 === 0;
        await api.app.sql.query(`UPDATE "Device" SET status = $2::"DeviceStatus" WHERE id = $1::uuid`, [seeded.deviceIds[0], quarantined ? 'quarantined' : 'idle']);
        const items = (await get(url)).json().items as { id: string }[];
        expect(items.some((d) => d.id === seeded.deviceIds[0]), `round ${i}`).toBe(quarantined);
      }
    } finally {
      stop = true;
      await Promise.all(pollers);
    }
    await api.app.sql.query(`UPDATE "Device" SET status = 'idle' WHERE id = $1::uuid`, [seeded.deviceIds[0]]);
  });

  it('GET /v1/models gives each model its newest version', async () => {
    await api.app.inject({ method: 'POST', url: '/v1/models', headers: api.auth('ml_engineer'), payload: { name: 'empty-model', taskKind: 'classification', owner: 'team' } });
    const items = (await get('/v1/models')).json().items as { name: string; latestVersion: string | null }[];
    expect(items.map((m) => [m.name, m.latestVersion])).toEqual([['empty-model', null], [seeded.model, '1.1.0']]);
  });

  it('a run of many samples is streamed in chunks, and still reads as the Prisma mapping gave', async () => {
    const job = seeded.jobs.find((j) => j.benchmark === 'latency' && j.role === 'baseline')!;
    await api.app.sql.query(`UPDATE "Result" SET "rawSamples" = ARRAY(SELECT (i % 97) * 0.0137 + 1e-9 * i FROM generate_series(1, 60000) AS i) WHERE "jobId" = $1::uuid`, [job.id]);
    const res = await get(`/v1/runs/${seeded.runId}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.rawPayload.length).toBeGreaterThan(500_000);
    expect(res.json()).toEqual(await expectedRun(api, seeded.runId));
    const lean = await get(`/v1/runs/${seeded.runId}?samples=false`);
    expect(lean.headers['content-length']).toBe(String(lean.rawPayload.length));
    expect(lean.json()).toEqual(withoutSamples(await expectedRun(api, seeded.runId)));
  });
});

describe('Coalescer', () => {
  it('runs one query per key at a time; who arrives during it waits for the next one, shared', async () => {
    const coalescer = new Coalescer<number>();
    const gates: Array<(v: number) => void> = [];
    let started = 0;
    const query = () => new Promise<number>((resolve) => {
      started++;
      gates.push(resolve);
    });
    const first = coalescer.run('k', query);
    const second = coalescer.run('k', query);
    const third = coalescer.run('k', query);
    const other = coalescer.run('other', query);
    expect(started).toBe(2);
    gates[0]?.(1);
    expect(await first).toBe(1);
    await new Promise((r) => setImmediate(r));
    // the second query started only after the first ended, for both who arrived during it
    expect(started).toBe(3);
    gates[2]?.(2);
    expect(await second).toBe(2);
    expect(await third).toBe(2);
    gates[1]?.(9);
    expect(await other).toBe(9);
    const failing = coalescer.run('k', () => Promise.reject(new Error('database down')));
    await expect(failing).rejects.toThrow('database down');
    expect(await coalescer.run('k', async () => 3)).toBe(3);
  });
});
