import { z } from 'zod';
import { Sha256, Slug, VersionName } from './common.ts';
import { Scenario } from './scenarios.ts';

/** Where a feature build runs: a JS bundle for the web harness, or an APK implementing the native feature harness. */
export const FeaturePlatform = z.enum(['web', 'android']);
export type FeaturePlatform = z.infer<typeof FeaturePlatform>;

/** A model a feature build uses, pinned by version: key (as the build names it) → model name and version. */
export const PinnedModels = z
  .record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/, 'model keys are identifiers'), z.strictObject({ model: Slug, version: VersionName }))
  .refine((m) => Object.keys(m).length >= 1, 'pin at least one model')
  .refine((m) => Object.keys(m).length <= 20, 'at most 20 models');
export type PinnedModels = z.infer<typeof PinnedModels>;

/** Text fields of `POST /v1/features` (multipart, with the build as `file`); `models` is JSON. */
export const FeatureBuildUploadFields = z.strictObject({
  name: Slug,
  version: VersionName,
  platform: FeaturePlatform.default('web'),
  models: z.string().min(2).max(10_000),
  gitCommit: z.string().min(1).max(64).optional(),
  description: z.string().max(1000).optional(),
});

export const FeatureBuildOut = z.object({
  id: z.uuid(),
  name: z.string(),
  version: z.string(),
  platform: FeaturePlatform,
  sha256: Sha256,
  sizeBytes: z.number().int(),
  gitCommit: z.string().nullable(),
  description: z.string().nullable(),
  models: z.array(z.object({ key: z.string(), model: z.string(), version: z.string(), sha256: Sha256 })),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type FeatureBuildOut = z.infer<typeof FeatureBuildOut>;

export const ScenarioOut = z.object({
  id: z.uuid(),
  name: z.string(),
  version: z.string(),
  fps: z.number(),
  width: z.number().int(),
  height: z.number().int(),
  frameCount: z.number().int(),
  /** ground-truth lines (one object in one frame each) */
  groundTruthBoxes: z.number().int(),
  tracks: z.number().int(),
  videoSha256: Sha256,
  videoSizeBytes: z.number().int(),
  groundTruthSha256: Sha256,
  manifest: Scenario,
  createdBy: z.string(),
  createdAt: z.string(),
});
export type ScenarioOut = z.infer<typeof ScenarioOut>;

/** The feature build a feature job replays, with its pinned models' files. */
export const JobFeature = z.object({
  buildId: z.uuid(),
  name: z.string(),
  version: z.string(),
  platform: FeaturePlatform,
  sha256: Sha256,
  models: z.array(z.object({ key: z.string(), name: z.string(), version: z.string(), sha256: Sha256, format: z.enum(['onnx', 'tflite']) })),
});
export type JobFeature = z.infer<typeof JobFeature>;

export const JobScenario = z.object({
  id: z.uuid(),
  manifest: Scenario,
  videoSha256: Sha256,
  groundTruthSha256: Sha256,
});
export type JobScenario = z.infer<typeof JobScenario>;

/** Settings of a feature replay (BenchmarkSettings.feature); `threads` is BenchmarkSettings.threads. */
export const FeatureRunSettings = z.strictObject({
  processEveryK: z.number().int().min(1).max(1000).default(1),
  detectionInterval: z.number().int().min(1).max(1000).default(1),
  /** stop after this long even when the pass is not complete; default: one full pass of the scenario */
  maxSeconds: z.number().positive().max(6 * 3600).optional(),
  /** cost time-series interval */
  sampleIntervalMs: z.number().int().min(100).max(60_000).default(1000),
  /** IoU a track needs to match a ground-truth box */
  iouThreshold: z.number().gt(0).max(1).default(0.5),
  /** the feature's init() must resolve within this */
  initTimeoutSeconds: z.number().positive().max(600).default(30),
  /** each process() call must resolve within this */
  frameTimeoutSeconds: z.number().positive().max(600).default(10),
  /** minute-1 vs minute-N window */
  sustainedWindowSeconds: z.number().positive().max(3600).default(60),
  /** web harness: hand the feature the camera's own frames (I420 where the browser gives them), or always RGBA converted by the browser */
  frameFormat: z.enum(['camera', 'RGBA']).default('camera'),
});
export type FeatureRunSettings = z.infer<typeof FeatureRunSettings>;
export type FeatureRunSettingsInput = z.input<typeof FeatureRunSettings>;
