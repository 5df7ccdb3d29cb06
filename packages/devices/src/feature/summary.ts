import { FeatureSummary, type FeatureCostSample, type FeatureFrameRecord, type FeatureRunSettings, type ResultEnvironment, type Scenario } from '@edgeproof/contracts';
import { deriveCost, evaluateTracking, featureExperience, frameDelivery, sustainedPerformance, type LabelledBox } from '@edgeproof/metrics';
import { parseMotGroundTruth } from '@edgeproof/scenes';
import type { DriverResult } from '../driver.ts';

export interface FeatureReplay {
  feature: { name: string; version: string; sha256: string; platform: string };
  manifest: Scenario;
  groundTruthText: string;
  settings: { processEveryK: number; detectionInterval: number; threads: number };
  run: FeatureRunSettings;
  records: FeatureFrameRecord[];
  undecodableFrames: number;
  passComplete: boolean;
  cost: { samples: FeatureCostSample[]; sources: Record<string, string>; intervalMs: number; energyRangeUj?: number | undefined };
  environment: Omit<ResultEnvironment, 'warmupMinRuns' | 'warmupMinSeconds' | 'measureMinRuns' | 'measureMinSeconds' | 'measureMaxRuns' | 'measureMaxSeconds' | 'inputSource' | 'inputSeed' | 'inputShapes' | 'graphOptimization' | 'threads'> & { graphOptimization?: string };
}

/**
 * Scores a replay: tracking accuracy (CLEAR-MOT, IDF1) and experience over the frames the feature
 * processed, frame delivery against the whole scenario, and the cost series. Returns the job's result:
 * the summary keeps every processed frame and the time series; raw samples are the per-frame
 * capture → result latencies in ms.
 */
export function featureResult(r: FeatureReplay): DriverResult {
  const m = r.manifest;
  const names = new Map(m.classes.map((c) => [c.id, c.name]));
  const gt = parseMotGroundTruth(r.groundTruthText, { frameCount: m.frameCount, classIds: m.classes.map((c) => c.id) });
  const records = [...r.records].sort((a, b) => a.index - b.index);
  const processed = new Set(records.map((x) => x.index + 1));
  const gtBoxes: LabelledBox[] = gt.filter((g) => processed.has(g.frame)).map((g) => ({ frame: g.frame, id: g.id, x: g.x, y: g.y, w: g.w, h: g.h, label: names.get(g.classId) ?? String(g.classId) }));
  const predictions = records.flatMap((x) => x.tracks.map((t) => ({ frame: x.index + 1, id: t.id, x: t.bbox[0], y: t.bbox[1], w: t.bbox[2], h: t.bbox[3], label: t.label })));
  const tracking = evaluateTracking(gtBoxes, predictions, { iouThreshold: r.run.iouThreshold, frames: [...processed].sort((a, b) => a - b) });
  const shown = records.map((x) => ({ frame: x.index + 1, captureMs: x.captureMs, resultMs: x.resultMs, tracks: x.tracks.map((t) => ({ id: t.id, x: t.bbox[0], y: t.bbox[1], w: t.bbox[2], h: t.bbox[3], label: t.label })) }));
  const experience = featureExperience(gtBoxes, shown, { fps: m.fps, iouThreshold: r.run.iouThreshold });
  const delivered = records.map((x) => ({ frame: x.index + 1, captureMs: x.captureMs, resultMs: x.resultMs }));
  const delivery = frameDelivery(delivered, { expectedFrames: r.passComplete ? m.frameCount : Math.max(1, (records[records.length - 1]?.index ?? 0) + 1) });
  const sustained = sustainedPerformance(delivered, { windowMs: r.run.sustainedWindowSeconds * 1000 });
  const cost = deriveCost(r.cost.samples, r.cost.energyRangeUj !== undefined ? { energyRangeUj: r.cost.energyRangeUj } : {});
  const { items, ...experienceTotals } = experience;
  const summary = FeatureSummary.parse({
    kind: 'feature',
    feature: r.feature,
    scenario: { name: m.name, version: m.version, fps: m.fps, frameCount: m.frameCount, width: m.width, height: m.height },
    settings: r.settings,
    pass: { complete: r.passComplete, firstIndex: records[0]?.index ?? null, lastIndex: records[records.length - 1]?.index ?? null, undecodableFrames: r.undecodableFrames },
    tracking: { iouThreshold: r.run.iouThreshold, ...tracking },
    experience: { ...experienceTotals, items },
    delivery,
    sustained,
    cost: {
      sampleIntervalMs: r.cost.intervalMs,
      sources: r.cost.sources,
      temperatureRiseC: cost.temperatureRiseC,
      maxTemperatureC: cost.maxTemperatureC,
      energyJoulesPerMinute: cost.energyJoulesPerMinute,
      batteryPercentPerMinute: cost.batteryPercentPerMinute,
      batteryCurrentMaMean: cost.batteryCurrentMaMean,
      cpuPercentMean: cost.cpuPercentMean,
      cpuPercentMax: cost.cpuPercentMax,
      peakRssBytes: cost.peakRssBytes,
      durationMs: cost.durationMs,
      series: r.cost.samples,
    },
    records,
  });
  const thermal = cost.maxTemperatureC === null ? 'unavailable' : r.environment.thermalState;
  return {
    summary,
    rawSamples: records.map((x) => x.resultMs - x.captureMs),
    environment: {
      ...r.environment,
      graphOptimization: r.environment.graphOptimization ?? 'default',
      threads: r.settings.threads,
      warmupMinRuns: 0,
      warmupMinSeconds: 0,
      measureMinRuns: records.length,
      measureMinSeconds: 0,
      measureMaxRuns: m.frameCount,
      measureMaxSeconds: r.run.maxSeconds ?? m.frameCount / m.fps,
      inputSource: `scenario:${m.name}@${m.version}`,
      inputSeed: 0,
      inputShapes: {},
      thermalState: thermal,
    },
  };
}
