import { quickStats } from './experience.ts';

/** One processed camera frame: its scenario frame (1-based) and when it was captured and answered (ms, one clock). */
export interface DeliveredFrame {
  frame: number;
  captureMs: number;
  resultMs: number;
}

export interface FrameDelivery {
  /** frames the feature processed */
  processedFrames: number;
  /** distinct scenario frames among them */
  distinctFrames: number;
  /** scenario frames the replay presented (a full pass: the scenario's frame count) */
  expectedFrames: number;
  /** expected frames never processed */
  droppedFrames: number;
  droppedRatio: number;
  /** processed frames per second of capture time: (n − 1) / (last capture − first capture); null under 2 frames */
  processedFps: number | null;
  /** capture → result, ms */
  latencyMs: { p50: number; p90: number; mean: number; max: number } | null;
  /** first capture → last result, ms */
  durationMs: number;
}

/** Throughput, drops and end-to-end latency of a replay, from its processed frames. */
export function frameDelivery(frames: readonly DeliveredFrame[], { expectedFrames }: { expectedFrames: number }): FrameDelivery {
  if (!Number.isInteger(expectedFrames) || expectedFrames < 1) throw new RangeError(`expectedFrames must be a positive integer, got ${expectedFrames}`);
  for (const f of frames) {
    if (!(f.resultMs >= f.captureMs)) throw new RangeError(`frame ${f.frame}: result at ${f.resultMs} ms precedes its capture at ${f.captureMs} ms`);
  }
  const distinct = new Set(frames.map((f) => f.frame)).size;
  const captures = frames.map((f) => f.captureMs).sort((a, b) => a - b);
  const first = captures[0];
  const last = captures[captures.length - 1];
  const span = first !== undefined && last !== undefined ? last - first : 0;
  const dropped = Math.max(0, expectedFrames - distinct);
  return {
    processedFrames: frames.length,
    distinctFrames: distinct,
    expectedFrames,
    droppedFrames: dropped,
    droppedRatio: dropped / expectedFrames,
    processedFps: frames.length >= 2 && span > 0 ? ((frames.length - 1) * 1000) / span : null,
    latencyMs: quickStats(frames.map((f) => f.resultMs - f.captureMs)),
    durationMs: first === undefined ? 0 : Math.max(...frames.map((f) => f.resultMs)) - first,
  };
}

export interface WindowPerformance {
  fromMs: number;
  toMs: number;
  frames: number;
  processedFps: number | null;
  latencyP50Ms: number | null;
}

export interface SustainedPerformance {
  windowMs: number;
  first: WindowPerformance;
  last: WindowPerformance;
  /** last window's processed FPS / first window's (below 1: it slowed down) */
  fpsRatio: number | null;
  /** last window's median latency / first window's (above 1: it slowed down) */
  latencyRatio: number | null;
}

function windowOf(frames: readonly DeliveredFrame[], fromMs: number, toMs: number): WindowPerformance {
  const inside = frames.filter((f) => f.captureMs >= fromMs && f.captureMs < toMs);
  const stats = quickStats(inside.map((f) => f.resultMs - f.captureMs));
  return { fromMs, toMs, frames: inside.length, processedFps: (inside.length * 1000) / (toMs - fromMs), latencyP50Ms: stats?.p50 ?? null };
}

/**
 * Minute 1 against minute N (sustained-load throttling): processed FPS and median latency in the first
 * and in the last whole window of the replay. Null when the replay is shorter than two windows.
 */
export function sustainedPerformance(frames: readonly DeliveredFrame[], { windowMs = 60_000 }: { windowMs?: number } = {}): SustainedPerformance | null {
  if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
  if (frames.length === 0) return null;
  const start = Math.min(...frames.map((f) => f.captureMs));
  const end = Math.max(...frames.map((f) => f.captureMs));
  const windows = Math.floor((end - start) / windowMs);
  if (windows < 2) return null;
  const first = windowOf(frames, start, start + windowMs);
  const last = windowOf(frames, start + (windows - 1) * windowMs, start + windows * windowMs);
  return {
    windowMs,
    first,
    last,
    fpsRatio: first.processedFps && last.processedFps !== null ? last.processedFps / first.processedFps : null,
    latencyRatio: first.latencyP50Ms && last.latencyP50Ms !== null ? last.latencyP50Ms / first.latencyP50Ms : null,
  };
}
