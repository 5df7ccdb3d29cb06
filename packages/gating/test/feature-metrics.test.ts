import { describe, expect, it } from 'vitest';
import { benchmarkOf, resolveMetric } from '../src/resolve.ts';

/** The parts of a stored feature result (kind "feature") that gate metrics read. */
const summary = {
  kind: 'feature',
  tracking: { mota: 0.9, idf1: 0.95 },
  cost: { temperatureRiseC: 1.5, batteryPercentPerMinute: 0.4 },
};

describe('feature metrics in the catalog', () => {
  it('resolve from a feature result summary', () => {
    expect(benchmarkOf('tracking.mota')).toBe('feature');
    expect(resolveMetric('tracking.mota', summary)).toBe(0.9);
    expect(resolveMetric('tracking.idf1', summary)).toBe(0.95);
    expect(resolveMetric('thermal.temperatureRise', summary)).toBe(1.5);
    expect(resolveMetric('battery.percentPerMinute', summary)).toBe(0.4);
  });

  it('are absent (inconclusive, never 0) where the device exposed nothing', () => {
    expect(resolveMetric('thermal.temperatureRise', { ...summary, cost: { temperatureRiseC: null, batteryPercentPerMinute: null } })).toBeNull();
  });
});
