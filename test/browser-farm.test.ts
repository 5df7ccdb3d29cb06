/**
 * The browser device end to end: API → queue → agent → Appium (chromium driver, real server on
 * 127.0.0.1) → Chromium running the web harness, side by side with the host CPU device.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceOut, JobOut, RunOut } from '@edgeproof/contracts';
import { EdgeproofClient } from '@edgeproof/cli';
import { BrowserDriver, findProcesses, HostDriver, killProcesses } from '@edgeproof/devices';
import { buildZoo, defaultZooDir, type ZooManifest } from '@edgeproof/model-zoo';
import { freePort, repoRoot, startAppium, type TestAppium } from '@edgeproof/testkit';
import { startAgent, type RunningAgent } from '../apps/agent/src/agent.ts';
import { startTestApi, type TestApi } from '../apps/api/test/helpers.ts';

let appium: TestAppium;
let api: TestApi;
let agent: RunningAgent;
let client: EdgeproofClient;
let profileRoot: string;
let cacheDir: string;
let chromedriverBase: number;
let zoo: ZooManifest;
let hostDevice: DeviceOut;
let browserDevice: DeviceOut;
const agentLogs: Record<string, unknown>[] = [];

const logSink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) agentLogs.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

beforeAll(async () => {
  zoo = await buildZoo(defaultZooDir());
  appium = await startAppium({ repoRoot, drivers: ['chromium'] });
  api = await startTestApi();
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  profileRoot = await mkdtemp(join(tmpdir(), 'ep-browser-farm-'));
  cacheDir = await mkdtemp(join(tmpdir(), 'ep-browser-farm-cache-'));
  chromedriverBase = await freePort();
  agent = await startAgent({
    apiUrl,
    token: await api.agentToken('browser-farm-agent'),
    name: 'browser-farm-agent',
    cacheDir,
    drivers: [
      new HostDriver({ tier: 'low' }),
      new BrowserDriver({ endpoint: { url: appium.url }, chromedriverBasePort: chromedriverBase, profileRoot, tier: 'low', tags: ['ci'] }),
    ],
    logger: pino({ level: 'info' }, logSink),
    shutdownGraceMs: 2_000,
  });
  client = new EdgeproofClient(apiUrl, api.tokens.admin);
  const devices = await client.listDevices();
  hostDevice = devices.find((d) => d.driver === 'host') as DeviceOut;
  browserDevice = devices.find((d) => d.driver === 'browser') as DeviceOut;

  await client.ensureModel({ name: 'mnist-mlp', taskKind: 'classification', owner: 'browser-farm-test' });
  await client.uploadModelVersion('mnist-mlp', join(defaultZooDir(), zoo.files.mnistMlp.file), { version: '1.0.0' });
  await client.ensureModel({ name: 'mnist-mlp-slow', taskKind: 'classification', owner: 'browser-farm-test' });
  await client.uploadModelVersion('mnist-mlp-slow', join(defaultZooDir(), zoo.files.mnistMlpSlow.file), { version: '1.0.0' });
  await client.uploadDataset(join(defaultZooDir(), zoo.files.mnistTest.file), { name: 'mnist-test', version: '1' });
  // the same MLP as TFLite (known weights), and the same file as a second TFLite version: an A/A through the A/B path
  await client.uploadModelVersion('mnist-mlp', join(defaultZooDir(), zoo.files.mnistMlpTflite.file), { version: '1.0.0-tflite' });
  await client.uploadModelVersion('mnist-mlp', join(defaultZooDir(), zoo.files.mnistMlpTflite.file), { version: '1.1.0-tflite' });
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await api?.close();
  await appium?.stop();
  if (profileRoot) {
    await killProcesses([profileRoot]);
    await rm(profileRoot, { recursive: true, force: true });
  }
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

const job = (run: RunOut, driver: DeviceOut, benchmark: JobOut['benchmark']) =>
  run.jobs.find((j) => j.device.id === driver.id && j.benchmark === benchmark);

describe('browser device through Appium', () => {
  it('registers a browser device with what the browser says about itself', () => {
    expect(browserDevice).toMatchObject({
      localKey: 'browser-1',
      platform: 'browser',
      driver: 'browser',
      maker: 'Chromium',
      tier: 'low',
      tags: ['ci'],
      runtimes: ['onnxruntime-web/wasm', 'litert/wasm'],
      status: 'idle',
    });
    expect(browserDevice.model).toMatch(/^Chromium \d+$/);
    expect(browserDevice.attributes).toMatchObject({ crossOriginIsolated: true, computePressure: true, endpoint: appium.url });
    // TFLite on the host runs with LiteRT.js in the agent's own headless Chromium
    expect(hostDevice.runtimes).toEqual(['onnxruntime-node', 'litert/wasm']);
  });

  it('runs latency, accuracy and parity on the browser and the host; both p50s are stored for the same version', async () => {
    const run = await client.createRun({
      model: 'mnist-mlp',
      version: '1.0.0',
      dataset: { name: 'mnist-test', version: '1' },
      devices: { ids: [hostDevice.id, browserDevice.id] },
      benchmarks: ['latency', 'accuracy', 'parity'],
      settings: { dims: { batch: 1 }, warmupMinSeconds: 0.2, measureMinRuns: 200, measureMinSeconds: 0.5, accuracyMaxSamples: 300 },
    });
    const done = await client.waitForRun(run.id, { timeoutMs: 120_000, intervalMs: 250 });
    expect(done.jobs.map((j) => [j.device.platform, j.benchmark, j.status, j.error])).toEqual(
      expect.arrayContaining(done.jobs.map((j) => [j.device.platform, j.benchmark, 'succeeded', null])),
    );
    expect(done.status).toBe('succeeded');

    const browserLatency = job(done, browserDevice, 'latency')?.result;
    const hostLatency = job(done, hostDevice, 'latency')?.result;
    if (browserLatency?.summary.kind !== 'latency' || hostLatency?.summary.kind !== 'latency') throw new Error('latency results missing');
    expect(browserLatency.summary.stats.p50).toBeGreaterThan(0);
    expect(hostLatency.summary.stats.p50).toBeGreaterThan(0);
    expect(browserLatency.rawSamples).toHaveLength(browserLatency.summary.measure.runs);
    expect(browserLatency.summary.measure.runs).toBeGreaterThanOrEqual(200);
    expect(browserLatency.summary.peakMemoryBytes).toBeNull();
    expect(browserLatency.environment).toMatchObject({
      runtime: 'onnxruntime-web',
      executionProvider: 'wasm',
      threads: 1,
      thermalState: 'unavailable',
      inputShapes: { input: [1, 1, 28, 28] },
      extra: { crossOriginIsolated: true, simd: 'fixed', computePressure: { supported: true } },
    });
    expect(browserLatency.environment.extra?.userAgent).toMatch(/HeadlessChrome/);
    expect(browserLatency.environment.extra?.performanceMemory).toMatchObject({ usedJSHeapSize: expect.any(Number) });
    expect(hostLatency.environment.runtime).toBe('onnxruntime-node');

    const browserAcc = job(done, browserDevice, 'accuracy')?.result?.summary;
    const hostAcc = job(done, hostDevice, 'accuracy')?.result?.summary;
    if (browserAcc?.kind !== 'accuracy' || hostAcc?.kind !== 'accuracy') throw new Error('accuracy results missing');
    expect(browserAcc.samples).toBe(300);
    expect(browserAcc.top1).toBeGreaterThan(0.8);
    expect(Math.abs(browserAcc.correctTop1 - hostAcc.correctTop1)).toBeLessThanOrEqual(1);

    const browserParity = job(done, browserDevice, 'parity')?.result;
    if (browserParity?.summary.kind !== 'parity') throw new Error('parity result missing');
    expect(browserParity.summary.samples).toBe(8);
    expect(browserParity.summary.reference.runtime).toBe('onnxruntime-node');
    expect(browserParity.summary.outputs[0]?.maxAbsError).toBeLessThan(1e-4);
    expect(browserParity.rawSamples).toHaveLength(8);

    expect(await findProcesses([profileRoot])).toEqual([]);
  }, 150_000);

  it('Chromium killed mid-job: the attempt fails as a crash, the retry succeeds, nothing is left running', async () => {
    const asyncCalls = () => appium.countLogLines('/execute/async');
    const before = asyncCalls();
    const run = await client.createRun({
      model: 'mnist-mlp-slow',
      version: '1.0.0',
      devices: { ids: [browserDevice.id] },
      benchmarks: ['latency'],
      settings: { dims: { batch: 1 }, warmupMinSeconds: 3, measureMinRuns: 20, measureMinSeconds: 0.2 },
    });
    // the harness is running once the agent's executeAsync has reached Appium
    await expect.poll(asyncCalls, { timeout: 30_000, interval: 50 }).toBeGreaterThan(before);
    await new Promise((r) => setTimeout(r, 500));
    const killed = await killProcesses([profileRoot]);
    expect(killed.length).toBeGreaterThan(0);

    const done = await client.waitForRun(run.id, { timeoutMs: 60_000, intervalMs: 250 });
    const latency = done.jobs[0];
    expect(latency?.status).toBe('succeeded');
    expect(latency?.attempts).toBe(2);
    expect(latency?.result?.attempt).toBe(2);
    const failure = agentLogs.find((l) => l.msg === 'job attempt failed' && l.jobId === latency?.id);
    expect((failure?.err as { message?: string } | undefined)?.message).toMatch(/^the browser went away during the job: /);

    expect(await findProcesses([profileRoot])).toEqual([]);
    expect(await findProcesses(['chromedriver', `--port=${chromedriverBase}`])).toEqual([]);
    await expect.poll(async () => (await client.listDevices()).find((d) => d.id === browserDevice.id)?.status, { timeout: 10_000 }).toBe('idle');
  }, 90_000);
});

/** the static TFLite model's input, as the dynamic one must be told it (its batch dim is -1) */
const tfliteInput = () => {
  const input = zoo.files.mnistMlpTflite.inputs[0]!;
  return `${input.name}: [${input.shape.join(', ')}]`;
};

const FAST = { dims: { batch: 1 }, warmupMinSeconds: 0.2, measureMinRuns: 100, measureMinSeconds: 0.3, accuracyMaxSamples: 200 };

describe('TFLite on the browser device, beside ONNX', () => {
  it('the ONNX and TFLite forms of one model in one run: latency, accuracy and parity side by side per runtime', async () => {
    const run = await client.createRun({
      model: 'mnist-mlp',
      version: '1.0.0',
      variants: ['1.0.0-tflite'],
      dataset: { name: 'mnist-test', version: '1' },
      devices: { ids: [browserDevice.id] },
      benchmarks: ['latency', 'accuracy', 'parity'],
      settings: FAST,
    });
    expect(run.jobs.map((j) => [j.role, j.modelVersion, j.benchmark]).sort()).toEqual(
      [
        ['candidate', '1.0.0', 'accuracy'],
        ['candidate', '1.0.0', 'latency'],
        ['candidate', '1.0.0', 'parity'],
        ['variant', '1.0.0-tflite', 'accuracy'],
        ['variant', '1.0.0-tflite', 'latency'],
        ['variant', '1.0.0-tflite', 'parity'],
      ].sort(),
    );
    const done = await client.waitForRun(run.id, { timeoutMs: 100_000, intervalMs: 250 }).catch(async (err: Error) => {
      const now = await client.getRun(run.id, { samples: false });
      const failures = agentLogs.filter((l) => l.msg === 'job attempt failed').map((l) => (l.err as { message?: string } | undefined)?.message);
      throw new Error(`${err.message}: ${JSON.stringify(now.jobs.map((j) => [j.modelVersion, j.benchmark, j.status, j.attempts, j.error]))}; attempts failed: ${JSON.stringify(failures)}`);
    });
    expect(done.jobs.map((j) => [j.modelVersion, j.benchmark, j.status, j.error])).toEqual(done.jobs.map((j) => [j.modelVersion, j.benchmark, 'succeeded', null]));

    const table = await client.runRuntimes(run.id);
    const rows = table.rows.map((r) => [r.version, r.format, r.role, r.runtime]);
    expect(rows).toEqual([
      ['1.0.0', 'onnx', 'candidate', 'onnxruntime-web/wasm'],
      ['1.0.0-tflite', 'tflite', 'variant', 'litert/wasm'],
    ]);
    const [onnx, tflite] = table.rows;
    for (const r of [onnx, tflite]) {
      expect(r?.latency?.p50).toBeGreaterThan(0);
      expect(r?.latency?.runs).toBeGreaterThanOrEqual(100);
      expect(r?.sizeBytes).toBeGreaterThan(0);
      expect(r?.gzipSizeBytes).toBeGreaterThan(0);
      expect(r?.accuracy?.samples).toBe(200);
      expect(r?.parity?.maxAbsError).toBeLessThan(1e-4);
      expect(r?.runtimeVersion).toBeTruthy();
    }
    // the same weights: both forms classify the same samples
    expect(Math.abs((onnx?.accuracy?.top1 ?? 0) - (tflite?.accuracy?.top1 ?? 1))).toBeLessThanOrEqual(1 / 200);
    expect(tflite?.parity?.reference).toMatch(/^litert\/wasm/);
    expect(onnx?.parity?.reference).toMatch(/^onnxruntime-node\/cpu/);
  }, 200_000);

  it('an interleaved A/B gate between two TFLite versions; gate rules pick a runtime with where: {runtime}', async () => {
    const { gate } = await client.createGate({
      model: 'mnist-mlp',
      version: '1.1.0-tflite',
      baseline: '1.0.0-tflite',
      policy: {
        source: `version: 1
devices: { ids: [${browserDevice.id}] }
settings: { inputShapes: { ${tfliteInput()} }, warmupMinSeconds: 0.2, measureMinRuns: 100, measureMinSeconds: 0.3, runtimes: [litert/wasm] }
statistics: { minSamples: 30 }
rules:
  - { type: relative, metric: latency.p50, maxIncrease: 50%, where: { runtime: litert/wasm } }
  - { type: threshold, metric: latency.p99, max: 2s, where: { runtime: litert/wasm } }
  - { type: threshold, metric: latency.p99, max: 2s, where: { runtime: onnxruntime-web/wasm } }
`,
      },
    });
    const finished = await client.waitForGate(gate.id, { timeoutMs: 150_000, intervalMs: 500 });
    const run = await client.getRun(finished.runId);
    // an interleaved A/B between the two TFLite versions: one job, both measured in one page
    expect(run.jobs.map((j) => [j.benchmark, j.role, j.status, j.error])).toEqual([['latency', 'candidate', 'succeeded', null]]);
    const env = run.jobs[0]?.result?.environment;
    expect(env?.interleaved?.baseline.version).toBe('1.0.0-tflite');
    expect(env?.interleaved?.baseline.rawSamples.length).toBeGreaterThanOrEqual(100);
    expect(env?.runtime).toBe('litert');
    const [relative, litertP99, onnxP99] = finished.results;
    expect(relative).toMatchObject({ type: 'relative', runtime: 'litert/wasm', device: { id: browserDevice.id } });
    expect(['pass', 'inconclusive']).toContain(relative?.status);
    expect(relative?.ci).not.toBeNull();
    expect(litertP99).toMatchObject({ runtime: 'litert/wasm', status: expect.stringMatching(/^(pass|inconclusive)$/) });
    // a TFLite model has no onnxruntime-web result: that rule cannot be judged
    expect(onnxP99).toMatchObject({ status: 'inconclusive', explanation: 'no latency result on runtime onnxruntime-web/wasm' });
    const table = await client.runRuntimes(run.id);
    expect(table.rows.map((r) => [r.version, r.role, r.runtime, r.latency?.interleaved])).toEqual([
      ['1.1.0-tflite', 'candidate', 'litert/wasm', true],
      ['1.0.0-tflite', 'baseline', 'litert/wasm', true],
    ]);
  }, 200_000);
});

