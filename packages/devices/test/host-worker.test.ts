/**
 * The host's kept inference process: reused after a result, replaced after a failure, an abort or when
 * it keeps too much memory; every result says what was shared and where its device time went.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hangingModel } from '@edgeproof/model-zoo';
import { thirdPartyModels } from '@edgeproof/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DriverError, HostDriver, type DriverResult } from '../src/index.ts';
import { childPids, hostDevice, makeJob, OCR_CLS_MODEL, writeModel } from './support/fixtures.ts';
import { linearClassifier } from './support/onnx-models.ts';

const quick = { inputShapes: { x: [1, 3, 48, 192] }, warmupMinRuns: 2, warmupMinSeconds: 0.1, measureMinRuns: 20, measureMinSeconds: 0.3 };
let dir: string;
let hangPath: string;
let linearPath: string;
const drivers: HostDriver[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ep-devices-worker-'));
  hangPath = await writeModel(dir, 'hang.onnx', hangingModel());
  linearPath = await writeModel(dir, 'linear.onnx', linearClassifier());
});
// each test starts with no inference process of an earlier test's driver
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.dispose()));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function newDriver(opts: ConstructorParameters<typeof HostDriver>[0] = {}): HostDriver {
  const d = new HostDriver({ litert: false, ...opts });
  drivers.push(d);
  return d;
}

async function run(d: HostDriver, model = OCR_CLS_MODEL, settings: object = quick, signal = new AbortController().signal): Promise<DriverResult> {
  return d.run(await hostDevice(d), makeJob(model, 'latency', settings), signal);
}

const timingOf = (r: DriverResult) => {
  const t = r.environment.timing;
  if (!t) throw new Error('no timing in the result');
  return t;
};

describe('kept inference process', () => {
  it('serves the next job in the same process and says so; the device time adds up', async () => {
    const d = newDriver();
    const first = await run(d);
    const [pid] = childPids();
    expect(childPids(), 'one idle process stays after a result').toHaveLength(1);
    const second = await run(d);
    expect(childPids()).toEqual([pid]);

    const t1 = timingOf(first);
    const t2 = timingOf(second);
    expect([t1.sharedWorker, t1.workerJobsServed]).toEqual([false, 1]);
    expect([t2.sharedWorker, t2.workerJobsServed]).toEqual([true, 2]);
    expect(t2.workerAgeMs).toBeGreaterThan(t1.totalMs);
    for (const [r, t] of [[first, t1], [second, t2]] as const) {
      if (r.summary.kind !== 'latency') throw new Error('latency expected');
      expect(t.setupMs + t.warmupMs + t.measuredMs + t.teardownMs).toBeCloseTo(t.totalMs, -1);
      // the driver's clock and the child's agree on the measurement's length
      expect(Math.abs(t.measuredMs - r.summary.measure.seconds * 1000)).toBeLessThan(5);
      expect(Math.abs(t.warmupMs - r.summary.warmup.seconds * 1000)).toBeLessThan(5);
    }
    // the second job did not start a process: node + tsx + onnxruntime is most of the first one's set-up
    expect(t2.setupMs).toBeLessThan(t1.setupMs);
  });

  it("a fresh process's session creation does not include onnxruntime's one-time set-up, so it matches a kept one's", async () => {
    const d = newDriver();
    const settings = { dims: { batch: 1 }, warmupMinRuns: 1, warmupMinSeconds: 0, measureMinRuns: 5, measureMinSeconds: 0 };
    const [fresh, kept] = [await run(d, linearPath, settings), await run(d, linearPath, settings)];
    if (fresh.summary.kind !== 'latency' || kept.summary.kind !== 'latency') throw new Error('latency expected');
    expect(timingOf(kept).sharedWorker).toBe(true);
    // measured: ~150–300 ms of one-time set-up in the first session of a process, ~2–10 ms per session after it
    expect(fresh.summary.sessionCreateMs).toBeLessThan(kept.summary.sessionCreateMs * 5 + 50);
  });

  it('replaces the process after a failed job, and after an aborted one', async () => {
    const d = newDriver();
    await run(d);
    const [warm] = childPids();
    const broken = join(dir, 'broken.onnx');
    await writeFile(broken, 'not a model');
    const job = makeJob(OCR_CLS_MODEL, 'latency', quick);
    job.model.path = broken;
    const err = await d.run(await hostDevice(d), job, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as DriverError).code).toBe('invalid_model');
    const spare = d.idleInferencePid;
    expect(spare, 'a fresh process waits for the next job').toBeDefined();
    expect(childPids(), 'the failed process is gone when the job settles; only the fresh one is left').toEqual([spare]);
    expect(spare).not.toBe(warm);

    const after = await run(d);
    expect(timingOf(after).workerJobsServed, 'the next job runs on the fresh process').toBe(1);
    expect(timingOf(after).sharedWorker).toBe(false);
    expect(childPids()).not.toContain(warm);

    const ac = new AbortController();
    const hung = run(d, hangPath, { timeoutSeconds: 60 }, ac.signal).catch((e: unknown) => e);
    // the kept process takes the job: let it get into the hanging native run before aborting
    await new Promise((r) => setTimeout(r, 1500));
    ac.abort(new Error('stop'));
    expect(((await hung) as DriverError).code).toBe('aborted');
    expect(childPids()).toEqual([d.idleInferencePid]);
    expect(timingOf(await run(d)).sharedWorker).toBe(false);
  });

  it('retires a process that keeps much more memory than it had fresh, so the next peak is not inflated', async () => {
    const d = newDriver();
    const small = await run(d);
    // PaddleOCR's detector at 960x960: a peak of ~450 MB, of which the process keeps tens of MB
    await run(d, thirdPartyModels.ocrDetector, { inputShapes: { x: [1, 3, 960, 960] }, warmupMinRuns: 1, warmupMinSeconds: 0, measureMinRuns: 2, measureMinSeconds: 0 });
    await new Promise((r) => setTimeout(r, 300)); // the child reports its idle memory after replying
    const next = await run(d);
    expect(timingOf(next).sharedWorker, 'a fresh process for the next job').toBe(false);
    if (small.summary.kind !== 'latency' || next.summary.kind !== 'latency') throw new Error('latency expected');
    expect(next.summary.peakMemoryBytes!).toBeLessThan(small.summary.peakMemoryBytes! * 1.1);
  });

  it("keeps one process over many jobs of a model: what its first job grows it by is not held against it, and peaks stay as a fresh one's", async () => {
    const d = newDriver();
    const results: DriverResult[] = [];
    for (let i = 0; i < 4; i++) {
      results.push(await run(d));
      await new Promise((r) => setTimeout(r, 200)); // the idle report
    }
    expect(results.map((r) => timingOf(r).workerJobsServed)).toEqual([1, 2, 3, 4]);
    const peaks = results.map((r) => (r.summary.kind === 'latency' ? r.summary.peakMemoryBytes! : NaN));
    for (const p of peaks.slice(1)) expect(p, `peaks ${peaks.join(', ')}`).toBeLessThan(peaks[0]! * 1.1);
  });

  it('a first job that leaves much more behind than a first job does (a big model) retires the process too', async () => {
    const d = newDriver();
    await run(d, thirdPartyModels.ocrDetector, { inputShapes: { x: [1, 3, 960, 960] }, warmupMinRuns: 1, warmupMinSeconds: 0, measureMinRuns: 2, measureMinSeconds: 0 });
    await new Promise((r) => setTimeout(r, 300));
    const next = await run(d);
    expect(timingOf(next).sharedWorker, 'a fresh process for the next job').toBe(false);
  });

  it('with reuse off, every job gets a fresh process that has exited when the job settles', async () => {
    const d = newDriver({ reuseInferenceProcess: false });
    const a = await run(d);
    expect(childPids()).toEqual([]);
    const b = await run(d);
    expect([timingOf(a).sharedWorker, timingOf(b).sharedWorker]).toEqual([false, false]);
  });
});
