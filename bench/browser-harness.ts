/**
 * Browser device fidelity and overhead, measured side by side in one run against a real Appium
 * (chromium driver) and headless Chromium:
 * - harness fidelity: the p50 the browser driver reports (harness page, timed inside the page) vs a
 *   bare page that only loads onnxruntime-web and loops `session.run` on the same model, inputs,
 *   threads and session options; interleaved harness / bare × REPEATS. Target: ratio ≤ 1.05.
 * - per-job device overhead: session open + harness load + teardown, and its ratio to the warmup +
 *   measurement time the job reported.
 */
import { join } from 'node:path';
import Table from 'cli-table3';
import type { BenchmarkSettingsInput } from '@edgeproof/contracts';
import { BrowserDriver, type JobTimings } from '@edgeproof/devices';
import { encodeInputSets } from '@edgeproof/harness-web';
import { summarize } from '@edgeproof/metrics';
import { buildZoo, defaultZooDir } from '@edgeproof/model-zoo';
import { generateInputs, resolveInputShapes } from '@edgeproof/models';
import { freePort, repoRoot, startAppium, thirdPartyModels } from '@edgeproof/testkit';
import { resolveOptions } from '../packages/devices/src/browser/options.ts';
import { closeSession, openSession } from '../packages/devices/src/browser/session.ts';
import { makeJob } from '../packages/devices/test/support/fixtures.ts';
import { median } from './support/platform.ts';

const REPEATS = 3;
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
const settings = { threads: THREADS, warmupMinRuns: 10, warmupMinSeconds: 0.5, measureMinRuns: 200, measureMinSeconds: 2, measureMaxSeconds: 10 };

/** Runs in the bare page: onnxruntime-web (window.ort) and a plain loop, nothing else. */
const BARE_LOOP = `
const spec = arguments[0];
const done = arguments[arguments.length - 1];
(async () => {
  const ort = window.ort;
  ort.env.wasm.numThreads = spec.threads;
  ort.env.wasm.simd = 'fixed';
  ort.env.wasm.proxy = false;
  const model = new Uint8Array(await (await fetch(spec.modelUrl)).arrayBuffer());
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', executionMode: 'sequential' });
  const feeds = { [spec.input]: new ort.Tensor('float32', Float32Array.from(spec.data), spec.dims) };
  const warmEnd = performance.now() + spec.warmupMs;
  for (let i = 0; i < spec.warmupRuns || performance.now() < warmEnd; i++) await session.run(feeds);
  const samples = [];
  const end = performance.now() + spec.measureMs;
  while (samples.length < spec.measureRuns || performance.now() < end) {
    const t = performance.now();
    await session.run(feeds);
    samples.push(performance.now() - t);
  }
  await session.release();
  return samples;
})().then(done, (e) => done({ failure: String(e) }));
`;

const zoo = await buildZoo(defaultZooDir());
const appium = await startAppium({ repoRoot, drivers: ['chromium'] });
const base = await freePort();
const driverOptions = { endpoint: { url: appium.url }, chromedriverBasePort: base };
const driver = new BrowserDriver(driverOptions);
const timings: JobTimings[] = [];
driver.onJobTimings = (t) => timings.push(t);

async function bareLoopP50(modelPath: string, input: { name: string; dims: number[]; data: Float32Array }): Promise<number> {
  const server = await driver.harnessServer();
  const hosted = server.host({ modelPath, inputs: encodeInputSets([]) });
  const opts = resolveOptions({ ...driverOptions, chromedriverBasePort: base + 5 });
  const session = await openSession(opts, { slotName: 'bench-bare', chromedriverPort: base + 5, commandTimeoutMs: 120_000 });
  try {
    await session.browser.url(server.barePageUrl());
    while (!(await session.browser.execute('return window.ortReady === true'))) await new Promise((r) => setTimeout(r, 50));
    await session.browser.setTimeout({ script: 120_000 });
    const samples = (await session.browser.executeAsync(BARE_LOOP, {
      threads: settings.threads,
      modelUrl: hosted.modelUrl,
      input: input.name,
      dims: input.dims,
      data: Array.from(input.data),
      warmupRuns: settings.warmupMinRuns,
      warmupMs: settings.warmupMinSeconds * 1000,
      measureRuns: settings.measureMinRuns,
      measureMs: settings.measureMinSeconds * 1000,
    })) as number[] | { failure: string };
    if (!Array.isArray(samples)) throw new Error(`bare loop failed: ${samples.failure}`);
    return summarize(samples).p50;
  } finally {
    hosted.remove();
    await closeSession(opts, session);
  }
}

const cases: { name: string; file: string; settings: BenchmarkSettingsInput }[] = [
  { name: 'mnist-mlp', file: join(defaultZooDir(), zoo.files.mnistMlp.file), settings: { dims: { batch: 1 } } },
  { name: 'ppocr-direction-cls', file: thirdPartyModels.ocrDirectionClassifier, settings: { inputShapes: { x: [1, 3, 48, 192] } } },
];
const fidelityRows: string[][] = [];
const overheadRows: string[][] = [];
try {
  const [device] = await driver.discover();
  if (!device || device.attributes.probeError) throw new Error(`no browser: ${String(device?.attributes.probeError)}`);
  for (const c of cases) {
    const job = makeJob(c.file, 'latency', { ...settings, ...c.settings });
    const [info] = job.model.signature.inputs;
    if (!info) throw new Error(`${c.name} has no input`);
    const shapes = resolveInputShapes(job.model.signature.inputs, { dims: job.settings.dims, inputShapes: job.settings.inputShapes });
    const tensor = generateInputs(job.model.signature.inputs, shapes, job.settings.inputSeed)[info.name];
    if (!tensor || !(tensor.data instanceof Float32Array)) throw new Error(`${c.name}: expected one float32 input`);
    const input = { name: info.name, dims: tensor.dims, data: tensor.data };

    const harnessP50: number[] = [];
    const bareP50: number[] = [];
    const overheadMs: number[] = [];
    const overheadRatio: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const result = await driver.run(device, job, new AbortController().signal);
      if (result.summary.kind !== 'latency') throw new Error('not a latency result');
      const t = timings.at(-1) as JobTimings;
      const overhead = t.sessionOpenMs + t.harnessLoadMs + t.teardownMs;
      harnessP50.push(result.summary.stats.p50);
      overheadMs.push(overhead);
      overheadRatio.push(overhead / ((result.summary.warmup.seconds + result.summary.measure.seconds) * 1000));
      bareP50.push(await bareLoopP50(c.file, input));
    }
    const ratio = median(harnessP50) / median(bareP50);
    fidelityRows.push([c.name, `${median(harnessP50).toPrecision(4)} ms`, `${median(bareP50).toPrecision(4)} ms`, ratio.toFixed(3), ratio <= 1.05 ? 'met' : 'MISSED']);
    overheadRows.push([c.name, `${median(overheadMs).toFixed(0)} ms`, median(overheadRatio).toFixed(3)]);
  }
} finally {
  await driver.dispose();
  await appium.stop();
}

const fidelity = new Table({ head: ['model', `harness p50 (median of ${REPEATS})`, 'bare page loop p50', 'ratio', 'target ≤ 1.05'] });
fidelity.push(...fidelityRows);
const overhead = new Table({ head: ['model', 'device overhead per job (median)', 'overhead / (warmup + measure time)'] });
overhead.push(...overheadRows);
process.stdout.write(
  `browser harness fidelity: onnxruntime-web wasm in headless Chromium via Appium, ${settings.threads} thread(s), ` +
    `warmup ≥${settings.warmupMinRuns} runs & ${settings.warmupMinSeconds} s, measure ≥${settings.measureMinRuns} runs & ${settings.measureMinSeconds} s, ` +
    `performance.now() inside the page (5 µs steps when cross-origin isolated), interleaved harness/bare\n${fidelity.toString()}\n` +
    `per-job device overhead = session open + harness page load + teardown (WebDriver delete + local cleanup)\n${overhead.toString()}\n`,
);
