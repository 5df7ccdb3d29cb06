import * as ort from 'onnxruntime-web';
import type { PackedSet } from '../input-pack.ts';
import type { EncodedTensor, HarnessErrorCode, HarnessLoopSettings, HarnessSpec, LatencyTimings } from '../protocol.ts';
import type { BrowserWatch } from './browser-report.ts';
import { encodeTensor } from './encode.ts';

type Feeds = Record<string, ort.Tensor>;

/** A failure the page reports with a code the driver maps to DriverError. */
export class HarnessError extends Error {
  override name = 'HarnessError';
  readonly code: HarnessErrorCode;

  constructor(code: HarnessErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The measured session: like the host's, every graph optimization, sequential, one inter-op thread. */
export async function createSession(model: Uint8Array, spec: HarnessSpec): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(model, {
      executionProviders: [spec.executionProvider],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    });
  } catch (err) {
    throw new HarnessError('invalid_model', `onnxruntime-web could not load the model: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function toFeeds(set: PackedSet, inputNames: readonly string[]): Feeds {
  const feeds: Feeds = {};
  for (const name of inputNames) {
    const t = set.tensors[name];
    if (t === undefined) throw new HarnessError('invalid_input', `no value for model input "${name}"`);
    feeds[name] = new ort.Tensor(t.elementType as ort.Tensor.Type, t.data as ort.Tensor.DataType, t.dims);
  }
  return feeds;
}

export async function runOnce(session: ort.InferenceSession, feeds: Feeds, fetches?: string[]): Promise<ort.InferenceSession.OnnxValueMapType> {
  try {
    return fetches ? await session.run(feeds, fetches) : await session.run(feeds);
  } catch (err) {
    throw new HarnessError('failed', `inference failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The host driver's latency procedure, in the page: first inference timed on its own; warmup until
 * both warmup minimums are met; measurement until both measure minimums are met, stopped by
 * whichever maximum comes first. Every run uses the same input tensors.
 */
export async function measureLatency(
  session: ort.InferenceSession,
  set: PackedSet,
  s: HarnessLoopSettings,
  watch: BrowserWatch,
): Promise<Omit<LatencyTimings, 'sessionCreateMs'>> {
  const feeds = toFeeds(set, session.inputNames);
  const firstStart = performance.now();
  await runOnce(session, feeds);
  const firstInferenceMs = performance.now() - firstStart;

  let warmupRuns = 0;
  const warmupStart = performance.now();
  while (warmupRuns < s.warmupMinRuns || performance.now() - warmupStart < s.warmupMinSeconds * 1000) {
    await runOnce(session, feeds);
    warmupRuns++;
  }
  const warmupSeconds = (performance.now() - warmupStart) / 1000;
  watch.sample();

  const samples: number[] = [];
  const measureStart = performance.now();
  for (;;) {
    const elapsedMs = performance.now() - measureStart;
    if (samples.length >= s.measureMaxRuns || elapsedMs >= s.measureMaxSeconds * 1000) break;
    if (samples.length >= s.measureMinRuns && elapsedMs >= s.measureMinSeconds * 1000) break;
    const t = performance.now();
    await runOnce(session, feeds);
    samples.push(performance.now() - t);
  }
  const measureSeconds = (performance.now() - measureStart) / 1000;
  watch.sample();
  return { firstInferenceMs, warmupRuns, warmupSeconds, measureSeconds, samples };
}

/** Per sample, the first `labelCount` values of `output`, concatenated into one [samples, labelCount] tensor. */
export async function collectScores(
  session: ort.InferenceSession,
  sets: PackedSet[],
  output: string,
  labelCount: number,
  watch: BrowserWatch,
): Promise<EncodedTensor> {
  if (!session.outputNames.includes(output)) throw new HarnessError('invalid_input', `the model has no output "${output}"`);
  let all: ort.Tensor.DataType | undefined;
  let type = 'float32';
  for (const [i, set] of sets.entries()) {
    const value = (await runOnce(session, toFeeds(set, session.inputNames), [output]))[output] as ort.Tensor | undefined;
    const data = value?.data;
    if (value === undefined || data === undefined || Array.isArray(data) || data.length < labelCount) {
      const n = data === undefined || Array.isArray(data) ? 0 : data.length;
      throw new HarnessError('invalid_input', `output "${output}" has ${n} numeric values, fewer than the dataset's ${labelCount} labels`);
    }
    if (all === undefined) {
      type = value.type;
      all = new (data.constructor as new (n: number) => typeof data)(sets.length * labelCount);
    }
    (all as Float32Array).set(data.subarray(0, labelCount) as Float32Array, i * labelCount);
    if (i % 64 === 0) watch.sample();
  }
  return encodeTensor(type, [sets.length, labelCount], all ?? new Float32Array(0));
}

/** Every output of the measured session for every input set. */
export async function collectOutputs(
  session: ort.InferenceSession,
  sets: PackedSet[],
  watch: BrowserWatch,
): Promise<Record<string, EncodedTensor>[]> {
  const out: Record<string, EncodedTensor>[] = [];
  for (const set of sets) {
    const result = await runOnce(session, toFeeds(set, session.inputNames));
    const encoded: Record<string, EncodedTensor> = {};
    for (const name of session.outputNames) {
      const v = result[name];
      if (v instanceof ort.Tensor) encoded[name] = encodeTensor(v.type, [...v.dims], v.data);
    }
    out.push(encoded);
    watch.sample();
  }
  return out;
}
