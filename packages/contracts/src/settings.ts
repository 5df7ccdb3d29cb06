import { z } from 'zod';
import { FeatureRunSettings } from './feature-builds.ts';

/**
 * How a benchmark is measured. Latency defaults follow TFLite's benchmark_model:
 * warmup at least 1 run and 0.5 s, measurement at least 50 runs and 1 s.
 */
export const BenchmarkSettings = z.strictObject({
  threads: z.number().int().min(1).max(256).default(1),
  warmupMinRuns: z.number().int().min(0).max(100_000).default(1),
  warmupMinSeconds: z.number().min(0).max(600).default(0.5),
  measureMinRuns: z.number().int().min(1).max(100_000).default(50),
  measureMinSeconds: z.number().min(0).max(3600).default(1),
  /** upper bounds: measurement stops at whichever comes first once both minimums are met */
  measureMaxRuns: z.number().int().min(1).max(1_000_000).default(1_000_000),
  measureMaxSeconds: z.number().min(0.1).max(3600).default(60),
  /** values for symbolic dimensions by name, e.g. { "batch": 1, "H": 640 } */
  dims: z.record(z.string(), z.number().int().positive()).default({}),
  /** full shapes per input name; wins over `dims` */
  inputShapes: z.record(z.string(), z.array(z.number().int().nonnegative())).default({}),
  /** seed of the generated inputs; the same seed gives the same bytes everywhere */
  inputSeed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
  /** latency inputs: generated from the signature, or the first dataset sample */
  inputSource: z.enum(['generated', 'dataset']).default('generated'),
  /** accuracy: evaluate at most this many dataset samples (in file order) */
  accuracyMaxSamples: z.number().int().positive().optional(),
  /** parity: number of input sets compared */
  paritySamples: z.number().int().min(1).max(1000).default(8),
  /** a job running longer than this fails with a timeout */
  timeoutSeconds: z.number().int().min(5).max(6 * 3600).default(600),
  /** feature replays (benchmark "feature"): processing rate, detection interval, sampling, timeouts */
  feature: FeatureRunSettings.optional(),
});
export type BenchmarkSettings = z.infer<typeof BenchmarkSettings>;
export type BenchmarkSettingsInput = z.input<typeof BenchmarkSettings>;
