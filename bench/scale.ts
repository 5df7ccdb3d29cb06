/**
 * 1,000 simulated devices on 50 simulated agents against the real API (child processes), real
 * Postgres and Redis, over real HTTP: every agent registers, heartbeats at the API's interval and
 * long-polls for each idle device with the agent's defaults; a stream of short jobs is created and
 * each is started and answered the moment an agent holds it. Only the devices are simulated.
 * Prints jobs/s dispatched, dispatch latency (run created → agent holds the job), API CPU per
 * device, with 1 API process and with 2 (agents split between them).
 *
 *   npx tsx bench/scale.ts [--devices 1000] [--agents 50] [--rate 20] [--seconds 30]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AGENT_EPOCH_HEADER } from '@edgeproof/contracts';
import { percentile } from '@edgeproof/metrics';
import { buildZoo } from '@edgeproof/model-zoo';
import { newTokenValue } from '../apps/api/src/services/tokens.ts';
import { ensureServices, freePort, repoRoot } from '../scripts/lib/services.ts';
import { createBenchDatabase } from './support/platform.ts';

const { values } = parseArgs({ options: { devices: { type: 'string', default: '1000' }, agents: { type: 'string', default: '50' }, rate: { type: 'string', default: '20' }, seconds: { type: 'string', default: '30' } } });
const DEVICES = Number(values.devices);
const AGENTS = Number(values.agents);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);

const services = await ensureServices();
const zooDir = join(repoRoot, '.data', 'zoo');
const zoo = await buildZoo(zooDir);

interface Phase {
  replicas: number;
  dispatched: number;
  latenciesMs: number[];
  cpuSeconds: number;
  seconds: number;
}

const cpuSecondsOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

async function startApi(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'apps/api/src/server.ts')], {
    cwd: repoRoot,
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return { url, child };
    if (i > 300) throw new Error('API did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function phase(replicas: number): Promise<Phase> {
  const db = await createBenchDatabase(services.databaseUrl, `edgeproof_scale_${process.pid}_${replicas}`);
  const admin = newTokenValue();
  const env = { DATABASE_URL: db.url, REDIS_URL: services.redisUrl, QUEUE_PREFIX: `scale-${process.pid}-${replicas}`, EDGEPROOF_ADMIN_TOKEN: admin, ARTIFACT_ROOT: await mkdtemp(join(tmpdir(), 'ep-scale-')) };
  const apis = [];
  for (let i = 0; i < replicas; i++) apis.push(await startApi(env));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the bench reads a handful of fields of known answers
  const call = async (url: string, token: string, method: string, path: string, body?: unknown, extra: Record<string, string> = {}, signal?: AbortSignal): Promise<any> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}), ...extra },
      ...(body !== undefined ? { body: body instanceof FormData ? body : JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  };
  const api0 = apis[0]!.url;
  await call(api0, admin, 'POST', '/v1/models', { name: 'mnist-mlp', taskKind: 'classification', owner: 'bench' });
  const form = new FormData();
  form.append('version', '1.0.0');
  form.append('file', new Blob([await readFile(join(zooDir, zoo.files.mnistMlp.file))]), 'model.onnx');
  await call(api0, admin, 'POST', '/v1/models/mnist-mlp/versions', form);

  const stop = new AbortController();
  const heldAt = new Map<string, number>();
  const perAgent = Math.ceil(DEVICES / AGENTS);
  const deviceIds: string[] = [];
  const loops: Promise<void>[] = [];
  for (let a = 0; a < AGENTS; a++) {
    const url = apis[a % replicas]!.url;
    const name = `sim-${a}`;
    const token = (await call(api0, admin, 'POST', '/v1/tokens', { name, role: 'agent', agent: name })).token as string;
    const devices = Array.from({ length: perAgent }, (_, i) => ({ localKey: `d${i}`, platform: 'android', driver: 'simulated', tier: 'mid', runtimes: ['onnxruntime-android'] }));
    const reg = await call(url, token, 'POST', '/v1/agents/register', { name, instanceId: randomUUID(), devices });
    const headers = { [AGENT_EPOCH_HEADER]: String(reg.epoch) };
    const ids = (reg.devices as { id: string }[]).map((d) => d.id);
    deviceIds.push(...ids);
    const beat = setInterval(() => void call(url, token, 'POST', `/v1/agents/${reg.agentId}/heartbeat`, { devices: devices.map((d) => ({ localKey: d.localKey, status: 'idle' })) }, headers).catch(() => undefined), reg.heartbeatIntervalMs);
    stop.signal.addEventListener('abort', () => clearInterval(beat));
    for (const id of ids) {
      loops.push(
        (async () => {
          while (!stop.signal.aborted) {
            const lease = await call(url, token, 'POST', '/v1/agent/jobs/next', { devices: [id], waitMs: 20_000 }, headers, stop.signal).catch(() => null);
            if (!lease) continue;
            heldAt.set(lease.jobId, performance.now());
            await call(url, token, 'POST', `/v1/agent/jobs/${lease.jobId}/start`, { attempt: lease.attempt, lockToken: lease.lockToken }, headers).catch(() => undefined);
            await call(url, token, 'POST', `/v1/agent/jobs/${lease.jobId}/result`, { ...result, lockToken: lease.lockToken }, headers).catch(() => undefined);
          }
        })(),
      );
    }
  }
  // let every long poll reach the API and every device queue get its worker before measuring
  await new Promise((r) => setTimeout(r, 10_000));

  const createdAt = new Map<string, number>();
  const cpuBefore = apis.reduce((s, a) => s + cpuSecondsOf(a.child.pid as number), 0);
  const started = performance.now();
  const creators: Promise<void>[] = [];
  for (let i = 0; performance.now() - started < SECONDS * 1000; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const device = deviceIds[Math.floor(Math.random() * deviceIds.length)] as string;
    creators.push(
      call(apis[i % replicas]!.url, admin, 'POST', '/v1/runs', { model: 'mnist-mlp', version: '1.0.0', devices: { ids: [device] }, benchmarks: ['latency'], settings: { dims: { batch: 1 } } }).then(
        (run) => void createdAt.set(run.jobs[0].id, performance.now()),
        () => undefined,
      ),
    );
  }
  await Promise.all(creators);
  await new Promise((r) => setTimeout(r, 3_000));
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = apis.reduce((s, a) => s + cpuSecondsOf(a.child.pid as number), 0) - cpuBefore;
  const latenciesMs = [...createdAt].flatMap(([id, t]) => (heldAt.has(id) ? [Math.max(0, (heldAt.get(id) as number) - t)] : []));
  stop.abort();
  await Promise.allSettled(loops);
  for (const a of apis) a.child.kill('SIGTERM');
  await db.drop().catch(() => undefined);
  return { replicas, dispatched: latenciesMs.length, latenciesMs, cpuSeconds, seconds };
}

const result = {
  attempt: 1,
  summary: { kind: 'latency', unit: 'ms', sessionCreateMs: 1, firstInferenceMs: 1, warmup: { runs: 1, seconds: 0.1 }, measure: { runs: 3, seconds: 0.1 }, stats: { count: 3, min: 1, mean: 1, p50: 1, p90: 1, p95: 1, p99: 1, max: 1, stdev: 0, cv: 0 }, peakMemoryBytes: null },
  rawSamples: [1, 1, 1],
  environment: { runtime: 'simulated', runtimeVersion: '0', executionProvider: 'cpu', threads: 1, graphOptimization: 'all', warmupMinRuns: 1, warmupMinSeconds: 0, measureMinRuns: 3, measureMinSeconds: 0, measureMaxRuns: 3, measureMaxSeconds: 1, inputSource: 'generated', inputSeed: 42, inputShapes: {}, thermalState: 'unavailable', os: 'android', cpu: 'simulated' },
};

const phases: Phase[] = [];
for (const replicas of [1, 2]) phases.push(await phase(replicas));
await services.stop();

const rows = phases.map((p) => {
  const sorted = [...p.latenciesMs].sort((a, b) => a - b);
  return {
    'API processes': p.replicas,
    devices: DEVICES,
    agents: AGENTS,
    'jobs offered/s': RATE,
    'jobs dispatched/s': (p.dispatched / p.seconds).toFixed(1),
    'dispatch p50 ms': percentile(sorted, 50).toFixed(1),
    'dispatch p99 ms': percentile(sorted, 99).toFixed(1),
    'API CPU ms/s per device': ((p.cpuSeconds * 1000) / p.seconds / DEVICES).toFixed(3),
    'API CPU (cores)': (p.cpuSeconds / p.seconds).toFixed(2),
  };
});
console.table(rows);
process.exit(0);
