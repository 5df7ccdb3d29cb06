import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DashDevices, LatencyDistributions, VersionComparison, VersionPage } from '@edgeproof/contracts';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webPlugin from '../src/plugins/web.ts';
import { hourlyUtilisation } from '../src/services/dashboard/devices.ts';
import { seedDashboard, type Seeded } from './dashboard-seed.ts';
import { startTestApi, type TestApi } from './helpers.ts';

describe('dashboard views', () => {
  let api: TestApi;
  let seeded: Seeded;
  const base = '/v1/dashboard/models/mnist-mlp/versions/1.1.0';
  const get = async <T>(url: string, role: 'viewer' | 'admin' = 'viewer') => {
    const res = await api.app.inject({ url, headers: api.auth(role) });
    return { status: res.statusCode, body: res.json() as T, bytes: res.rawPayload.length };
  };

  beforeAll(async () => {
    api = await startTestApi({}, { listen: true });
    seeded = await seedDashboard(api, { devices: 4, samplesPerJob: 2000, withAccuracy: true });
  });
  afterAll(async () => api?.close());

  it('needs a token and lets a viewer read', async () => {
    expect((await api.app.inject({ url: '/v1/dashboard/models' })).statusCode).toBe(401);
    const models = await get<{ items: { name: string; latestVersion: string; approvals: unknown[] }[] }>('/v1/dashboard/models');
    expect(models.status).toBe(200);
    expect(models.body.items).toEqual([expect.objectContaining({ name: 'mnist-mlp', latestVersion: '1.1.0', approvals: [] })]);
  });

  it('ships quantiles and shared-edge bins that account for every sample, not the samples', async () => {
    const { body, bytes } = await get<LatencyDistributions>(`${base}/latency-distributions?bins=30`);
    expect(body.run).toBe(seeded.runId);
    expect(body.edges).toHaveLength(31);
    expect(body.items).toHaveLength(8);
    for (const item of body.items) {
      expect(item.counts).toHaveLength(30);
      expect(item.counts.reduce((s, c) => s + c, 0) + item.below + item.above).toBe(2000);
      expect(item.quantiles.p25).toBeLessThanOrEqual(item.quantiles.p50);
    }
    expect(JSON.stringify(body)).not.toContain('rawSamples');
    // 8 results × 2000 samples would be > 250 kB as JSON; the summary is a few kB
    expect(bytes).toBeLessThan(20_000);
    const page = await get<VersionPage>(base);
    const first = page.body.devices[0];
    const dist = body.items.find((i) => i.device.id === first?.device.id && i.role === 'candidate');
    expect(dist?.quantiles.p50).toBeCloseTo(first?.candidate.latency?.p50 ?? Number.NaN, 9);
    expect(page.body.devices.map((d) => d.device.tier)).toEqual(['low', 'low', 'mid', 'high']);
    expect(first?.candidate.accuracy?.top1).toBe(0.9);
    expect(first?.baseline?.accuracy?.top1).toBe(0.89);
  });

  it('compares candidate and baseline with a bootstrap interval around the observed change', async () => {
    const { body } = await get<VersionComparison>(`${base}/comparison`);
    expect(body.baseline).toBe('1.0.0');
    expect(body.devices).toHaveLength(4);
    for (const d of body.devices) {
      const p50 = d.metrics.find((m) => m.metric === 'latency.p50');
      expect(p50?.ci).not.toBeNull();
      // the seed makes every candidate 8% slower
      expect(p50?.ci?.lower).toBeLessThan(p50?.relative ?? 0);
      expect(p50?.ci?.upper).toBeGreaterThan(p50?.relative ?? 0);
      expect(p50?.ci?.lower).toBeGreaterThan(0);
      expect(p50?.relative).toBeGreaterThan(0.03);
      expect(p50?.relative).toBeLessThan(0.13);
    }
    // the same interval on every request
    expect((await get<VersionComparison>(`${base}/comparison`)).body).toEqual(body);
    expect(body.model.find((m) => m.metric === 'model.size')?.delta).toBeGreaterThan(0);
  });

  it('rejects unknown versions and runs of other versions with 404', async () => {
    expect((await get('/v1/dashboard/models/mnist-mlp/versions/9.9.9')).status).toBe(404);
    expect((await get(`/v1/dashboard/models/mnist-mlp/versions/1.0.0?run=${seeded.runId}`)).status).toBe(404);
    expect((await get(`${base}/latency-distributions?bins=1`)).status).toBe(400);
  });

  it('lists devices with temperature, battery and a day of hourly utilisation', async () => {
    const { body } = await get<DashDevices>('/v1/dashboard/devices');
    expect(body.items).toHaveLength(4);
    for (const d of body.items) {
      expect(d.utilisation.hourly).toHaveLength(24);
      expect(d.temperatureC).toBeGreaterThanOrEqual(38);
      expect(d.battery).toBeGreaterThan(0);
    }
  });

  it('shows run progress per job without samples', async () => {
    const { body } = await get<{ run: { progress: { total: number; succeeded: number } }; jobs: { headline: unknown }[] }>(`/v1/dashboard/runs/${seeded.runId}`);
    expect(body.run.progress.total).toBe(24);
    expect(body.run.progress.succeeded).toBe(24);
    expect(body.jobs.every((j) => j.headline !== null)).toBe(true);
  });
});

describe('hourly utilisation', () => {
  const H = 3_600_000;
  it('splits busy intervals over the hours of the window and clips to it', () => {
    const end = 100 * H;
    const hours = hourlyUtilisation([{ start: end - 1.5 * H, end: end - 0.5 * H }, { start: end - 30 * H, end: end - 23.75 * H }], end);
    expect(hours).toHaveLength(24);
    expect(hours[23]).toBeCloseTo(0.5);
    expect(hours[22]).toBeCloseTo(0.5);
    expect(hours[0]).toBeCloseTo(0.25);
    expect(hours.slice(1, 22).every((h) => h === 0)).toBe(true);
  });
});

describe('web plugin', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'edgeproof-web-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<html>spa</html>');
    await writeFile(join(root, 'assets', 'app-abc.js'), 'console.log(1)');
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('serves files, falls back to index.html for page routes and leaves API paths alone', async () => {
    const app = Fastify();
    await app.register(webPlugin, { root });
    const asset = await app.inject('/assets/app-abc.js');
    expect(asset.body).toBe('console.log(1)');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject('/models/x/versions/1')).body).toBe('<html>spa</html>');
    expect((await app.inject('/')).body).toBe('<html>spa</html>');
    expect((await app.inject('/..%2f..%2fetc%2fpasswd')).body).toBe('<html>spa</html>');
    expect((await app.inject('/v1/nothing')).statusCode).toBe(404);
    expect((await app.inject('/docs/nothing')).statusCode).toBe(404);
    await app.close();
  });

  it('does nothing when the dashboard is not built', async () => {
    const app = Fastify();
    await app.register(webPlugin, { root: join(root, 'missing') });
    expect((await app.inject('/')).statusCode).toBe(404);
    await app.close();
  });
});
