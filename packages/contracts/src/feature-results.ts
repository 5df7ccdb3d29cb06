import { z } from 'zod';
import { Sha256 } from './common.ts';
import { FeatureTrack } from './features.ts';

/**
 * The result of a feature evaluation (benchmark kind "feature"): a feature build replayed on a
 * scenario, scored against its ground truth, with every processed frame and the cost time series
 * kept as raw data. Readings a device does not expose are null ("unavailable"), never estimated.
 */

const nullableNumber = z.number().nullable();
const Stats = z.object({ p50: z.number(), p90: z.number(), mean: z.number(), max: z.number() }).nullable();

/** One processed camera frame. */
export const FeatureFrameRecord = z.object({
  /** 0-based scenario frame index read from the frame's code */
  index: z.number().int().nonnegative(),
  /** when the frame was captured and when its result came back, ms since the replay started (one clock) */
  captureMs: z.number(),
  resultMs: z.number(),
  tracks: z.array(FeatureTrack),
});
export type FeatureFrameRecord = z.infer<typeof FeatureFrameRecord>;

export const FeatureCostSample = z.object({
  tMs: z.number(),
  cpuTimeMs: nullableNumber,
  rssBytes: nullableNumber,
  temperaturesC: z.record(z.string(), z.number()),
  energyUj: nullableNumber,
  batteryPercent: nullableNumber,
  batteryCurrentMa: nullableNumber,
});
export type FeatureCostSample = z.infer<typeof FeatureCostSample>;

export const FeatureTracking = z.object({
  iouThreshold: z.number(),
  mota: nullableNumber,
  motp: nullableNumber,
  idf1: nullableNumber,
  idSwitches: z.number().int(),
  fragmentations: z.number().int(),
  precision: nullableNumber,
  recall: nullableNumber,
  falsePositives: z.number().int(),
  falseNegatives: z.number().int(),
  gtObjects: z.number().int(),
  predictions: z.number().int(),
  matches: z.number().int(),
  idtp: z.number().int(),
  idfp: z.number().int(),
  idfn: z.number().int(),
  frames: z.number().int(),
});
export type FeatureTracking = z.infer<typeof FeatureTracking>;

export const FeatureSummary = z.object({
  kind: z.literal('feature'),
  feature: z.object({ name: z.string(), version: z.string(), sha256: Sha256, platform: z.string() }),
  scenario: z.object({ name: z.string(), version: z.string(), fps: z.number(), frameCount: z.number().int(), width: z.number().int(), height: z.number().int() }),
  settings: z.object({ processEveryK: z.number().int(), detectionInterval: z.number().int(), threads: z.number().int() }),
  /** how the processed frames cover the scenario */
  pass: z.object({
    /** every scenario frame up to the last one was presented (the replay was not cut short) */
    complete: z.boolean(),
    firstIndex: z.number().int().nullable(),
    lastIndex: z.number().int().nullable(),
    /** camera frames without a readable frame code (not processed) */
    undecodableFrames: z.number().int(),
  }),
  /** CLEAR-MOT and identity metrics of the processed frames (frames with no result are not scored) */
  tracking: FeatureTracking,
  experience: z.object({
    itemsInView: z.number().int(),
    itemsNeverShown: z.number().int(),
    timeToFirstResultMs: Stats,
    shownRatio: nullableNumber,
    flickers: z.number().int(),
    idChanges: z.number().int(),
    meanShownRunMs: nullableNumber,
    items: z.array(z.record(z.string(), z.unknown())),
  }),
  delivery: z.object({
    processedFrames: z.number().int(),
    distinctFrames: z.number().int(),
    expectedFrames: z.number().int(),
    droppedFrames: z.number().int(),
    droppedRatio: z.number(),
    processedFps: nullableNumber,
    /** capture → result, ms, measured in the page (performance.now) or by the app */
    latencyMs: Stats,
    durationMs: z.number(),
  }),
  /** first vs last window (minute 1 vs minute N); null for replays shorter than two windows */
  sustained: z.record(z.string(), z.unknown()).nullable(),
  cost: z.object({
    sampleIntervalMs: z.number(),
    /** where each reading came from, or "unavailable" */
    sources: z.record(z.string(), z.string()),
    temperatureRiseC: nullableNumber,
    maxTemperatureC: nullableNumber,
    energyJoulesPerMinute: nullableNumber,
    batteryPercentPerMinute: nullableNumber,
    batteryCurrentMaMean: nullableNumber,
    cpuPercentMean: nullableNumber,
    cpuPercentMax: nullableNumber,
    peakRssBytes: nullableNumber,
    durationMs: z.number(),
    series: z.array(FeatureCostSample),
  }),
  records: z.array(FeatureFrameRecord),
});
export type FeatureSummary = z.infer<typeof FeatureSummary>;
