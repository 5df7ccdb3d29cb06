import { z } from 'zod';
import { BenchmarkKind } from './common.ts';
import { BenchmarkSettings } from './settings.ts';

/**
 * The contract between edgeproof and a team's own Android app ("native harness").
 * docs/android-native-harness.md is the human description; these schemas are the truth.
 */
export const NATIVE_HARNESS_RESULT_FORMAT = 'edgeproof-native-result/v1';
/** logcat tag the app logs its completion line under */
export const NATIVE_HARNESS_LOG_TAG = 'EdgeproofHarness';
/** intent action of the benchmark activity */
export const NATIVE_HARNESS_ACTION = 'dev.edgeproof.action.BENCHMARK';

/** What the agent passes as string intent extras (`am start --es <key> <value>`). */
export const NativeHarnessExtras = z.strictObject({
  'edgeproof.jobId': z.string().min(1),
  'edgeproof.benchmark': BenchmarkKind,
  /** absolute path of the pushed model file on the device */
  'edgeproof.modelPath': z.string().startsWith('/'),
  'edgeproof.modelFormat': z.enum(['onnx', 'tflite']),
  /** BenchmarkSettings as JSON */
  'edgeproof.settings': z.string().min(2),
  /** where the app must write its result JSON (inside its own external files directory) */
  'edgeproof.resultPath': z.string().startsWith('/'),
});
export type NativeHarnessExtras = z.infer<typeof NativeHarnessExtras>;

export const NativeLatency = z.strictObject({
  /** model load + interpreter/session creation, ms */
  sessionCreateMs: z.number().nonnegative(),
  firstInferenceMs: z.number().nonnegative(),
  warmupRuns: z.number().int().nonnegative(),
  warmupSeconds: z.number().nonnegative(),
  /** every measured run in ms, in run order */
  samplesMs: z.array(z.number().nonnegative()).min(1).max(1_000_000),
  /** peak memory of the app process while measuring (e.g. Debug.getPss() * 1024), null when unknown */
  peakMemoryBytes: z.number().nonnegative().nullable().default(null),
});
export type NativeLatency = z.infer<typeof NativeLatency>;

const ResultBase = {
  format: z.literal(NATIVE_HARNESS_RESULT_FORMAT),
  jobId: z.string().min(1),
};

export const NativeHarnessResult = z.discriminatedUnion('status', [
  z.object({
    ...ResultBase,
    status: z.literal('ok'),
    /** e.g. "tflite", "onnxruntime-android", "executorch" */
    runtime: z.string().min(1).max(100),
    runtimeVersion: z.string().min(1).max(100),
    /** e.g. "cpu", "xnnpack", "nnapi", "gpu" */
    executionProvider: z.string().min(1).max(100),
    threads: z.number().int().positive(),
    latency: NativeLatency,
    /** anything else worth keeping (app version, delegate options); stored with the result environment */
    extra: z.record(z.string(), z.unknown()).default({}),
  }),
  z.object({ ...ResultBase, status: z.literal('error'), error: z.string().min(1).max(10_000) }),
]);
export type NativeHarnessResult = z.infer<typeof NativeHarnessResult>;

/** The settings as the app receives them (same schema the agent uses). */
export const NativeHarnessSettings = BenchmarkSettings;
