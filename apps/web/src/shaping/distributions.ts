import type { DashDevice, LatencyDistributions } from '@edgeproof/contracts';

export function deviceLabel(d: DashDevice): string {
  const name = [d.maker, d.model].filter(Boolean).join(' ') || d.localKey;
  return `${name} · ${d.platform} · ${d.tier}${name === d.localKey ? '' : ` (${d.localKey})`}`;
}

export interface BoxRow {
  device: string;
  role: 'candidate' | 'baseline';
  version: string;
  count: number;
  p5: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  p99: number;
}

/** One box per device and role: whiskers p5–p95, box p25–p75, tick at the median. */
export function boxRows(dist: LatencyDistributions): BoxRow[] {
  return dist.items.map((i) => ({
    device: deviceLabel(i.device),
    role: i.role,
    version: i.version,
    count: i.count,
    p5: i.quantiles.p5,
    p25: i.quantiles.p25,
    p50: i.quantiles.p50,
    p75: i.quantiles.p75,
    p95: i.quantiles.p95,
    p99: i.quantiles.p99,
  }));
}

export interface HistogramRect {
  device: string;
  role: 'candidate' | 'baseline';
  x1: number;
  x2: number;
  count: number;
  /** share of this device-and-role's samples, so candidate and baseline compare whatever their counts */
  share: number;
}

/** Bars over the shared bin edges; empty bins are left out (nothing to draw). */
export function histogramRects(dist: LatencyDistributions): HistogramRect[] {
  const rects: HistogramRect[] = [];
  for (const item of dist.items) {
    const device = deviceLabel(item.device);
    item.counts.forEach((count, b) => {
      const x1 = dist.edges[b];
      const x2 = dist.edges[b + 1];
      if (count === 0 || x1 === undefined || x2 === undefined) return;
      rects.push({ device, role: item.role, x1, x2, count, share: count / item.count });
    });
  }
  return rects;
}

/** Samples the histogram could not show (beyond the 0.5th/99.5th percentile edges), for a footnote. */
export function outsideShare(dist: LatencyDistributions): number {
  const total = dist.items.reduce((s, i) => s + i.count, 0);
  const outside = dist.items.reduce((s, i) => s + i.below + i.above, 0);
  return total ? outside / total : 0;
}
