/**
 * The harness page's script (bundled by esbuild, served as /harness/harness.js). Loads a job's model and
 * inputs from the harness server, runs one benchmark with onnxruntime-web (ONNX) or LiteRT.js (TFLite),
 * and answers the agent through `window.edgeproofHarness.run(spec)` (called with WebDriver executeAsync).
 */
import { decodeInputSets, type PackedSet } from '../input-pack.ts';
import { INTERLEAVE_ORDER } from '../measure-rule.ts';
import { HARNESS_GLOBAL, prepareKey, type HarnessGlobal, type HarnessPrepare, type HarnessPrepared, type HarnessResult, type HarnessSpec, type HarnessSuccess } from '../protocol.ts';
import { collectOutputs, collectScores, HarnessError, measureLatency } from './benchmarks.ts';
import { BrowserWatch, hasWebGpuAdapter } from './browser-report.ts';
import { measureInterleavedLatency } from './interleaved.ts';
import { litertRuntime } from './litert-runtime.ts';
import { ortRuntime, startedOrtRuntime } from './ort-runtime.ts';
import type { PageRuntime } from './runtime.ts';

let used = false;
/** what `prepare` started before the job came (one per page load) */
let prepared: { key: string; runtime: Promise<PageRuntime>; startMs?: number } | undefined;

async function fetchBytes(url: string, what: string): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new HarnessError('failed', `could not fetch the ${what} (${res.status} ${res.statusText})`);
  return res.arrayBuffer();
}

function decodeSets(bytes: ArrayBuffer): PackedSet[] {
  let sets: PackedSet[];
  try {
    sets = decodeInputSets(bytes);
  } catch (err) {
    throw new HarnessError('invalid_input', err instanceof Error ? err.message : String(err));
  }
  if (sets.length === 0) throw new HarnessError('invalid_input', 'the job has no input sets');
  return sets;
}

async function runSpec(spec: HarnessSpec, watch: BrowserWatch): Promise<HarnessSuccess> {
  // both runtimes set their wasm options once per page (ort.env, loadLiteRt): one job per page load
  if (used) throw new HarnessError('failed', 'the harness page runs one job per load; reload it first');
  used = true;
  if (spec.threads > 1 && !globalThis.crossOriginIsolated) {
    throw new HarnessError('unsupported', `threads=${spec.threads} needs a cross-origin isolated page (COOP/COEP headers)`);
  }
  const runtimeName = spec.runtime ?? 'onnxruntime-web';
  await checkProvider(spec);
  if (prepared && prepared.key !== prepareKey(spec)) {
    throw new HarnessError('failed', `the page was prepared for ${prepared.key}, the job asks ${prepareKey(spec)}: load a fresh page`);
  }

  const [model, inputs] = await Promise.all([fetchBytes(spec.modelUrl, 'model'), fetchBytes(spec.inputsUrl, 'inputs')]);
  const sets = decodeSets(inputs);
  if (spec.baseline && spec.benchmark !== 'latency') throw new HarnessError('invalid_input', `a baseline is measured with latency only, not ${spec.benchmark}`);
  const baselineFiles = spec.baseline
    ? await Promise.all([fetchBytes(spec.baseline.modelUrl, 'baseline model'), fetchBytes(spec.baseline.inputsUrl, 'baseline inputs')])
    : undefined;

  await watch.start(spec.pressureSampleIntervalMs ?? 1000);
  const runtime: PageRuntime = prepared ? await prepared.runtime : runtimeName === 'litert' ? await litertRuntime(spec) : await ortRuntime(spec);
  // onnxruntime-web: includes the wasm runtime's own start (its first session starts it) unless the page was prepared; LiteRT.js: loadAndCompile
  const createStart = performance.now();
  const session = await runtime.createSession(new Uint8Array(model));
  const sessionCreateMs = performance.now() - createStart;

  const base = {
    ok: true as const,
    runtime: runtime.name,
    runtimeVersion: runtime.version,
    executionProvider: spec.executionProvider,
    threads: runtime.threads,
    simd: runtime.simd,
    inputNames: [...session.inputNames],
    outputNames: [...session.outputNames],
    timing: prepared ? `${runtime.timing}; the runtime was started before the job came (prepare), so sessionCreateMs leaves its start out` : runtime.timing,
  };
  const details = () => ({ ...runtime.details(), ...(prepared ? { runtimeStartedBeforeJob: true, runtimeStartMs: prepared.startMs } : {}) });
  try {
    switch (spec.benchmark) {
      case 'latency': {
        if (baselineFiles) {
          const [bModel, bInputs] = baselineFiles;
          const t = performance.now();
          const baseline = await runtime.createSession(new Uint8Array(bModel));
          const b = { session: baseline, set: decodeSets(bInputs)[0] as PackedSet, sessionCreateMs: performance.now() - t };
          try {
            const both = await measureInterleavedLatency({ session, set: sets[0] as PackedSet, sessionCreateMs }, b, spec, watch);
            return { ...base, runtimeDetails: details(), latency: both.a, baselineLatency: both.b, interleaveOrder: INTERLEAVE_ORDER, browser: await watch.report() };
          } finally {
            await baseline.release();
          }
        }
        const timings = await measureLatency(session, sets[0] as PackedSet, spec, watch);
        return { ...base, runtimeDetails: details(), latency: { sessionCreateMs, ...timings }, browser: await watch.report() };
      }
      case 'accuracy': {
        if (spec.scoreOutput === undefined || spec.labelCount === undefined) {
          throw new HarnessError('invalid_input', 'accuracy needs scoreOutput and labelCount');
        }
        const scores = await collectScores(session, sets, spec.scoreOutput, spec.labelCount, watch);
        return { ...base, runtimeDetails: details(), scores, browser: await watch.report() };
      }
      case 'parity':
        return { ...base, outputs: await collectOutputs(session, sets, watch), runtimeDetails: details(), browser: await watch.report() };
    }
  } finally {
    await session.release();
  }
}

async function checkProvider(p: HarnessPrepare): Promise<void> {
  if (p.executionProvider === 'webgpu' && !(await hasWebGpuAdapter())) {
    throw new HarnessError('unsupported', `executionProvider webgpu asked (${p.runtime ?? 'onnxruntime-web'}), but this browser gives no WebGPU adapter; no fallback to wasm is made`);
  }
}

/**
 * Starts the runtime the coming job will use (its wasm build, threads and SIMD flavour set for the
 * page), loading none of the job's files: what a fresh page would do first. The driver calls it while
 * the device is otherwise idle, so the job's clock does not include it.
 */
async function prepare(p: HarnessPrepare): Promise<HarnessPrepared> {
  try {
    if (used || prepared) throw new HarnessError('failed', 'the page is already prepared or used: load a fresh page');
    if (p.threads > 1 && !globalThis.crossOriginIsolated) throw new HarnessError('unsupported', `threads=${p.threads} needs a cross-origin isolated page`);
    await checkProvider(p);
    const started = performance.now();
    const entry: { key: string; runtime: Promise<PageRuntime>; startMs?: number } = { key: prepareKey(p), runtime: p.runtime === 'litert' ? litertRuntime(p) : startedOrtRuntime(p) };
    prepared = entry;
    await entry.runtime;
    entry.startMs = performance.now() - started;
    return { ok: true, key: entry.key, runtimeStartMs: entry.startMs };
  } catch (err) {
    return { ok: false, failure: { code: err instanceof HarnessError ? err.code : 'failed', message: err instanceof Error ? err.message : String(err) } };
  }
}

async function run(spec: HarnessSpec): Promise<HarnessResult> {
  const watch = new BrowserWatch();
  try {
    return await runSpec(spec, watch);
  } catch (err) {
    const code = err instanceof HarnessError ? err.code : 'failed';
    const message = err instanceof Error ? err.message : String(err);
    const browser = await watch.report().catch(() => undefined);
    return { ok: false, failure: { code, message }, ...(browser ? { browser } : {}) };
  }
}

const harness: HarnessGlobal = { ready: true, run, prepare };
(globalThis as Record<string, unknown>)[HARNESS_GLOBAL] = harness;
