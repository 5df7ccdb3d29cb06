/**
 * The phone's CPU load during an Android measurement (src/android/phone-load.ts): the one-liner read through the
 * phone's shell, its parsing, the window summary and the contention verdict, and the fallbacks when /proc/stat or
 * /proc/loadavg are denied. The phone's outputs are fixtures/android/arm64-8core-android13.* (their headers say how
 * they were made); later samples advance their counters the way a phone's kernel would.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { HarnessSession, HarnessTarget } from '../src/web-harness/harness-job.ts';
import { DEFAULT_CONTENTION_THRESHOLDS } from '../src/load/contention.ts';
import {
  loadScript,
  markAtAmStart,
  markSession,
  parseCpuinfoLoad,
  parsePhoneLoad,
  phoneLoadFields,
  PhoneLoadSampler,
  readPhoneLoad,
  summarizePhoneLoad,
  type PhoneReading,
} from '../src/android/phone-load.ts';
import { fixture } from './support/fake-phone.ts';

const run = promisify(execFile);
const body = (name: string) => fixture(name).replace(/^(# .*\n)+/, '');
const STAT = body('arm64-8core-android13.proc-stat.txt');
const LOADAVG = body('arm64-8core-android13.proc-loadavg.txt').trim();
const PID = body('arm64-8core-android13.benchmark-model-pid-stat.txt').trim().split('\n');
const DENIED = body('arm64-8core-android13.load-sample.proc-stat-denied.txt');
const CPUINFO = body('arm64-8core-android13.dumpsys-cpuinfo.txt');
const METHOD = 'test method';

/** One second of the phone: per core [user, nice, system, idle, iowait, irq, softirq] ticks (USER_HZ 100). */
type Second = number[][];
const busy = (user: number, system = 0) => [user, 0, system, 100 - user - system, 0, 0, 0];

/** The fixture's /proc/stat after `seconds` (added to cpuN and to the "cpu" line), with procs_running set. */
function statAfter(seconds: Second[], procsRunning: number): string {
  const add = (line: string, d: number[]) => line.replace(/^(cpu\d*\s+)([\d ]+)$/, (_m, head: string, nums: string) => head + nums.split(' ').map((n, i) => Number(n) + (d[i] ?? 0)).join(' '));
  return STAT.split('\n')
    .map((line) => {
      const cpu = /^cpu(\d*)\s/.exec(line);
      if (!cpu) return line.replace(/^procs_running \d+$/, `procs_running ${procsRunning}`);
      const perCore = seconds.flatMap((s) => (cpu[1] === '' ? [s.reduce((a, c) => a.map((x, i) => x + (c[i] ?? 0)))] : [s[Number(cpu[1])] ?? []]));
      return add(line, perCore.reduce((a, c) => a.map((x, i) => x + (c[i] ?? 0)), [0, 0, 0, 0, 0, 0, 0]));
    })
    .join('\n');
}

/** benchmark_model's process line with utime/stime set and its threads in `states` (from the fixture's lines). */
function pidLines(pid: number, utime: number, stime: number, states: string[]): string[] {
  const set = (line: string, state: string, u: number, s: number) => {
    const [head, rest] = [line.slice(0, line.lastIndexOf(')') + 2), line.slice(line.lastIndexOf(')') + 2).split(' ')];
    rest[0] = state;
    rest[11] = String(u);
    rest[12] = String(s);
    return (head + rest.join(' ')).replace(/^24710 /, `${pid} `);
  };
  const own = set(PID[0] as string, states[0] ?? 'S', utime, stime);
  return [own, ...states.map((st, i) => set(PID[1 + (i % 4)] as string, st, Math.round(utime / states.length), Math.round(stime / states.length)))];
}

/** What the one-liner prints: sections between "@@" lines. */
function answer(stat: string, loadavg: string, pids: { name: string; pid: number; lines: string[] }[] = []): string {
  return ['@@stat', stat.trimEnd(), '@@loadavg', loadavg, ...pids.flatMap((p) => [`@@pid ${p.name} ${p.pid}`, ...p.lines]), '@@end', ''].join('\n');
}

const QUIET: Second = [busy(6, 4), busy(6, 4), busy(6, 4), busy(6, 4), busy(95, 5), busy(95, 5), busy(95, 5), busy(95, 5)];
const HOT: Second = [busy(90, 10), busy(90, 10), busy(90, 10), busy(90, 10), busy(95, 5), busy(95, 5), busy(40, 0), busy(40, 0)];

/** Three readings a second apart; the measurement's 4 threads (quiet) or 2 (hot) run throughout. */
function window(second: Second, oursPerSecond: number, threadsRunnable: number, othersRunnable: number): PhoneReading[] {
  return [0, 1, 2].map((t) => {
    const seconds = Array.from({ length: t }, () => second);
    const states = Array.from({ length: 4 }, (_, i) => (i < threadsRunnable ? 'R' : 'S'));
    const lines = pidLines(24710, 449 + Math.round(oursPerSecond * 0.95) * t, Math.round(oursPerSecond * 0.05) * t, states);
    return parsePhoneLoad(answer(statAfter(seconds, 1 + threadsRunnable + othersRunnable), LOADAVG, [{ name: 'benchmark_model', pid: 24710, lines }]), 1_000_000 + 1000 * t);
  });
}

describe('the phone load one-liner', () => {
  it('runs in sh as adb and Appium hand it over (one command line), and its answer parses', async () => {
    // adb shell and `mobile: shell` join command and args with spaces for the phone's sh; here the host's sh is the phone
    const shell = async (command: string, args: string[] = []) => (await run('sh', ['-c', [command, ...args].join(' ')], { encoding: 'utf8' })).stdout;
    const r = await readPhoneLoad(shell, ['node', 'node:*'], true);
    expect(r.errors).toEqual({});
    expect(r.stat?.cpu.total).toBeGreaterThan(0);
    expect(r.cores).toBe(readFileSync('/proc/stat', 'utf8').match(/^cpu\d+\s/gm)?.length);
    expect(r.loadavg?.source).toBe('/proc/loadavg');
    // this test's own process is a node process
    expect(r.processes.map((p) => p.pid)).toContain(process.pid);
  });

  it('takes only names it can put into sh unquoted', () => {
    expect(loadScript(['benchmark_model'])).toContain('$(pidof benchmark_model 2>/dev/null)');
    expect(loadScript(['com.android.chrome:*'])).toContain('grep -l "^com\\.android\\.chrome:" /proc/[0-9]*/cmdline');
    expect(() => loadScript(['x; reboot'])).toThrow(/not a process name/);
  });

  it("parses a phone's answer: 8 cores, procs_running, load averages, the measuring process and its runnable threads", () => {
    const r = parsePhoneLoad(answer(STAT, LOADAVG, [{ name: 'benchmark_model', pid: 24710, lines: PID }]), 5);
    expect(r).toMatchObject({ atMs: 5, cores: 8, errors: {} });
    const busy = 3771465 + 266663 + 2525330 + 212194 + 123292;
    expect(r.stat).toEqual({ cpu: { busy, idle: 130701316, iowait: 15720, steal: 0, total: busy + 130701316 + 15720 }, procsRunning: 5 });
    expect(r.loadavg).toEqual({ load1: 6.87, load5: 6.52, load15: 6.41, runnable: 5, total: 2983, source: '/proc/loadavg' });
    expect(r.processes).toEqual([{ name: 'benchmark_model', pid: 24710, cpuTicks: 412 + 37, runnable: 3 }]);
  });

  it('parses the "Load:" line of dumpsys cpuinfo', () => {
    expect(parseCpuinfoLoad(CPUINFO)).toEqual({ load1: 6.23, load5: 6.11, load15: 5.98, source: 'dumpsys cpuinfo' });
    expect(parseCpuinfoLoad("Can't find service: cpuinfo")).toBeNull();
  });
});

describe('the load over a measurement window', () => {
  it('quiet: busy %, the measurement CPU and other runnable tasks; not contended', () => {
    const s = summarizePhoneLoad(window(QUIET, 400, 4, 0), 1_000_000, 1_002_000, METHOD);
    expect(s.hostLoad).toEqual({
      method: `${METHOD}; measuring processes seen: benchmark_model (1 pid)`,
      cores: 8,
      windowMs: 2000,
      samples: 3,
      loadavgBefore: { load1: 6.87, load5: 6.52, load15: 6.41, runnable: 5, total: 2983 },
      loadavgAfter: { load1: 6.87, load5: 6.52, load15: 6.41, runnable: 5, total: 2983 },
      busyPct: 55,
      stealPct: 0,
      iowaitPct: 0,
      measurementCpuPct: 50,
      otherBusyPct: 5,
      othersRunnable: { mean: 0, max: 0, perCore: 0 },
      othersRunnableBefore: 0,
    });
    expect(phoneLoadFields(s, 'latency', DEFAULT_CONTENTION_THRESHOLDS)).toEqual({
      environment: { hostLoad: s.hostLoad, contended: false, contentionThresholds: DEFAULT_CONTENTION_THRESHOLDS },
      extra: {},
    });
  });

  it('contended: 60% of the phone busy with other work and 9 other runnable tasks', () => {
    const s = summarizePhoneLoad(window(HOT, 200, 2, 9), 1_000_000, 1_002_000, METHOD);
    expect(s.hostLoad).toMatchObject({ busyPct: 85, measurementCpuPct: 25, otherBusyPct: 60, othersRunnable: { mean: 9, max: 9, perCore: 1.13 } });
    const { environment } = phoneLoadFields(s, 'latency', DEFAULT_CONTENTION_THRESHOLDS);
    expect(environment.contended).toBe(true);
    expect(environment.contentionReasons).toEqual([
      '9 other runnable tasks on average (1.13 per core, max 9; limit 1 per core)',
      '60% of the CPU busy with other work (limit 50%; total busy 85%, measurement 25%)',
    ]);
    // accuracy and parity keep the reading but are never flagged (as on the host)
    expect(phoneLoadFields(s, 'accuracy', DEFAULT_CONTENTION_THRESHOLDS).environment).toEqual({ hostLoad: s.hostLoad });
  });

  it('a benchmark_model round that exited keeps the CPU it was last seen with', () => {
    const stat = (t: number) => statAfter(Array.from({ length: t }, () => QUIET), 5);
    const readings = [
      parsePhoneLoad(answer(stat(0), LOADAVG), 0),
      parsePhoneLoad(answer(stat(1), LOADAVG, [{ name: 'benchmark_model', pid: 24790, lines: pidLines(24790, 380, 20, ['R', 'R', 'R', 'R']) }]), 1000),
      // the next round's process; 24790 has exited
      parsePhoneLoad(answer(stat(2), LOADAVG, [{ name: 'benchmark_model', pid: 24811, lines: pidLines(24811, 190, 10, ['R', 'R', 'R', 'R']) }]), 2000),
    ];
    const s = summarizePhoneLoad(readings, 0, 2000, METHOD);
    expect(s.hostLoad?.measurementCpuPct).toBe(37.5);
    expect(s.hostLoad?.method).toContain('benchmark_model (2 pids)');
  });
});

describe('what the phone offers when /proc is denied', () => {
  it('/proc/stat denied: load averages only, in extra.phoneLoad, and no contention verdict', () => {
    const r = parsePhoneLoad(DENIED, 0);
    expect(r.stat).toBeNull();
    expect(r.errors).toEqual({ '/proc/stat': 'cat: /proc/stat: Permission denied' });
    const s = summarizePhoneLoad([r, { ...parsePhoneLoad(DENIED, 1000) }], 0, 1000, METHOD);
    expect(s.hostLoad).toBeNull();
    const fields = phoneLoadFields(s, 'latency', DEFAULT_CONTENTION_THRESHOLDS);
    expect(fields.environment).toEqual({});
    expect(fields.extra['phoneLoad']).toEqual({
      method: `load averages only, from /proc/loadavg, at the window's start and end: /proc/stat gave no CPU figures (unavailable says why); tried: ${METHOD}`,
      loadavgBefore: { load1: 6.87, load5: 6.52, load15: 6.41, runnable: 5, total: 2983, source: '/proc/loadavg' },
      loadavgAfter: { load1: 6.87, load5: 6.52, load15: 6.41, runnable: 5, total: 2983, source: '/proc/loadavg' },
      unavailable: 'cat: /proc/stat: Permission denied',
    });
  });

  it('an empty /proc/stat is recorded as such', () => {
    expect(parsePhoneLoad(answer('', LOADAVG), 0).errors).toEqual({ '/proc/stat': '/proc/stat was empty' });
  });

  it('/proc/loadavg denied too: the "Load:" line of dumpsys cpuinfo, read at the marks only', async () => {
    const calls: string[] = [];
    const shell = async (command: string) => {
      calls.push(command);
      return command === 'dumpsys' ? CPUINFO : DENIED.replace(LOADAVG, 'cat: /proc/loadavg: Permission denied');
    };
    const load = new PhoneLoadSampler({ shell, processes: ['benchmark_model'], via: 'adb shell', window: 'the test', intervalMs: 5 }).start();
    await load.mark('start');
    await new Promise((r) => setTimeout(r, 60));
    await load.mark('end');
    const { environment, extra } = await load.finish('latency', DEFAULT_CONTENTION_THRESHOLDS);
    // start, the two marks, stop: the loop stopped at the first denied /proc/stat
    expect(calls).toEqual(['sh', 'dumpsys', 'sh', 'dumpsys', 'sh', 'dumpsys', 'sh', 'dumpsys']);
    expect(environment).toEqual({});
    expect(extra['phoneLoad']).toMatchObject({
      method: expect.stringMatching(/^load averages only, from dumpsys cpuinfo, at the window's start and end/),
      loadavgBefore: { load1: 6.23, load5: 6.11, load15: 5.98, source: 'dumpsys cpuinfo' },
      loadavgAfter: { load1: 6.23, load5: 6.11, load15: 5.98, source: 'dumpsys cpuinfo' },
      unavailable: 'cat: /proc/stat: Permission denied',
      errors: { '/proc/loadavg': 'cat: /proc/loadavg: Permission denied' },
    });
  });

  it('a shell that throws is recorded, not thrown, and the sampler keeps trying', async () => {
    let calls = 0;
    const shell = async () => {
      calls++;
      throw new Error('error: device offline');
    };
    const load = new PhoneLoadSampler({ shell, processes: ['benchmark_model'], via: 'adb shell', window: 'the test', intervalMs: 5 }).start();
    await new Promise((r) => setTimeout(r, 60));
    const { environment, extra } = await load.finish('latency');
    expect(calls).toBeGreaterThan(4);
    expect(environment).toEqual({});
    expect(extra['phoneLoad']).toMatchObject({
      loadavgBefore: null,
      loadavgAfter: null,
      unavailable: 'error: device offline',
      errors: { 'dumpsys cpuinfo': 'error: device offline' },
    });
  });
});

describe('the sampler in a job', () => {
  /** A phone whose counters advance a quiet second per read; reads take 15 ms and must never overlap. */
  function phone() {
    let reads = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const shell = async () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 15));
      const t = reads++;
      inFlight--;
      const lines = pidLines(24710, 449 + 380 * t, 20 * t, ['R', 'R', 'R', 'R']);
      return answer(statAfter(Array.from({ length: t }, () => QUIET), 5), LOADAVG, [{ name: 'benchmark_model', pid: 24710, lines }]);
    };
    return { shell, reads: () => reads, maxInFlight: () => maxInFlight };
  }

  it('samples every interval and at the marks, one read at a time, into hostLoad and the contention fields', async () => {
    const p = phone();
    const load = new PhoneLoadSampler({ shell: p.shell, processes: ['benchmark_model'], via: 'adb shell', window: 'the test', intervalMs: 10 }).start();
    const marks = Promise.all([load.mark('start'), load.mark('start')]);
    await marks;
    await new Promise((r) => setTimeout(r, 80));
    await load.mark('end');
    const { environment, extra } = await load.finish('latency', DEFAULT_CONTENTION_THRESHOLDS);
    expect(p.maxInFlight()).toBe(1);
    expect(p.reads()).toBeGreaterThan(5);
    expect(environment.hostLoad).toMatchObject({ cores: 8, busyPct: 55, measurementCpuPct: 50, otherBusyPct: 5 });
    expect(environment.hostLoad?.method).toMatch(/^\/proc\/stat, \/proc\/loadavg and .* of benchmark_model on the phone, one adb shell call every 10 ms .*window: the test; measuring processes seen: benchmark_model \(1 pid\)$/);
    expect(environment.contended).toBe(false);
    expect(extra).toEqual({});
    // stop() again is the same stop
    expect(await load.stop()).toHaveLength(p.reads());
  });

  it("marks the window at the native app's `am start`, and from a harness session's opening to its closing", async () => {
    const order: string[] = [];
    const load = { mark: async (edge: string) => void order.push(`mark ${edge}`) } as unknown as PhoneLoadSampler;
    const device = markAtAmStart(
      { shell: async (c, a) => (order.push(`${c} ${a?.[0] ?? ''}`.trim()), ''), push: async () => {}, pull: async () => Buffer.alloc(0), install: async () => {} },
      load,
    );
    await device.shell('mkdir', ['-p', '/data/local/tmp/x']);
    await device.shell('am', ['start', '-W']);
    const target = markSession(
      { open: async () => (order.push('open'), {} as HarnessSession), close: async () => void order.push('close') } as unknown as HarnessTarget<HarnessSession>,
      load,
    );
    await target.close(await target.open(1000), { browserFirst: false });
    expect(order).toEqual(['mkdir -p', 'mark start', 'am start', 'open', 'mark start', 'mark end', 'close']);
  });
});
