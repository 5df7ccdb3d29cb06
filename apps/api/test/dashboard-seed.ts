/**
 * Seeds a real API through its public endpoints only: a model with two versions from the bundled
 * zoo, an agent with N registered devices, a run, and results posted the way an agent posts them
 * (synthetic latency samples, so that 20 devices × 5,000 samples take seconds, not hours).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeviceTier, ResultPost, RunOut } from '@edgeproof/contracts';
import { seededRandom, summarize } from '@edgeproof/metrics';
import { buildZoo } from '@edgeproof/model-zoo';
import { repoRoot } from '@edgeproof/testkit';
import { registerSimulatedAgent, type SimulatedAgent } from './simulated-agent.ts';

export interface SeedTarget {
  url: string;
  tokens: { admin: string; ml_engineer: string };
  /** a token for the named agent (role agent, bound to it) */
  agentToken(agent: string): Promise<string>;
}

export interface SeedOptions {
  devices: number;
  samplesPerJob: number;
  model?: string;
  /** the candidate is this much slower than the baseline (0.08 = 8%) */
  slowdown?: number;
  withAccuracy?: boolean;
}

export interface Seeded {
  model: string;
  candidate: string;
  baseline: string;
  runId: string;
  deviceIds: string[];
  localKeys: string[];
  jobs: RunOut['jobs'];
  /** the agent that holds the seeded devices, for posting more results */
  agent: SimulatedAgent;
}

async function call<T>(t: SeedTarget, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}) },
    ...(body === undefined ? {} : { body: body instanceof FormData ? body : JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function upload(t: SeedTarget, path: string, file: string, fields: Record<string, string>): Promise<void> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([await readFile(file)]), file.split('/').pop() ?? 'file');
  await call(t, t.tokens.ml_engineer, 'POST', path, form);
}

const TIERS: DeviceTier[] = ['low', 'mid', 'high'];
const PHONES = [
  ['Google', 'Pixel 6a'],
  ['Samsung', 'Galaxy A14'],
  ['Xiaomi', 'Redmi Note 12'],
  ['Apple', 'iPhone 12'],
  ['Motorola', 'Moto G54'],
] as const;

/** log-normal latencies around `medianMs`, deterministic per seed */
export function syntheticLatencies(count: number, medianMs: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const u = Math.max(random(), 1e-12);
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    return medianMs * Math.exp(0.12 * normal);
  });
}

export async function seedDashboard(t: SeedTarget, opts: SeedOptions): Promise<Seeded> {
  const model = opts.model ?? 'mnist-mlp';
  const zooDir = join(repoRoot, '.data', 'zoo');
  const zoo = await buildZoo(zooDir);
  await call(t, t.tokens.ml_engineer, 'POST', '/v1/models', { name: model, taskKind: 'classification', owner: 'vision team' });
  await upload(t, `/v1/models/${model}/versions`, join(zooDir, zoo.files.mnistMlp.file), { version: '1.0.0' });
  await upload(t, `/v1/models/${model}/versions`, join(zooDir, zoo.files.mnistMlpSlow.file), { version: '1.1.0' });
  if (opts.withAccuracy) await upload(t, '/v1/datasets', join(zooDir, zoo.files.mnistTest.file), { name: 'mnist-test', version: '1' });

  const localKeys = Array.from({ length: opts.devices }, (_, i) => `lab-${String(i + 1).padStart(2, '0')}`);
  const agentName = `lab-agent-${model}`;
  const agent = await registerSimulatedAgent(t.url, await t.agentToken(agentName), {
    name: agentName,
    devices: localKeys.map((localKey, i) => {
      const [maker, phone] = PHONES[i % PHONES.length] as readonly [string, string];
      return { localKey, platform: i % 4 === 3 ? 'ios' : 'android', driver: 'host', maker, model: phone, tier: TIERS[i % 3], runtimes: ['onnxruntime-node'], attributes: { batteryLevel: 0.5 + (i % 5) / 10 } };
    }),
  });
  const deviceIds = agent.registered.devices.map((d) => d.id);
  const run = await call<RunOut>(t, t.tokens.ml_engineer, 'POST', '/v1/runs', {
    model,
    version: '1.1.0',
    baseline: '1.0.0',
    ...(opts.withAccuracy ? { dataset: { name: 'mnist-test', version: '1' } } : {}),
    devices: { ids: deviceIds },
    benchmarks: opts.withAccuracy ? ['latency', 'accuracy', 'parity'] : ['latency'],
    settings: { dims: { batch: 1 } },
  });
  await Promise.all(run.jobs.map((job) => postResult(agent, job, deviceIds.indexOf(job.device.id), opts)));
  return { model, candidate: '1.1.0', baseline: '1.0.0', runId: run.id, deviceIds, localKeys, jobs: run.jobs, agent };
}

/** Reports one job the way an agent does: start, then the result. */
export async function postResult(agent: SimulatedAgent, job: RunOut['jobs'][number], deviceIndex: number, opts: Pick<SeedOptions, 'samplesPerJob' | 'slowdown'>): Promise<void> {
  await agent.call('POST', `/v1/agent/jobs/${job.id}/start`, { attempt: 1 });
  const candidate = job.role === 'candidate';
  const environment: ResultPost['environment'] = {
    runtime: 'onnxruntime-node', runtimeVersion: '1.30.0', executionProvider: 'cpu', threads: 1, graphOptimization: 'all',
    warmupMinRuns: 1, warmupMinSeconds: 0.5, measureMinRuns: 50, measureMinSeconds: 1, measureMaxRuns: 10000, measureMaxSeconds: 60,
    inputSource: 'generated', inputSeed: 42, inputShapes: { input: [1, 1, 28, 28] }, thermalState: 'nominal',
    temperaturesC: { cpu: 38 + deviceIndex }, os: 'Android 14', cpu: 'arm64',
  };
  let body: ResultPost;
  if (job.benchmark === 'latency') {
    const median = (0.8 + deviceIndex * 0.35) * (candidate ? 1 + (opts.slowdown ?? 0.08) : 1);
    const samples = syntheticLatencies(opts.samplesPerJob, median, deviceIndex * 2 + (candidate ? 1 : 0) + 1);
    const summary = {
      kind: 'latency' as const, unit: 'ms' as const, sessionCreateMs: 20 + deviceIndex, firstInferenceMs: median * 3,
      warmup: { runs: 10, seconds: 0.5 }, measure: { runs: samples.length, seconds: samples.reduce((s, x) => s + x, 0) / 1000 },
      stats: summarize(samples), peakMemoryBytes: (60 + deviceIndex) * 1024 * 1024,
    };
    body = { attempt: 1, summary, rawSamples: samples, environment };
  } else if (job.benchmark === 'accuracy') {
    const top1 = candidate ? 0.9 : 0.89;
    body = { attempt: 1, summary: { kind: 'accuracy', samples: 200, correctTop1: Math.round(top1 * 200), correctTop5: 196, top1: Math.round(top1 * 200) / 200, top5: 0.98, perClass: [], datasetSha256: 'a'.repeat(64), output: 'probabilities' }, rawSamples: [], environment };
  } else {
    body = { attempt: 1, summary: { kind: 'parity', samples: 8, outputs: [{ name: 'probabilities', elements: 10, maxAbsError: 1e-6 * (deviceIndex + 1), meanAbsError: 1e-7, cosineSimilarity: 1 }], reference: { runtime: 'onnxruntime-node', executionProvider: 'cpu', settings: 'threads=1' } }, rawSamples: [], environment };
  }
  await agent.call('POST', `/v1/agent/jobs/${job.id}/result`, body);
}
