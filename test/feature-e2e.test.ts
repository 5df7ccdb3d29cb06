/**
 * Feature evaluation end to end: a generated scenario and the two bundled feature builds uploaded
 * through the API, replayed API → queue → agent → Appium (chromium driver, real server on 127.0.0.1)
 * → headless Chromium with the scenario as its fake camera; the stored results are read back with
 * `GET /v1/runs/:id`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceOut, FeatureBuildOut, FeatureSummary, RunOut, ScenarioOut } from '@edgeproof/contracts';
import { EdgeproofClient } from '@edgeproof/cli';
import { BrowserDriver, killProcesses } from '@edgeproof/devices';
import { buildFeatureBundles, type FeatureBuildManifest, type FeatureBundleName } from '@edgeproof/feature-zoo';
import { parseMotGroundTruth, writeScenario } from '@edgeproof/scenes';
import { freePort, repoRoot, startAppium, type TestAppium } from '@edgeproof/testkit';
import { startAgent, type RunningAgent } from '../apps/agent/src/agent.ts';
import { startTestApi, type TestApi } from '../apps/api/test/helpers.ts';

const SECONDS = 5;
let appium: TestAppium;
let api: TestApi;
let agent: RunningAgent;
let client: EdgeproofClient;
let dir: string;
let builds: FeatureBuildManifest;
let scenario: ScenarioOut;
let groundTruthFrames: Set<number>;
/** 0-based frame index of every ground-truth box */
let gtFrames: number[];
let browser: DeviceOut;
let detectorVersion: string;

async function upload<T>(path: string, files: Record<string, { path: string; name: string }>, fields: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [k, f] of Object.entries(files)) form.append(k, new Blob([await readFile(f.path)]), f.name);
  return client.request<T>('POST', path, { body: form });
}

async function replay(bundle: FeatureBundleName): Promise<{ run: RunOut; summary: FeatureSummary }> {
  const b = builds.bundles[bundle];
  const build = await upload<FeatureBuildOut>('/v1/features', { file: { path: b.path, name: b.file } }, {
    name: `item-finder-${bundle}`,
    version: '1.0.0',
    platform: 'web',
    models: JSON.stringify({ detector: { model: 'item-detector', version: detectorVersion } }),
  });
  expect(build.status).toBe(201);
  const created = await client.createRun({
    model: 'item-detector',
    version: detectorVersion,
    benchmarks: ['feature'],
    feature: { name: build.body.name, version: build.body.version },
    scenario: { name: scenario.name, version: scenario.version },
    devices: { ids: [browser.id] },
    settings: { timeoutSeconds: 60, feature: {} },
  });
  // generous: a retried attempt (after a camera that did not start) must still fit
  await client.waitForRun(created.id, { timeoutMs: 150_000, intervalMs: 250 });
  // read back exactly what the API stored
  const read = await client.request<RunOut>('GET', `/v1/runs/${created.id}`);
  expect(read.status).toBe(200);
  const run = read.body;
  expect(run.jobs.map((j) => [j.benchmark, j.status, j.error])).toEqual([['feature', 'succeeded', null]]);
  const summary = run.jobs[0]?.result?.summary;
  if (summary?.kind !== 'feature') throw new Error(`no feature result for ${bundle}`);
  return { run, summary: summary as FeatureSummary };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ep-feature-e2e-'));
  builds = await buildFeatureBundles(join(dir, 'builds'));
  const scene = writeScenario(join(dir, 'scene'), { seed: 7, durationSeconds: SECONDS, name: 'shelf-e2e', version: `${SECONDS}s` });
  groundTruthFrames = new Set(Array.from({ length: scene.manifest.frameCount }, (_, i) => i));
  appium = await startAppium({ repoRoot, drivers: ['chromium'] });
  api = await startTestApi({}, { listen: true });
  agent = await startAgent({
    apiUrl: api.url,
    token: await api.agentToken('feature-e2e-agent'),
    name: 'feature-e2e-agent',
    cacheDir: join(dir, 'cache'),
    drivers: [new BrowserDriver({ endpoint: { url: appium.url }, chromedriverBasePort: await freePort(), profileRoot: join(dir, 'profiles'), tier: 'low' })],
    logger: pino({ level: 'silent' }),
    shutdownGraceMs: 2_000,
  });
  client = new EdgeproofClient(api.url, api.tokens.ml_engineer);
  browser = (await client.listDevices()).find((d) => d.driver === 'browser') as DeviceOut;

  await client.ensureModel({ name: 'item-detector', taskKind: 'detection', owner: 'feature-e2e' });
  detectorVersion = '1.0.0';
  await client.uploadModelVersion('item-detector', builds.detector.path, { version: detectorVersion });
  const uploaded = await upload<ScenarioOut>('/v1/scenarios', {
    video: { path: scene.paths.video, name: 'video.y4m' },
    groundTruth: { path: scene.paths.groundTruth, name: 'gt.txt' },
    manifest: { path: scene.paths.manifest, name: 'scenario.json' },
  });
  expect(uploaded.status).toBe(201);
  scenario = uploaded.body;
  gtFrames = parseMotGroundTruth(await readFile(scene.paths.groundTruth, 'utf8'), { frameCount: scene.manifest.frameCount }).map((r) => r.frame - 1);
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await api?.close();
  await appium?.stop();
  if (dir) {
    await killProcesses([join(dir, 'profiles')]);
    await rm(dir, { recursive: true, force: true });
  }
});

describe('feature evaluation through the API, the agent and Chromium', () => {
  it('stores the tracking result of both bundles; the detection-only variant is worse on IDF1 and ID switches; every frame index is a scenario frame', async () => {
    const reference = await replay('reference');
    const worse = await replay('detection-only');

    for (const { summary } of [reference, worse]) {
      expect(summary.scenario).toMatchObject({ name: scenario.name, version: scenario.version, frameCount: scenario.frameCount });
      // the frame mapping is exact: every processed frame decodes to an index of the scenario, each at most once, in order
      const indexes = summary.records.map((r) => r.index);
      expect(indexes.length).toBeGreaterThan(scenario.frameCount * 0.5);
      expect(indexes.every((i) => groundTruthFrames.has(i))).toBe(true);
      expect(new Set(indexes).size).toBe(indexes.length);
      expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
      expect(summary.pass).toMatchObject({ firstIndex: indexes[0], lastIndex: indexes.at(-1) });
      expect(summary.tracking.frames).toBe(indexes.length);
      // scored against the ground truth of exactly those frames
      const scored = new Set(indexes);
      expect(summary.tracking.gtObjects).toBe(gtFrames.filter((f) => scored.has(f)).length);
      expect(summary.delivery.processedFrames).toBe(indexes.length);
      expect(summary.delivery.latencyMs?.p50).toBeGreaterThan(0);
    }

    const ref = reference.summary.tracking;
    const bad = worse.summary.tracking;
    expect(ref.mota).toBeGreaterThan(0.5);
    expect(ref.idf1).toBeGreaterThan(0.6);
    // measurably worse: not a rounding difference
    expect(bad.idf1 as number).toBeLessThan((ref.idf1 as number) - 0.2);
    expect(bad.idSwitches).toBeGreaterThan(ref.idSwitches + 10);
    expect(reference.run.jobs[0]?.device.id).toBe(browser.id);
  }, 320_000);
});
