/**
 * Browser slots against a real Appium (chromium driver) and headless Chromium: a run that allows it
 * keeps the WebDriver session and gives each job a fresh tab; any other job gets a new session as
 * before. Every result records its device time, and the host load with the session's browser
 * processes counted as the measurement.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRegistration } from '@edgeproof/contracts';
import { buildZoo, defaultZooDir, type ZooManifest } from '@edgeproof/model-zoo';
import { freePort, repoRoot, startAppium, type TestAppium } from '@edgeproof/testkit';
import { BrowserDriver, findProcesses, type DriverResult } from '../src/index.ts';
import { DEFAULT_CONTENTION_THRESHOLDS } from '../src/load/contention.ts';
import { makeJob } from './support/fixtures.ts';

let appium: TestAppium;
let driver: BrowserDriver;
let device: DeviceRegistration;
let profileRoot: string;
let zoo: ZooManifest;

beforeAll(async () => {
  zoo = await buildZoo(defaultZooDir());
  appium = await startAppium({ repoRoot, drivers: ['chromium'] });
  profileRoot = await mkdtemp(join(tmpdir(), 'ep-browser-reuse-'));
  // the default thresholds, whatever the suite's environment says (vitest.config.ts turns flagging off)
  driver = new BrowserDriver({ endpoint: { url: appium.url }, slots: 1, chromedriverBasePort: await freePort(), profileRoot, contention: DEFAULT_CONTENTION_THRESHOLDS });
  [device] = (await driver.discover()) as [DeviceRegistration];
}, 120_000);

afterAll(async () => {
  await driver?.dispose();
  await appium?.stop();
  if (profileRoot) await rm(profileRoot, { recursive: true, force: true });
});

const settings = { dims: { batch: 1 }, warmupMinSeconds: 0.1, measureMinRuns: 100, measureMinSeconds: 0.3 };
const run = (extra: object = {}, batch?: { runId: string; index: number; size: number }): Promise<DriverResult> => {
  const job = makeJob(join(defaultZooDir(), zoo.files.mnistMlp.file), 'latency', { ...settings, ...extra });
  return driver.run(device, batch ? { ...job, runId: batch.runId, batch: { index: batch.index, size: batch.size } } : job, new AbortController().signal);
};
const pagePrepared = (r: DriverResult) => r.environment.extra?.['pagePrepared'];
const runtimeDetails = (r: DriverResult) => r.environment.extra?.['runtimeDetails'] as Record<string, unknown> | undefined;
/** the main Chromium process of each live session of this test (its profile directory) */
const browsers = async () => (await findProcesses([`--user-data-dir=${profileRoot}`])).filter((p) => !p.cmdline.includes('--type=')).map((p) => p.pid);

describe('browser session reuse', () => {
  it('without the setting every job gets its own session, torn down after it', async () => {
    const a = await run();
    expect(await browsers()).toEqual([]);
    expect(a.environment.timing).toMatchObject({ sharedSession: false, sessionJobsServed: 1 });
  });

  it('with reuseBrowserSession the next job gets the same browser in a fresh tab, and says so', async () => {
    const first = await run({ reuseBrowserSession: true });
    const kept = await browsers();
    expect(kept, 'one browser stays after the job').toHaveLength(1);
    const second = await run({ reuseBrowserSession: true });
    expect(await browsers()).toEqual(kept);
    const t1 = first.environment.timing!;
    const t2 = second.environment.timing!;
    expect([t1.sharedSession, t1.sessionJobsServed, t2.sharedSession, t2.sessionJobsServed]).toEqual([false, 1, true, 2]);
    // the second job opened no session: Chromium + chromedriver start is most of the first one's set-up
    expect(t2.setupMs).toBeLessThan(t1.setupMs);
    expect(second.rawSamples.length).toBeGreaterThanOrEqual(100);
    for (const t of [t1, t2]) expect(t.setupMs + t.warmupMs + t.measuredMs + t.teardownMs).toBeCloseTo(t.totalMs, -1);

    // a job that does not allow it closes the kept session first and opens its own
    const third = await run();
    expect(third.environment.timing).toMatchObject({ sharedSession: false, sessionJobsServed: 1 });
    expect(await browsers()).toEqual([]);
  });

  it('a kept session prepares its fresh tab (harness page, runtime started) for the next job, which uses it and says so', async () => {
    const first = await run({ reuseBrowserSession: true });
    expect(pagePrepared(first), 'the first job of a session loads its own page').toBeUndefined();
    expect(first.environment.timing?.shared).toEqual([]);
    const second = await run({ reuseBrowserSession: true });
    expect(pagePrepared(second)).toBe('onnxruntime-web/wasm threads=1 simd=fixed');
    expect(runtimeDetails(second)).toMatchObject({ runtimeStartedBeforeJob: true });
    expect(runtimeDetails(second)?.['runtimeStartMs']).toBeGreaterThan(0);
    expect(second.environment.extra?.['timing']).toMatch(/started before the job came/);
    const shared = second.environment.timing?.shared ?? [];
    expect(shared).toHaveLength(2);
    expect(shared.join('\n')).toMatch(/WebDriver session and browser process[\s\S]*harness page loaded and onnxruntime-web\/wasm threads=1 simd=fixed started/);
    expect(second.rawSamples.length).toBeGreaterThanOrEqual(100);

    // a job that sets its runtime up otherwise does not take the prepared page: it loads its own
    const other = await run({ reuseBrowserSession: true, threads: 2 });
    expect(other.environment.timing?.sharedSession).toBe(true);
    expect(pagePrepared(other)).toBeUndefined();
    expect(other.environment.threads).toBe(2);
    // and the next one gets a page prepared as that job's was
    const after = await run({ reuseBrowserSession: true, threads: 2 });
    expect(pagePrepared(after)).toBe('onnxruntime-web/wasm threads=2 simd=fixed');
    await run();
    expect(await browsers()).toEqual([]);
  });

  it("the jobs of one run's batch on the device share the session without the setting; the last one closes it", async () => {
    const runId = '00000000-0000-4000-8000-00000000b001';
    const a = await run({}, { runId, index: 1, size: 3 });
    const kept = await browsers();
    expect(kept, 'more of the batch follows: the session stays').toHaveLength(1);
    const b = await run({}, { runId, index: 2, size: 3 });
    const c = await run({}, { runId, index: 3, size: 3 });
    expect(await browsers(), 'the batch is over: nothing stays').toEqual([]);
    expect([a, b, c].map((r) => [r.environment.timing?.sharedSession, r.environment.timing?.sessionJobsServed, r.environment.timing?.batch])).toEqual([
      [false, 1, { index: 1, size: 3 }],
      [true, 2, { index: 2, size: 3 }],
      [true, 3, { index: 3, size: 3 }],
    ]);
    expect(pagePrepared(c)).toBe('onnxruntime-web/wasm threads=1 simd=fixed');

    // another run's job never continues a session kept for a different run's batch
    await run({}, { runId, index: 1, size: 2 });
    const stranger = await run({}, { runId: '00000000-0000-4000-8000-00000000b002', index: 2, size: 2 });
    expect(stranger.environment.timing).toMatchObject({ sharedSession: false, sessionJobsServed: 1, shared: [] });
    expect(await browsers()).toEqual([]);
  });

  it('records the host load with the session browser as the measurement', async () => {
    const r = await run({ threads: 1 });
    const l = r.environment.hostLoad;
    expect(l, 'loopback endpoint: the browser runs here and is sampled').toBeDefined();
    expect(l!.samples).toBeGreaterThanOrEqual(2);
    // the page's work shows up as the measurement's CPU, not as other work
    expect(l!.measurementCpuPct).toBeGreaterThan(0);
    expect(typeof r.environment.contended).toBe('boolean');
    expect(l!.method).toMatch(/--user-data-dir/);
  });

  it('a browser measurement while busy loops (one per core + 1) run is flagged contended', async () => {
    const hogs: ChildProcess[] = [];
    let r: DriverResult;
    try {
      for (let i = 0; i <= os.availableParallelism(); i++) hogs.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
      await new Promise((res) => setTimeout(res, 700));
      r = await run({ measureMinSeconds: 1 });
    } finally {
      for (const h of hogs) h.kill('SIGKILL');
    }
    expect(r.environment.contended, JSON.stringify(r.environment.hostLoad)).toBe(true);
    expect(r.environment.hostLoad!.othersRunnable.perCore).toBeGreaterThanOrEqual(1);
    expect(r.environment.contentionReasons?.join('\n')).toMatch(/other runnable tasks on average/);
  });
});
