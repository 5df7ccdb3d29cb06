import type { MetricComparison, VersionComparison } from '@edgeproof/contracts';
import { deviceLabel } from './distributions.ts';

export type DeltaAssessment = 'better' | 'worse' | 'no-change' | 'unclear' | 'unknown';

/**
 * How a change reads for its metric: with an interval, only an interval that excludes zero counts
 * as better or worse ("unclear" otherwise); without one, any non-zero change counts.
 */
export function assessDelta(m: MetricComparison): DeltaAssessment {
  if (m.relative === null || m.delta === null) return 'unknown';
  const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);
  let direction: number;
  if (m.ci) {
    if (m.ci.lower <= 0 && m.ci.upper >= 0) return 'unclear';
    direction = sign(m.ci.lower);
  } else {
    direction = sign(m.delta);
  }
  if (direction === 0) return 'no-change';
  const higherIsWorse = m.better === 'lower';
  return (direction > 0) === higherIsWorse ? 'worse' : 'better';
}

export interface CiRow {
  device: string;
  relative: number;
  lower: number;
  upper: number;
  assessment: DeltaAssessment;
}

/** The median-latency change per device with its interval, for a dot-and-interval chart. */
export function latencyCiRows(c: VersionComparison, metric = 'latency.p50'): CiRow[] {
  return c.devices.flatMap((d) => {
    const m = d.metrics.find((x) => x.metric === metric);
    if (!m || m.relative === null) return [];
    return [{ device: deviceLabel(d.device), relative: m.relative, lower: m.ci?.lower ?? m.relative, upper: m.ci?.upper ?? m.relative, assessment: assessDelta(m) }];
  });
}
