import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSample } from '@edgeproof/contracts';
import { buildZoo, ZOO_FILES, ZOO_TEST_SAMPLES } from '@edgeproof/model-zoo';
import { validateDatasetFile } from '@edgeproof/models';
import { HostDriver, type DriverJob } from '../src/index.ts';
import { makeJob, OCR_CLS_MODEL, writeDataset, writeModel, hostDevice } from './support/fixtures.ts';
import { linearClassifier } from './support/onnx-models.ts';

const driver = new HostDriver();
let dir: string;
let linearPath: string;
let dataset: NonNullable<DriverJob['dataset']>;

// the linear model predicts the index of the largest of the first three features
const SAMPLES: DatasetSample[] = [
  { inputs: { x: [1, 0, 0, 0.5] }, label: 0 },
  { inputs: { x: [0, 1, 0, 0.5] }, label: 1 },
  { inputs: { x: [0, 0, 1, 0.5] }, label: 2 },
  { inputs: { x: [0.9, 0.1, 0, 0] }, label: 0 },
  { inputs: { x: [0, 0.2, 0.8, 0] }, label: 2 },
  { inputs: { x: [0.7, 0.2, 0.1, 0] }, label: 1 }, // predicted 0: wrong
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ep-devices-acc-'));
  linearPath = await writeModel(dir, 'linear.onnx', linearClassifier());
  dataset = await writeDataset(
    dir,
    { taskKind: 'classification', inputs: [{ name: 'x', elementType: 'float32', shape: [1, 4] }], labels: ['a', 'b', 'c'] },
    SAMPLES,
  );
});
afterAll(async () => {
  await driver.dispose();
  await rm(dir, { recursive: true, force: true });
});

const host = () => hostDevice(driver);

describe('host driver accuracy', () => {
  it('scores the dataset deterministically with per-sample correctness as raw samples', async () => {
    const job = makeJob(linearPath, 'accuracy', {}, dataset);
    const first = await driver.run(await host(), job, new AbortController().signal);
    const s = first.summary;
    if (s.kind !== 'accuracy') throw new Error('not accuracy');
    expect(s).toMatchObject({ samples: 6, correctTop1: 5, correctTop5: 6, output: 'probs', datasetSha256: dataset.sha256 });
    expect(s.top1).toBeCloseTo(5 / 6, 10);
    expect(s.perClass).toEqual([
      { label: 'a', count: 2, correctTop1: 2, predicted: 3 },
      { label: 'b', count: 2, correctTop1: 1, predicted: 1 },
      { label: 'c', count: 2, correctTop1: 2, predicted: 2 },
    ]);
    expect(first.rawSamples).toEqual([1, 1, 1, 1, 1, 0]);
    expect(first.environment.inputShapes).toEqual({ x: [1, 4] });

    const again = await driver.run(await host(), job, new AbortController().signal);
    expect(again.summary).toEqual(first.summary);
    expect(again.rawSamples).toEqual(first.rawSamples);
  });

  it('reproduces the model zoo MNIST classifier accuracy on its held-out digits', async () => {
    const zooDir = join(dir, 'zoo');
    const zoo = await buildZoo(zooDir);
    const datasetPath = join(zooDir, ZOO_FILES.mnistTest);
    const { header } = await validateDatasetFile(datasetPath);
    const job = makeJob(join(zooDir, ZOO_FILES.mnistMlp), 'accuracy', { threads: 2 }, {
      path: datasetPath,
      sha256: zoo.files.mnistTest.sha256,
      header,
    });
    const result = await driver.run(await host(), job, new AbortController().signal);
    const s = result.summary;
    if (s.kind !== 'accuracy') throw new Error('not accuracy');
    expect(s.samples).toBe(ZOO_TEST_SAMPLES);
    expect(s.output).toBe('probabilities');
    expect(result.rawSamples).toHaveLength(ZOO_TEST_SAMPLES);
    expect(result.rawSamples.reduce((a, b) => a + b, 0)).toBe(s.correctTop1);
    // the zoo measured its accuracy in plain TypeScript; float rounding may flip a borderline digit or two
    expect(Math.abs(s.top1 - zoo.files.mnistMlp.testAccuracy)).toBeLessThanOrEqual(0.002);
    expect(s.top5).toBeGreaterThanOrEqual(s.top1);
    expect(s.perClass.reduce((n, c) => n + c.count, 0)).toBe(ZOO_TEST_SAMPLES);
    expect(result.environment.inputShapes).toEqual({ input: [1, 1, 28, 28] });
  });

  it('stops at accuracyMaxSamples', async () => {
    const job = makeJob(linearPath, 'accuracy', { accuracyMaxSamples: 2 }, dataset);
    const result = await driver.run(await host(), job, new AbortController().signal);
    if (result.summary.kind !== 'accuracy') throw new Error('not accuracy');
    expect(result.summary.samples).toBe(2);
    expect(result.rawSamples).toEqual([1, 1]);
  });

  it('fails without retry when the job has no dataset', async () => {
    const job = makeJob(linearPath, 'accuracy', {});
    await expect(driver.run(await host(), job, new AbortController().signal)).rejects.toMatchObject({
      code: 'invalid_input',
      retryable: false,
    });
  });
});

describe('host driver parity', () => {
  it('compares the measured session with the reference over paritySamples generated input sets', async () => {
    const job = makeJob(OCR_CLS_MODEL, 'parity', {
      inputShapes: { x: [1, 3, 48, 192] },
      threads: 2,
      paritySamples: 3,
    });
    const result = await driver.run(await host(), job, new AbortController().signal);
    const s = result.summary;
    if (s.kind !== 'parity') throw new Error('not parity');
    expect(s.samples).toBe(3);
    expect(result.rawSamples).toHaveLength(3);
    expect(s.reference).toEqual({
      runtime: 'onnxruntime-node',
      executionProvider: 'cpu',
      settings: expect.stringContaining('graphOptimizationLevel=disabled'),
    });
    const [out] = s.outputs;
    expect(s.outputs).toHaveLength(1);
    expect(out?.name).toBe('softmax_0.tmp_0');
    expect(out?.elements).toBe(3 * 2);
    // same runtime on the same CPU: float32 rounding differences at most
    expect(out?.maxAbsError).toBeLessThan(1e-4);
    expect(out?.cosineSimilarity).toBeGreaterThan(0.9999);
    // the summary's max error is the largest of the per-set maxima
    expect(out?.maxAbsError).toBe(Math.max(...result.rawSamples));
  });

  it('uses dataset samples as input sets when inputSource is dataset', async () => {
    const job = makeJob(linearPath, 'parity', { inputSource: 'dataset', paritySamples: 4 }, dataset);
    const result = await driver.run(await host(), job, new AbortController().signal);
    if (result.summary.kind !== 'parity') throw new Error('not parity');
    expect(result.summary.samples).toBe(4);
    expect(result.summary.outputs[0]).toMatchObject({ name: 'probs', elements: 12 });
    expect(result.environment.inputShapes).toEqual({ x: [1, 4] });
  });
});
