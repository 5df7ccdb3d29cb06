/**
 * The browser driver against a real Appium server (chromium driver) and headless Chromium:
 * concurrent slots, wasm threads, failures mapped to DriverError, and teardown on abort/timeout.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRegistration } from '@edgeproof/contracts';
import { buildZoo, defaultZooDir, type ZooManifest } from '@edgeproof/model-zoo';
import { freePort, repoRoot, startAppium, type TestAppium } from '@edgeproof/testkit';
import { BrowserDriver, DriverError, findProcesses, type JobTimings } from '../src/index.ts';
import { makeJob } from './support/fixtures.ts';

let appium: TestAppium;
let driver: BrowserDriver;
let devices: DeviceRegistration[];
let profileRoot: string;
let base: number;
let zoo: ZooManifest;
const timings: JobTimings[] = [];
const zooFile = (f: string) => join(defaultZooDir(), f);

beforeAll(async () => {
  zoo = await buildZoo(defaultZooDir());
  appium = await startAppium({ repoRoot, drivers: ['chromium'] });
  profileRoot = await mkdtemp(join(tmpdir(), 'ep-browser-driver-'));
  base = await freePort();
  driver = new BrowserDriver({ endpoint: { url: appium.url }, slots: 2, chromedriverBasePort: base, profileRoot });
  driver.onJobTimings = (t) => timings.push(t);
  devices = await driver.discover();
}, 120_000);

afterAll(async () => {
  await driver?.dispose();
  await appium?.stop();
  if (profileRoot) await rm(profileRoot, { recursive: true, force: true });
});

const leftovers = () => findProcesses([profileRoot]);

describe('BrowserDriver', () => {
  it('discovers one device per slot, each with its own chromedriver port', async () => {
    expect(devices.map((d) => [d.localKey, d.attributes.chromedriverPort])).toEqual([
      ['browser-1', base],
      ['browser-2', base + 1],
    ]);
    expect(devices[0]).toMatchObject({ platform: 'browser', driver: 'browser', runtimes: ['onnxruntime-web/wasm', 'litert/wasm'] });
    expect(devices[0]?.attributes.browserVersion).toMatch(/^\d+\./);
    expect(await driver.healthCheck(devices[0] as DeviceRegistration)).toEqual({ ok: true });
  });

  it('runs two slots at once, one with two wasm threads in a cross-origin isolated page', async () => {
    const mlp = zooFile(zoo.files.mnistMlp.file);
    const settings = { dims: { batch: 1 }, warmupMinSeconds: 0.1, measureMinRuns: 100, measureMinSeconds: 0.3 };
    const [one, two] = await Promise.all([
      driver.run(devices[0] as DeviceRegistration, makeJob(mlp, 'latency', settings), new AbortController().signal),
      driver.run(devices[1] as DeviceRegistration, makeJob(mlp, 'latency', { ...settings, threads: 2 }), new AbortController().signal),
    ]);
    expect(one.environment.threads).toBe(1);
    expect(two.environment.threads).toBe(2);
    expect(two.environment.extra).toMatchObject({ crossOriginIsolated: true });
    expect(two.rawSamples.length).toBeGreaterThanOrEqual(100);
    expect(timings.at(-1)?.sessionOpenMs).toBeGreaterThan(0);
    expect(await leftovers()).toEqual([]);
  });

  it('a latency job with a baseline measures both in the page, interleaved, in the host driver\'s result shape', async () => {
    const settings = { dims: { batch: 1 }, warmupMinSeconds: 0.05, measureMinRuns: 40, measureMinSeconds: 0.1 };
    const slow = makeJob(zooFile(zoo.files.mnistMlpSlow.file), 'latency', settings);
    const job = { ...makeJob(zooFile(zoo.files.mnistMlp.file), 'latency', settings), baseline: { ...slow.model, version: '0.9.0' } };
    const result = await driver.run(devices[0] as DeviceRegistration, job, new AbortController().signal);
    const interleaved = result.environment.extra?.interleaved as { order: string; baseline: { version: string; sha256: string; summary: { kind: string; measure: { runs: number } }; rawSamples: number[] } };
    expect(interleaved.order).toBe('blocks of 5 runs, A B B A');
    expect(interleaved.baseline).toMatchObject({ version: '0.9.0', sha256: slow.model.sha256, summary: { kind: 'latency' } });
    expect(result.rawSamples.length).toBeGreaterThanOrEqual(40);
    expect(interleaved.baseline.rawSamples.length).toBeGreaterThanOrEqual(40);
    expect(interleaved.baseline.summary.measure.runs).toBe(interleaved.baseline.rawSamples.length);
    // the slow variant adds compute nodes: its median is clearly above the candidate's, measured side by side
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    expect(median(interleaved.baseline.rawSamples)).toBeGreaterThan(median(result.rawSamples));
    expect(await leftovers()).toEqual([]);
  });

  it('a model onnxruntime-web cannot load is invalid_model (not retryable), and the session is gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ep-bad-model-'));
    try {
      const job = makeJob(zooFile(zoo.files.mnistMlp.file), 'latency', { dims: { batch: 1 } });
      const broken = join(dir, 'broken.onnx');
      await writeFile(broken, (await readFile(job.model.path)).subarray(0, 200));
      const err = await driver.run(devices[0] as DeviceRegistration, { ...job, model: { ...job.model, path: broken } }, new AbortController().signal).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DriverError);
      expect(err).toMatchObject({ code: 'invalid_model', retryable: false });
      expect((err as Error).message).toMatch(/^in the browser: onnxruntime-web could not load the model/);
      expect(await leftovers()).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an abort during a hung inference stops the job promptly and tears the browser down', async () => {
    const controller = new AbortController();
    const before = appium.countLogLines('/execute/async');
    const running = driver.run(devices[0] as DeviceRegistration, makeJob(zooFile(zoo.files.hang.file), 'latency'), controller.signal).catch((e: unknown) => e);
    await expect.poll(() => appium.countLogLines('/execute/async'), { timeout: 30_000, interval: 50 }).toBeGreaterThan(before);
    await new Promise((r) => setTimeout(r, 300));
    const abortedAt = performance.now();
    controller.abort(new Error('test says stop'));
    const err = await running;
    expect(err).toMatchObject({ code: 'aborted', message: 'browser job aborted: test says stop' });
    // run() settles only after teardown
    expect(performance.now() - abortedAt).toBeLessThan(5_000);
    expect(await leftovers()).toEqual([]);
  });

  it('a job past settings.timeoutSeconds fails with timeout and leaves nothing running', async () => {
    const err = await driver
      .run(devices[1] as DeviceRegistration, makeJob(zooFile(zoo.files.hang.file), 'latency', { timeoutSeconds: 5 }), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'timeout', message: 'browser job timed out after 5s', retryable: true });
    expect(await leftovers()).toEqual([]);
    expect(await findProcesses(['chromedriver', `--port=${base + 1}`])).toEqual([]);
  });

  it('an unreachable endpoint: discovery still lists the slot, health says why', async () => {
    const dead = new BrowserDriver({ endpoint: { url: `http://127.0.0.1:${await freePort()}` }, profileRoot });
    try {
      const [device] = await dead.discover();
      expect(device?.attributes.probeError).toMatch(/ECONNREFUSED|connect/i);
      const health = await dead.healthCheck(device as DeviceRegistration);
      expect(health.ok).toBe(false);
      expect(health.reason).toMatch(/^WebDriver endpoint http:\/\/127\.0\.0\.1:\d+ unreachable: /);
    } finally {
      await dead.dispose();
    }
  });
});
