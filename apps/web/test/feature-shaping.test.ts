import type { DashDevice, FeatureEvaluationDetail, FeatureEvaluationRow } from '@edgeproof/contracts';
import { describe, expect, it } from 'vitest';
import { costCells, costCharts, experienceCells, timelineCaption, trackingCells, UNAVAILABLE } from '../src/shaping/index.ts';

const device: DashDevice = { id: '00000000-0000-4000-8000-000000000001', localKey: 'browser-1', platform: 'browser', tier: 'mid', maker: 'Chromium', model: 'Chromium 156' };
const row: FeatureEvaluationRow = {
  run: '00000000-0000-4000-8000-000000000002',
  job: '00000000-0000-4000-8000-000000000003',
  measuredAt: '2026-11-29T10:00:00.000Z',
  model: 'item-detector',
  version: '1.0.0',
  device,
  feature: { name: 'item-finder', version: '1.0.0', sha256: 'a'.repeat(64), platform: 'web' },
  scenario: { name: 'shelf', version: '1', fps: 15, frameCount: 120, width: 320, height: 240 },
  settings: { processEveryK: 1, detectionInterval: 1, threads: 1 },
  passComplete: true,
  tracking: { iouThreshold: 0.5, mota: 0.9532, motp: 0.913, idf1: 0.976, idSwitches: 2, fragmentations: 0, precision: 0.9939, recall: 0.959, falsePositives: 1, falseNegatives: 7, gtObjects: 171, predictions: 165, matches: 164, idtp: 164, idfp: 1, idfn: 7, frames: 72 },
  experience: { timeToFirstResultMs: { p50: 66.7, p90: 133, mean: 80, max: 200 }, shownRatio: 0.95, flickers: 3, idChanges: 0, itemsInView: 4, itemsNeverShown: 0 },
  delivery: { latencyMs: { p50: 4.21, p90: 7.5, mean: 5, max: 20 }, processedFps: 14.6, droppedRatio: 0.04, processedFrames: 115, expectedFrames: 120 },
  cost: { cpuPercentMean: 83.4, peakRssBytes: 300 * 2 ** 20, temperatureRiseC: null, maxTemperatureC: null, batteryPercentPerMinute: null, energyJoulesPerMinute: null, sources: { cpu: '/proc', memory: '/proc', thermal: 'unavailable' } },
};
const value = (cells: { label: string; value: string; title?: string }[], label: string) => cells.find((c) => c.label === label);

describe('feature evaluation shaping', () => {
  it('tracking cells: MOTChallenge figures with the IoU threshold in the hover text', () => {
    const cells = trackingCells(row);
    expect(cells.map((c) => c.label)).toEqual(['MOTA', 'MOTP', 'IDF1', 'ID switches', 'FP / FN', 'precision', 'recall']);
    expect(value(cells, 'MOTA')).toMatchObject({ value: '0.953', title: 'IoU ≥ 0.5, 72 scored frames' });
    expect(value(cells, 'FP / FN')?.value).toBe('1 / 7');
    expect(value(cells, 'recall')?.value).toBe('95.9%');
  });

  it('experience cells carry units: ms, fps, %', () => {
    const cells = experienceCells(row);
    expect(value(cells, 'time to first result p50')?.value).toBe('66.7 ms');
    expect(value(cells, 'latency p50 / p90')?.value).toBe('4.21 ms / 7.50 ms');
    expect(value(cells, 'FPS')?.value).toBe('14.6 fps');
    expect(value(cells, 'dropped')?.value).toBe('4.0%');
    expect(value(cells, 'flickers')?.value).toBe('3');
  });

  it('cost cells say "unavailable" (with the source) for readings the device did not expose, never 0', () => {
    const cells = costCells(row);
    expect(value(cells, 'CPU (mean)')).toMatchObject({ value: '83% of a core', title: '/proc' });
    expect(value(cells, 'peak memory')?.value).toBe('300.0 MiB');
    expect(value(cells, 'temperature rise')).toMatchObject({ value: UNAVAILABLE, title: 'unavailable' });
    expect(value(cells, 'battery')).toMatchObject({ value: UNAVAILABLE, title: UNAVAILABLE });
  });

  const detail: FeatureEvaluationDetail = {
    row,
    latencyTimeline: { frames: 400, bucketS: 0.1, points: [{ tS: 0.05, frames: 2, minMs: 3, medianMs: 4, maxMs: 5 }] },
    costSeries: {
      samples: 3,
      sampleIntervalMs: 500,
      points: [
        { tS: 0, cpuPercent: null, rssMiB: 200, temperatureC: null, batteryPercent: null },
        { tS: 0.5, cpuPercent: 80, rssMiB: 201, temperatureC: null, batteryPercent: null },
      ],
      available: { cpuPercent: true, rssMiB: true, temperatureC: false, batteryPercent: false },
    },
  };

  it('one cost chart per series in a fixed order; nulls are left out, missing series are unavailable', () => {
    const charts = costCharts(detail);
    expect(charts.map((c) => [c.key, c.unit, c.available])).toEqual([
      ['temperatureC', '°C', false],
      ['batteryPercent', '%', false],
      ['cpuPercent', '% of a core', true],
      ['rssMiB', 'MiB', true],
    ]);
    expect(charts[2]?.rows).toEqual([{ tS: 0.5, value: 80 }]);
    expect(charts[0]?.rows).toEqual([]);
  });

  it('the timeline caption says how frames were bucketed', () => {
    expect(timelineCaption(detail)).toBe('400 processed frames in 1 buckets of 0.10 s (median line, min–max band)');
    expect(timelineCaption({ ...detail, latencyTimeline: { frames: 3, bucketS: null, points: [] } })).toBe('3 processed frames, one point each');
  });
});
