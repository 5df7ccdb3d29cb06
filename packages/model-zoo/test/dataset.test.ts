import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DATASET_FORMAT, DatasetHeader, DatasetSample } from '@edgeproof/contracts';
import { MNIST_HELD_OUT_SIZE, heldOutSamples, trainPoolSize, trainingSamples, writeMnistDataset } from '../src/index.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir('dataset');
afterAll(() => tmp.cleanup());

function readLines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe('writeMnistDataset', () => {
  it('writes an edgeproof-dataset/v1 file: header + one line per sample', async () => {
    const path = join(tmp.dir, 'a.jsonl');
    const written = await writeMnistDataset(path, { offset: 0, count: 50 });
    const lines = readLines(path);
    expect(lines).toHaveLength(51);
    const header = DatasetHeader.parse(JSON.parse(lines[0]!));
    expect(header).toEqual({
      format: DATASET_FORMAT,
      taskKind: 'classification',
      inputs: [{ name: 'input', elementType: 'float32', shape: [1, 1, 28, 28] }],
      labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    });
    const expected = heldOutSamples(0, 50);
    lines.slice(1).forEach((line, i) => {
      const sample = DatasetSample.parse(JSON.parse(line));
      const pixels = sample.inputs.input as number[];
      expect(Object.keys(sample.inputs)).toEqual(['input']);
      expect(pixels).toHaveLength(784);
      expect(pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(pixels).toEqual(expected[i]!.pixels);
      expect(sample.label).toBe(expected[i]!.label);
    });
    const bytes = readFileSync(path);
    expect(written.sampleCount).toBe(50);
    expect(written.sizeBytes).toBe(bytes.length);
    expect(written.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('offset/count select a window of the same held-out sequence; all ten digits appear', async () => {
    const whole = join(tmp.dir, 'whole.jsonl');
    const part = join(tmp.dir, 'part.jsonl');
    await writeMnistDataset(whole, { offset: 0, count: 120 });
    await writeMnistDataset(part, { offset: 100, count: 20 });
    expect(readLines(part).slice(1)).toEqual(readLines(whole).slice(101));
    const labels = new Set(readLines(whole).slice(1).map((l) => (JSON.parse(l) as { label: number }).label));
    expect([...labels].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('held-out digits are disjoint from the training pool', () => {
    const key = (pixels: readonly number[]) => pixels.join(',');
    const train = new Set(trainingSamples(trainPoolSize()).map((s) => key(s.pixels)));
    const heldOut = heldOutSamples(0, MNIST_HELD_OUT_SIZE);
    expect(trainPoolSize() + MNIST_HELD_OUT_SIZE).toBe(10_000);
    // the mnist package holds no duplicate images, so no held-out image may appear in training
    expect(heldOut.filter((s) => train.has(key(s.pixels)))).toHaveLength(0);
  });

  it('rejects ranges outside the held-out pool and unwritable paths', async () => {
    await expect(writeMnistDataset(join(tmp.dir, 'x.jsonl'), { offset: MNIST_HELD_OUT_SIZE - 1, count: 2 })).rejects.toThrow(RangeError);
    await expect(writeMnistDataset(join(tmp.dir, 'no-such-dir', 'x.jsonl'), { count: 1 })).rejects.toThrow(/ENOENT/);
  });
});
