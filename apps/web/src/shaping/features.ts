import type { FeatureEvaluationDetail, FeatureEvaluationRow } from '@edgeproof/contracts';
import { formatBytes, formatMs, formatNumber, formatPercent } from './format.ts';

/** What the page shows for a reading the device did not expose. */
export const UNAVAILABLE = 'unavailable';

export interface Cell {
  label: string;
  value: string;
  /** hover text: how it was measured or why it is missing */
  title?: string;
}

const orUnavailable = (v: number | null | undefined, fmt: (x: number) => string) => (v === null || v === undefined || !Number.isFinite(v) ? UNAVAILABLE : fmt(v));

/** The tracking table's cells (MOTChallenge definitions; IoU threshold in the title). */
export function trackingCells(r: FeatureEvaluationRow): Cell[] {
  const t = r.tracking;
  const iou = `IoU ≥ ${t.iouThreshold}, ${t.frames} scored frames`;
  return [
    { label: 'MOTA', value: formatNumber(t.mota), title: iou },
    { label: 'MOTP', value: formatNumber(t.motp), title: `mean IoU of matches; ${iou}` },
    { label: 'IDF1', value: formatNumber(t.idf1), title: iou },
    { label: 'ID switches', value: String(t.idSwitches) },
    { label: 'FP / FN', value: `${t.falsePositives} / ${t.falseNegatives}`, title: `of ${t.gtObjects} ground-truth boxes, ${t.predictions} predicted` },
    { label: 'precision', value: formatPercent(t.precision) },
    { label: 'recall', value: formatPercent(t.recall) },
  ];
}

/** The experience and delivery cells: capture → result timings measured by the harness. */
export function experienceCells(r: FeatureEvaluationRow): Cell[] {
  const e = r.experience;
  const d = r.delivery;
  const lat = d.latencyMs;
  return [
    { label: 'time to first result p50', value: formatMs(e.timeToFirstResultMs?.p50), title: `item's first ground-truth frame → first correct track; ${e.itemsInView} items, ${e.itemsNeverShown} never shown` },
    { label: 'flickers', value: String(e.flickers), title: `a correct result disappearing while its item is in view; shown ${formatPercent(e.shownRatio)} of the time` },
    { label: 'latency p50 / p90', value: lat ? `${formatMs(lat.p50)} / ${formatMs(lat.p90)}` : '—', title: 'camera capture → result, per processed frame' },
    { label: 'FPS', value: d.processedFps === null ? '—' : `${d.processedFps.toFixed(1)} fps`, title: `${d.processedFrames} frames processed` },
    { label: 'dropped', value: formatPercent(d.droppedRatio), title: `of ${d.expectedFrames} scenario frames` },
  ];
}

/** The cost cells; readings without a source say "unavailable". */
export function costCells(r: FeatureEvaluationRow): Cell[] {
  const c = r.cost;
  const src = (k: string) => c.sources[k] ?? UNAVAILABLE;
  return [
    { label: 'CPU (mean)', value: orUnavailable(c.cpuPercentMean, (v) => `${v.toFixed(0)}% of a core`), title: src('cpu') },
    { label: 'peak memory', value: orUnavailable(c.peakRssBytes, formatBytes), title: src('memory') },
    { label: 'temperature rise', value: orUnavailable(c.temperatureRiseC, (v) => `${v.toFixed(1)} °C`), title: src('thermal') },
    { label: 'battery', value: orUnavailable(c.batteryPercentPerMinute, (v) => `${v.toFixed(2)} %/min`), title: src('battery') },
    { label: 'energy', value: orUnavailable(c.energyJoulesPerMinute, (v) => `${v.toFixed(1)} J/min`), title: src('energy') },
  ];
}

export interface CostChartRow {
  tS: number;
  value: number;
}

export interface CostChart {
  key: 'cpuPercent' | 'rssMiB' | 'temperatureC' | 'batteryPercent';
  title: string;
  unit: string;
  /** empty when unavailable */
  rows: CostChartRow[];
  available: boolean;
}

const COST_CHARTS: Array<Pick<CostChart, 'key' | 'title' | 'unit'>> = [
  { key: 'temperatureC', title: 'temperature (hottest sensor)', unit: '°C' },
  { key: 'batteryPercent', title: 'battery level', unit: '%' },
  { key: 'cpuPercent', title: 'CPU', unit: '% of a core' },
  { key: 'rssMiB', title: 'memory (RSS)', unit: 'MiB' },
];

/** One chart per cost series, in a fixed order; a series with no reading is marked unavailable, never drawn as zero. */
export function costCharts(detail: FeatureEvaluationDetail): CostChart[] {
  return COST_CHARTS.map((c) => {
    const rows = detail.costSeries.points.flatMap((p) => (p[c.key] === null ? [] : [{ tS: p.tS, value: p[c.key] as number }]));
    return { ...c, rows, available: detail.costSeries.available[c.key] && rows.length > 0 };
  });
}

/** The latency timeline caption: how many frames and how they were bucketed. */
export function timelineCaption(detail: FeatureEvaluationDetail): string {
  const t = detail.latencyTimeline;
  if (t.frames === 0) return 'no processed frames';
  return t.bucketS === null
    ? `${t.frames} processed frames, one point each`
    : `${t.frames} processed frames in ${t.points.length} buckets of ${t.bucketS.toFixed(2)} s (median line, min–max band)`;
}
