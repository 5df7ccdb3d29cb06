import type { BenchmarkKind, ContentionThresholds, HostLoad, ResultEnvironment } from '@edgeproof/contracts';
import { contentionFields, contentionThresholds } from '../load/contention.ts';
import { parseLoadavg, parsePidStat, parseProcStat, summarizeWindow, type LoadSample, type Loadavg, type ProcStat } from '../load/sampler.ts';
import type { HarnessSession, HarnessTarget } from '../web-harness/harness-job.ts';
import type { DeviceShell } from './device-shell.ts';
import { shQuote } from './native-harness.ts';
import type { Shell } from './telemetry.ts';

/** Load averages as the phone gave them; runnable/total only from /proc/loadavg. */
export type LoadFigures = Pick<Loadavg, 'load1' | 'load5' | 'load15'> & Partial<Pick<Loadavg, 'runnable' | 'total'>> & { source: '/proc/loadavg' | 'dumpsys cpuinfo' };

/** One answer to loadScript(): atMs = agent epoch ms when it arrived, cores = cpuN lines of /proc/stat, errors by source. */
export interface PhoneReading {
  atMs: number;
  stat: ProcStat | null;
  cores: number | null;
  loadavg: LoadFigures | null;
  processes: { name: string; pid: number; cpuTicks: number; runnable: number }[];
  errors: Record<string, string>;
}

const NAME = /^[A-Za-z0-9._-]+(:\*)?$/;

/**
 * The sh one-liner of one sample: /proc/stat, /proc/loadavg, then for each measuring process its
 * /proc/<pid>/stat and /proc/<pid>/task/*\/stat, between "@@" lines. A name is matched by `pidof`; "pkg:*"
 * means the package's other processes ("com.android.chrome:sandboxed_process0", ...), by argv[0] in
 * /proc/<pid>/cmdline. Errors of the /proc reads are printed into their section; the exit status is 0.
 */
export function loadScript(processes: readonly string[]): string {
  const parts = ['echo @@stat', 'cat /proc/stat 2>&1', 'echo @@loadavg', 'cat /proc/loadavg 2>&1'];
  for (const name of processes) {
    if (!NAME.test(name)) throw new Error(`not a process name: ${JSON.stringify(name)}`);
    const pids = name.endsWith(':*')
      ? `$(grep -l "^${name.slice(0, -1).replace(/\./g, '\\.')}" /proc/[0-9]*/cmdline 2>/dev/null)`
      : `$(pidof ${name} 2>/dev/null)`;
    parts.push(`for p in ${pids}; do p=\${p#/proc/}; p=\${p%/cmdline}; echo "@@pid ${name} $p"; cat /proc/$p/stat /proc/$p/task/*/stat 2>/dev/null; done`);
  }
  return [...parts, 'echo @@end'].join('; ');
}

const why = (text: string, what: string) => text.trim().split('\n')[0]?.slice(0, 300) || `${what} was empty`;

/** Parses one answer to loadScript(); every section that gave nothing usable is recorded in errors. */
export function parsePhoneLoad(text: string, atMs: number): PhoneReading {
  const sections: { head: string; lines: string[] }[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('@@')) sections.push({ head: line.slice(2).trim(), lines: [] });
    else sections.at(-1)?.lines.push(line);
  }
  const r: PhoneReading = { atMs, stat: null, cores: null, loadavg: null, processes: [], errors: {} };
  if (!sections.some((s) => s.head === 'end')) r.errors['shell'] = `the answer has no @@end line (cut short?): ${why(text, 'the answer')}`;
  const [stat, avg] = ['stat', 'loadavg'].map((h) => sections.find((s) => s.head === h)?.lines.join('\n') ?? '') as [string, string];
  r.stat = parseProcStat(stat);
  if (r.stat) r.cores = stat.match(/^cpu\d+\s/gm)?.length ?? null;
  else r.errors['/proc/stat'] = why(stat, '/proc/stat');
  const l = parseLoadavg(avg);
  if (l) r.loadavg = { ...l, source: '/proc/loadavg' };
  else r.errors['/proc/loadavg'] = why(avg, '/proc/loadavg');
  for (const s of sections) {
    const m = /^pid (\S+) (\d+)$/.exec(s.head);
    const [own, ...tasks] = s.lines.filter((l) => l.trim());
    const p = own ? parsePidStat(own) : null;
    if (!m || !p || r.processes.some((x) => x.pid === Number(m[2]))) continue;
    const runnable = tasks.filter((t) => parsePidStat(t)?.state === 'R').length;
    r.processes.push({ name: m[1] as string, pid: Number(m[2]), cpuTicks: p.cpuTicks, runnable });
  }
  return r;
}

/** The "Load: 6.23 / 6.11 / 5.98" line of `dumpsys cpuinfo`. */
export function parseCpuinfoLoad(text: string): LoadFigures | null {
  const m = /^Load:\s*([\d.]+)\s*\/\s*([\d.]+)\s*\/\s*([\d.]+)/m.exec(text);
  return m ? { load1: Number(m[1]), load5: Number(m[2]), load15: Number(m[3]), source: 'dumpsys cpuinfo' } : null;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 300);

/** One sample through the shell; `full` adds `dumpsys cpuinfo` when /proc/loadavg gave nothing. Never throws. */
export async function readPhoneLoad(shell: Shell, processes: readonly string[], full: boolean, now: () => number = Date.now): Promise<PhoneReading> {
  let r: PhoneReading;
  try {
    const out = await shell('sh', ['-c', shQuote(loadScript(processes))]);
    r = parsePhoneLoad(out, now());
  } catch (err) {
    r = { atMs: now(), stat: null, cores: null, loadavg: null, processes: [], errors: { shell: message(err) } };
  }
  if (full && !r.loadavg) {
    try {
      const text = await shell('dumpsys', ['cpuinfo']);
      r.loadavg = parseCpuinfoLoad(text);
      if (!r.loadavg) r.errors['dumpsys cpuinfo'] = `no "Load:" line: ${why(text, 'dumpsys cpuinfo')}`;
    } catch (err) {
      r.errors['dumpsys cpuinfo'] = message(err);
    }
  }
  return r;
}

/** Readings with /proc/stat as LoadSamples; a measuring process that exited keeps the ticks it was last seen with. */
export function loadSamples(readings: readonly PhoneReading[]): LoadSample[] {
  const ticks = new Map<number, number>();
  const out: LoadSample[] = [];
  for (const r of readings) {
    for (const p of r.processes) ticks.set(p.pid, Math.max(ticks.get(p.pid) ?? 0, p.cpuTicks));
    if (!r.stat) continue;
    const oursRunnable = r.processes.reduce((n, p) => n + p.runnable, 0);
    const loadavg = r.loadavg?.source === '/proc/loadavg' ? { load1: r.loadavg.load1, load5: r.loadavg.load5, load15: r.loadavg.load15, runnable: r.loadavg.runnable ?? 0, total: r.loadavg.total ?? 0 } : null;
    out.push({ atMs: r.atMs, stat: r.stat, oursRunnable, oursTicks: new Map(ticks), loadavg });
  }
  return out;
}

/** What the phone's load over a window gives a result: a full HostLoad, or only load averages (environment.extra.phoneLoad). */
export interface PhoneLoadSummary {
  hostLoad: HostLoad | null;
  partial: { method: string; loadavgBefore: LoadFigures | null; loadavgAfter: LoadFigures | null; unavailable: string; errors?: Record<string, string> } | null;
  errors: Record<string, string>;
}

/** The load over [startMs, endMs] (agent epoch ms); `method` describes the sampling, `processes` the measurement. */
export function summarizePhoneLoad(readings: readonly PhoneReading[], startMs: number, endMs: number, method: string): PhoneLoadSummary {
  const errors = Object.assign({}, ...readings.map((r) => r.errors)) as Record<string, string>;
  const cores = Math.max(0, ...readings.map((r) => r.cores ?? 0));
  const seen = new Map<string, Set<number>>();
  for (const p of readings.flatMap((r) => r.processes)) seen.set(p.name, (seen.get(p.name) ?? new Set()).add(p.pid));
  const found = [...seen].map(([n, pids]) => `${n} (${pids.size} pid${pids.size === 1 ? '' : 's'})`).join(', ') || 'none';
  const hostLoad = cores > 0 ? summarizeWindow(loadSamples(readings), startMs, endMs, `${method}; measuring processes seen: ${found}`, cores) : null;
  if (hostLoad) return { hostLoad, partial: null, errors };
  const withLoad = readings.filter((r) => r.loadavg);
  const before = withLoad.filter((r) => r.atMs <= startMs).at(-1)?.loadavg ?? null;
  const after = withLoad.find((r) => r.atMs >= endMs)?.loadavg ?? null;
  const sources = [...new Set([before?.source, after?.source].filter(Boolean))].join(' and ') || 'nothing';
  // a denial says more than a broken answer, which says more than the empty section it left
  const denied = readings.find((r) => r.errors['/proc/stat'] && !r.errors['shell'])?.errors['/proc/stat'];
  const key = denied ? '/proc/stat' : errors['shell'] ? 'shell' : '/proc/stat';
  const unavailable = denied ?? errors[key] ?? 'fewer than two /proc/stat readings around the window';
  const rest = Object.fromEntries(Object.entries(errors).filter(([k]) => k !== key));
  const m = `load averages only, from ${sources}, at the window's start and end: /proc/stat gave no CPU figures (unavailable says why); tried: ${method}`;
  return { hostLoad: null, partial: { method: m, loadavgBefore: before, loadavgAfter: after, unavailable, ...(Object.keys(rest).length ? { errors: rest } : {}) }, errors };
}

/** The result's fields: hostLoad (+ contention for latency, as on the host), or extra.phoneLoad with load averages only. */
export function phoneLoadFields(s: PhoneLoadSummary, benchmark: BenchmarkKind, t: ContentionThresholds = contentionThresholds()): { environment: Partial<ResultEnvironment>; extra: Record<string, unknown> } {
  if (!s.hostLoad) return { environment: {}, extra: s.partial ? { phoneLoad: s.partial } : {} };
  // load cannot change what accuracy and parity measure: only latency is judged for contention
  const environment = benchmark === 'latency' ? contentionFields(s.hostLoad, t) : { hostLoad: s.hostLoad };
  return { environment, extra: Object.keys(s.errors).length ? { phoneLoadErrors: s.errors } : {} };
}

/** processes: the measurement's (loadScript); via: the shell ("adb shell"), window: what the window is, both for the method. */
export interface PhoneLoadOptions {
  shell: Shell;
  processes: readonly string[];
  via: string;
  window: string;
  /** default 1000 ms */
  intervalMs?: number;
  now?: () => number;
}

/**
 * Samples the phone's load through its shell every intervalMs (one read at a time: a slow read
 * delays the next) and at mark('start') / mark('end'); periodic reads stop when /proc/stat is
 * denied (load averages are then read at the marks only). Nothing here throws.
 */
export class PhoneLoadSampler {
  readonly #readings: PhoneReading[] = [];
  readonly #window: { start?: number; end?: number } = {};
  #queue: Promise<unknown> = Promise.resolve();
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #stopping: Promise<PhoneReading[]> | undefined;

  constructor(private readonly o: PhoneLoadOptions) {}

  start(): this {
    this.#loop = (async () => {
      for (let full = true; !this.#stopping; full = false) {
        const r = await this.#read(full);
        // denied, not a failed call: every further read would be denied too (the marks still read load averages)
        if ((r.errors['/proc/stat'] && !r.errors['shell']) || this.#stopping) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.o.intervalMs ?? 1000);
          this.#wake = () => (clearTimeout(timer), resolve());
        });
      }
    })();
    return this;
  }

  /** Reads now (after any read in flight); the first 'start' and the last 'end' bound the window. */
  async mark(edge: 'start' | 'end'): Promise<void> {
    const r = await this.#read(true);
    if (edge === 'end' || this.#window.start === undefined) this.#window[edge] = r.atMs;
  }

  /** Stops the loop and takes a last reading; the same promise on every call. */
  stop(): Promise<PhoneReading[]> {
    this.#stopping ??= (async () => {
      this.#wake?.();
      await this.#loop;
      await this.#read(true);
      return this.#readings;
    })();
    return this.#stopping;
  }

  /** stop(), then the result's fields (phoneLoadFields) over the window: the marks, else the first to the last reading. */
  async finish(benchmark: BenchmarkKind, t?: ContentionThresholds): Promise<ReturnType<typeof phoneLoadFields>> {
    const [o, readings] = [this.o, await this.stop()];
    const method = `/proc/stat, /proc/loadavg and /proc/<pid>/stat + task/*/stat of ${o.processes.join(', ')} on the phone, one ${o.via} call every ${o.intervalMs ?? 1000} ms (one at a time) and at the window's start and end, timed when the answer reached the agent; window: ${o.window}`;
    const s = summarizePhoneLoad(readings, this.#window.start ?? readings[0]?.atMs ?? 0, this.#window.end ?? readings.at(-1)?.atMs ?? 0, method);
    return phoneLoadFields(s, benchmark, t);
  }

  #read(full: boolean): Promise<PhoneReading> {
    const next = this.#queue.then(() => readPhoneLoad(this.o.shell, this.o.processes, full, this.o.now));
    this.#queue = next;
    return next.then((r) => (this.#readings.push(r), r));
  }
}

/** A DeviceShell whose `am start` (the native harness starting the app) is preceded by mark('start'). */
export function markAtAmStart(shell: DeviceShell, load: PhoneLoadSampler): DeviceShell {
  return {
    ...shell,
    shell: async (command, args) => {
      if (command === 'am' && args?.[0] === 'start') await load.mark('start');
      return shell.shell(command, args);
    },
  };
}

/** A harness target whose window is from the session being ready to its closing. */
export function markSession<S extends HarnessSession>(target: HarnessTarget<S>, load: PhoneLoadSampler): HarnessTarget<S> {
  const open = async (ms: number) => {
    const session = await target.open(ms);
    await load.mark('start');
    return session;
  };
  const close: HarnessTarget<S>['close'] = async (session, opts) => {
    await load.mark('end');
    await target.close(session, opts);
  };
  return { ...target, open, close };
}
