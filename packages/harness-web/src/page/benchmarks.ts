import type { PackedSet } from '../input-pack.ts';
import { measureDone, warmingUp } from '../measure-rule.ts';
import type { EncodedTensor, HarnessLoopSettings, LatencyTimings } from '../protocol.ts';
import type { BrowserWatch } from './browser-report.ts';
import { encodeTensor } from './encode.ts';
import { HarnessError, readOnce, runOnce, type RuntimeSession } from './runtime.ts';

export { HarnessError } from './runtime.ts';

/**
 * The host driver's latency procedure, in the page: first inference timed on its own; warmup until
 * both warmup minimums are met; measurement until both measure minimums are met, stopped by
 * whichever maximum comes first. Every run uses the same input tensors.
 */
export async function measureLatency(
  session: RuntimeSession,
  set: PackedSet,
  s: HarnessLoopSettings,
  watch: BrowserWatch,
): Promise<Omit<LatencyTimings, 'sessionCreateMs'>> {
  const feeds = session.feeds(set);
  try {
    const firstStart = performance.now();
    await runOnce(session, feeds);
    const firstInferenceMs = performance.now() - firstStart;

    let warmupRuns = 0;
    const warmupStart = performance.now();
    while (warmingUp(s, warmupRuns, performance.now() - warmupStart)) {
      await runOnce(session, feeds);
      warmupRuns++;
    }
    const warmupSeconds = (performance.now() - warmupStart) / 1000;
    watch.sample();

    const samples: number[] = [];
    const measureStart = performance.now();
    for (;;) {
      if (measureDone(s, samples.length, performance.now() - measureStart)) break;
      const t = performance.now();
      await runOnce(session, feeds);
      samples.push(performance.now() - t);
    }
    const measureSeconds = (performance.now() - measureStart) / 1000;
    watch.sample();
    return { firstInferenceMs, warmupRuns, warmupSeconds, measureSeconds, samples };
  } finally {
    session.dropFeeds(feeds);
  }
}

/** Per sample, the first `labelCount` values of `output`, concatenated into one [samples, labelCount] tensor. */
export async function collectScores(
  session: RuntimeSession,
  sets: PackedSet[],
  output: string,
  labelCount: number,
  watch: BrowserWatch,
): Promise<EncodedTensor> {
  if (!session.outputNames.includes(output)) throw new HarnessError('invalid_input', `the model has no output "${output}"`);
  type Numeric = Exclude<ArrayBufferView, DataView> & { length: number; subarray(a: number, b: number): ArrayBufferView; set(v: ArrayBufferView, at: number): void };
  let all: Numeric | undefined;
  let type = 'float32';
  for (const [i, set] of sets.entries()) {
    const feeds = session.feeds(set);
    let value;
    try {
      value = (await readOnce(session, feeds, [output]))[output];
    } finally {
      session.dropFeeds(feeds);
    }
    const data = value?.data as Numeric | readonly string[] | undefined;
    if (value === undefined || data === undefined || Array.isArray(data) || (data as Numeric).length < labelCount) {
      const n = data === undefined || Array.isArray(data) ? 0 : (data as Numeric).length;
      throw new HarnessError('invalid_input', `output "${output}" has ${n} numeric values, fewer than the dataset's ${labelCount} labels`);
    }
    const numeric = data as Numeric;
    if (all === undefined) {
      type = value.type;
      all = new (numeric.constructor as new (n: number) => Numeric)(sets.length * labelCount);
    }
    all.set(numeric.subarray(0, labelCount), i * labelCount);
    if (i % 64 === 0) watch.sample();
  }
  return encodeTensor(type, [sets.length, labelCount], all ?? new Float32Array(0));
}

/** Every output of the measured session for every input set. */
export async function collectOutputs(session: RuntimeSession, sets: PackedSet[], watch: BrowserWatch): Promise<Record<string, EncodedTensor>[]> {
  const out: Record<string, EncodedTensor>[] = [];
  for (const set of sets) {
    const feeds = session.feeds(set);
    try {
      const result = await readOnce(session, feeds);
      const encoded: Record<string, EncodedTensor> = {};
      for (const name of session.outputNames) {
        const v = result[name];
        if (v) encoded[name] = encodeTensor(v.type, v.dims, v.data);
      }
      out.push(encoded);
    } finally {
      session.dropFeeds(feeds);
    }
    watch.sample();
  }
  return out;
}
