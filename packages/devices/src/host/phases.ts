import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Phase marks of the job running in this inference process (epoch ms, performance.timeOrigin +
 * now()), read by the parent to split device time into set-up, warmup, measurement and teardown and
 * to cut the measurement window out of its load samples.
 */
export interface JobPhases {
  warmupStartMs?: number;
  measureStartMs?: number;
  measureEndMs?: number;
}

let phases: JobPhases = {};

const now = () => performance.timeOrigin + performance.now();

export function markWarmupStart(): void {
  phases.warmupStartMs = now();
}

export function markMeasureStart(): void {
  phases.measureStartMs = now();
  phases.warmupStartMs ??= phases.measureStartMs;
}

export function markMeasureEnd(): void {
  phases.measureEndMs = now();
}

/** The marks of the job that just ran; clears them for the next job. */
export function takePhases(): JobPhases {
  const p = phases;
  phases = {};
  return p;
}

/** Current resident set size (VmRSS), else process.memoryUsage().rss. */
export function rssBytes(): number {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb !== undefined) return Number(kb) * 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss;
}

let peakResetOk = false;

/**
 * Starts a new peak-RSS period for this job (Linux: "5" into /proc/self/clear_refs resets VmHWM), so
 * that a process serving several jobs reports each job's own peak. False when the kernel refuses.
 */
export function resetPeakMemory(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    peakResetOk = true;
  } catch {
    peakResetOk = false;
  }
  return peakResetOk;
}

/** Peak resident set size since resetPeakMemory (VmHWM), else over the process's life (getrusage). */
export function peakMemoryBytes(): number {
  if (peakResetOk) {
    try {
      const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
      if (kb !== undefined) return Number(kb) * 1024;
    } catch {
      // fall through
    }
  }
  return process.resourceUsage().maxRSS * 1024;
}
