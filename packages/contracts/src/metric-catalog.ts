/**
 * Every metric a gate policy can name. A metric is read from a stored result summary of one
 * benchmark kind by a path (`*` walks an array, then `reduce` folds the values), or from the
 * model version itself. Tracking, thermal and battery metrics come from feature replays (benchmark
 * "feature"); a gate with no such result says so ("inconclusive").
 */
export type MetricUnit = 'ms' | 'bytes' | 'ratio' | 'number' | 'celsius' | 'percent-per-minute';

export interface MetricDefinition {
  /** 'model': a property of the model file; 'model-delta': candidate minus baseline file property */
  source: 'result' | 'model' | 'model-delta';
  /** benchmark kind whose summary carries it (source 'result') */
  benchmark?: string;
  /** dot path in the summary (or model version); `*` iterates an array */
  path: string;
  reduce?: 'max' | 'min';
  unit: MetricUnit;
  better: 'lower' | 'higher';
  description: string;
}

const latency = (path: string, description: string, unit: MetricUnit = 'ms'): MetricDefinition => ({
  source: 'result',
  benchmark: 'latency',
  path,
  unit,
  better: 'lower',
  description,
});

export const METRIC_CATALOG = {
  'latency.p50': latency('stats.p50', 'median inference latency'),
  'latency.p90': latency('stats.p90', '90th percentile inference latency'),
  'latency.p95': latency('stats.p95', '95th percentile inference latency'),
  'latency.p99': latency('stats.p99', '99th percentile inference latency'),
  'latency.mean': latency('stats.mean', 'mean inference latency'),
  'latency.max': latency('stats.max', 'slowest measured inference'),
  'latency.cv': latency('stats.cv', 'coefficient of variation of the latency samples', 'ratio'),
  'latency.firstInference': latency('firstInferenceMs', 'first inference after session creation'),
  'latency.sessionCreate': latency('sessionCreateMs', 'session creation time'),
  'memory.peak': latency('peakMemoryBytes', 'peak resident memory of the inference process', 'bytes'),
  'accuracy.top1': { source: 'result', benchmark: 'accuracy', path: 'top1', unit: 'ratio', better: 'higher', description: 'top-1 accuracy' },
  'accuracy.top5': { source: 'result', benchmark: 'accuracy', path: 'top5', unit: 'ratio', better: 'higher', description: 'top-5 accuracy' },
  'parity.maxAbsError': {
    source: 'result',
    benchmark: 'parity',
    path: 'outputs.*.maxAbsError',
    reduce: 'max',
    unit: 'number',
    better: 'lower',
    description: 'largest absolute output difference against the host reference, over all outputs',
  },
  'parity.meanAbsError': {
    source: 'result',
    benchmark: 'parity',
    path: 'outputs.*.meanAbsError',
    reduce: 'max',
    unit: 'number',
    better: 'lower',
    description: 'mean absolute output difference (worst output)',
  },
  'parity.minCosine': {
    source: 'result',
    benchmark: 'parity',
    path: 'outputs.*.cosineSimilarity',
    reduce: 'min',
    unit: 'number',
    better: 'higher',
    description: 'cosine similarity against the host reference (worst output)',
  },
  'model.size': { source: 'model', path: 'sizeBytes', unit: 'bytes', better: 'lower', description: 'model file size' },
  'model.gzipSize': { source: 'model', path: 'gzipSizeBytes', unit: 'bytes', better: 'lower', description: 'gzip-compressed model size' },
  'model.gzipDelta': {
    source: 'model-delta',
    path: 'gzipSizeBytes',
    unit: 'bytes',
    better: 'lower',
    description: 'gzip size of the candidate minus the baseline (needs a baseline)',
  },
  'tracking.mota': { source: 'result', benchmark: 'feature', path: 'tracking.mota', unit: 'ratio', better: 'higher', description: 'CLEAR-MOT accuracy of a feature replay' },
  'tracking.idf1': { source: 'result', benchmark: 'feature', path: 'tracking.idf1', unit: 'ratio', better: 'higher', description: 'identity F1 of a feature replay' },
  'thermal.temperatureRise': {
    source: 'result',
    benchmark: 'feature',
    path: 'cost.temperatureRiseC',
    unit: 'celsius',
    better: 'lower',
    description: 'device temperature rise during a feature replay (inconclusive where the device exposes no sensor)',
  },
  'battery.percentPerMinute': {
    source: 'result',
    benchmark: 'feature',
    path: 'cost.batteryPercentPerMinute',
    unit: 'percent-per-minute',
    better: 'lower',
    description: 'battery drain in percent per minute of feature use',
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRIC_CATALOG;
export const METRIC_NAMES = Object.keys(METRIC_CATALOG) as MetricName[];

export function metricDefinition(name: MetricName): MetricDefinition {
  return METRIC_CATALOG[name];
}
