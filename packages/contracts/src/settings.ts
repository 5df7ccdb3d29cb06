import { z } from 'zod';
import { FeatureRunSettings } from './feature-builds.ts';

export const TfliteDelegate = z.enum(['cpu', 'xnnpack', 'gpu', 'nnapi']);
export type TfliteDelegate = z.infer<typeof TfliteDelegate>;

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
  /**
   * runtimes to run the model on, on each device that has them, e.g. ["onnxruntime-web/wasm", "litert/wasm"]:
   * the model's format decides which apply (ONNX: onnxruntime-*, TFLite: litert/*); default: the device's own one for that format
   */
  runtimes: z.array(z.string().min(1).max(100)).min(1).max(8).optional(),
  /**
   * browser devices: keep the WebDriver session (browser process, profile, HTTP cache) between jobs
   * and give each job a fresh tab. Saves ~1 s of session start per job; session creation and first
   * inference may then be faster than in a new browser (cached wasm), the timed runs are not affected.
   */
  reuseBrowserSession: z.boolean().optional(),
  /**
   * TFLite delegate (Android benchmark_model): "cpu" = TFLite's own kernels (--use_xnnpack=false), "xnnpack",
   * "gpu", "nnapi"; absent = the tool's default (XNNPACK in recent builds). Read by the Android driver's benchmark_model
   * path, which refuses a delegate the phone or the build cannot apply; the other drivers do not read it (yet).
   */
  delegate: TfliteDelegate.optional(),
  /** feature replays (benchmark "feature"): processing rate, detection interval, sampling, timeouts */
  feature: FeatureRunSettings.optional(),
});
export type BenchmarkSettings = z.infer<typeof BenchmarkSettings>;
export type BenchmarkSettingsInput = z.input<typeof BenchmarkSettings>;
