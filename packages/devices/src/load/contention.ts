import type { ContentionThresholds, HostLoad, ResultEnvironment } from '@edgeproof/contracts';

/**
 * Defaults (why, see README.md in this folder):
 * - othersRunnablePerCore ≥ 1: on average every core had another runnable task besides the
 *   measurement, so the measured threads waited for a CPU part of the time;
 * - stealPct > 5: the hypervisor took more than 1/20 of the machine (noisy-neighbour VMs);
 * - otherBusyPct > 50: more than half of the machine's CPU time went to other work, which leaves a
 *   multi-threaded measurement fewer cores than it asked for and shares caches and memory bandwidth.
 */
export const DEFAULT_CONTENTION_THRESHOLDS: ContentionThresholds = { othersRunnablePerCore: 1, stealPct: 5, otherBusyPct: 50 };

/**
 * The thresholds in effect: DEFAULT_CONTENTION_THRESHOLDS, each overridden by the agent's
 * CONTENTION_RUNNABLE_PER_CORE, CONTENTION_STEAL_PCT, CONTENTION_OTHER_BUSY_PCT when set. Read at
 * each measurement, so drivers built in-process (tests, embedded demo) follow the environment too.
 */
export function contentionThresholds(env: NodeJS.ProcessEnv = process.env): ContentionThresholds {
  const num = (name: string, fallback: number) => {
    const v = env[name];
    const n = v === undefined || v === '' ? NaN : Number(v);
    return Number.isFinite(n) && n >= 0 ? n : fallback;
  };
  return {
    othersRunnablePerCore: num('CONTENTION_RUNNABLE_PER_CORE', DEFAULT_CONTENTION_THRESHOLDS.othersRunnablePerCore),
    stealPct: num('CONTENTION_STEAL_PCT', DEFAULT_CONTENTION_THRESHOLDS.stealPct),
    otherBusyPct: num('CONTENTION_OTHER_BUSY_PCT', DEFAULT_CONTENTION_THRESHOLDS.otherBusyPct),
  };
}

export interface ContentionVerdict {
  contended: boolean;
  reasons: string[];
}

/** Which thresholds the load exceeds; each reason says the value, the limit and how it was measured. */
export function judgeContention(load: HostLoad, t: ContentionThresholds = contentionThresholds()): ContentionVerdict {
  const reasons: string[] = [];
  const r = load.othersRunnable;
  if (r.perCore >= t.othersRunnablePerCore) {
    reasons.push(`${r.mean} other runnable tasks on average (${r.perCore} per core, max ${r.max}; limit ${t.othersRunnablePerCore} per core)`);
  }
  if (load.stealPct > t.stealPct) reasons.push(`CPU steal ${load.stealPct}% (limit ${t.stealPct}%)`);
  if (load.otherBusyPct > t.otherBusyPct) {
    reasons.push(`${load.otherBusyPct}% of the CPU busy with other work (limit ${t.otherBusyPct}%; total busy ${load.busyPct}%, measurement ${load.measurementCpuPct}%)`);
  }
  return { contended: reasons.length > 0, reasons };
}

/** The environment fields of a load reading: hostLoad, contended, contentionReasons, contentionThresholds. */
export function contentionFields(load: HostLoad | null, t: ContentionThresholds = contentionThresholds()): Partial<ResultEnvironment> {
  if (load === null) return {};
  const v = judgeContention(load, t);
  return { hostLoad: load, contended: v.contended, ...(v.contended ? { contentionReasons: v.reasons } : {}), contentionThresholds: t };
}
