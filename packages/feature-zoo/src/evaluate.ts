import { join } from 'node:path';
import type { FeatureSettingsInput } from '@edgeproof/contracts';
import { evaluateTracking, percentile, type TrackingResult } from '@edgeproof/metrics';
import { motRowsToTrackBoxes, parseY4m, type MotRow } from '@edgeproof/scenes';
import { DETECTOR_MODEL_KEY } from './bundle/feature.ts';
import type { OrtLike } from './bundle/ort.ts';
import { FEATURE_BUNDLES, type FeatureBuildManifest, type FeatureBundleName } from './build.ts';
import { loadFeatureBundle, replayFeature, type PredictedBox } from './replay.ts';

export interface BundleEvaluation {
  bundle: FeatureBundleName;
  tracking: TrackingResult;
  /** per-frame `process` wall time in ms (performance.now around each awaited call, in this process) */
  processMs: { p50: number; p90: number; mean: number };
  predictions: PredictedBox[];
  /** every decoded frame index equalled the replay position */
  framesExact: boolean;
}

/**
 * Replays a scenario's video through built feature bundles (in this Node process, with the given
 * onnxruntime) and scores each against the scenario's ground truth with CLEAR-MOT and IDF1.
 */
export async function evaluateFeatureBundles(options: {
  ort: OrtLike;
  builds: FeatureBuildManifest;
  buildDir: string;
  video: Uint8Array;
  groundTruth: readonly MotRow[];
  fps: number;
  settings?: FeatureSettingsInput;
  bundles?: readonly FeatureBundleName[];
  iouThreshold?: number;
}): Promise<BundleEvaluation[]> {
  const video = parseY4m(options.video);
  const gt = motRowsToTrackBoxes(options.groundTruth);
  const frames = Array.from({ length: video.frameCount }, (_, i) => i + 1);
  const out: BundleEvaluation[] = [];
  for (const bundle of options.bundles ?? (Object.keys(FEATURE_BUNDLES) as FeatureBundleName[])) {
    const file = join(options.buildDir, options.builds.bundles[bundle].file);
    const feature = await loadFeatureBundle(file);
    const result = await replayFeature(
      feature,
      { modelUrls: { [DETECTOR_MODEL_KEY]: join(options.buildDir, options.builds.detector.file) }, settings: options.settings ?? {}, ort: options.ort },
      video,
      { fps: options.fps },
    );
    const tracking = evaluateTracking(gt, result.predictions, { iouThreshold: options.iouThreshold ?? 0.5, frames });
    const ms = [...result.processMs].sort((a, b) => a - b);
    out.push({
      bundle,
      tracking,
      processMs: { p50: percentile(ms, 50), p90: percentile(ms, 90), mean: ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length) },
      predictions: result.predictions,
      framesExact: result.decodedIndices.every((d, i) => d === i),
    });
  }
  return out;
}
