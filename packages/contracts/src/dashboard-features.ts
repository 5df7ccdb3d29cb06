import { z } from 'zod';
import { DashDevice } from './dashboard.ts';
import { FeatureSummary } from './feature-results.ts';

/**
 * Dashboard views of feature evaluations (results of kind "feature"): one row per replay with the
 * tracking, experience and delivery figures, and for one replay its per-frame latency timeline and
 * cost series, downsampled on the server (never every raw sample). A null reading means the device
 * exposed nothing ("unavailable").
 */

const Stats = z.object({ p50: z.number(), p90: z.number(), mean: z.number(), max: z.number() }).nullable();

export const FeatureEvaluationRow = z.object({
  run: z.uuid(),
  job: z.uuid(),
  measuredAt: z.string(),
  model: z.string(),
  version: z.string(),
  device: DashDevice,
  feature: FeatureSummary.shape.feature,
  scenario: FeatureSummary.shape.scenario,
  settings: FeatureSummary.shape.settings,
  passComplete: z.boolean(),
  tracking: FeatureSummary.shape.tracking,
  experience: z.object({
    timeToFirstResultMs: Stats,
    shownRatio: z.number().nullable(),
    flickers: z.number().int(),
    idChanges: z.number().int(),
    itemsInView: z.number().int(),
    itemsNeverShown: z.number().int(),
  }),
  delivery: z.object({
    latencyMs: Stats,
    processedFps: z.number().nullable(),
    droppedRatio: z.number(),
    processedFrames: z.number().int(),
    expectedFrames: z.number().int(),
  }),
  cost: z.object({
    cpuPercentMean: z.number().nullable(),
    peakRssBytes: z.number().nullable(),
    temperatureRiseC: z.number().nullable(),
    maxTemperatureC: z.number().nullable(),
    batteryPercentPerMinute: z.number().nullable(),
    energyJoulesPerMinute: z.number().nullable(),
    /** reading → where it came from, or "unavailable…" */
    sources: z.record(z.string(), z.string()),
  }),
});
export type FeatureEvaluationRow = z.infer<typeof FeatureEvaluationRow>;

export const FeatureEvaluationList = z.object({ items: z.array(FeatureEvaluationRow) });
export type FeatureEvaluationList = z.infer<typeof FeatureEvaluationList>;

/** One point of the latency timeline: the frames of one time bucket (one frame when there are few) */
export const LatencyTimelinePoint = z.object({
  /** capture time, s since the replay started (bucket centre) */
  tS: z.number(),
  frames: z.number().int(),
  minMs: z.number(),
  medianMs: z.number(),
  maxMs: z.number(),
});
export type LatencyTimelinePoint = z.infer<typeof LatencyTimelinePoint>;

/** Cost readings of one time bucket, averaged; null when nothing was exposed in it */
export const CostPoint = z.object({
  tS: z.number(),
  /** percent of one core over the bucket (from cumulative CPU time) */
  cpuPercent: z.number().nullable(),
  rssMiB: z.number().nullable(),
  /** hottest sensor's reading */
  temperatureC: z.number().nullable(),
  batteryPercent: z.number().nullable(),
});
export type CostPoint = z.infer<typeof CostPoint>;

export const FeatureEvaluationDetail = z.object({
  row: FeatureEvaluationRow,
  /** at most `points` buckets; `frames` says how many processed frames there were in all */
  latencyTimeline: z.object({ frames: z.number().int(), bucketS: z.number().nullable(), points: z.array(LatencyTimelinePoint) }),
  costSeries: z.object({
    samples: z.number().int(),
    sampleIntervalMs: z.number(),
    points: z.array(CostPoint),
    /** which series have at least one reading */
    available: z.object({ cpuPercent: z.boolean(), rssMiB: z.boolean(), temperatureC: z.boolean(), batteryPercent: z.boolean() }),
  }),
});
export type FeatureEvaluationDetail = z.infer<typeof FeatureEvaluationDetail>;
