import { METRIC_CATALOG, type MetricName } from '@edgeproof/contracts';

/**
 * Reads a dot path from a JSON value; `*` walks every element of an array. Returns every finite
 * number found (an empty list when the path leads nowhere).
 */
export function valuesAt(value: unknown, path: string): number[] {
  let current: unknown[] = [value];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const v of current) {
      if (key === '*') {
        if (Array.isArray(v)) next.push(...v);
      } else if (v !== null && typeof v === 'object' && key in v) {
        next.push((v as Record<string, unknown>)[key]);
      }
    }
    current = next;
  }
  return current.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** One number for a catalog metric from a result summary (or model version), or null when it is not there. */
export function resolveMetric(metric: MetricName, source: unknown): number | null {
  const def = METRIC_CATALOG[metric];
  const values = valuesAt(source, def.path);
  if (values.length === 0) return null;
  if (values.length === 1) return values[0] as number;
  const reduce = 'reduce' in def ? def.reduce : 'max';
  return reduce === 'min' ? Math.min(...values) : Math.max(...values);
}

/** Human text for a value in a metric's unit. */
export function formatValue(metric: MetricName, value: number | null): string {
  if (value === null) return 'n/a';
  const unit = METRIC_CATALOG[metric].unit;
  switch (unit) {
    case 'ms':
      return `${value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toFixed(3)} ms`;
    case 'bytes':
      return Math.abs(value) >= 1e6 ? `${(value / 1e6).toFixed(2)} MB` : Math.abs(value) >= 1e3 ? `${(value / 1e3).toFixed(1)} KB` : `${value} B`;
    case 'ratio':
      return `${(value * 100).toFixed(2)}%`;
    case 'celsius':
      return `${value.toFixed(1)} °C`;
    case 'percent-per-minute':
      return `${value.toFixed(2)} %/min`;
    default:
      return Math.abs(value) < 1e-3 && value !== 0 ? value.toExponential(2) : value.toPrecision(4);
  }
}

/** The benchmark kind whose results carry a metric ('' for model properties). */
export function benchmarkOf(metric: MetricName): string {
  const def = METRIC_CATALOG[metric];
  return 'benchmark' in def ? def.benchmark : '';
}
