import type { ApprovalBadge, DashDevice, LatencyDistributions, MetricComparison, Trends } from '@edgeproof/contracts';
import { describe, expect, it } from 'vitest';
import {
  approvalBadgeGroups,
  approvedVersions,
  assessDelta,
  boxRows,
  deviceLabel,
  formatBytes,
  formatMs,
  formatSignedPercent,
  histogramRects,
  latencyCiRows,
  outsideShare,
  trendAxis,
  trendSeries,
  trendVersions,
  utilisationCells,
} from '../src/shaping/index.ts';

const dev = (localKey: string, tier: DashDevice['tier'], model: string | null = 'Pixel 6a'): DashDevice => ({
  id: '00000000-0000-4000-8000-00000000000' + localKey.length,
  localKey,
  platform: 'android',
  tier,
  maker: model ? 'Google' : null,
  model,
});
const q = { min: 1, p5: 1.1, p25: 1.5, p50: 2, p75: 2.5, p95: 3, p99: 3.5, max: 9 };

describe('distribution shaping', () => {
  const dist: LatencyDistributions = {
    unit: 'ms',
    run: null,
    edges: [1, 2, 3, 4],
    items: [
      { device: dev('a', 'low'), role: 'candidate', version: '2', count: 10, quantiles: q, counts: [2, 0, 6], below: 1, above: 1 },
      { device: dev('a', 'low'), role: 'baseline', version: '1', count: 20, quantiles: q, counts: [10, 10, 0], below: 0, above: 0 },
    ],
  };

  it('labels devices by maker and model, falling back to the local key', () => {
    expect(deviceLabel(dev('lab-1', 'mid'))).toBe('Google Pixel 6a · android · mid (lab-1)');
    expect(deviceLabel(dev('host', 'high', null))).toBe('host · android · high');
  });

  it('turns quantiles into one box row per device and role', () => {
    const rows = boxRows(dist);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ role: 'candidate', p5: 1.1, p25: 1.5, p50: 2, p75: 2.5, p95: 3, p99: 3.5, count: 10 });
  });

  it('turns bin counts into rectangles on the shared edges, as shares, skipping empty bins', () => {
    const rects = histogramRects(dist);
    expect(rects.map((r) => [r.role, r.x1, r.x2, r.count, r.share])).toEqual([
      ['candidate', 1, 2, 2, 0.2],
      ['candidate', 3, 4, 6, 0.6],
      ['baseline', 1, 2, 10, 0.5],
      ['baseline', 2, 3, 10, 0.5],
    ]);
    expect(outsideShare(dist)).toBeCloseTo(2 / 30);
  });
});

describe('deltas', () => {
  const m = (over: Partial<MetricComparison>): MetricComparison => ({
    metric: 'latency.p50', unit: 'ms', better: 'lower', candidate: 1.1, baseline: 1, delta: 0.1, relative: 0.1, ci: null, ...over,
  });

  it('reads an interval that excludes zero as better or worse, one that spans it as unclear', () => {
    expect(assessDelta(m({ ci: { lower: 0.05, upper: 0.15, confidence: 0.95 } }))).toBe('worse');
    expect(assessDelta(m({ relative: -0.1, delta: -0.1, ci: { lower: -0.15, upper: -0.02, confidence: 0.95 } }))).toBe('better');
    expect(assessDelta(m({ ci: { lower: -0.01, upper: 0.2, confidence: 0.95 } }))).toBe('unclear');
  });

  it('follows the metric direction without an interval', () => {
    expect(assessDelta(m({}))).toBe('worse');
    expect(assessDelta(m({ metric: 'accuracy.top1', better: 'higher' }))).toBe('better');
    expect(assessDelta(m({ delta: 0, relative: 0 }))).toBe('no-change');
    expect(assessDelta(m({ baseline: null, delta: null, relative: null }))).toBe('unknown');
  });

  it('gives one interval row per device with a median-latency change', () => {
    const rows = latencyCiRows({
      run: null,
      candidate: '2',
      baseline: '1',
      model: [],
      devices: [
        { device: dev('a', 'low'), metrics: [m({ ci: { lower: 0.02, upper: 0.2, confidence: 0.95 } })] },
        { device: dev('bb', 'mid'), metrics: [m({ relative: null, delta: null })] },
      ],
    });
    expect(rows).toEqual([{ device: 'Google Pixel 6a · android · low (a)', relative: 0.1, lower: 0.02, upper: 0.2, assessment: 'worse' }]);
  });
});

describe('approval badges', () => {
  const b = (over: Partial<ApprovalBadge>): ApprovalBadge => ({ version: '1.0.0', platform: '*', tier: '*', channel: 'production', kind: 'manual', ...over });

  it('groups by channel, production first, "any" scopes before specific ones, one badge per scope', () => {
    const groups = approvalBadgeGroups([
      b({ channel: 'beta', version: '2.0.0' }),
      b({ platform: 'android', tier: 'low', version: '1.1.0', kind: 'automatic' }),
      b({}),
      b({ platform: 'android', tier: 'low', version: '0.9.0' }),
    ]);
    expect(groups.map((g) => g.channel)).toEqual(['production', 'beta']);
    expect(groups[0]?.badges).toEqual([
      { scope: 'any platform · any tier', version: '1.0.0', kind: 'manual' },
      { scope: 'android · low tier', version: '1.1.0', kind: 'automatic' },
    ]);
    expect(approvalBadgeGroups([])).toEqual([]);
  });
});

describe('trends', () => {
  const t: Trends = {
    model: 'm',
    metric: 'latency.p50',
    unit: 'ms',
    versions: [
      { version: '1', createdAt: '2026-01-01T00:00:00Z', approved: [b()] },
      { version: '2', createdAt: '2026-01-02T00:00:00Z', approved: [] },
    ],
    points: [
      { version: '1', versionCreatedAt: '', device: dev('a', 'low'), value: 1, run: 'r', measuredAt: '' },
      { version: '1', versionCreatedAt: '', device: dev('bb', 'low'), value: 3, run: 'r', measuredAt: '' },
      { version: '2', versionCreatedAt: '', device: dev('a', 'low'), value: 2, run: 'r', measuredAt: '' },
    ],
  };
  function b(): ApprovalBadge {
    return { version: '1', platform: '*', tier: 'low', channel: 'production', kind: 'manual' };
  }

  const day1 = new Date('2026-01-01T00:00:00Z');
  const day2 = new Date('2026-01-02T00:00:00Z');

  it('draws one series per device, or the median of each tier, at each version\'s upload date', () => {
    expect(trendSeries(t, 'device')).toEqual([
      { version: '1', index: 0, uploadedAt: day1, series: 'Google Pixel 6a · android · low (a)', value: 1 },
      { version: '1', index: 0, uploadedAt: day1, series: 'Google Pixel 6a · android · low (bb)', value: 3 },
      { version: '2', index: 1, uploadedAt: day2, series: 'Google Pixel 6a · android · low (a)', value: 2 },
    ]);
    expect(trendSeries(t, 'tier')).toEqual([
      { version: '1', index: 0, uploadedAt: day1, series: 'tier low', value: 2 },
      { version: '2', index: 1, uploadedAt: day2, series: 'tier low', value: 2 },
    ]);
    expect(trendVersions(t)).toEqual([
      { version: '1', index: 0, uploadedAt: day1 },
      { version: '2', index: 1, uploadedAt: day2 },
    ]);
  });

  it('marks approved versions at their upload date', () => {
    expect(approvedVersions(t)).toEqual([{ version: '1', index: 0, uploadedAt: day1, label: 'production: any/low' }]);
  });

  it('uses a time axis when upload dates tell versions apart, upload order otherwise', () => {
    const at = (...dates: string[]): Trends => ({ ...t, versions: dates.map((createdAt, i) => ({ version: String(i), createdAt, approved: [] })) });
    expect(trendAxis(t)).toBe('time');
    expect(trendAxis(at('2026-01-03T00:00:00Z', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'))).toBe('time');
    // two versions uploaded at the same moment
    expect(trendAxis(at('2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-05T00:00:00Z'))).toBe('order');
    // 1 minute apart within a 30-day span: less than 1% of the width, the points would overlap
    expect(trendAxis(at('2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', '2026-01-31T00:00:00Z'))).toBe('order');
    expect(trendAxis(at('2026-01-01T00:00:00Z'))).toBe('order');
    expect(trendAxis(at('2026-01-01T00:00:00Z', 'not a date'))).toBe('order');
  });
});

describe('formatting and utilisation', () => {
  it('keeps units readable', () => {
    expect(formatMs(0.0081)).toBe('8.10 µs');
    expect(formatMs(12.345)).toBe('12.3 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatMs(null)).toBe('—');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatSignedPercent(-0.031)).toBe('−3.1%');
    expect(formatSignedPercent(0.042)).toBe('+4.2%');
  });

  it('lays out 24 hourly cells per device, oldest first', () => {
    const hourly = Array.from({ length: 24 }, (_, i) => i / 24);
    const cells = utilisationCells([
      {
        device: dev('a', 'low'), agent: 'x', driver: 'host', osVersion: null, status: 'idle', statusReason: null, consecutiveHealthFailures: 0,
        lastHeartbeatAt: '', currentJob: null, temperatureC: null, battery: null, utilisation: { day: 0.5, hourly },
      },
    ]);
    expect(cells).toHaveLength(24);
    expect(cells[0]).toMatchObject({ hour: -24, share: 0 });
    expect(cells[23]).toMatchObject({ hour: -1, share: 23 / 24 });
  });
});
