import type { DatasetHeader, ModelSignature } from '@edgeproof/contracts';
import type { PackedSet } from '@edgeproof/harness-web';
import { DriverError, type DriverJob } from '../driver.ts';
import { datasetInputSets, generatedInputSets, latencyInputSet, type InputSet } from './input-sets.ts';

/**
 * The input sets a job runs on outside the host's inference process (web harness, the Android native
 * harness), chosen exactly as the host driver chooses them (same seeds, same dataset order and
 * limits), so results of every platform describe the same inputs.
 */
export async function jobInputSets(job: DriverJob): Promise<InputSet[]> {
  switch (job.benchmark) {
    case 'latency':
      return [await latencyInputSet(job)];
    case 'accuracy': {
      const sets: InputSet[] = [];
      for await (const set of datasetInputSets(job, job.settings.accuracyMaxSamples)) sets.push(set);
      if (sets.length === 0) throw new DriverError('invalid_input', 'the dataset has no samples');
      return sets;
    }
    case 'parity': {
      if (job.settings.inputSource === 'generated') return generatedInputSets(job, job.settings.paritySamples);
      const sets: InputSet[] = [];
      for await (const set of datasetInputSets(job, job.settings.paritySamples)) sets.push(set);
      return sets;
    }
    case 'feature':
      throw new DriverError('unsupported', 'feature replays take no input sets');
  }
}

export function toPacked(sets: InputSet[]): PackedSet[] {
  return sets.map((s) => (s.label !== undefined ? { tensors: s.tensors, label: s.label } : { tensors: s.tensors }));
}

/** As the host's accuracy: the first output whose last dimension equals the number of labels, else the first. */
export function scoreOutput(signature: ModelSignature, header: DatasetHeader): string {
  const fits = signature.outputs.find((o) => o.shape?.at(-1) === header.labels.length);
  const name = fits?.name ?? signature.outputs[0]?.name;
  if (name === undefined) throw new DriverError('invalid_model', 'the model has no outputs');
  return name;
}
