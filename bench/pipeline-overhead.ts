/**
 * Pipeline overhead: wall time from POST /v1/runs until the result is stored and readable,
 * minus the time the benchmark itself measured (warmup + measurement), for a small model.
 * Target: ≤ 1.5 s on a 2-core machine.
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import Table from 'cli-table3';
import { median, startBenchPlatform } from './support/platform.ts';

const REPEATS = 5;
const p = await startBenchPlatform();
const overheads: number[] = [];
const walls: number[] = [];
try {
  await p.client.ensureModel({ name: 'mnist-mlp', taskKind: 'classification', owner: 'bench' });
  const { version } = await p.client.uploadModelVersion('mnist-mlp', join(p.zooDir, p.zoo.files.mnistMlp.file), { version: '1' });
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    const run = await p.client.createRun({
      model: 'mnist-mlp',
      version: version.version,
      devices: { ids: [p.hostDeviceId] },
      benchmarks: ['latency'],
      settings: { dims: { batch: 1 }, warmupMinSeconds: 0.1, measureMinRuns: 50, measureMinSeconds: 0.2 },
    });
    const done = await p.client.waitForRun(run.id, { timeoutMs: 60_000, intervalMs: 20 });
    const wall = performance.now() - start;
    const summary = done.jobs[0]?.result?.summary;
    if (summary?.kind !== 'latency') throw new Error(`job failed: ${done.jobs[0]?.error}`);
    const measured = (summary.warmup.seconds + summary.measure.seconds) * 1000;
    walls.push(wall);
    overheads.push(wall - measured);
  }
} finally {
  await p.close();
}
const table = new Table({ head: ['runs', 'median wall time', 'median overhead (wall − warmup − measurement)', 'target ≤ 1500 ms'] });
table.push([String(REPEATS), `${median(walls).toFixed(0)} ms`, `${median(overheads).toFixed(0)} ms`, median(overheads) <= 1500 ? 'met' : 'MISSED']);
process.stdout.write(`pipeline overhead, POST /v1/runs → result stored (polled every 20 ms)\n${table.toString()}\n`);
