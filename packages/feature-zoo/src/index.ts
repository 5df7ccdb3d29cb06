export { buildItemDetector, type DetectorOptions, type BuiltDetector } from './detector.ts';
export { DETECTOR_INPUT, DETECTOR_OUTPUT, DETECTOR_STRIDE } from './bundle/detector-io.ts';
export { heatmapToDetections, rgbaToPlanar, i420ToPlanar, type PixelFrame, ItemDetector, type Detection, type Bbox, type PostProcessOptions } from './bundle/detect.ts';
export { IouTracker, iou as bboxIou, type TrackerOptions, type ShownTrack } from './bundle/tracker.ts';
export { createItemFeature, LABELS, DETECTOR_MODEL_KEY, type ItemFeature } from './bundle/feature.ts';
export { parseFeatureSettings } from './bundle/settings.ts';
export type { OrtLike, OrtSessionLike, OrtTensorLike } from './bundle/ort.ts';
export {
  buildFeatureBundles,
  FEATURE_BUNDLES,
  FEATURE_BUILDS_FORMAT,
  DETECTOR_FILE,
  type FeatureBundleName,
  type FeatureBuildManifest,
  type BuiltFile,
} from './build.ts';
export { loadFeatureBundle, replayFeature, type ReplayResult, type PredictedBox } from './replay.ts';
export { evaluateFeatureBundles, type BundleEvaluation } from './evaluate.ts';
