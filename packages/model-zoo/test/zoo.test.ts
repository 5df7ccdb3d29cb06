import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { DatasetHeader } from '@edgeproof/contracts';
import { ZOO_FILES, ZOO_MANIFEST_FILE, buildZoo, loadZoo, type ZooManifest } from '../src/index.ts';
import { argmaxRows, hasPythonOnnx, NO_PYTHON_ONNX, onnxCheckerError, probabilities, SINGLE_THREAD, tempDir } from './helpers.ts';

const tmp = tempDir('zoo');
let manifest: ZooManifest;
let firstBuildMs = 0;

beforeAll(async () => {
  const t0 = performance.now();
  manifest = await buildZoo(tmp.dir);
  firstBuildMs = performance.now() - t0;
}, 120_000);
afterAll(() => tmp.cleanup());

/** the dataset file as one [n,1,28,28] tensor plus labels: evaluates exactly what the file holds */
function readDataset(path: string): { input: ort.Tensor; labels: number[] } {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  DatasetHeader.parse(JSON.parse(lines[0]!));
  const samples = lines.slice(1).map((l) => JSON.parse(l) as { inputs: { input: number[] }; label: number });
  const data = new Float32Array(samples.length * 784);
  samples.forEach((s, i) => data.set(s.inputs.input, i * 784));
  return { input: new ort.Tensor('float32', data, [samples.length, 1, 28, 28]), labels: samples.map((s) => s.label) };
}

describe('buildZoo', () => {
  it('writes every file with the recorded size and sha256', () => {
    expect(Object.keys(manifest.files).sort()).toEqual(Object.keys(ZOO_FILES).sort());
    for (const entry of Object.values(manifest.files)) {
      const bytes = readFileSync(join(tmp.dir, entry.file));
      expect(bytes.length, entry.file).toBe(entry.sizeBytes);
      expect(createHash('sha256').update(bytes).digest('hex'), entry.file).toBe(entry.sha256);
    }
    expect(JSON.parse(readFileSync(join(tmp.dir, ZOO_MANIFEST_FILE), 'utf8'))).toEqual(manifest);
    expect(manifest.seed).toBe(42);
    expect(manifest.files.mnistTest.sampleCount).toBe(1000);
    expect(readFileSync(join(tmp.dir, ZOO_FILES.mnistTest), 'utf8').trimEnd().split('\n')).toHaveLength(1001);
  });

  it('default training reaches >= 90% held-out accuracy, confirmed by onnxruntime-node on the dataset file', async () => {
    const { mnistMlp, mnistMlpSlow } = manifest.files;
    expect(mnistMlp.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(mnistMlp.trainSamples).toBe(8000);
    const { input, labels } = readDataset(join(tmp.dir, ZOO_FILES.mnistTest));
    for (const entry of [mnistMlp, mnistMlpSlow]) {
      const s = await ort.InferenceSession.create(join(tmp.dir, entry.file), SINGLE_THREAD);
      const predicted = argmaxRows(await probabilities(s, input), 10);
      const accuracy = predicted.filter((p, i) => p === labels[i]).length / labels.length;
      expect(Math.abs(accuracy - entry.testAccuracy), entry.file).toBeLessThanOrEqual(1 / labels.length + 1e-12);
      await s.release();
    }
  });

  it('reuses the directory on the second call (cache hit)', async () => {
    const mtimes = Object.values(ZOO_FILES).map((f) => statSync(join(tmp.dir, f)).mtimeMs);
    const t0 = performance.now();
    const again = await buildZoo(tmp.dir);
    const secondMs = performance.now() - t0;
    expect(again).toEqual(manifest);
    expect(Object.values(ZOO_FILES).map((f) => statSync(join(tmp.dir, f)).mtimeMs)).toEqual(mtimes);
    expect(secondMs).toBeLessThan(firstBuildMs);
    expect(await loadZoo(tmp.dir)).toEqual(manifest);
    expect(await loadZoo(tmp.dir, { seed: 43 })).toBeNull();
  });

  it('rebuilds a corrupted file, reproducing identical bytes', async () => {
    const path = join(tmp.dir, ZOO_FILES.mnistMlp);
    const original = readFileSync(path);
    writeFileSync(path, Buffer.concat([original.subarray(0, 100), Buffer.from('corrupt')]));
    expect(await loadZoo(tmp.dir)).toBeNull();
    const rebuilt = await buildZoo(tmp.dir);
    expect(readFileSync(path).equals(original)).toBe(true);
    const untimed = (m: ZooManifest) => ({ ...m.files, mnistMlp: { ...m.files.mnistMlp, trainMs: 0 } });
    expect(untimed(rebuilt)).toEqual(untimed(manifest));
    expect(rebuilt.builtAt >= manifest.builtAt).toBe(true);
  }, 120_000);

  it('every generated model passes onnx.checker (full_check)', (ctx) => {
    if (!hasPythonOnnx) ctx.skip(NO_PYTHON_ONNX);
    for (const file of [ZOO_FILES.mnistMlp, ZOO_FILES.mnistMlpSlow, ZOO_FILES.hang]) {
      expect(onnxCheckerError(join(tmp.dir, file)), file).toBeNull();
    }
  });
});
