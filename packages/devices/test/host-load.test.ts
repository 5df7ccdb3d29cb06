/** Parsing /proc and cutting a measurement window out of load samples; the live machine is in host-contention.test.ts. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTENTION_THRESHOLDS, judgeContention } from '../src/load/contention.ts';
import { parseLoadavg, parsePidStat, parseProcStat, summarizeWindow, takeSample, type LoadSample } from '../src/load/sampler.ts';

const STAT = `cpu  86312 10 28172 264545 754 0 1903 120 0 0
cpu0 42084 0 13315 134146 141 0 866 0 0 0
cpu1 44228 0 14857 130398 613 0 1036 0 0 0
intr 1 2 3
ctxt 123
procs_running 3
procs_blocked 1
`;

function sample(atMs: number, busy: number, idle: number, steal: number, procsRunning: number, ours: number, oursTicks: number): LoadSample {
  return { atMs, stat: { cpu: { busy, idle, iowait: 0, steal, total: busy + idle + steal }, procsRunning }, oursRunnable: ours, oursTicks: new Map([[42, oursTicks]]), loadavg: null };
}

describe('host load', () => {
  it('parses /proc/stat, /proc/loadavg and a task stat line whose name has spaces and parentheses', () => {
    expect(parseProcStat(STAT)).toEqual({ cpu: { busy: 86312 + 10 + 28172 + 1903, idle: 264545, iowait: 754, steal: 120, total: 86312 + 10 + 28172 + 1903 + 264545 + 754 + 120 }, procsRunning: 3 });
    expect(parseProcStat('nothing here')).toBeNull();
    expect(parseLoadavg('1.42 1.27 1.10 2/215 14720\n')).toEqual({ load1: 1.42, load5: 1.27, load15: 1.1, runnable: 2, total: 215 });
    const line = '4242 (tsx (node) x) R 1 4242 4242 0 -1 4194560 100 0 0 0 250 17 0 0 20 0 7 0 100 0 0';
    expect(parsePidStat(line)).toEqual({ state: 'R', cpuTicks: 267 });
  });

  it('reads this machine: procs_running counts the reading thread itself', () => {
    const s = takeSample([process.pid]);
    expect(s).not.toBeNull();
    expect(s!.stat.procsRunning).toBeGreaterThanOrEqual(1);
    // this thread is running while it reads its own task list
    expect(s!.oursRunnable).toBeGreaterThanOrEqual(1);
    expect(s!.oursTicks.get(process.pid)).toBeGreaterThan(0);
  });

  it('cuts the window from the sample before its start to the one after its end', () => {
    // 2 cores, 100 ticks per sample interval each: 200 ticks per step
    const samples = [
      sample(0, 0, 200, 0, 9, 0, 0), // before the window: not counted
      sample(1000, 100, 300, 0, 2, 1, 10),
      sample(1100, 280, 320, 0, 4, 1, 100), // 180 busy of 200, 90 ours
      sample(1200, 460, 340, 0, 5, 1, 190),
      sample(1300, 640, 360, 0, 9, 1, 280), // after the window's end: the closing sample
      sample(1400, 700, 500, 0, 9, 1, 290),
    ];
    const l = summarizeWindow(samples, 1050, 1250, 'test', 2)!;
    expect(l.windowMs).toBe(300);
    expect(l.busyPct).toBe(90);
    expect(l.measurementCpuPct).toBe(45);
    expect(l.otherBusyPct).toBe(45);
    // procs_running − sampler − ours over samples 1000..1300: 0, 2, 3, 7
    expect(l.othersRunnable).toEqual({ mean: 3, max: 7, perCore: 1.5 });
    expect(l.othersRunnableBefore).toBe(0);
    expect(summarizeWindow(samples.slice(0, 1), 0, 1, 'test')).toBeNull();
  });

  it('flags each exceeded threshold with its value and limit, and nothing below them', () => {
    const base = summarizeWindow([sample(0, 0, 0, 0, 1, 0, 0), sample(100, 20, 180, 0, 1, 0, 20)], 0, 100, 'test', 2)!;
    expect(judgeContention(base)).toEqual({ contended: false, reasons: [] });
    const hot = { ...base, othersRunnable: { mean: 2.2, max: 3, perCore: 1.1 }, stealPct: 7.5, otherBusyPct: 61, busyPct: 90, measurementCpuPct: 29 };
    const v = judgeContention(hot, DEFAULT_CONTENTION_THRESHOLDS);
    expect(v.contended).toBe(true);
    expect(v.reasons).toEqual([
      '2.2 other runnable tasks on average (1.1 per core, max 3; limit 1 per core)',
      'CPU steal 7.5% (limit 5%)',
      '61% of the CPU busy with other work (limit 50%; total busy 90%, measurement 29%)',
    ]);
    expect(judgeContention(hot, { othersRunnablePerCore: 2, stealPct: 10, otherBusyPct: 70 }).contended).toBe(false);
  });
});
