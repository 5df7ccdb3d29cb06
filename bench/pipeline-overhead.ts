/**
 * Pipeline and device overhead, before/after side by side in one run, against the real API, queue and
 * agents on this machine (the bundled MNIST MLP; latency: 0.1 s warmup, ≥ 50 runs and 0.2 s measured):
 * - per job (≥ BENCH_JOBS=10 single-latency runs per mode, median): device busy time beyond the measured
 *   time = job start → finish as the API recorded them (agent's /start → result stored) minus warmup +
 *   measurement as the job reported them; also the driver's own set-up + teardown
 *   (environment.timing) and POST /v1/runs → result readable minus warmup + measurement.
 *   Host: a fresh inference process per job (before) vs the kept one (after), interleaved job by job
 *   on two host devices of two agents. Browser (Appium chromium driver, headless Chromium), in blocks,
 *   one agent per configuration: a new WebDriver session per job (before); `reuseBrowserSession` with
 *   a fresh tab per job; the same with the tab prepared (harness page, runtime started) while the
 *   device waits, back to back and with BENCH_IDLE_MS (3 s) idle before each run (after).
 *   Targets: ≤ 0.3 s host, ≤ 0.8 s browser (after).
 * - per run: POST /v1/runs → all results readable for a latency + accuracy (200 samples) + parity run
 *   on one device, beside the sum of the jobs' measured times (warmup + measurement / evaluated samples);
 *   browser: each job its own session (before) vs the run's batch in one session (after).
 *
 *   npx tsx bench/pipeline-overhead.ts      BENCH_JOBS=10 BENCH_RUNS=3 BENCH_SKIP_BROWSER=1
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import Table from 'cli-table3';
import type { BenchmarkSettingsInput, JobOut, RunOut } from '@edgeproof/contracts';
import { freePort, repoRoot, startAppium, type TestAppium } from '@edgeproof/testkit';
import { median, startBenchPlatform } from './support/platform.ts';

const JOBS = Number(process.env.BENCH_JOBS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BROWSER = process.env.BENCH_SKIP_BROWSER !== '1';
/** idle time before each run of the "idle between runs" mode: a lab's device between CI runs */
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 3000);
const LATENCY: BenchmarkSettingsInput = { dims: { batch: 1 }, warmupMinSeconds: 0.1, measureMinRuns: 50, measureMinSeconds: 0.2 };
const DATASET = { name: 'mnist-test', version: '1' };

interface JobFigures {
  /** API finishedAt − startedAt − (warmup + measurement) */
  apiBeyondMs: number;
  /** environment.timing: setup + teardown */
  driverBeyondMs: number;
  setupMs: number;
  teardownMs: number;
  /** POST /v1/runs → readable − (warmup + measurement) */
  wallBeyondMs: number;
  /** of the set-up: the runtime's session creation as the job reported it (browser: includes starting the wasm runtime in the page) */
  sessionCreateMs: number;
  /** host load during the measurement, as the result recorded it */
  othersRunnable: number;
}

interface RunFigures {
  wallMs: number;
  measuredMs: number;
}

const measuredOf = (j: JobOut): number => {
  const t = j.result?.environment.timing;
  const s = j.result?.summary;
  if (s?.kind === 'latency') return (s.warmup.seconds + s.measure.seconds) * 1000;
  return (t?.warmupMs ?? 0) + (t?.measuredMs ?? 0);
};

const load0 = os.loadavg();
const p = await startBenchPlatform();
let appium: TestAppium | undefined;
const rows: Record<string, { jobs: JobFigures[]; runs: RunFigures[] }> = {};
const add = (mode: string) => (rows[mode] ??= { jobs: [], runs: [] });

async function runOnce(deviceId: string, benchmarks: RunOut['benchmarks'], settings: BenchmarkSettingsInput): Promise<{ done: RunOut; wallMs: number }> {
  const start = performance.now();
  const run = await p.client.createRun({ model: 'mnist-mlp', version: '1', ...(benchmarks.length > 1 ? { dataset: DATASET } : {}), devices: { ids: [deviceId] }, benchmarks, settings });
  const done = await p.client.waitForRun(run.id, { timeoutMs: 180_000, intervalMs: 20 });
  const wallMs = performance.now() - start;
  const failed = done.jobs.find((j) => j.status !== 'succeeded');
  if (failed) throw new Error(`${failed.benchmark} job ${failed.status}: ${failed.error}`);
  return { done, wallMs };
}

async function job(mode: string, deviceId: string, extra: BenchmarkSettingsInput = {}): Promise<void> {
  const { done, wallMs } = await runOnce(deviceId, ['latency'], { ...LATENCY, ...extra });
  const j = done.jobs[0]!;
  const measured = measuredOf(j);
  const t = j.result!.environment.timing;
  add(mode).jobs.push({
    apiBeyondMs: Date.parse(j.finishedAt!) - Date.parse(j.startedAt!) - measured,
    driverBeyondMs: t ? t.setupMs + t.teardownMs : NaN,
    setupMs: t?.setupMs ?? NaN,
    teardownMs: t?.teardownMs ?? NaN,
    wallBeyondMs: wallMs - measured,
    sessionCreateMs: j.result!.summary.kind === 'latency' ? j.result!.summary.sessionCreateMs : NaN,
    othersRunnable: j.result!.environment.hostLoad?.othersRunnable.mean ?? NaN,
  });
}

async function threeBenchmarks(mode: string, deviceId: string, extra: BenchmarkSettingsInput = {}): Promise<void> {
  const { done, wallMs } = await runOnce(deviceId, ['latency', 'accuracy', 'parity'], { ...LATENCY, accuracyMaxSamples: 200, ...extra });
  add(mode).runs.push({ wallMs, measuredMs: done.jobs.reduce((a, j) => a + measuredOf(j), 0) });
}

try {
  await p.client.ensureModel({ name: 'mnist-mlp', taskKind: 'classification', owner: 'bench' });
  await p.client.uploadModelVersion('mnist-mlp', join(p.zooDir, p.zoo.files.mnistMlp.file), { version: '1' });
  await p.client.uploadDataset(join(p.zooDir, p.zoo.files.mnistTest.file), DATASET);
  const fresh = await p.startAgent('bench-host-fresh', { host: { localKey: 'host-fresh', reuseInferenceProcess: false, litert: false } });
  const hostFresh = fresh.devices[0]!.id;
  const hostKept = p.hostDeviceId;

  for (let i = 0; i < JOBS; i++) {
    await job('host: fresh process per job (before)', hostFresh);
    await job('host: kept inference process (after)', hostKept);
  }
  for (let i = 0; i < RUNS; i++) {
    await threeBenchmarks('host: fresh process per job (before)', hostFresh);
    await threeBenchmarks('host: kept inference process (after)', hostKept);
  }

  if (BROWSER) {
    appium = await startAppium({ repoRoot, drivers: ['chromium'] });
    const agent = async (name: string, options: object) =>
      (await p.startAgent(name, { host: false, browser: { endpoint: { url: appium!.url }, slots: 1, chromedriverBasePort: await freePort(), localKeyPrefix: name, ...options } })).devices[0]!.id;
    // before: a new WebDriver session per job, batches not continued, no page prepared
    const before = await agent('browser-before', { continueBatches: false, preparePages: false });
    const tabOnly = await agent('browser-tab', { preparePages: false });
    const browser = await agent('browser', {});
    for (let i = 0; i < JOBS; i++) await job('browser: new session per job (before)', before);
    for (let i = 0; i < RUNS; i++) await threeBenchmarks('browser: new session per job (before)', before);
    for (let i = 0; i < JOBS; i++) await job('browser: kept session, fresh tab', tabOnly, { reuseBrowserSession: true });
    for (let i = 0; i < JOBS; i++) await job('browser: kept session, prepared tab, back to back (after)', browser, { reuseBrowserSession: true });
    for (let i = 0; i < JOBS; i++) {
      await new Promise((r) => setTimeout(r, IDLE_MS));
      await job(`browser: kept session, prepared tab, ${IDLE_MS / 1000} s idle between runs (after)`, browser, { reuseBrowserSession: true });
    }
    // the run's 3 jobs are one batch on the device: they share the session without reuseBrowserSession
    for (let i = 0; i < RUNS; i++) await threeBenchmarks('browser: run batch in one session (after)', browser);
  }
} finally {
  await p.close();
  await appium?.stop();
}

const ms = (x: number) => `${x.toFixed(0)} ms`;
const med = (xs: JobFigures[], k: keyof JobFigures) => median(xs.map((x) => x[k]));
const targetOf = (mode: string) => (mode.startsWith('host') ? 300 : 800);

const perJob = new Table({
  head: ['mode', 'jobs', 'device busy beyond measured (API start→finish)', 'driver set-up + teardown', 'of it set-up', 'of set-up: runtime session create', 'POST → readable beyond measured', 'other runnable tasks (hostLoad)', 'target (after)'],
});
const perRun = new Table({ head: ['mode', 'runs', 'POST /v1/runs → 3 results readable', 'Σ measured time of the 3 jobs', 'wall / Σ measured', 'wall − Σ measured'] });
const ratios = new Table({ head: ['ratio to (before)', 'device busy beyond measured', 'driver set-up + teardown', '3-benchmark run wall time'] });
for (const [mode, r] of Object.entries(rows)) {
  const after = mode.includes('(after)');
  const busy = med(r.jobs, 'apiBeyondMs');
  if (r.jobs.length) perJob.push([
    mode,
    String(r.jobs.length),
    ms(busy),
    ms(med(r.jobs, 'driverBeyondMs')),
    ms(med(r.jobs, 'setupMs')),
    ms(med(r.jobs, 'sessionCreateMs')),
    ms(med(r.jobs, 'wallBeyondMs')),
    med(r.jobs, 'othersRunnable').toFixed(1),
    after ? `≤ ${targetOf(mode)} ms: ${busy <= targetOf(mode) ? 'met' : 'MISSED'}` : '',
  ]);
  if (r.runs.length) {
    const wall = median(r.runs.map((x) => x.wallMs));
    const sum = median(r.runs.map((x) => x.measuredMs));
    perRun.push([mode, String(r.runs.length), ms(wall), ms(sum), (wall / sum).toFixed(2), ms(wall - sum)]);
  }
}
type Mode = { jobs: JobFigures[]; runs: RunFigures[] };
for (const platform of ['host', 'browser']) {
  const before = Object.entries(rows).find(([m]) => m.startsWith(platform) && m.includes('(before)'))?.[1];
  if (!before) continue;
  for (const [mode, after] of Object.entries(rows).filter(([m]) => m.startsWith(platform) && m.includes('(after)'))) {
    const ratio = (f: (r: Mode) => number) => {
      const x = f(after) / f(before);
      return Number.isFinite(x) ? x.toFixed(2) : '–';
    };
    ratios.push([
      mode,
      ratio((r) => med(r.jobs, 'apiBeyondMs')),
      ratio((r) => med(r.jobs, 'driverBeyondMs')),
      ratio((r) => median(r.runs.map((x) => x.wallMs))),
    ]);
  }
}
const load1 = os.loadavg();
process.stdout.write(
  `load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${load1.map((x) => x.toFixed(2)).join(' ')} (${os.availableParallelism()} cores)\n` +
  `per job (single-latency runs, medians; API times are its startedAt/finishedAt, ms resolution)\n${perJob.toString()}\n` +
    `per run (latency + accuracy + parity on one device, medians; results polled every 20 ms)\n${perRun.toString()}\n${ratios.toString()}\n`,
);
