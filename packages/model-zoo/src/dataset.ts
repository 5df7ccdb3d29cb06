import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { DATASET_FORMAT, type DatasetHeader, type DatasetSample } from '@edgeproof/contracts';
import { HELD_OUT_SIZE, heldOutSamples } from './mnist-data.ts';
import { MNIST_INPUT, MNIST_LABELS } from './train.ts';

/**
 * Writes held-out MNIST digits as an "edgeproof-dataset/v1" JSON Lines file. Pixel values are
 * written exactly as the mnist package stores them (0..1, at most three decimals), which are the
 * same values trainMnistClassifier measures testAccuracy on.
 */

export interface MnistDatasetOptions {
  /** first held-out digit (default 0) */
  offset?: number;
  /** number of digits (default 1,000) */
  count?: number;
}

export interface WrittenDataset {
  path: string;
  sampleCount: number;
  sizeBytes: number;
  sha256: string;
  header: DatasetHeader;
}

export const MNIST_DATASET_HEADER: DatasetHeader = {
  format: DATASET_FORMAT,
  taskKind: 'classification',
  inputs: [{ name: MNIST_INPUT, elementType: 'float32', shape: [1, 1, 28, 28] }],
  labels: [...MNIST_LABELS],
};

/** Largest offset + count writeMnistDataset accepts. */
export const MNIST_HELD_OUT_SIZE = HELD_OUT_SIZE;

export async function writeMnistDataset(path: string, opts: MnistDatasetOptions = {}): Promise<WrittenDataset> {
  const samples = heldOutSamples(opts.offset ?? 0, opts.count ?? 1000);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = once(out, 'error').then(([err]) => {
    throw err;
  });
  failed.catch(() => undefined);
  const write = async (line: string): Promise<void> => {
    const chunk = Buffer.from(`${line}\n`, 'utf8');
    hash.update(chunk);
    sizeBytes += chunk.length;
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
  };
  try {
    await write(JSON.stringify(MNIST_DATASET_HEADER));
    for (const s of samples) {
      const sample: DatasetSample = { inputs: { [MNIST_INPUT]: [...s.pixels] }, label: s.label };
      await write(JSON.stringify(sample));
    }
    out.end();
    await Promise.race([once(out, 'close'), failed]);
  } catch (err) {
    out.destroy();
    throw err;
  }
  return { path, sampleCount: samples.length, sizeBytes, sha256: hash.digest('hex'), header: MNIST_DATASET_HEADER };
}
