import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { HostLoad } from '@edgeproof/contracts';

/** Aggregate CPU time of the machine (the "cpu" line of /proc/stat), in clock ticks (USER_HZ). */
export interface CpuTimes {
  busy: number;
  idle: number;
  iowait: number;
  steal: number;
  total: number;
}

export interface ProcStat {
  cpu: CpuTimes;
  /** runnable tasks (threads) on the whole machine, the reading thread included */
  procsRunning: number;
}

export interface Loadavg {
  load1: number;
  load5: number;
  load15: number;
  runnable: number;
  total: number;
}

/** /proc/stat → aggregate CPU ticks and procs_running; null when the text has neither. */
export function parseProcStat(text: string): ProcStat | null {
  const cpuLine = /^cpu\s+([\d\s]+)$/m.exec(text);
  const running = /^procs_running\s+(\d+)$/m.exec(text);
  if (!cpuLine?.[1] || !running?.[1]) return null;
  // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user/nice)
  const f = cpuLine[1].trim().split(/\s+/).map(Number);
  const at = (i: number) => f[i] ?? 0;
  const busy = at(0) + at(1) + at(2) + at(5) + at(6);
  return {
    cpu: { busy, idle: at(3), iowait: at(4), steal: at(7), total: busy + at(3) + at(4) + at(7) },
    procsRunning: Number(running[1]),
  };
}

/** /proc/loadavg: "0.52 0.58 0.59 2/215 14720" */
export function parseLoadavg(text: string): Loadavg | null {
  const m = /^([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\/(\d+)/.exec(text.trim());
  if (!m) return null;
  return { load1: Number(m[1]), load5: Number(m[2]), load15: Number(m[3]), runnable: Number(m[4]), total: Number(m[5]) };
}

/** utime+stime (ticks) and state of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat line. */
export function parsePidStat(text: string): { state: string; cpuTicks: number } | null {
  // the command name (field 2) may contain spaces and parentheses: split after its last ')'
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const rest = text.slice(close + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!rest[0] || !Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { state: rest[0], cpuTicks: utime + stime };
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function readLoadavg(): Loadavg | null {
  const t = read('/proc/loadavg');
  return t === null ? null : parseLoadavg(t);
}

export function readProcStat(): ProcStat | null {
  const t = read('/proc/stat');
  return t === null ? null : parseProcStat(t);
}

/** pids of this machine's processes whose command line contains `needle` (sync /proc scan, ~1–3 ms). */
export function pidsWith(needle: string): number[] {
  const out: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(needle)) out.push(Number(e));
    } catch {
      // gone
    }
  }
  return out;
}

/** Runnable threads and CPU ticks (all threads, children not included) of some processes. */
export function readProcesses(pids: readonly number[]): { runnable: number; cpuTicks: number } {
  let runnable = 0;
  let cpuTicks = 0;
  for (const pid of pids) {
    const own = read(`/proc/${pid}/stat`);
    const s = own === null ? null : parsePidStat(own);
    if (!s) continue;
    cpuTicks += s.cpuTicks;
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const t = read(`/proc/${pid}/task/${tid}/stat`);
      if (t !== null && parsePidStat(t)?.state === 'R') runnable++;
    }
  }
  return { runnable, cpuTicks };
}

export interface LoadSample {
  /** epoch ms (performance.timeOrigin + now) */
  atMs: number;
  stat: ProcStat;
  /** runnable threads of the measuring processes at this sample */
  oursRunnable: number;
  /** CPU ticks of the measuring processes so far; per pid, so one that exits drops out of both ends */
  oursTicks: Map<number, number>;
  loadavg: Loadavg | null;
}

/** Takes one sample; null when /proc/stat is unreadable (not Linux). */
export function takeSample(pids: readonly number[], now = () => performance.timeOrigin + performance.now()): LoadSample | null {
  const atMs = now();
  // /proc/stat first: this thread is running while it reads it, and is subtracted as the sampler
  const stat = readProcStat();
  if (!stat) return null;
  const oursTicks = new Map<number, number>();
  let oursRunnable = 0;
  for (const pid of pids) {
    const p = readProcesses([pid]);
    oursRunnable += p.runnable;
    oursTicks.set(pid, p.cpuTicks);
  }
  return { atMs, stat, oursRunnable, oursTicks, loadavg: readLoadavg() };
}

export interface LoadSamplerOptions {
  /** default 100 ms */
  intervalMs?: number;
  /** the processes whose threads are the measurement (asked at every sample: browsers start renderers late) */
  pids: () => readonly number[];
  /** how the samples were taken, copied into HostLoad.method */
  method?: string;
  /** ask `pids` at most this often (ms; finding a browser's processes scans /proc); default 0 = every sample */
  pidsRefreshMs?: number;
}

/**
 * Samples the machine's load from this process every intervalMs (Linux /proc) while a measurement
 * runs in another process, keeping every sample with its time, so that the window of the
 * measurement itself can be cut out afterwards. Sampling costs ~0.1–0.3 ms of this process per sample.
 */
export class LoadSampler {
  readonly #samples: LoadSample[] = [];
  readonly #opts: LoadSamplerOptions;
  #timer: NodeJS.Timeout | undefined;
  #pidsCache: { at: number; pids: readonly number[] } | undefined;

  constructor(opts: LoadSamplerOptions) {
    this.#opts = opts;
  }

  get available(): boolean {
    return this.#samples.length > 0;
  }

  start(): this {
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), this.#opts.intervalMs ?? 100);
    this.#timer.unref();
    return this;
  }

  /** Takes a sample now (asking `pids` afresh when refreshPids); its time, or null without /proc. */
  sampleNow(refreshPids = false): number | null {
    if (refreshPids) this.#pidsCache = undefined;
    return this.#sample();
  }

  /** Takes a last sample and stops. */
  stop(): LoadSample[] {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sample();
    return this.#samples;
  }

  /** The load over [startMs, endMs] (epoch ms); null when there are not two samples around it. */
  summarize(startMs: number, endMs: number): HostLoad | null {
    return summarizeWindow(this.#samples, startMs, endMs, this.#opts.method ?? `/proc/stat every ${this.#opts.intervalMs ?? 100} ms from the agent process`);
  }

  #sample(): number | null {
    const now = Date.now();
    if (!this.#pidsCache || now - this.#pidsCache.at >= (this.#opts.pidsRefreshMs ?? 0)) this.#pidsCache = { at: now, pids: this.#opts.pids() };
    const s = takeSample(this.#pidsCache.pids);
    if (s) this.#samples.push(s);
    return s?.atMs ?? null;
  }
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/**
 * CPU figures from the last sample at or before the window's start to the first at or after its end;
 * runnable counts averaged over the samples in between (both ends included).
 */
export function summarizeWindow(samples: readonly LoadSample[], startMs: number, endMs: number, method: string, cores = os.availableParallelism()): HostLoad | null {
  if (samples.length < 2) return null;
  let first = 0;
  for (let i = 0; i < samples.length; i++) if ((samples[i] as LoadSample).atMs <= startMs) first = i;
  let last = samples.length - 1;
  for (let i = samples.length - 1; i > first; i--) if ((samples[i] as LoadSample).atMs >= endMs) last = i;
  if (last <= first) last = Math.min(samples.length - 1, first + 1);
  if (last <= first) return null;
  const a = samples[first] as LoadSample;
  const b = samples[last] as LoadSample;
  const dTotal = b.stat.cpu.total - a.stat.cpu.total;
  if (dTotal <= 0) return null;
  let oursTicks = 0;
  for (const [pid, ticks] of b.oursTicks) {
    // a measuring process first seen after the window opened (a browser's renderer) started inside it
    oursTicks += Math.max(0, ticks - (a.oursTicks.get(pid) ?? 0));
  }
  const pct = (d: number) => round((100 * d) / dTotal, 1);
  const busyPct = pct(b.stat.cpu.busy - a.stat.cpu.busy);
  const measurementCpuPct = Math.min(busyPct, pct(oursTicks));
  const others = samples.slice(first, last + 1).map(othersRunnable);
  const mean = others.reduce((x, y) => x + y, 0) / others.length;
  const before = samples.filter((s) => s.atMs <= startMs).at(-1);
  return {
    method,
    cores,
    windowMs: round(b.atMs - a.atMs, 0),
    samples: others.length,
    loadavgBefore: a.loadavg,
    loadavgAfter: b.loadavg,
    busyPct,
    stealPct: pct(b.stat.cpu.steal - a.stat.cpu.steal),
    iowaitPct: pct(b.stat.cpu.iowait - a.stat.cpu.iowait),
    measurementCpuPct,
    otherBusyPct: round(Math.max(0, busyPct - measurementCpuPct), 1),
    othersRunnable: { mean: round(mean), max: Math.max(...others), perCore: round(mean / cores) },
    othersRunnableBefore: before ? othersRunnable(before) : null,
  };
}

/** procs_running minus the sampler's own thread minus the measurement's runnable threads. */
export function othersRunnable(s: LoadSample): number {
  return Math.max(0, s.stat.procsRunning - 1 - s.oursRunnable);
}
