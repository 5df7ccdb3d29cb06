import { z } from 'zod';
import { FeatureFrameRecord } from './feature-results.ts';

/**
 * The feature variant of the Android native harness (docs/android-native-harness.md, "Feature
 * replays"): the app runs its camera feature on frames read from the pushed scenario video instead of
 * the camera, and writes one JSON line per processed frame to the result file.
 */
export const NATIVE_FEATURE_RESULT_FORMAT = 'edgeproof-native-feature-result/v1';

/**
 * String intent extras of a feature job. `edgeproof.cameraSource` says where the frames come from:
 * `file` — the app reads the pushed Y4M (`edgeproof.scenePath`) as its camera (phones, and emulators
 * set to it); `camera` — the app reads its real back camera while the agent shows the scene in it,
 * frame by frame, with Appium's emulator camera injection, and creates `edgeproof.endPath` after the
 * last frame.
 */
const FeatureExtrasBase = {
  'edgeproof.jobId': z.string().min(1),
  'edgeproof.benchmark': z.literal('feature'),
  /** JSON: { width, height, fps, frameCount } of the scenario */
  'edgeproof.scene': z.string().min(2),
  /** JSON: model key → pushed model path */
  'edgeproof.modelPaths': z.string().min(2),
  /** JSON: { processEveryK, detectionInterval, threads, maxSeconds } */
  'edgeproof.settings': z.string().min(2),
  'edgeproof.resultPath': z.string().startsWith('/'),
};
export const NativeFeatureExtras = z.discriminatedUnion('edgeproof.cameraSource', [
  z.strictObject({
    ...FeatureExtrasBase,
    'edgeproof.cameraSource': z.literal('file'),
    /** the scenario's Y4M video, pushed by the agent: the app's camera frames */
    'edgeproof.scenePath': z.string().startsWith('/'),
  }),
  z.strictObject({
    ...FeatureExtrasBase,
    'edgeproof.cameraSource': z.literal('camera'),
    /** created by the agent once the last frame has been shown: the pass is over */
    'edgeproof.endPath': z.string().startsWith('/'),
  }),
]);
export type NativeFeatureExtras = z.infer<typeof NativeFeatureExtras>;

/** Line 1 of the result file. */
export const NativeFeatureResultHeader = z.discriminatedUnion('status', [
  z.object({
    format: z.literal(NATIVE_FEATURE_RESULT_FORMAT),
    jobId: z.string().min(1),
    status: z.literal('ok'),
    runtime: z.string().min(1).max(100),
    runtimeVersion: z.string().min(1).max(100),
    threads: z.number().int().positive(),
    /** the whole pass was played (the app reached the last frame) */
    passComplete: z.boolean(),
    /** frames the app read but did not process (e.g. unreadable), if it counts them */
    undecodableFrames: z.number().int().nonnegative().default(0),
    extra: z.record(z.string(), z.unknown()).default({}),
  }),
  z.object({ format: z.literal(NATIVE_FEATURE_RESULT_FORMAT), jobId: z.string().min(1), status: z.literal('error'), error: z.string().min(1).max(10_000) }),
]);
export type NativeFeatureResultHeader = z.infer<typeof NativeFeatureResultHeader>;

/** Lines 2…: one processed frame each, times in ms since the app started reading the scene (one clock). */
export const NativeFeatureFrameLine = FeatureFrameRecord;
