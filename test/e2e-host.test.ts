import { join } from 'node:path';
import type { RunOut } from '@edgeproof/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickSettings, startTestPlatform, type TestPlatform } from './support/platform.ts';

/** Upload → run → results, through the HTTP API, BullMQ, a real agent and onnxruntime-node. */
describe('end to end on the host CPU', () => {
  let p: TestPlatform;
  let deviceId: string;
  let version: string;
  const dataset = { name: 'mnist-test', version: '1' };

  beforeAll(async () => {
    p = await startTestPlatform();
    const agent = await p.startHostAgent();
    deviceId = agent.devices[0]!.id;
    await p.client.ensureModel({ name: 'mnist-mlp', taskKind: 'classification', owner: 'tests' });
    version = (await p.client.uploadModelVersion('mnist-mlp', join(p.zooDir, p.zoo.files.mnistMlp.file), { version: '1.0.0' })).version.version;
    await p.client.uploadDataset(join(p.zooDir, p.zoo.files.mnistTest.file), dataset);
  });
  afterAll(() => p.close());

  const wait = (run: RunOut) => p.client.waitForRun(run.id, { timeoutMs: 120_000, intervalMs: 200 });

  it('measures latency, accuracy and parity and stores every number', async () => {
    const run = await p.client.createRun({
      model: 'mnist-mlp',
      version,
      dataset,
      devices: { ids: [deviceId] },
      benchmarks: ['latency', 'accuracy', 'parity'],
      settings: { ...quickSettings, accuracyMaxSamples: 500 },
    });
    const done = await wait(run);
    expect(done.status).toBe('succeeded');
    const byKind = Object.fromEntries(done.jobs.map((j) => [j.benchmark, j.result!]));

    const latency = byKind.latency!;
    if (latency.summary.kind !== 'latency') throw new Error('latency summary expected');
    expect(latency.rawSamples.length).toBe(latency.summary.stats.count);
    expect(latency.summary.measure.runs).toBeGreaterThanOrEqual(20);
    expect(latency.summary.warmup.runs).toBeGreaterThanOrEqual(1);
    expect(Math.min(...latency.rawSamples)).toBeCloseTo(latency.summary.stats.min, 9);
    expect(latency.summary.sessionCreateMs).toBeGreaterThan(0);
    expect(latency.summary.peakMemoryBytes).toBeGreaterThan(0);
    expect(latency.environment).toMatchObject({ runtime: 'onnxruntime-node', executionProvider: 'cpu', threads: 1, inputShapes: { input: [1, 1, 28, 28] } });
    expect(latency.environment.thermalState).toBeTruthy();

    // exactly reproducible: the zoo measured the same 500 digits with its own forward pass
    const accuracy = byKind.accuracy!;
    if (accuracy.summary.kind !== 'accuracy') throw new Error('accuracy summary expected');
    expect(accuracy.summary.samples).toBe(500);
    expect(accuracy.rawSamples.reduce((a, b) => a + b, 0)).toBe(accuracy.summary.correctTop1);
    expect(accuracy.summary.top1).toBeGreaterThan(0.9);
    expect(accuracy.summary.perClass).toHaveLength(10);

    const parity = byKind.parity!;
    if (parity.summary.kind !== 'parity') throw new Error('parity summary expected');
    expect(parity.summary.outputs[0]!.name).toBe('probabilities');
    expect(parity.summary.outputs[0]!.maxAbsError).toBeLessThan(1e-5);
    expect(parity.summary.outputs[0]!.cosineSimilarity).toBeGreaterThan(0.99999);
  });

  it('gives the same accuracy numbers on a second run (reproducible)', async () => {
    const runs = await Promise.all(
      [1, 2].map(() =>
        p.client.createRun({ model: 'mnist-mlp', version, dataset, devices: { ids: [deviceId] }, benchmarks: ['accuracy'], settings: { accuracyMaxSamples: 300 } }),
      ),
    );
    const [a, b] = await Promise.all(runs.map(wait));
    expect(a!.jobs[0]!.result!.summary).toEqual(b!.jobs[0]!.result!.summary);
    expect(a!.jobs[0]!.result!.rawSamples).toEqual(b!.jobs[0]!.result!.rawSamples);
  });

  it('serialises two runs on one device: their jobs never overlap in time', async () => {
    const settings = { ...quickSettings, measureMinSeconds: 0.5 };
    const runs = await Promise.all(
      [1, 2].map(() => p.client.createRun({ model: 'mnist-mlp', version, devices: { ids: [deviceId] }, benchmarks: ['latency', 'parity'], settings })),
    );
    const done = await Promise.all(runs.map(wait));
    const spans = done
      .flatMap((r) => r.jobs)
      .map((j) => ({ start: Date.parse(j.startedAt!), end: Date.parse(j.finishedAt!) }))
      .sort((x, y) => x.start - y.start);
    expect(spans).toHaveLength(4);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
  });

  it('fails a job whose model hangs, with the reason, and keeps serving the next job', async () => {
    await p.client.ensureModel({ name: 'hang', taskKind: 'other', owner: 'tests' });
    const hang = (await p.client.uploadModelVersion('hang', join(p.zooDir, p.zoo.files.hang.file), { version: '1' })).version;
    const run = await p.client.createRun({
      model: 'hang',
      version: hang.version,
      devices: { ids: [deviceId] },
      benchmarks: ['latency'],
      settings: { ...quickSettings, timeoutSeconds: 5 },
    });
    const next = await p.client.createRun({ model: 'mnist-mlp', version, devices: { ids: [deviceId] }, benchmarks: ['latency'], settings: quickSettings });
    const failed = await wait(run);
    expect(failed.status).toBe('failed');
    expect(failed.jobs[0]!.error).toMatch(/timed out/i);
    expect((await wait(next)).status).toBe('succeeded');
  }, 120_000);
});
