import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DATASET_FORMAT } from '@edgeproof/contracts';
import { writeMnistDataset } from './dataset.ts';
import { HANG_INPUT, HANG_OUTPUT, HANG_TRIP_COUNT, hangingModel } from './hang.ts';
import { BUILDER_VERSION } from './onnx-build.ts';
import { slowDownModel } from './slow.ts';
import { trainingSamples } from './mnist-data.ts';
import { mlpToQuantizedTflite, mlpToTflite, TFLITE_SIGNATURE_KEY, type Int8Quantization } from './tflite-build.ts';
import { MNIST_INPUT, MNIST_LABELS, MNIST_OUTPUT, trainMlp, trainedClassifier } from './train.ts';

/**
 * The zoo: a directory holding every generated artefact plus manifest.json. buildZoo reuses the
 * directory as a cache when its manifest matches the builder version and seed and every file
 * still has the recorded size and sha256.
 */

export const ZOO_FORMAT = 'edgeproof-model-zoo/v1';
export const ZOO_BUILDER_VERSION = BUILDER_VERSION;
export const DEFAULT_ZOO_SEED = 42;
/** extra 256x256 layers of mnist-mlp-slow.onnx (about 4x the batch-1 latency of mnist-mlp.onnx) */
export const ZOO_SLOW_EXTRA_WORK = 16;
/** held-out digits in mnist-test.jsonl (the same digits testAccuracy is measured on) */
export const ZOO_TEST_SAMPLES = 1000;
/** training digits the int8 TFLite variant's activation ranges are calibrated on (never held-out digits) */
export const ZOO_CALIBRATION_SAMPLES = 2000;
export const ZOO_FILES = {
  mnistMlp: 'mnist-mlp.onnx',
  mnistMlpSlow: 'mnist-mlp-slow.onnx',
  mnistTest: 'mnist-test.jsonl',
  hang: 'hang.onnx',
  mnistMlpTflite: 'mnist-mlp.tflite',
  mnistMlpTfliteDynamic: 'mnist-mlp-dynamic.tflite',
  mnistMlpTfliteInt8: 'mnist-mlp-int8.tflite',
} as const;
export const ZOO_MANIFEST_FILE = 'manifest.json';

export interface ZooFileEntry {
  file: string;
  sha256: string;
  sizeBytes: number;
}

export interface ZooTensor {
  name: string;
  elementType: 'float32';
  shape: (number | string)[];
}

export interface ZooModelEntry extends ZooFileEntry {
  inputs: ZooTensor[];
  outputs: ZooTensor[];
}

export interface ZooTfliteTensor {
  name: string;
  elementType: 'float32' | 'int8';
  /** null: a dynamic dim (-1 in the TFLite shape_signature) */
  shape: (number | null)[];
  /** int8 tensors only: real = scale * (q - zeroPoint) */
  quantization?: Int8Quantization;
}

/** A TFLite file holding the same trained weights as `sameWeightsAs` (mnist-mlp.onnx). */
export interface ZooTfliteEntry extends ZooFileEntry {
  format: 'tflite';
  taskKind: 'classification';
  labels: string[];
  sameWeightsAs: typeof ZOO_FILES.mnistMlp;
  signatureKey: typeof TFLITE_SIGNATURE_KEY;
  inputs: ZooTfliteTensor[];
  outputs: ZooTfliteTensor[];
}

export interface ZooManifest {
  format: typeof ZOO_FORMAT;
  builderVersion: string;
  seed: number;
  /** when the files were generated (unchanged on a cache hit) */
  builtAt: string;
  files: {
    mnistMlp: ZooModelEntry & {
      taskKind: 'classification';
      labels: string[];
      /** accuracy on mnist-test.jsonl */
      testAccuracy: number;
      trainAccuracy: number;
      trainSamples: number;
      epochs: number;
      hidden: number;
      batchSize: number;
      learningRate: number;
      trainMs: number;
    };
    mnistMlpSlow: ZooModelEntry & {
      taskKind: 'classification';
      labels: string[];
      baseModel: string;
      extraWork: number;
      testAccuracy: number;
    };
    mnistTest: ZooFileEntry & { datasetFormat: typeof DATASET_FORMAT; sampleCount: number; heldOutOffset: number };
    hang: ZooModelEntry & { tripCount: string };
    /** float32 weights as in mnist-mlp.onnx: the same accuracy on mnist-test.jsonl */
    mnistMlpTflite: ZooTfliteEntry & { testAccuracy: number };
    /** mnist-mlp.tflite with a dynamic batch dim (shape_signature -1) */
    mnistMlpTfliteDynamic: ZooTfliteEntry & { testAccuracy: number };
    /** full-integer int8: the input is quantized pixels (see inputs[0].quantization), the output int8 probabilities */
    mnistMlpTfliteInt8: ZooTfliteEntry & { calibrationSamples: number };
  };
}

export interface BuildZooOptions {
  /** training seed (default 42) */
  seed?: number;
  /** rebuild even when the cache is valid */
  force?: boolean;
  /** progress messages (the CLI prints them) */
  onProgress?: (message: string) => void;
}

/** Directory used by default: $EDGEPROOF_MODEL_ZOO_DIR or <os tmpdir>/edgeproof-model-zoo. */
export function defaultZooDir(): string {
  return process.env.EDGEPROOF_MODEL_ZOO_DIR || join(tmpdir(), 'edgeproof-model-zoo');
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function fileMatches(dir: string, entry: ZooFileEntry): Promise<boolean> {
  try {
    const path = join(dir, entry.file);
    if ((await stat(path)).size !== entry.sizeBytes) return false;
    return sha256(await readFile(path)) === entry.sha256;
  } catch {
    return false;
  }
}

/**
 * Returns the manifest in `dir` when it is current (same format, builder version and seed) and
 * every file it lists is intact; otherwise null.
 */
export async function loadZoo(dir: string, opts: { seed?: number } = {}): Promise<ZooManifest | null> {
  let manifest: ZooManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, ZOO_MANIFEST_FILE), 'utf8')) as ZooManifest;
  } catch {
    return null;
  }
  if (manifest?.format !== ZOO_FORMAT || manifest.builderVersion !== ZOO_BUILDER_VERSION) return null;
  if (manifest.seed !== (opts.seed ?? DEFAULT_ZOO_SEED) || typeof manifest.files !== 'object' || !manifest.files) return null;
  for (const key of Object.keys(ZOO_FILES) as (keyof typeof ZOO_FILES)[]) {
    const entry = manifest.files[key];
    if (entry?.file !== ZOO_FILES[key] || !(await fileMatches(dir, entry))) return null;
  }
  return manifest;
}

/** write to a unique temporary name, then rename: readers never see partial files and concurrent builders cannot clash */
async function atomicWrite(dir: string, file: string, write: (tmpPath: string) => Promise<void>): Promise<void> {
  const tmp = join(dir, `.${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await write(tmp);
    await rename(tmp, join(dir, file));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function writeBytes(dir: string, file: string, bytes: Uint8Array): Promise<ZooFileEntry> {
  await atomicWrite(dir, file, (tmp) => writeFile(tmp, bytes));
  return { file, sha256: sha256(bytes), sizeBytes: bytes.length };
}

/** Builds (or reuses) the zoo in `outDir` and returns its manifest. */
export async function buildZoo(outDir: string, opts: BuildZooOptions = {}): Promise<ZooManifest> {
  const seed = opts.seed ?? DEFAULT_ZOO_SEED;
  const progress = opts.onProgress ?? (() => undefined);
  if (!opts.force) {
    const cached = await loadZoo(outDir, { seed });
    if (cached) {
      progress(`cache hit: ${outDir} (builder ${cached.builderVersion}, seed ${seed}, built ${cached.builtAt})`);
      return cached;
    }
  }
  await mkdir(outDir, { recursive: true });

  progress(`training MNIST MLP (seed ${seed})...`);
  const started = performance.now();
  const { weights, meta } = trainMlp({ seed, testSamples: ZOO_TEST_SAMPLES });
  const trained = trainedClassifier(weights, meta);
  progress(`trained in ${((performance.now() - started) / 1000).toFixed(1)} s, held-out accuracy ${trained.testAccuracy}`);

  const mnistInput: ZooTensor = { name: MNIST_INPUT, elementType: 'float32', shape: ['batch', 1, 28, 28] };
  const mnistOutput: ZooTensor = { name: MNIST_OUTPUT, elementType: 'float32', shape: ['batch', 10] };
  const mlp = await writeBytes(outDir, ZOO_FILES.mnistMlp, trained.onnx);
  const slow = await writeBytes(outDir, ZOO_FILES.mnistMlpSlow, slowDownModel(trained.onnx, ZOO_SLOW_EXTRA_WORK));
  const hang = await writeBytes(outDir, ZOO_FILES.hang, hangingModel());
  const tflite = await writeBytes(outDir, ZOO_FILES.mnistMlpTflite, mlpToTflite(weights));
  const tfliteDynamic = await writeBytes(outDir, ZOO_FILES.mnistMlpTfliteDynamic, mlpToTflite(weights, { dynamicBatch: true }));
  const int8 = mlpToQuantizedTflite(weights, trainingSamples(ZOO_CALIBRATION_SAMPLES));
  const tfliteInt8 = await writeBytes(outDir, ZOO_FILES.mnistMlpTfliteInt8, int8.tflite);
  progress(`writing ${ZOO_TEST_SAMPLES} held-out digits...`);
  let dataset: ZooFileEntry | undefined;
  await atomicWrite(outDir, ZOO_FILES.mnistTest, async (tmp) => {
    const written = await writeMnistDataset(tmp, { offset: 0, count: ZOO_TEST_SAMPLES });
    dataset = { file: ZOO_FILES.mnistTest, sha256: written.sha256, sizeBytes: written.sizeBytes };
  });
  if (!dataset) throw new Error('dataset was not written');

  const labels = [...MNIST_LABELS];
  const tfliteEntry = (file: ZooFileEntry, batch: number | null, type: 'float32' | 'int8'): ZooTfliteEntry => ({
    ...file,
    format: 'tflite',
    taskKind: 'classification',
    labels,
    sameWeightsAs: ZOO_FILES.mnistMlp,
    signatureKey: TFLITE_SIGNATURE_KEY,
    inputs: [{ name: MNIST_INPUT, elementType: type, shape: [batch, 1, 28, 28], ...(type === 'int8' ? { quantization: int8.input } : {}) }],
    outputs: [{ name: MNIST_OUTPUT, elementType: type, shape: [batch, 10], ...(type === 'int8' ? { quantization: int8.output } : {}) }],
  });
  const manifest: ZooManifest = {
    format: ZOO_FORMAT,
    builderVersion: ZOO_BUILDER_VERSION,
    seed,
    builtAt: new Date().toISOString(),
    files: {
      mnistMlp: {
        ...mlp,
        inputs: [mnistInput],
        outputs: [mnistOutput],
        taskKind: 'classification',
        labels,
        testAccuracy: trained.testAccuracy,
        trainAccuracy: trained.trainAccuracy,
        trainSamples: trained.trainSamples,
        epochs: trained.epochs,
        hidden: trained.hidden,
        batchSize: trained.batchSize,
        learningRate: trained.learningRate,
        trainMs: Math.round(trained.trainMs),
      },
      mnistMlpSlow: {
        ...slow,
        inputs: [mnistInput],
        outputs: [mnistOutput],
        taskKind: 'classification',
        labels,
        baseModel: ZOO_FILES.mnistMlp,
        extraWork: ZOO_SLOW_EXTRA_WORK,
        testAccuracy: trained.testAccuracy,
      },
      mnistTest: { ...dataset, datasetFormat: DATASET_FORMAT, sampleCount: ZOO_TEST_SAMPLES, heldOutOffset: 0 },
      hang: {
        ...hang,
        inputs: [{ name: HANG_INPUT, elementType: 'float32', shape: [1] }],
        outputs: [{ name: HANG_OUTPUT, elementType: 'float32', shape: [1] }],
        tripCount: String(HANG_TRIP_COUNT),
      },
      mnistMlpTflite: { ...tfliteEntry(tflite, 1, 'float32'), testAccuracy: trained.testAccuracy },
      mnistMlpTfliteDynamic: { ...tfliteEntry(tfliteDynamic, null, 'float32'), testAccuracy: trained.testAccuracy },
      mnistMlpTfliteInt8: { ...tfliteEntry(tfliteInt8, 1, 'int8'), calibrationSamples: ZOO_CALIBRATION_SAMPLES },
    },
  };
  await atomicWrite(outDir, ZOO_MANIFEST_FILE, (tmp) => writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`));
  progress(`wrote ${outDir}/${ZOO_MANIFEST_FILE}`);
  return manifest;
}
