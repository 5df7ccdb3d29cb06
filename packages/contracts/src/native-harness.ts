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
  /** accuracy and parity: the pushed input file (JSON Lines, NativeInputLine per line) */
  'edgeproof.inputsPath': z.string().startsWith('/').optional(),
  /** accuracy: the output holding class scores, and how many of its leading values to return per sample */
  'edgeproof.scoreOutput': z.string().min(1).optional(),
  'edgeproof.labelCount': z.string().regex(/^\d+$/).optional(),
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

export const NATIVE_HARNESS_INPUTS_FORMAT = 'edgeproof-native-inputs/v1';

/** One input set of an accuracy or parity job: each tensor as base64 of its little-endian bytes. */
export const NativeInputLine = z.strictObject({
  index: z.number().int().nonnegative(),
  /** dataset label (accuracy) */
  label: z.number().int().nonnegative().optional(),
  tensors: z.record(z.string(), z.strictObject({ type: z.string(), dims: z.array(z.number().int().nonnegative()), base64: z.string() })),
});
export type NativeInputLine = z.infer<typeof NativeInputLine>;

/** One output tensor as the app returns it for parity: values flattened in row-major order. */
export const NativeOutputTensor = z.strictObject({
  dims: z.array(z.number().int().nonnegative()),
  values: z.array(z.number()).max(10_000_000),
});

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
    /** latency jobs */
    latency: NativeLatency.optional(),
    /** accuracy jobs: per input line, in file order, the first labelCount values of scoreOutput */
    scores: z.array(z.array(z.number())).max(1_000_000).optional(),
    /** parity jobs: per input line, in file order, every output of the model by name */
    outputs: z.array(z.record(z.string(), NativeOutputTensor)).max(100_000).optional(),
    /** anything else worth keeping (app version, delegate options); stored with the result environment */
    extra: z.record(z.string(), z.unknown()).default({}),
  }),
  z.object({ ...ResultBase, status: z.literal('error'), error: z.string().min(1).max(10_000) }),
]);
export type NativeHarnessResult = z.infer<typeof NativeHarnessResult>;

/** The settings as the app receives them (same schema the agent uses). */
export const NativeHarnessSettings = BenchmarkSettings;
