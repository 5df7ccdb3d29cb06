import {
  generateInputs,
  InvalidDatasetError,
  InvalidShapeError,
  MissingDimensionError,
  readDatasetSamples,
  resolveInputShapes,
  UnsupportedElementTypeError,
  type GeneratedTensor,
} from '@edgeproof/models';
import { DriverError, type DriverJob } from '../driver.ts';

/** An input set for one inference, with the shapes it has. */
export interface InputSet {
  tensors: Record<string, GeneratedTensor>;
  shapes: Record<string, number[]>;
  /** dataset label, when the set comes from a dataset */
  label?: number;
}

/** Errors of input preparation that no retry can fix become `invalid_input`. */
export function asInputError(err: unknown): unknown {
  if (
    err instanceof MissingDimensionError ||
    err instanceof InvalidShapeError ||
    err instanceof UnsupportedElementTypeError ||
    err instanceof InvalidDatasetError
  ) {
    return new DriverError('invalid_input', err.message, { cause: err });
  }
  return err;
}

/** `count` generated input sets with seeds inputSeed, inputSeed+1, ... */
export function generatedInputSets(job: DriverJob, count: number): InputSet[] {
  const { inputs } = job.model.signature;
  const { dims, inputShapes, inputSeed } = job.settings;
  try {
    const shapes = resolveInputShapes(inputs, { dims, inputShapes });
    return Array.from({ length: count }, (_, i) => ({ tensors: generateInputs(inputs, shapes, inputSeed + i), shapes }));
  } catch (err) {
    throw asInputError(err);
  }
}

/** Dataset samples in file order, at most `limit`. */
export async function* datasetInputSets(job: DriverJob, limit: number | undefined): AsyncGenerator<InputSet> {
  if (job.dataset === null) {
    throw new DriverError('invalid_input', `benchmark "${job.benchmark}" with these settings needs a dataset and the job has none`);
  }
  try {
    const samples = readDatasetSamples(job.dataset.path, limit === undefined ? {} : { limit });
    for await (const sample of samples) {
      const shapes = Object.fromEntries(Object.entries(sample.inputs).map(([name, t]) => [name, t.dims]));
      yield { tensors: sample.inputs, shapes, label: sample.label };
    }
  } catch (err) {
    throw asInputError(err);
  }
}

/** The fixed input set latency measures with: generated, or the first dataset sample. */
export async function latencyInputSet(job: DriverJob): Promise<InputSet> {
  if (job.settings.inputSource === 'generated') return generatedInputSets(job, 1)[0] as InputSet;
  for await (const set of datasetInputSets(job, 1)) return set;
  throw new DriverError('invalid_input', 'the dataset has no samples');
}
