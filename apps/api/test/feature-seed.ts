/**
 * Seeds one feature evaluation through the public endpoints only: the bundled detector, a generated
 * scenario and the reference feature build uploaded, a browser device registered by an agent, a
 * feature run started, and its result posted the way an agent posts it — scored by the devices
 * package's own `featureResult` on synthetic frames (the ground truth itself as the tracks, a
 * latency that drifts over the replay, CPU and memory readings, no thermal or battery source).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FeatureCostSample, FeatureFrameRecord, RunOut } from '@edgeproof/contracts';
import { FeatureRunSettings } from '@edgeproof/contracts';
import { featureResult } from '@edgeproof/devices';
import { buildFeatureBundles } from '@edgeproof/feature-zoo';
import { parseMotGroundTruth, writeScenario } from '@edgeproof/scenes';
import type { SeedTarget } from './dashboard-seed.ts';
import { registerSimulatedAgent } from './simulated-agent.ts';

export interface SeededFeature {
  runId: string;
  jobId: string;
  frames: number;
  costSamples: number;
}

async function call<T>(t: SeedTarget, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const isForm = body instanceof FormData;
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && !isForm ? { 'content-type': 'application/json' } : {}) },
    ...(body === undefined ? {} : { body: isForm ? body : JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function form(fields: Record<string, string>, files: Record<string, string>): Promise<FormData> {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const [k, path] of Object.entries(files)) f.append(k, new Blob([await readFile(path)]), path.split('/').pop() ?? k);
  return f;
}

export async function seedFeatureEvaluation(t: SeedTarget, dir: string, opts: { seconds: number; costSamples: number }): Promise<SeededFeature> {
  const builds = await buildFeatureBundles(join(dir, 'builds'));
  const scene = writeScenario(join(dir, 'scene'), { seed: 3, durationSeconds: opts.seconds, name: 'seeded-shelf', version: '1' });
  const ml = t.tokens.ml_engineer;
  await call(t, ml, 'POST', '/v1/models', { name: 'item-detector', taskKind: 'detection', owner: 'vision team' });
  await call(t, ml, 'POST', '/v1/models/item-detector/versions', await form({ version: '1.0.0' }, { file: builds.detector.path }));
  await call(t, ml, 'POST', '/v1/scenarios', await form({}, { video: scene.paths.video, groundTruth: scene.paths.groundTruth, manifest: scene.paths.manifest }));
  const b = builds.bundles.reference;
  await call(t, ml, 'POST', '/v1/features', await form({ name: 'item-finder', version: '1.0.0', platform: 'web', models: JSON.stringify({ detector: { model: 'item-detector', version: '1.0.0' } }) }, { file: b.path }));
  const agent = await registerSimulatedAgent(t.url, await t.agentToken('lab-browser-agent'), {
    name: 'lab-browser-agent',
    devices: [{ localKey: 'browser-1', platform: 'browser', driver: 'browser', maker: 'Chromium', model: 'Chromium 156', tier: 'mid', runtimes: ['onnxruntime-web/wasm'], attributes: {} }],
  });
  const deviceId = agent.registered.devices[0]?.id as string;
  const run = await call<RunOut>(t, ml, 'POST', '/v1/runs', {
    model: 'item-detector',
    version: '1.0.0',
    benchmarks: ['feature'],
    feature: { name: 'item-finder', version: '1.0.0' },
    scenario: { name: 'seeded-shelf', version: '1' },
    devices: { ids: [deviceId] },
    settings: { feature: {} },
  });
  const job = run.jobs[0] as RunOut['jobs'][number];
  await agent.call('POST', `/v1/agent/jobs/${job.id}/start`, { attempt: 1 });

  const m = scene.manifest;
  const groundTruthText = await readFile(scene.paths.groundTruth, 'utf8');
  const gt = parseMotGroundTruth(groundTruthText, { frameCount: m.frameCount });
  const frameMs = 1000 / m.fps;
  const records: FeatureFrameRecord[] = Array.from({ length: m.frameCount }, (_, index) => ({
    index,
    captureMs: index * frameMs,
    // latency rises from ~20 to ~40 ms over the replay, with a spike every 50th frame
    resultMs: index * frameMs + 20 + (20 * index) / m.frameCount + (index % 50 === 49 ? 60 : 0),
    tracks: gt.filter((g) => g.frame === index + 1).map((g) => ({ id: g.id, bbox: [g.x, g.y, g.w, g.h] as [number, number, number, number], label: m.classes.find((c) => c.id === g.classId)?.name ?? 'item', score: 0.9 })),
  }));
  const durationMs = m.frameCount * frameMs;
  const samples: FeatureCostSample[] = Array.from({ length: opts.costSamples }, (_, i) => {
    const tMs = (i * durationMs) / Math.max(1, opts.costSamples - 1);
    return { tMs, cpuTimeMs: tMs * 0.6, rssBytes: (200 + i / 10) * 2 ** 20, temperaturesC: {}, energyUj: null, batteryPercent: null, batteryCurrentMa: null };
  });
  const result = featureResult({
    feature: { name: 'item-finder', version: '1.0.0', sha256: b.sha256, platform: 'web' },
    manifest: m,
    groundTruthText,
    settings: { processEveryK: 1, detectionInterval: 1, threads: 1 },
    run: FeatureRunSettings.parse({}),
    records,
    undecodableFrames: 0,
    passComplete: true,
    cost: { samples, sources: { cpu: '/proc (Chromium process tree)', memory: '/proc (Chromium process tree)', thermal: 'unavailable', energy: 'unavailable', battery: 'unavailable (host)' }, intervalMs: durationMs / Math.max(1, opts.costSamples - 1) },
    environment: { runtime: 'onnxruntime-web', runtimeVersion: '1.30.0', executionProvider: 'wasm', thermalState: 'unavailable', os: 'Linux', cpu: 'x86_64' },
  });
  await agent.call('POST', `/v1/agent/jobs/${job.id}/result`, { attempt: 1, ...result });
  return { runId: run.id, jobId: job.id, frames: records.length, costSamples: samples.length };
}
