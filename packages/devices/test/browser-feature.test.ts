/**
 * Feature replay on a browser device: Appium (chromium driver) → headless Chromium whose fake camera
 * plays a generated scenario; the bundled reference and detection-only features scored against its
 * ground truth; malformed bundles fail with clear reasons and leave the device healthy.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRegistration, FeatureRunSettingsInput, FeatureSummary } from '@edgeproof/contracts';
import { buildFeatureBundles, DETECTOR_MODEL_KEY, type FeatureBuildManifest } from '@edgeproof/feature-zoo';
import { writeScenario, type GeneratedScenario } from '@edgeproof/scenes';
import { freePort, repoRoot, startAppium, type TestAppium } from '@edgeproof/testkit';
import { BrowserDriver, DriverError, findProcesses, type DriverJob, type DriverResult } from '../src/index.ts';
import { makeJob } from './support/fixtures.ts';

let appium: TestAppium;
let driver: BrowserDriver;
let device: DeviceRegistration;
let dir: string;
let builds: FeatureBuildManifest;
let scene: GeneratedScenario & { paths: Record<'manifest' | 'video' | 'groundTruth', string> };
const results = new Map<string, DriverResult>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ep-browser-feature-'));
  builds = await buildFeatureBundles(join(dir, 'builds'));
  scene = writeScenario(join(dir, 'scene'), { seed: 7, durationSeconds: 5 });
  // as in the agent's artifact cache: named by hash, no extension
  await copyFile(scene.paths.video, join(dir, 'scene', 'f00d'));
  scene.paths.video = join(dir, 'scene', 'f00d');
  await writeFile(join(dir, 'throws.js'), 'export async function init() { throw new Error("model missing"); }\nexport async function process() { return []; }\nexport function dispose() {}\n');
  await writeFile(join(dir, 'hangs.js'), 'export async function init() {}\nexport function process() { return new Promise(() => {}); }\nexport function dispose() {}\n');
  await writeFile(join(dir, 'bad-shape.js'), 'export async function init() {}\nexport async function process() { return [{ id: 1, bbox: [1, 2, 3], label: "x", score: 0.5 }]; }\nexport function dispose() {}\n');
  // a bundle that tries to make itself look fast: it stops the clock and replaces the harness
  await writeFile(
    join(dir, 'cheats.js'),
    [
      'const spin = (ms) => { const end = Date.now() + ms; while (Date.now() < end); };',
      'performance.now = () => 0;',
      'globalThis.edgeproofFeatureHarness = { ready: true, run: async () => ({ ok: true, records: [] }) };',
      'export async function init() { performance.now = () => 0; Object.defineProperty(globalThis, "performance", { value: { now: () => 0 } }); }',
      'export async function process() { spin(40); return []; }',
      'export function dispose() {}',
    ].join('\n'),
  );
  appium = await startAppium({ repoRoot, drivers: ['chromium'] });
  driver = new BrowserDriver({ endpoint: { url: appium.url }, slots: 1, chromedriverBasePort: await freePort(), profileRoot: dir });
  [device] = (await driver.discover()) as [DeviceRegistration];
}, 180_000);

afterAll(async () => {
  await driver?.dispose();
  await appium?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function featureJob(bundlePath: string, feature: FeatureRunSettingsInput = {}, timeoutSeconds = 90): DriverJob {
  const detector = join(dir, 'builds', builds.detector.file);
  return {
    ...makeJob(detector, 'feature', { timeoutSeconds, feature }),
    feature: { name: 'item-finder', version: '1', platform: 'web', path: bundlePath, sha256: '0'.repeat(64), models: { [DETECTOR_MODEL_KEY]: { path: detector, name: 'item-detector', version: '1' } } },
    scenario: { manifest: scene.manifest, videoPath: scene.paths.video, groundTruthPath: scene.paths.groundTruth },
  };
}

const summaryOf = (r: DriverResult | undefined) => r?.summary as FeatureSummary;

describe('feature replay through Appium → Chromium fake camera', () => {
  it('replays one pass of the scenario through the reference bundle, mapping every frame exactly', async () => {
    const result = await driver.run(device, featureJob(join(dir, 'builds', builds.bundles.reference.file)), new AbortController().signal);
    results.set('reference', result);
    const s = summaryOf(result);
    expect(s.kind).toBe('feature');
    expect(s.pass.complete).toBe(true);
    const indices = s.records.map((r) => r.index);
    expect(indices.every((i) => Number.isInteger(i) && i >= 0 && i < scene.manifest.frameCount)).toBe(true);
    expect(indices.every((i, k) => k === 0 || i > (indices[k - 1] as number))).toBe(true);
    expect(s.delivery.processedFrames).toBeGreaterThan(scene.manifest.frameCount / 3);
    expect(s.tracking.mota).toBeGreaterThan(0.5);
    expect(s.tracking.idf1).toBeGreaterThan(0.6);
    expect(s.records.every((r) => r.resultMs >= r.captureMs)).toBe(true);
    expect(s.delivery.latencyMs?.p50).toBeGreaterThan(0);
    expect(s.cost.series.length).toBeGreaterThanOrEqual(2);
    expect(s.cost.series.some((c) => c.cpuTimeMs !== null && c.rssBytes !== null)).toBe(true);
    // this host exposes no thermal zone or RAPL counter: unavailable, not zero
    expect(s.cost.sources.energy === 'unavailable' ? s.cost.energyJoulesPerMinute : 0).toBe(s.cost.sources.energy === 'unavailable' ? null : 0);
    expect(s.cost.batteryPercentPerMinute).toBeNull();
    expect(result.rawSamples).toHaveLength(s.records.length);
    // the feature got the camera's own I420 planes
    expect(result.environment.extra).toMatchObject({ grabMethod: 'videoframe-i420' });
  }, 120_000);

  it('scores the detection-only bundle measurably worse on IDF1 and ID switches (frames as browser-converted RGBA)', async () => {
    const result = await driver.run(device, featureJob(join(dir, 'builds', builds.bundles['detection-only'].file), { frameFormat: 'RGBA' }), new AbortController().signal);
    expect(result.environment.extra).toMatchObject({ grabMethod: 'videoframe-rgba' });
    const worse = summaryOf(result);
    const ref = summaryOf(results.get('reference'));
    expect(worse.pass.complete).toBe(true);
    expect((worse.tracking.idf1 as number) + 0.2).toBeLessThan(ref.tracking.idf1 as number);
    expect(worse.tracking.idSwitches).toBeGreaterThan(ref.tracking.idSwitches * 3 + 5);
  }, 120_000);

  const fails = async (file: string, feature: FeatureRunSettingsInput = {}) => {
    const started = performance.now();
    const err = await driver.run(device, featureJob(join(dir, file), feature), new AbortController().signal).then(
      () => null,
      (e: unknown) => e,
    );
    return { err: err as DriverError, seconds: (performance.now() - started) / 1000 };
  };

  it("runs a bundle in a realm of its own: patching the clock or the harness changes nothing it reports", async () => {
    const result = await driver.run(device, featureJob(join(dir, 'cheats.js')), new AbortController().signal);
    const s = summaryOf(result);
    expect(s.pass.complete).toBe(true);
    expect(s.records.length).toBeGreaterThan(5);
    // every frame's process() spun 40 ms by Date.now; the page's clock saw all of it
    expect(s.records.every((r) => r.resultMs - r.captureMs >= 39)).toBe(true);
    expect(s.delivery.latencyMs?.p50).toBeGreaterThanOrEqual(40);
  }, 120_000);

  it('fails a bundle whose init() throws, one that never returns and one with bad shapes, clearly and promptly', async () => {
    const throws = await fails('throws.js');
    expect(throws.err).toBeInstanceOf(DriverError);
    expect(throws.err.code).toBe('invalid_model');
    expect(throws.err.message).toMatch(/feature item-finder@1: feature init\(\) threw: Error: model missing/);

    const hangs = await fails('hangs.js', { frameTimeoutSeconds: 2 });
    expect(hangs.err.code).toBe('timeout');
    expect(hangs.err.message).toMatch(/feature process\(\) on frame \d+ did not resolve within 2s/);
    // the frame timeout plus tearing the session down, on a machine other tests load too
    expect(hangs.seconds).toBeLessThan(40);

    const bad = await fails('bad-shape.js');
    expect(bad.err.code).toBe('invalid_model');
    expect(bad.err.message).toMatch(/returned a bad result on frame \d+: at \[0\.bbox\]/);

    // healthy again: a /status answer can be slow while Appium tears the hung session down on a loaded machine
    await expect.poll(() => driver.healthCheck(device), { timeout: 20_000, interval: 1_000 }).toEqual({ ok: true });
    expect(await findProcesses([dir])).toEqual([]);
  }, 120_000);
});
