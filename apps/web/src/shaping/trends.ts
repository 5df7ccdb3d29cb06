import type { Trends } from '@edgeproof/contracts';
import { median } from 'd3-array';
import { deviceLabel } from './distributions.ts';

export interface TrendRow {
  version: string;
  /** position of the version in upload order, for the categorical fallback axis */
  index: number;
  /** when the version was uploaded, for the time axis */
  uploadedAt: Date;
  series: string;
  value: number;
}

/**
 * Versions closer together than this share of the whole upload span would draw on top of each
 * other on a time axis (about 10 px of a 960 px chart), so the chart falls back to upload order.
 */
export const MIN_TIME_GAP_SHARE = 0.01;

/**
 * 'time' when the versions' upload dates can tell them apart on a time axis: at least two versions,
 * no two uploaded at the same moment or closer than MIN_TIME_GAP_SHARE of the span; otherwise
 * 'order' (one category per version, in upload order).
 */
export function trendAxis(t: Trends): 'time' | 'order' {
  const times = t.versions.map((v) => Date.parse(v.createdAt)).sort((a, b) => a - b);
  if (times.length < 2 || times.some((x) => !Number.isFinite(x))) return 'order';
  const span = (times.at(-1) as number) - (times[0] as number);
  if (span <= 0) return 'order';
  const gaps = times.slice(1).map((x, i) => x - (times[i] as number));
  return Math.min(...gaps) >= span * MIN_TIME_GAP_SHARE ? 'time' : 'order';
}

/** One line per device, or per tier (the median over the tier's devices for each version). */
export function trendSeries(t: Trends, groupBy: 'device' | 'tier'): TrendRow[] {
  const meta = new Map(t.versions.map((v, i) => [v.version, { index: i, uploadedAt: new Date(v.createdAt) }]));
  const at = (version: string) => meta.get(version) ?? { index: -1, uploadedAt: new Date(Number.NaN) };
  if (groupBy === 'device') {
    return t.points.map((p) => ({ version: p.version, ...at(p.version), series: deviceLabel(p.device), value: p.value }));
  }
  const groups = new Map<string, number[]>();
  for (const p of t.points) {
    const key = `${p.version}\u0000${p.device.tier}`;
    groups.set(key, [...(groups.get(key) ?? []), p.value]);
  }
  return [...groups.entries()]
    .map(([key, values]) => {
      const [version, tier] = key.split('\u0000') as [string, string];
      return { version, ...at(version), series: `tier ${tier}`, value: median(values) as number };
    })
    .sort((a, b) => a.index - b.index || a.series.localeCompare(b.series));
}

/** Every version with its upload date, for the version labels along the axis. */
export function trendVersions(t: Trends): Array<{ version: string; index: number; uploadedAt: Date }> {
  return t.versions.map((v, index) => ({ version: v.version, index, uploadedAt: new Date(v.createdAt) }));
}

/** Versions holding at least one active approval, with the scopes as a label. */
export function approvedVersions(t: Trends): Array<{ version: string; index: number; uploadedAt: Date; label: string }> {
  return t.versions.flatMap((v, index) =>
    v.approved.length
      ? [
          {
            version: v.version,
            index,
            uploadedAt: new Date(v.createdAt),
            label: v.approved.map((a) => `${a.channel}: ${a.platform === '*' ? 'any' : a.platform}/${a.tier === '*' ? 'any' : a.tier}`).join(', '),
          },
        ]
      : [],
  );
}
