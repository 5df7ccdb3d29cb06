import { AccuracyAccumulator, topK } from '@edgeproof/metrics';
import type { AccuracySummary, DatasetHeader, ModelSignature } from '@edgeproof/contracts';
import { DriverError, type DriverJob, type DriverResult } from '../driver.ts';
import { datasetInputSets } from '../inputs/input-sets.ts';
import { hostEnvironment } from './result-environment.ts';
import { markMeasureEnd, markMeasureStart } from './phases.ts';
import { createSession, toFeeds, toNumbers } from '../reference/onnx-session.ts';
import { deviceSessionOptions } from './device-session.ts';

/**
 * Top-1/top-5 over the dataset (file order, at most settings.accuracyMaxSamples). Scores come from the
 * first output whose last dimension equals the number of labels (else the first output); with a batch
 * dimension, only the first row is read. rawSamples: 1 when top-1 was right, else 0, per sample.
 */
export async function runAccuracy(job: DriverJob): Promise<DriverResult> {
  if (job.dataset === null) throw new DriverError('invalid_input', 'an accuracy benchmark needs a dataset and the job has none');
  const { header, sha256 } = job.dataset;
  const session = await createSession(job.model.path, deviceSessionOptions(job.settings.threads));
  const output = scoreOutput(job.model.signature, header, session.outputNames);
  const labelCount = header.labels.length;

  const acc = new AccuracyAccumulator(header.labels);
  const correct: number[] = [];
  markMeasureStart();
  let shapes: Record<string, number[]> = {};
  for await (const set of datasetInputSets(job, job.settings.accuracyMaxSamples)) {
    if (correct.length === 0) shapes = set.shapes;
    const label = set.label ?? 0;
    const result = await session.run(toFeeds(set.tensors, session.inputNames), [output]);
    const values = toNumbers(result[output]);
    if (values === null || values.length < labelCount) {
      throw new DriverError(
        'invalid_input',
        `output "${output}" has ${values?.length ?? 0} numeric values, fewer than the dataset's ${labelCount} labels`,
      );
    }
    const scores = Array.from(values.subarray(0, labelCount));
    acc.add(scores, label);
    correct.push(topK(scores, 1)[0] === label ? 1 : 0);
  }
  markMeasureEnd();
  await session.release();
  if (correct.length === 0) throw new DriverError('invalid_input', 'the dataset has no samples');

  const summary: AccuracySummary = { ...acc.summary(), kind: 'accuracy', datasetSha256: sha256, output };
  return { summary, rawSamples: correct, environment: await hostEnvironment(job, shapes, { output }) };
}

function scoreOutput(signature: ModelSignature, header: DatasetHeader, available: readonly string[]): string {
  const fits = signature.outputs.find((o) => available.includes(o.name) && o.shape?.at(-1) === header.labels.length);
  const name = fits?.name ?? available[0];
  if (name === undefined) throw new DriverError('invalid_model', 'the model has no outputs');
  return name;
}
