import type { DeviceTiming, ResultSummary } from '@edgeproof/contracts';
import type { DriverJob } from '../driver.ts';

const r1 = (x: number) => Math.max(0, Math.round(x * 10) / 10);
export const epochNow = () => performance.timeOrigin + performance.now();

export interface AndroidTimingMarks {
  /** agent epoch ms: AndroidDriver.run started / the result was in hand */
  startMs: number;
  endMs: number;
  /** measurement over → result in hand (session close, telemetry and load reads) */
  teardownMs: number;
  /** accuracy / parity in the web harness: the page run (no warmup figures exist for them) */
  pageRunMs?: number;
  /** what the job took over from earlier jobs on the phone, in words */
  shared: string[];
  method: string;
}

/**
 * Where an Android job's device time went: warmup and measurement as the runtime reported them
 * (latency), teardown as the driver timed it, set-up = the rest (session, pushes, app or page start,
 * model load, benchmark_model's per-round process start and init).
 */
export function androidTiming(job: DriverJob, summary: ResultSummary, m: AndroidTimingMarks): DeviceTiming {
  const totalMs = m.endMs - m.startMs;
  const latency = summary.kind === 'latency';
  const warmupMs = latency ? summary.warmup.seconds * 1000 : 0;
  const measuredMs = latency ? summary.measure.seconds * 1000 : (m.pageRunMs ?? 0);
  const teardownMs = Math.min(m.teardownMs, Math.max(0, totalMs - warmupMs - measuredMs));
  return {
    setupMs: r1(totalMs - warmupMs - measuredMs - teardownMs),
    warmupMs: r1(warmupMs),
    measuredMs: r1(measuredMs),
    teardownMs: r1(teardownMs),
    totalMs: r1(totalMs),
    method: m.method,
    ...(job.batch ? { batch: job.batch } : {}),
    shared: m.shared,
  };
}
