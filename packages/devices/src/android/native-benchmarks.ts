import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccuracySummary, NativeInputLine, ParitySummary, ResultSummary } from '@edgeproof/contracts';
import { AccuracyAccumulator, ParityAccumulator, topK } from '@edgeproof/metrics';
import { DriverError, type DriverJob } from '../driver.ts';
import { jobInputSets, scoreOutput } from '../inputs/job-inputs.ts';
import { referenceOutputs, type ReferenceOutputs } from '../reference/reference-process.ts';
import type { InputSet } from '../inputs/input-sets.ts';
import type { DeviceShell } from './device-shell.ts';
import { latencySummary, runNativeHarness, type NativeHarnessConfig, type OkNativeResult } from './native-harness.ts';

/** What an accuracy or parity job hands the app besides the model: the input sets and, for accuracy, where the scores are. */
export interface NativeInputs {
  sets: InputSet[];
  /** the file pushed as edgeproof.inputsPath */
  jsonl: string;
  scoreOutput?: string;
  labelCount?: number;
}

/** The input sets, chosen as on the host and in the browser (same seeds, dataset order and limits), as JSON Lines. */
export async function nativeInputs(job: DriverJob): Promise<NativeInputs> {
  const sets = await jobInputSets(job);
  const lines = sets.map((set, index) => {
    const tensors: NativeInputLine['tensors'] = {};
    for (const [name, t] of Object.entries(set.tensors)) {
      if (Array.isArray(t.data)) throw new DriverError('unsupported', `input "${name}" is a string tensor: the native harness contract passes numeric tensors only`);
      const view = t.data as ArrayBufferView;
      tensors[name] = { type: t.elementType, dims: t.dims, base64: Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64') };
    }
    const line: NativeInputLine = { index, tensors, ...(set.label !== undefined ? { label: set.label } : {}) };
    return JSON.stringify(line);
  });
  const out: NativeInputs = { sets, jsonl: `${lines.join('\n')}\n` };
  if (job.benchmark === 'accuracy' && job.dataset) {
    out.scoreOutput = scoreOutput(job.model.signature, job.dataset.header);
    out.labelCount = job.dataset.header.labels.length;
  }
  return out;
}

/** The job's summary and raw samples from the app's result, by the same rules as the host and browser drivers. */
export function nativeOutcome(job: DriverJob, r: OkNativeResult, inputs: NativeInputs | undefined, ref: ReferenceOutputs | undefined): { summary: ResultSummary; rawSamples: number[] } {
  switch (job.benchmark) {
    case 'latency': {
      if (!r.latency) throw new DriverError('invalid_input', 'native harness result for a latency job has no "latency"');
      return { summary: latencySummary(r.latency), rawSamples: r.latency.samplesMs };
    }
    case 'accuracy': {
      if (!job.dataset || !inputs?.scoreOutput) throw new DriverError('invalid_input', 'an accuracy benchmark needs a dataset and the job has none');
      const labels = job.dataset.header.labels;
      const scores = r.scores;
      if (!scores || scores.length !== inputs.sets.length) {
        throw new DriverError('invalid_input', `native harness result "scores": expected ${inputs.sets.length} rows (one per input line), got ${scores?.length ?? 'none'}`);
      }
      const acc = new AccuracyAccumulator(labels);
      const correct = scores.map((row, i) => {
        if (row.length !== labels.length) throw new DriverError('invalid_input', `native harness result "scores[${i}]": expected ${labels.length} values, got ${row.length}`);
        const label = inputs.sets[i]?.label ?? 0;
        acc.add(row, label);
        return topK(row, 1)[0] === label ? 1 : 0;
      });
      const summary: AccuracySummary = { ...acc.summary(), kind: 'accuracy', datasetSha256: job.dataset.sha256, output: inputs.scoreOutput };
      return { summary, rawSamples: correct };
    }
    case 'parity': {
      if (!ref) throw new DriverError('failed', 'no parity reference was computed');
      const outputs = r.outputs;
      if (!outputs || outputs.length !== ref.outputs.length) {
        throw new DriverError('invalid_input', `native harness result "outputs": expected ${ref.outputs.length} entries (one per input line), got ${outputs?.length ?? 'none'}`);
      }
      const acc = new ParityAccumulator();
      const maxErrors = outputs.map((got, i) => {
        const one = new ParityAccumulator();
        for (const name of ref.outputNames) {
          const b = ref.outputs[i]?.[name] ?? null;
          const a = got[name]?.values;
          if (b === null) continue;
          if (a === undefined) throw new DriverError('invalid_input', `native harness result "outputs[${i}]" has no output "${name}"`);
          if (a.length !== b.length) throw new DriverError('invalid_input', `native harness result "outputs[${i}].${name}": ${a.length} values, the reference has ${b.length}`);
          acc.add(name, a, b);
          one.add(name, a, b);
        }
        return Math.max(0, ...one.summary().map((o) => o.maxAbsError));
      });
      const summary: ParitySummary = {
        kind: 'parity',
        samples: maxErrors.length,
        outputs: acc.summary(),
        reference: { runtime: 'onnxruntime-node', executionProvider: 'cpu', settings: ref.settings },
      };
      return { summary, rawSamples: maxErrors };
    }
    default:
      throw new DriverError('unsupported', `the native harness has no "${job.benchmark}" benchmark here`);
  }
}

/**
 * One benchmark through the app: for accuracy and parity the input sets are written as JSON Lines
 * and pushed with the model; parity's reference runs meanwhile in onnxruntime-node on the host.
 */
export async function runNativeJob(
  device: DeviceShell,
  job: DriverJob,
  cfg: NativeHarnessConfig,
  signal: AbortSignal,
): Promise<{ result: OkNativeResult; summary: ResultSummary; rawSamples: number[] }> {
  if (job.benchmark === 'latency') {
    const result = await runNativeHarness(device, job, cfg, signal);
    return { result, ...nativeOutcome(job, result, undefined, undefined) };
  }
  if (job.benchmark === 'parity' && job.model.format !== 'onnx') {
    throw new DriverError('unsupported', `parity needs a reference runtime on the host for ${job.model.format} models, and there is none (ONNX only)`);
  }
  const inputs = await nativeInputs(job);
  const dir = await mkdtemp(join(tmpdir(), 'ep-native-inputs-'));
  const stopReference = new AbortController();
  const onAbort = () => stopReference.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const reference = job.benchmark === 'parity' ? referenceOutputs({ modelPath: job.model.path, sets: inputs.sets.map((s) => s.tensors) }, stopReference.signal) : undefined;
  reference?.catch(() => {});
  try {
    const localPath = join(dir, 'inputs.jsonl');
    await writeFile(localPath, inputs.jsonl);
    const result = await runNativeHarness(device, job, cfg, signal, {
      localPath,
      ...(inputs.scoreOutput !== undefined ? { scoreOutput: inputs.scoreOutput } : {}),
      ...(inputs.labelCount !== undefined ? { labelCount: inputs.labelCount } : {}),
    });
    return { result, ...nativeOutcome(job, result, inputs, reference ? await reference : undefined) };
  } finally {
    signal.removeEventListener('abort', onAbort);
    stopReference.abort();
    await rm(dir, { recursive: true, force: true });
  }
}
