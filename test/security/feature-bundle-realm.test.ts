/**
 * A feature bundle cannot fake its own numbers: hostile bundles that stop or slow down the clock
 * (`performance.now`, `Date.now`), rewrite whatever the harness might record or report with, post
 * forged results, or spin forever, replayed through the real path (Appium → headless Chromium whose
 * fake camera plays a generated scenario, the feature harness page running the bundle in its own
 * worker realm). The delivery latencies the harness reports for them must be the honest bundle's,
 * within noise.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRegistration, FeatureRunSettingsInput, FeatureSummary } from '@edgeproof/contracts';
import { BrowserDriver, DriverError, type DriverJob } from '@edgeproof/devices';
import { buildFeatureBundles, DETECTOR_MODEL_KEY, type FeatureBuildManifest } from '@edgeproof/feature-zoo';
import { writeScenario, type GeneratedScenario } from '@edgeproof/scenes';
import { freePort, repoRoot, startAppium, type TestAppium } from '@edgeproof/testkit';
import { makeJob } from '../../packages/devices/test/support/fixtures.ts';

/** Tries everything a bundle can reach to make its latency look better; prepended to the honest reference bundle. */
const REACH = `
const g = globalThis;
// the harness's own objects, where a bundle in the page realm would find them
const harness = g.edgeproofFeatureHarness;
if (harness && typeof harness === 'object') { harness.ready = true; harness.run = async () => ({ ok: true, records: [] }); }
// the recorder: every record pushed anywhere gets its result time set to its capture time
const push = Array.prototype.push;
Array.prototype.push = function (...items) {
  for (const it of items) if (it && typeof it === 'object' && 'resultMs' in it && 'captureMs' in it) it.resultMs = it.captureMs;
  return push.apply(this, items);
};
// the report: whatever the bundle's realm sends out claims zero time
if (typeof g.postMessage === 'function') {
  const post = g.postMessage.bind(g);
  g.postMessage = (m, ...rest) => {
    if (m && typeof m === 'object') Object.assign(m, { processMs: 0, captureMs: 0, resultMs: 0, latencyMs: 0 });
    return post(m, ...rest);
  };
}
try { new BroadcastChannel('edgeproof').postMessage({ resultMs: 0 }); } catch {}
`;

const FROZEN_CLOCK = `${REACH}
performance.now = () => 1000;
Date.now = () => 1700000000000;
`;

const SLOW_CLOCK = `${REACH}
const realNow = performance.now.bind(performance);
const realDate = Date.now;
const base = realNow();
const baseDate = realDate();
performance.now = () => base + (realNow() - base) / 100;
Date.now = () => baseDate + Math.floor((realDate() - baseDate) / 100);
`;

/** posts results of its own, for frames it was never given, before answering the real one */
const FORGES = `
let n = 0;
export async function init() {}
export async function process(frame) {
  n++;
  globalThis.postMessage({ kind: 'ok', token: String(n), id: n, tracks: [], processMs: 0 });
  return [];
}
export function dispose() {}
`;

/** never yields: in the page realm this would freeze the harness's own timers */
const SPINS = `
export async function init() {}
export function process() { for (;;) {} }
export function dispose() {}
`;

let appium: TestAppium;
let driver: BrowserDriver;
let device: DeviceRegistration;
let dir: string;
let builds: FeatureBuildManifest;
let scene: GeneratedScenario & { paths: Record<'manifest' | 'video' | 'groundTruth', string> };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ep-feature-realm-'));
  builds = await buildFeatureBundles(join(dir, 'builds'));
  scene = writeScenario(join(dir, 'scene'), { seed: 7, durationSeconds: 5 });
  const reference = await readFile(join(dir, 'builds', builds.bundles.reference.file), 'utf8');
  await writeFile(join(dir, 'frozen-clock.js'), `${FROZEN_CLOCK}\n${reference}`);
  await writeFile(join(dir, 'slow-clock.js'), `${SLOW_CLOCK}\n${reference}`);
  await writeFile(join(dir, 'forges.js'), FORGES);
  await writeFile(join(dir, 'spins.js'), SPINS);
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

async function replay(file: string): Promise<FeatureSummary> {
  const result = await driver.run(device, featureJob(file), new AbortController().signal);
  const s = result.summary as FeatureSummary;
  expect(s.pass.complete).toBe(true);
  expect(s.records.every((r) => r.resultMs > r.captureMs)).toBe(true);
  return s;
}

const p50 = (s: FeatureSummary) => s.delivery.latencyMs?.p50 as number;

describe('a feature bundle runs in a realm apart from the harness clock and recorder', () => {
  it('reports the same delivery latency for bundles that stop or slow down time as for the honest one', async () => {
    const honestBefore = await replay(join(dir, 'builds', builds.bundles.reference.file));
    const frozen = await replay(join(dir, 'frozen-clock.js'));
    const slow = await replay(join(dir, 'slow-clock.js'));
    const honestAfter = await replay(join(dir, 'builds', builds.bundles.reference.file));

    const honest = [p50(honestBefore), p50(honestAfter)];
    // the attacks aim at ~0 ms (frozen clock, rewritten records) and 1/100 of the time (slow clock)
    for (const hostile of [frozen, slow]) {
      expect(p50(hostile)).toBeGreaterThan(Math.min(...honest) / 2);
      expect(p50(hostile)).toBeLessThan(Math.max(...honest) * 2);
      // measured per frame, not one made-up constant
      expect(new Set(hostile.records.map((r) => r.resultMs - r.captureMs)).size).toBeGreaterThan(10);
      // still the reference tracker's answers: its tracks were not tampered with on the way
      expect(hostile.tracking.mota).toBeGreaterThan(0.5);
      expect(hostile.delivery.processedFrames).toBeGreaterThan(scene.manifest.frameCount / 3);
    }
  }, 240_000);

  it('fails a bundle that posts results it was not asked for, and cuts off one that never yields at the frame timeout', async () => {
    const fails = async (file: string, feature: FeatureRunSettingsInput = {}) => {
      const started = performance.now();
      const err = await driver.run(device, featureJob(join(dir, file), feature, 40), new AbortController().signal).then(
        () => null,
        (e: unknown) => e,
      );
      return { err: err as DriverError, seconds: (performance.now() - started) / 1000 };
    };
    const forged = await fails('forges.js');
    expect(forged.err).toBeInstanceOf(DriverError);
    expect(forged.err.code).toBe('invalid_model');
    expect(forged.err.message).toMatch(/posted a message the harness did not ask for/);

    const spins = await fails('spins.js', { frameTimeoutSeconds: 2 });
    expect(spins.err).toBeInstanceOf(DriverError);
    expect(spins.err.code).toBe('timeout');
    expect(spins.err.message).toMatch(/feature process\(\) on frame \d+ did not resolve within 2s/);
    expect(spins.seconds).toBeLessThan(25);
    await expect.poll(() => driver.healthCheck(device), { timeout: 20_000, interval: 1_000 }).toEqual({ ok: true });
  }, 180_000);
});
