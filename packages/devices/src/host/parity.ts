import { ParityAccumulator } from '@edgeproof/metrics';
import type { ParitySummary } from '@edgeproof/contracts';
import type { DriverJob, DriverResult } from '../driver.ts';
import { datasetInputSets, generatedInputSets, type InputSet } from '../inputs/input-sets.ts';
import { hostEnvironment } from './result-environment.ts';
import { createSession, REFERENCE_SESSION_OPTIONS, REFERENCE_SETTINGS_TEXT, toFeeds, toNumbers } from '../reference/onnx-session.ts';
import { deviceSessionOptions } from './device-session.ts';
import { markMeasureEnd, markMeasureStart } from './phases.ts';

/**
 * Compares the measured session (settings.threads, all optimizations) with a reference session on the
 * same host (1 thread, no graph optimization) over settings.paritySamples input sets: generated with
 * seeds inputSeed+i, or the first dataset samples. rawSamples: per input set, the largest absolute
 * error over all numeric outputs (string outputs are skipped; non-finite mismatches count as Number.MAX_VALUE).
 */
export async function runParity(job: DriverJob): Promise<DriverResult> {
  const device = await createSession(job.model.path, deviceSessionOptions(job.settings.threads));
  const reference = await createSession(job.model.path, REFERENCE_SESSION_OPTIONS);

  const acc = new ParityAccumulator();
  const maxErrors: number[] = [];
  markMeasureStart();
  let shapes: Record<string, number[]> = {};
  for await (const set of inputSets(job)) {
    if (maxErrors.length === 0) shapes = set.shapes;
    const feeds = toFeeds(set.tensors, device.inputNames);
    const got = await device.run(feeds);
    const want = await reference.run(feeds);
    const thisSet = new ParityAccumulator();
    for (const name of device.outputNames) {
      const a = toNumbers(got[name]);
      const b = toNumbers(want[name]);
      if (a === null || b === null) continue;
      acc.add(name, a, b);
      thisSet.add(name, a, b);
    }
    maxErrors.push(Math.max(0, ...thisSet.summary().map((o) => o.maxAbsError)));
  }
  markMeasureEnd();
  await Promise.all([device.release(), reference.release()]);

  const summary: ParitySummary = {
    kind: 'parity',
    samples: maxErrors.length,
    outputs: acc.summary(),
    reference: { runtime: 'onnxruntime-node', executionProvider: 'cpu', settings: REFERENCE_SETTINGS_TEXT },
  };
  return { summary, rawSamples: maxErrors, environment: await hostEnvironment(job, shapes) };
}

async function* inputSets(job: DriverJob): AsyncGenerator<InputSet> {
  const n = job.settings.paritySamples;
  if (job.settings.inputSource === 'dataset') yield* datasetInputSets(job, n);
  else yield* generatedInputSets(job, n);
}
