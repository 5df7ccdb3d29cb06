import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import type { DeviceRegistration } from '@edgeproof/contracts';
import type { DeviceDriver, DriverJob, DriverResult, HealthReport } from '@edgeproof/devices';
import { createRedis } from '@edgeproof/queue';
import { testRedisUrl, uniqueQueuePrefix } from '@edgeproof/testkit';
import { startAgent, type RunningAgent } from '../src/agent.ts';
import { evaluatePayload, enqueue, modelBytes, modelSha, settled } from './support/jobs.ts';
import { startStandInApi, type StandInApi } from './support/stand-in-api.ts';

/**
 * One phone, two registrations (say its Chrome and the team's app): both queues lead to the same physical
 * device, so the lease must keep their jobs apart. A stand-in at the driver boundary (no phone here)
 * records when each run holds the device.
 */
class OnePhoneTwoWays implements DeviceDriver {
  readonly kind = 'fake-phone';
  readonly runs: { localKey: string; start: number; end: number }[] = [];

  async discover(): Promise<DeviceRegistration[]> {
    const reg = (localKey: string): DeviceRegistration => ({
      localKey,
      platform: 'android',
      driver: this.kind,
      tier: 'mid',
      tags: [],
      runtimes: ['onnxruntime-web/wasm'],
      attributes: { leaseKey: 'android:R58M-shared' },
    });
    return [reg('phone-web'), reg('phone-native')];
  }
  async healthCheck(): Promise<HealthReport> {
    return { ok: true };
  }
  async preJobCheck(): Promise<HealthReport> {
    return { ok: true, cooldownWaitMs: 1234 };
  }
  async run(device: DeviceRegistration, job: DriverJob): Promise<DriverResult> {
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 400));
    this.runs.push({ localKey: device.localKey, start, end: Date.now() });
    const samples = [1, 2, 3];
    return {
      summary: {
        kind: 'latency', unit: 'ms', sessionCreateMs: 1, firstInferenceMs: 1,
        warmup: { runs: 1, seconds: 0.01 }, measure: { runs: 3, seconds: 0.006 },
        stats: { count: 3, min: 1, mean: 2, p50: 2, p90: 2.8, p95: 2.9, p99: 2.98, max: 3, stdev: 1, cv: 0.5 },
        peakMemoryBytes: null,
      },
      rawSamples: samples,
      environment: {
        runtime: 'fake', runtimeVersion: '0', executionProvider: 'cpu', threads: job.settings.threads, graphOptimization: 'none',
        warmupMinRuns: 1, warmupMinSeconds: 0, measureMinRuns: 1, measureMinSeconds: 0, measureMaxRuns: 3, measureMaxSeconds: 1,
        inputSource: 'generated', inputSeed: 42, inputShapes: {}, thermalState: 'unavailable', os: 'android', cpu: 'fake',
        extra: { harness: 'fake' },
      },
    };
  }
  async dispose(): Promise<void> {}
}

let api: StandInApi;
let agent: RunningAgent | undefined;
let cacheDir: string;
const prefix = uniqueQueuePrefix();
const redis = createRedis(testRedisUrl());
const queues: Queue[] = [];

beforeEach(async () => {
  api = await startStandInApi({ heartbeatIntervalMs: 200 });
  api.artifacts.set(modelSha, modelBytes);
  cacheDir = await mkdtemp(join(tmpdir(), 'ep-agent-lease-'));
});
afterAll(() => redis.quit());
afterEach(async () => {
  await agent?.stop();
  for (const q of queues.splice(0)) {
    await q.obliterate({ force: true });
    await q.close();
  }
  await api.close();
  await rm(cacheDir, { recursive: true, force: true });
});

it('two queues for one phone never run at once; the cool-down wait lands in the result', async () => {
  const driver = new OnePhoneTwoWays();
  agent = await startAgent({
    apiUrl: api.url, token: api.token, redisUrl: testRedisUrl(), name: 'lease-agent', queuePrefix: prefix, cacheDir,
    drivers: [driver], logger: pino({ level: 'silent' }), shutdownGraceMs: 1_000, leaseBusyRetryMs: 100,
  });
  const jobs = [];
  for (const device of agent.devices) {
    const q = new Queue(device.queue, { connection: redis, prefix });
    queues.push(q);
    for (let i = 0; i < 2; i++) {
      const data = evaluatePayload(device.id);
      await enqueue(q, data, 1);
      jobs.push({ q, id: data.jobId });
    }
  }
  for (const j of jobs) expect(await (await settled(j.q, j.id)).getState()).toBe('completed');

  expect(driver.runs).toHaveLength(4);
  expect(new Set(driver.runs.map((r) => r.localKey))).toEqual(new Set(['phone-web', 'phone-native']));
  const byStart = [...driver.runs].sort((a, b) => a.start - b.start);
  for (let i = 1; i < byStart.length; i++) expect(byStart[i]!.start).toBeGreaterThanOrEqual(byStart[i - 1]!.end);
  // waiting for the lease spent no attempt
  expect(api.failures).toEqual([]);
  expect(api.results.map((r) => (r.body as { environment: { extra: Record<string, unknown> } }).environment.extra)).toEqual(
    Array(4).fill({ harness: 'fake', cooldownWaitMs: 1234 }),
  );
  // released at the end: the phone is free
  expect(await redis.get(`${prefix}:device-lease:android:R58M-shared`)).toBeNull();
}, 60_000);
