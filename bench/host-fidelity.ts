/**
 * Measurement fidelity of the host device: the p50 the agent reports (API → queue → agent →
 * inference child) against a bare in-process onnxruntime-node loop on the same inputs, same
 * threads, same session options, interleaved job / loop / job / loop. Target: ratio ≤ 1.05.
 * Also prints the CV of the agent's p50 over the repeated jobs.
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import type { ModelSignature } from '@edgeproof/contracts';
import { summarize } from '@edgeproof/metrics';
import { generateInputs, resolveInputShapes } from '@edgeproof/models';
import { thirdPartyModels } from '@edgeproof/testkit';
import Table from 'cli-table3';
import * as ort from 'onnxruntime-node';
import { median, startBenchPlatform } from './support/platform.ts';

const REPEATS = 5;
const settings = { threads: 1, warmupMinRuns: 10, warmupMinSeconds: 0.5, measureMinRuns: 200, measureMinSeconds: 2, measureMaxSeconds: 10 };

async function bareLoopP50(path: string, signature: ModelSignature, dims: Record<string, number>, inputShapes: Record<string, number[]>): Promise<number> {
  const session = await ort.InferenceSession.create(path, {
    executionProviders: ['cpu'],
    intraOpNumThreads: settings.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const shapes = resolveInputShapes(signature.inputs, { dims, inputShapes });
  const tensors = generateInputs(signature.inputs, shapes, 42);
  const feeds = Object.fromEntries(
    Object.entries(tensors).map(([name, t]) => [name, new ort.Tensor(t.elementType as ort.Tensor.Type, t.data as ort.Tensor.DataType, t.dims)]),
  );
  const warmEnd = performance.now() + settings.warmupMinSeconds * 1000;
  for (let i = 0; i < settings.warmupMinRuns || performance.now() < warmEnd; i++) await session.run(feeds);
  const samples: number[] = [];
  const end = performance.now() + settings.measureMinSeconds * 1000;
  while (samples.length < settings.measureMinRuns || performance.now() < end) {
    const t = performance.now();
    await session.run(feeds);
    samples.push(performance.now() - t);
  }
  await session.release();
  return summarize(samples).p50;
}

const p = await startBenchPlatform();
const rows: string[][] = [];
try {
  const cases = [
    { name: 'mnist-mlp', file: join(p.zooDir, p.zoo.files.mnistMlp.file), dims: { batch: 1 }, inputShapes: {} },
    { name: 'ppocr-direction-cls', file: thirdPartyModels.ocrDirectionClassifier, dims: {}, inputShapes: { x: [1, 3, 48, 192] } },
  ];
  for (const c of cases) {
    await p.client.ensureModel({ name: c.name, taskKind: 'classification', owner: 'bench' });
    const { version } = await p.client.uploadModelVersion(c.name, c.file, { version: '1' });
    const agentP50: number[] = [];
    const bareP50: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const run = await p.client.createRun({
        model: c.name,
        version: version.version,
        devices: { ids: [p.hostDeviceId] },
        benchmarks: ['latency'],
        settings: { ...settings, dims: c.dims, inputShapes: c.inputShapes },
      });
      const done = await p.client.waitForRun(run.id, { timeoutMs: 120_000, intervalMs: 100 });
      const summary = done.jobs[0]?.result?.summary;
      if (summary?.kind !== 'latency') throw new Error(`job failed: ${done.jobs[0]?.error}`);
      agentP50.push(summary.stats.p50);
      bareP50.push(await bareLoopP50(c.file, version.signature, c.dims, c.inputShapes));
    }
    const ratio = median(agentP50) / median(bareP50);
    const cv = summarize(agentP50).cv;
    rows.push([c.name, `${median(agentP50).toPrecision(4)} ms`, `${median(bareP50).toPrecision(4)} ms`, ratio.toFixed(3), ratio <= 1.05 ? 'met' : 'MISSED', `${(cv * 100).toFixed(1)}%`]);
  }
} finally {
  await p.close();
}
const table = new Table({ head: ['model', 'agent p50 (median of 5)', 'bare loop p50', 'ratio', 'target ≤ 1.05', 'CV of agent p50 over 5 jobs'] });
table.push(...rows);
process.stdout.write(`host measurement fidelity (${settings.threads} thread, warmup ≥${settings.warmupMinRuns} runs & ${settings.warmupMinSeconds} s, measure ≥${settings.measureMinRuns} runs & ${settings.measureMinSeconds} s, interleaved)\n${table.toString()}\n`);
