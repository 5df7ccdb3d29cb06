import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeatureEvaluationDetail, FeatureEvaluationList } from '@edgeproof/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFeatureEvaluation, type SeededFeature } from './feature-seed.ts';
import { startTestApi, type TestApi } from './helpers.ts';

let api: TestApi;
let dir: string;
let seeded: SeededFeature;

beforeAll(async () => {
  api = await startTestApi({}, { listen: true });
  dir = await mkdtemp(join(tmpdir(), 'ep-dash-features-'));
  seeded = await seedFeatureEvaluation(api, dir, { seconds: 30, costSamples: 1200 });
});
afterAll(async () => {
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const get = async <T>(path: string) => {
  const res = await fetch(`${api.url}${path}`, { headers: api.auth('viewer') });
  return { status: res.status, body: (await res.json()) as T, bytes: Number(res.headers.get('content-length') ?? 0) };
};

describe('GET /v1/dashboard/feature-evaluations', () => {
  it('lists the replay with its figures but without per-frame records or series', async () => {
    const { status, body } = await get<FeatureEvaluationList & { items: Array<Record<string, unknown>> }>('/v1/dashboard/feature-evaluations');
    expect(status).toBe(200);
    expect(body.items).toHaveLength(1);
    const row = body.items[0] as FeatureEvaluationList['items'][number];
    expect(row).toMatchObject({ run: seeded.runId, job: seeded.jobId, model: 'item-detector', feature: { name: 'item-finder', version: '1.0.0' }, passComplete: true });
    // the ground truth replayed as the tracks: perfect tracking
    expect(row.tracking).toMatchObject({ mota: 1, idf1: 1, idSwitches: 0, falsePositives: 0, falseNegatives: 0 });
    expect(row.delivery.latencyMs?.p50).toBeGreaterThan(20);
    expect(row.cost).toMatchObject({ temperatureRiseC: null, batteryPercentPerMinute: null, sources: { thermal: 'unavailable' } });
    expect(row.cost.cpuPercentMean).toBeCloseTo(60, 0);
    expect(JSON.stringify(body)).not.toContain('"records"');
    expect(JSON.stringify(body)).not.toContain('"series"');
  });

  it('gives one replay its latency timeline and cost series, downsampled to the points asked for', async () => {
    const { status, body } = await get<FeatureEvaluationDetail>(`/v1/dashboard/feature-evaluations/${seeded.jobId}?points=100`);
    expect(status).toBe(200);
    const t = body.latencyTimeline;
    expect(t.frames).toBe(seeded.frames);
    expect(t.points.length).toBeLessThanOrEqual(100);
    expect(t.points.reduce((s, p) => s + p.frames, 0)).toBe(seeded.frames);
    expect(t.bucketS).toBeGreaterThan(0);
    // the latency drifts upward and every 50th frame spikes by 60 ms: the max keeps the spikes
    expect(t.points.at(-1)?.medianMs).toBeGreaterThan((t.points[0]?.medianMs ?? 0) + 15);
    expect(Math.max(...t.points.map((p) => p.maxMs))).toBeGreaterThan(80);
    const c = body.costSeries;
    expect(c.samples).toBe(seeded.costSamples);
    expect(c.points.length).toBeLessThanOrEqual(100);
    expect(c.available).toEqual({ cpuPercent: true, rssMiB: true, temperatureC: false, batteryPercent: false });
    expect(c.points.every((p) => p.temperatureC === null && p.batteryPercent === null)).toBe(true);
    expect(c.points[5]?.cpuPercent).toBeCloseTo(60, 0);
    expect(c.points[0]?.rssMiB).toBeGreaterThanOrEqual(200);
  });

  it('few frames: one point per frame; unknown job 404; bad points 400 naming the field', async () => {
    const full = await get<FeatureEvaluationDetail>(`/v1/dashboard/feature-evaluations/${seeded.jobId}?points=2000`);
    expect(full.body.latencyTimeline.points).toHaveLength(seeded.frames);
    expect(full.body.latencyTimeline.bucketS).toBeNull();
    expect((await get(`/v1/dashboard/feature-evaluations/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    const bad = await get<{ error: { code: string; message: string } }>(`/v1/dashboard/feature-evaluations/${seeded.jobId}?points=3`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('points');
  });
});
