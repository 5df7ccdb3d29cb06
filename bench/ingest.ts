/**
 * Result ingest: a latency result with 1,000,000 raw samples (and, beside it, 100,000) posted by a
 * simulated agent through the real job routes (next → start → result) to the real API, running as
 * its own process (apps/api/src/server.ts) on real Postgres and Redis, then read back with GET
 * /v1/runs/:id. Prints samples/s of the POST (request sent → 201, i.e. parsed, validated and
 * stored), the body size, and the API process's peak memory during the POST: RSS from outside
 * (/proc/<pid>/status VmHWM after resetting it through /proc/<pid>/clear_refs) and V8 heap from
 * inside (bench/support/memory-reporter.mjs, sampled every 10 ms while its event loop is free).
 *
 *   npx tsx bench/ingest.ts [--samples 1000000]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { EdgeproofClient } from '@edgeproof/cli';
import { thirdPartyModels } from '@edgeproof/testkit';
import { newTokenValue } from '../apps/api/src/services/tokens.ts';
import { registerSimulatedAgent } from '../apps/api/test/simulated-agent.ts';
import { ensureServices } from '../scripts/lib/services.ts';
import { startApiProcess } from './support/api-processes.ts';
import { createBenchDatabase } from './support/platform.ts';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '1000000' } } });
const SIZES = [100_000, Number(values.samples)];

const services = await ensureServices();
const db = await createBenchDatabase(services.databaseUrl, `edgeproof_bench_ingest_${process.pid}`);
const adminToken = newTokenValue();
const scratch = await mkdtemp(join(tmpdir(), 'edgeproof-bench-ingest-'));
const report = join(scratch, 'memory.json');
const api = await startApiProcess({
  DATABASE_URL: db.url,
  REDIS_URL: services.redisUrl,
  QUEUE_PREFIX: `edgeproof-bench-ingest-${process.pid}`,
  EDGEPROOF_ADMIN_TOKEN: adminToken,
  ARTIFACT_ROOT: scratch,
  NODE_OPTIONS: `--import=${pathToFileURL(join(import.meta.dirname, 'support/memory-reporter.mjs')).href}`,
  EDGEPROOF_MEMORY_REPORT: report,
});
const pid = api.child.pid as number;

const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
async function heapPeak(): Promise<{ heapUsed: number; rss: number; samples: number }> {
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 20));
    try {
      const v = JSON.parse(await readFile(report, 'utf8'));
      writeFileSync(report, '');
      return v;
    } catch {
      // not written yet
    }
  }
  throw new Error('the API did not write its memory report');
}

interface Row {
  samples: number;
  bodyBytes: number;
  status: number;
  postMs: number;
  rssBefore: number;
  rssPeak: number;
  heapBefore: number;
  heapPeak: number;
  readMs: number;
  readBack: number;
  error?: string;
}

const rows: Row[] = [];
try {
  const client = new EdgeproofClient(api.url, adminToken);
  await client.ensureModel({ name: 'cls', taskKind: 'classification', owner: 'bench' });
  await client.uploadModelVersion('cls', thirdPartyModels.ocrDirectionClassifier, { version: '1' });
  const agent = await registerSimulatedAgent(api.url, await client.createToken('ingest-agent', 'agent', 'ingest-agent'), {
    name: 'ingest-agent',
    devices: [{ localKey: 'host', platform: 'linux', driver: 'host', tier: 'mid', runtimes: ['onnxruntime-node'] }],
  });
  const deviceId = agent.registered.devices[0]!.id;

  for (const n of SIZES) {
    const run = await client.createRun({ model: 'cls', version: '1', devices: { ids: [deviceId] }, benchmarks: ['latency'], settings: { inputShapes: { x: [1, 3, 48, 192] } } });
    const lease = await agent.call<{ jobId: string; lockToken: string }>('POST', '/v1/agent/jobs/next', { devices: [deviceId], waitMs: 10_000 });
    await agent.call('POST', `/v1/agent/jobs/${lease.jobId}/start`, { attempt: 1, lockToken: lease.lockToken });

    // latency-like values at full double precision, as performance.now() differences are
    let x = 42;
    const rawSamples = Array.from({ length: n }, () => 0.5 + ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 0.1);
    const sorted = [...rawSamples].sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(n - 1, Math.floor(p * n))]!;
    const mean = rawSamples.reduce((a, b) => a + b, 0) / n;
    const summary = {
      kind: 'latency', unit: 'ms', sessionCreateMs: 10, firstInferenceMs: 1, warmup: { runs: 10, seconds: 0.5 }, measure: { runs: n, seconds: mean * n / 1000 },
      stats: { count: n, min: sorted[0], mean, p50: q(0.5), p90: q(0.9), p95: q(0.95), p99: q(0.99), max: sorted[n - 1], stdev: 0.03, cv: 0.03 / mean },
      peakMemoryBytes: null,
    };
    const environment = {
      runtime: 'onnxruntime-node', runtimeVersion: '1.30.0', executionProvider: 'cpu', threads: 1, graphOptimization: 'all', warmupMinRuns: 1, warmupMinSeconds: 0.5,
      measureMinRuns: 50, measureMinSeconds: 1, measureMaxRuns: 1_000_000, measureMaxSeconds: 3600, inputSource: 'generated', inputSeed: 42,
      inputShapes: { x: [1, 3, 48, 192] }, thermalState: 'nominal', os: 'linux', cpu: 'bench',
    };
    const body = JSON.stringify({ attempt: 1, lockToken: lease.lockToken, summary, rawSamples, environment });

    await heapPeak(); // starts a new peak period
    await new Promise((r) => setTimeout(r, 200));
    const heapBefore = (await heapPeak()).heapUsed;
    const rssBefore = kib('VmRSS');
    writeFileSync(`/proc/${pid}/clear_refs`, '5'); // VmHWM := current RSS
    const t0 = performance.now();
    const res = await fetch(`${api.url}/v1/agent/jobs/${lease.jobId}/result`, { method: 'POST', headers: { ...agent.headers, 'content-type': 'application/json' }, body });
    const answer = await res.text();
    const postMs = performance.now() - t0;
    const rssPeak = kib('VmHWM');
    const heap = await heapPeak();

    const r0 = performance.now();
    const stored = await client.getRun(run.id);
    const readMs = performance.now() - r0;
    const got = stored.jobs[0]?.result?.rawSamples ?? [];
    const intact = got.length === n && got.every((v, i) => v === rawSamples[i]);
    rows.push({
      samples: n, bodyBytes: Buffer.byteLength(body), status: res.status, postMs, rssBefore, rssPeak, heapBefore, heapPeak: heap.heapUsed, readMs, readBack: got.length,
      ...(res.ok ? (intact ? {} : { error: 'stored samples differ from the posted ones' }) : { error: answer.slice(0, 300) }),
    });
  }
} finally {
  await api.stop();
  await db.drop();
  await services.stop();
}

const table = new Table({ head: ['raw samples', 'body', 'POST → 201', 'samples/s', 'API RSS before → peak', 'API heap before → peak', 'GET /v1/runs/:id', 'read back'] });
for (const r of rows) {
  table.push([
    r.samples.toLocaleString('en'),
    `${(r.bodyBytes / 1e6).toFixed(1)} MB`,
    r.status === 201 ? `${r.postMs.toFixed(0)} ms` : `${r.status}: ${r.error}`,
    r.status === 201 ? Math.round(r.samples / (r.postMs / 1000)).toLocaleString('en') : '—',
    `${mib(r.rssBefore)} → ${mib(r.rssPeak)} (+${mib(r.rssPeak - r.rssBefore)})`,
    `${mib(r.heapBefore)} → ${mib(r.heapPeak)}`,
    `${r.readMs.toFixed(0)} ms`,
    r.error ?? `${r.readBack.toLocaleString('en')} samples, identical`,
  ]);
}
process.stdout.write(`result ingest through the agent job routes (API as its own process, 2-core machine shared with other work)\n${table.toString()}\n`);
if (rows.some((r) => r.error)) process.exitCode = 1;
