/**
 * The Android driver's web-harness path at the driver boundary. No phone can run here, so two things
 * stand in: `adb` is a script that records its arguments, and the phone's Chrome is the host's
 * Chromium behind a real Appium server (chromium driver; the endpoint's capabilities override the
 * UiAutomator2 ones). Everything between — harness server, adb reverse, session, the browser driver's
 * harness job code, the page — is the real code path.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRegistration } from '@edgeproof/contracts';
import { buildZoo, defaultZooDir, type ZooManifest } from '@edgeproof/model-zoo';
import { freePort, repoRoot, startAppium, type TestAppium } from '@edgeproof/testkit';
import { AndroidDriver, chromeCapabilities, DriverError, findProcesses, killProcesses } from '../src/index.ts';
import { androidCapabilities } from '../src/android/appium-session.ts';
import { makeJob } from './support/fixtures.ts';
import { makeTfliteJob } from './support/tflite-models.ts';

const SERIAL = 'R58M12ABCDE';
let appium: TestAppium;
let dir: string;
let adbLog: string;
let driver: AndroidDriver;
let zoo: ZooManifest;

const phone: DeviceRegistration = {
  localKey: `android:${SERIAL}`,
  platform: 'android',
  driver: 'android',
  tier: 'low',
  tags: [],
  runtimes: ['onnxruntime-web/wasm', 'litert/wasm'],
  attributes: { serial: SERIAL, harness: 'web' },
};

beforeAll(async () => {
  zoo = await buildZoo(defaultZooDir());
  appium = await startAppium({ repoRoot, drivers: ['chromium'] });
  dir = await mkdtemp(join(tmpdir(), 'ep-android-web-'));
  adbLog = join(dir, 'adb.log');
  const adb = join(dir, 'adb');
  await writeFile(adb, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${adbLog}'\n`);
  await chmod(adb, 0o755);
  driver = new AndroidDriver({
    adb: { adbPath: adb },
    appium: {
      url: appium.url,
      // the stand-in phone: desktop Chromium through Appium's chromium driver
      capabilities: {
        platformName: 'linux',
        browserName: 'chrome',
        'appium:automationName': 'Chromium',
        'appium:executable': '/usr/bin/chromedriver',
        'appium:autodownloadEnabled': false,
        'appium:chromedriverPort': await freePort(),
        'goog:chromeOptions': { binary: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`] },
        'wdio:enforceWebDriverClassic': true,
      },
    },
    discoverAttached: false,
    telemetryIntervalMs: 200,
  });
}, 120_000);

afterAll(async () => {
  await driver?.dispose();
  await appium?.stop();
  if (dir) {
    await killProcesses([dir]);
    await rm(dir, { recursive: true, force: true });
  }
});

describe('AndroidDriver, web harness in Chrome on the phone', () => {
  it('asks UiAutomator2 for Chrome on the phone by serial, with the configured chromedriver', () => {
    const caps = androidCapabilities({ url: 'http://127.0.0.1:4723' }, { serial: SERIAL, browserName: 'Chrome', capabilities: chromeCapabilities({ chromedriverExecutable: '/opt/chromedriver-131' }) });
    expect(caps).toEqual({
      platformName: 'Android',
      'appium:automationName': 'UiAutomator2',
      'appium:udid': SERIAL,
      'appium:noReset': true,
      'appium:newCommandTimeout': 300,
      browserName: 'Chrome',
      'appium:chromedriverExecutable': '/opt/chromedriver-131',
    });
  });

  it('reverses the harness port onto the phone, runs the job through the shared harness runner, and removes the reverse', async () => {
    const job = makeJob(join(defaultZooDir(), zoo.files.mnistMlp.file), 'latency', { dims: { batch: 1 }, warmupMinSeconds: 0.05, measureMinRuns: 30, measureMinSeconds: 0.1 });
    const result = await driver.run(phone, job, new AbortController().signal);
    const port = new URL((await driver.harnessServer()).url).port;

    const calls = (await readFile(adbLog, 'utf8')).trim().split('\n');
    expect(calls[0]).toBe(`-s ${SERIAL} reverse tcp:${port} tcp:${port}`);
    expect(calls.at(-1)).toBe(`-s ${SERIAL} reverse --remove tcp:${port}`);
    // telemetry was read through the host's adb during the job
    expect(calls).toContain(`-s ${SERIAL} shell dumpsys battery`);

    expect(result.summary.kind).toBe('latency');
    expect(result.rawSamples.length).toBeGreaterThanOrEqual(30);
    expect(result.environment).toMatchObject({ runtime: 'onnxruntime-web', executionProvider: 'wasm', thermalState: 'unavailable' });
    expect(result.environment.extra).toMatchObject({ harness: 'web', serial: SERIAL, browser: expect.stringMatching(/^chrome \(Android\) \d+\./) });
    expect((result.environment.extra?.telemetry as { samples: number }).samples).toBeGreaterThan(0);
    // the phone's load was asked for through the host's adb too (Chrome's processes as the measurement); the stand-in
    // adb answers nothing, which the result records instead of a reading
    expect(calls.some((c) => c.startsWith(`-s ${SERIAL} shell sh -c 'echo @@stat;`) && c.includes('com\\.android\\.chrome:'))).toBe(true);
    expect(result.environment.hostLoad).toBeUndefined();
    expect(result.environment.extra?.['phoneLoad']).toMatchObject({ unavailable: 'the answer has no @@end line (cut short?): the answer was empty', loadavgBefore: null });
    const t = result.environment.timing!;
    expect(t.method).toMatch(/as the page timed them/);
    expect(t.measuredMs).toBeGreaterThan(0);
    expect(t.setupMs + t.warmupMs + t.measuredMs + t.teardownMs).toBeCloseTo(t.totalMs, 0);
    expect(await findProcesses([join(dir, 'profile')])).toEqual([]);
  });

  it('runs a TFLite model with LiteRT.js in the same page, as a phone without benchmark_model does', async () => {
    const job = makeTfliteJob(join(defaultZooDir(), zoo.files.mnistMlpTflite.file), 'latency', { warmupMinSeconds: 0.05, measureMinRuns: 30, measureMinSeconds: 0.1 });
    const result = await driver.run(phone, job, new AbortController().signal);
    expect(result.summary.kind).toBe('latency');
    expect(result.rawSamples.length).toBeGreaterThanOrEqual(30);
    expect(result.environment).toMatchObject({ runtime: 'litert', executionProvider: 'wasm' });
    expect(result.environment.extra).toMatchObject({ harness: 'web', serial: SERIAL });
  });

  it('refuses feature replays, and the web harness without the host adb, as unsupported', async () => {
    const job = makeJob(join(defaultZooDir(), zoo.files.mnistMlp.file), 'feature');
    expect(await driver.run(phone, job, new AbortController().signal).catch((e: unknown) => e)).toMatchObject({ code: 'unsupported', message: expect.stringMatching(/feature replays/) });
    const noAdb = new AndroidDriver({ adb: false, appium: { url: appium.url }, discoverAttached: false });
    const err = await noAdb.run(phone, { ...job, benchmark: 'latency' }, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err).toMatchObject({ code: 'unsupported', message: expect.stringMatching(/adb reverse/) });
    await noAdb.dispose();
  });
});
