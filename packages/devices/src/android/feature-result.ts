import {
  NativeFeatureFrameLine,
  NativeFeatureResultHeader,
  type FeatureCostSample,
  type FeatureFrameRecord,
} from '@edgeproof/contracts';
import { DriverError } from '../driver.ts';
import type { TelemetrySample } from './telemetry.ts';

export interface NativeFeatureResult {
  header: Extract<NativeFeatureResultHeader, { status: 'ok' }>;
  records: FeatureFrameRecord[];
}

/**
 * Reads the result file of a native feature replay (JSON Lines: a header, then one line per processed
 * frame). A malformed file fails with the line number; an app that reported an error fails with its
 * message; frame indices must lie in the scenario and increase (one pass).
 */
export function parseNativeFeatureResult(text: string, { jobId, frameCount }: { jobId: string; frameCount: number }): NativeFeatureResult {
  const lines = text.split(/\r?\n/);
  const bad = (n: number, what: string) => new DriverError('invalid_input', `feature result file, line ${n}: ${what}`);
  const json = (n: number): unknown => {
    try {
      return JSON.parse(lines[n - 1] as string);
    } catch {
      throw bad(n, 'not JSON');
    }
  };
  if (!lines[0]?.trim()) throw new DriverError('invalid_input', 'feature result file is empty');
  const header = NativeFeatureResultHeader.safeParse(json(1));
  if (!header.success) throw bad(1, `${header.error.issues[0]?.path.join('.') ?? ''} ${header.error.issues[0]?.message ?? 'invalid header'}`.trim());
  if (header.data.jobId !== jobId) throw bad(1, `jobId is ${header.data.jobId}, expected ${jobId}`);
  if (header.data.status === 'error') throw new DriverError('failed', `the app reported: ${header.data.error}`);
  const records: FeatureFrameRecord[] = [];
  for (let n = 2; n <= lines.length; n++) {
    if (!lines[n - 1]?.trim()) continue;
    const parsed = NativeFeatureFrameLine.safeParse(json(n));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw bad(n, `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid frame'}`);
    }
    const r = parsed.data;
    if (r.index >= frameCount) throw bad(n, `index ${r.index} is outside the scenario's ${frameCount} frames`);
    const prev = records[records.length - 1];
    if (prev && r.index <= prev.index) throw bad(n, `index ${r.index} does not follow ${prev.index} (one pass, increasing)`);
    if (r.resultMs < r.captureMs) throw bad(n, `resultMs ${r.resultMs} precedes captureMs ${r.captureMs}`);
    records.push(r);
  }
  return { header: header.data, records };
}

/** The phone's telemetry samples as the cost series of a feature replay (battery level and current, temperatures). */
export function androidCostSamples(samples: readonly TelemetrySample[]): FeatureCostSample[] {
  const start = samples[0]?.atMs ?? 0;
  return samples.map((s) => {
    const temperaturesC: Record<string, number> = {};
    for (const sensor of s.thermal?.sensors ?? []) temperaturesC[sensor.name] = sensor.valueC;
    if (s.battery?.temperatureC !== null && s.battery?.temperatureC !== undefined) temperaturesC.battery = s.battery.temperatureC;
    const current = s.battery?.currentMa ?? null;
    return {
      tMs: s.atMs - start,
      cpuTimeMs: null,
      rssBytes: null,
      temperaturesC,
      energyUj: null,
      batteryPercent: s.battery?.levelPct ?? null,
      // Android reports charging current as positive; the cost series counts discharge as positive
      batteryCurrentMa: current === null ? null : -current,
    };
  });
}
