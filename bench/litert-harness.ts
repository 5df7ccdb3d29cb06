/**
 * LiteRT.js harness fidelity on a browser device, measured side by side in one run against a real
 * Appium (chromium driver) and headless Chromium: the p50 the browser driver reports for a TFLite
 * model (harness page, timed inside the page) vs a bare page that only loads LiteRT.js and loops
 * `CompiledModel.run` on the same model, input, threads and accelerator (wasm, XNNPACK), deleting
 * the outputs as the harness does; interleaved harness / bare × REPEATS. Target: ratio ≤ 1.05.
 *
 *   npx tsx bench/litert-harness.ts
 */
import { join } from 'node:path';
import Table from 'cli-table3';
import type { BenchmarkSettingsInput } from '@edgeproof/contracts';
import { BrowserDriver } from '@edgeproof/devices';
import { encodeInputSets } from '@edgeproof/harness-web';
import { summarize } from '@edgeproof/metrics';
import { buildZoo, defaultZooDir, ZOO_FILES } from '@edgeproof/model-zoo';
import { generateInputs, resolveInputShapes } from '@edgeproof/models';
import { freePort, repoRoot, startAppium, thirdPartyModels } from '@edgeproof/testkit';
import { resolveOptions } from '../packages/devices/src/browser/options.ts';
import { closeSession, openSession } from '../packages/devices/src/browser/session.ts';
import { makeTfliteJob } from '../packages/devices/test/support/tflite-models.ts';
import { median } from './support/platform.ts';

const REPEATS = 3;
const settings = { threads: 1, runtimes: ['litert/wasm'], warmupMinRuns: 10, warmupMinSeconds: 0.5, measureMinRuns: 200, measureMinSeconds: 2, measureMaxSeconds: 10 };

/** Runs in the bare page: LiteRT.js (window.litert) and a plain loop, nothing else. */
const BARE_LOOP = `
const spec = arguments[0];
const done = arguments[arguments.length - 1];
(async () => {
  const litert = window.litert;
  await litert.loadLiteRt(window.litertWasmDir, { threads: false });
  const bytes = new Uint8Array(await (await fetch(spec.modelUrl)).arrayBuffer());
  const model = await litert.loadAndCompile(bytes, { accelerator: 'wasm', cpuOptions: { numThreads: spec.threads } });
  const input = new litert.Tensor(Float32Array.from(spec.data), spec.dims);
  const once = async () => { for (const t of await model.run([input])) t.delete(); };
  const warmEnd = performance.now() + spec.warmupMs;
  for (let i = 0; i < spec.warmupRuns || performance.now() < warmEnd; i++) await once();
  const samples = [];
  const end = performance.now() + spec.measureMs;
  while (samples.length < spec.measureRuns || performance.now() < end) {
    const t = performance.now();
    await once();
    samples.push(performance.now() - t);
  }
  input.delete();
  model.delete();
  return samples;
})().then(done, (e) => done({ failure: String(e) }));
`;

await buildZoo(defaultZooDir());
const appium = await startAppium({ repoRoot, drivers: ['chromium'] });
const base = await freePort();
const driverOptions = { endpoint: { url: appium.url }, chromedriverBasePort: base };
const driver = new BrowserDriver(driverOptions);

async function bareLoopP50(modelPath: string, input: { dims: number[]; data: Float32Array }): Promise<number> {
  const server = await driver.harnessServer();
  const hosted = server.host({ modelPath, format: 'tflite', inputs: encodeInputSets([]) });
  const opts = resolveOptions({ ...driverOptions, chromedriverBasePort: base + 5 });
  const session = await openSession(opts, { slotName: 'bench-bare-litert', chromedriverPort: base + 5, commandTimeoutMs: 120_000 });
  try {
    await session.browser.url(server.bareLitertPageUrl());
    while (!(await session.browser.execute('return window.litertReady === true'))) await new Promise((r) => setTimeout(r, 50));
    await session.browser.setTimeout({ script: 120_000 });
    const samples = (await session.browser.executeAsync(BARE_LOOP, {
      threads: settings.threads,
      modelUrl: hosted.modelUrl,
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
  { name: 'mnist-mlp (zoo .tflite)', file: join(defaultZooDir(), ZOO_FILES.mnistMlpTflite), settings: {} },
  { name: 'blazeface short range', file: thirdPartyModels.faceDetectionShortRange, settings: {} },
];
const rows: string[][] = [];
try {
  const [device] = await driver.discover();
  if (!device || device.attributes.probeError) throw new Error(`no browser: ${String(device?.attributes.probeError)}`);
  for (const c of cases) {
    const job = makeTfliteJob(c.file, 'latency', { ...settings, ...c.settings });
    const [info] = job.model.signature.inputs;
    if (!info) throw new Error(`${c.name} has no input`);
    const shapes = resolveInputShapes(job.model.signature.inputs, { dims: job.settings.dims, inputShapes: job.settings.inputShapes });
    const tensor = generateInputs(job.model.signature.inputs, shapes, job.settings.inputSeed)[info.name];
    if (!tensor || !(tensor.data instanceof Float32Array)) throw new Error(`${c.name}: expected one float32 input`);
    const harnessP50: number[] = [];
    const bareP50: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const result = await driver.run(device, job, new AbortController().signal);
      if (result.summary.kind !== 'latency') throw new Error('not a latency result');
      harnessP50.push(result.summary.stats.p50);
      bareP50.push(await bareLoopP50(c.file, { dims: tensor.dims, data: tensor.data }));
    }
    const ratio = median(harnessP50) / median(bareP50);
    rows.push([c.name, `${median(harnessP50).toPrecision(4)} ms`, `${median(bareP50).toPrecision(4)} ms`, ratio.toFixed(3), ratio <= 1.05 ? 'met' : 'MISSED']);
  }
} finally {
  await driver.dispose();
  await appium.stop();
}

const table = new Table({ head: ['model', `harness p50 (median of ${REPEATS})`, 'bare LiteRT.js loop p50', 'ratio', 'target ≤ 1.05'] });
table.push(...rows);
process.stdout.write(
  `LiteRT.js harness fidelity: litert/wasm (XNNPACK) in headless Chromium via Appium, ${settings.threads} thread, ` +
    `warmup ≥${settings.warmupMinRuns} runs & ${settings.warmupMinSeconds} s, measure ≥${settings.measureMinRuns} runs & ${settings.measureMinSeconds} s, ` +
    `performance.now() inside the page, interleaved harness/bare\n${table.toString()}\n`,
);
