import type { Trends } from '@edgeproof/contracts';
import { median } from 'd3-array';
import { deviceLabel } from './distributions.ts';

export interface TrendRow {
  version: string;
  /** position of the version in upload order, for the x axis */
  index: number;
  series: string;
  value: number;
}

/** One line per device, or per tier (the median over the tier's devices for each version). */
export function trendSeries(t: Trends, groupBy: 'device' | 'tier'): TrendRow[] {
  const index = new Map(t.versions.map((v, i) => [v.version, i]));
  if (groupBy === 'device') {
    return t.points.map((p) => ({ version: p.version, index: index.get(p.version) ?? -1, series: deviceLabel(p.device), value: p.value }));
  }
  const groups = new Map<string, number[]>();
  for (const p of t.points) {
    const key = `${p.version}\u0000${p.device.tier}`;
    groups.set(key, [...(groups.get(key) ?? []), p.value]);
  }
  return [...groups.entries()]
    .map(([key, values]) => {
      const [version, tier] = key.split('\u0000') as [string, string];
      return { version, index: index.get(version) ?? -1, series: `tier ${tier}`, value: median(values) as number };
    })
    .sort((a, b) => a.index - b.index || a.series.localeCompare(b.series));
}

/** Versions holding at least one active approval, with the scopes as a label. */
export function approvedVersions(t: Trends): Array<{ version: string; index: number; label: string }> {
  return t.versions.flatMap((v, index) =>
    v.approved.length ? [{ version: v.version, index, label: v.approved.map((a) => `${a.channel}: ${a.platform === '*' ? 'any' : a.platform}/${a.tier === '*' ? 'any' : a.tier}`).join(', ') }] : [],
  );
}
