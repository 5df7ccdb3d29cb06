import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { DeviceRegistration } from '@edgeproof/contracts';
import type { DeviceDriver, DriverJob, DriverResult, HealthReport } from '@edgeproof/devices';
import { DeviceLeases } from '@edgeproof/queue';
import { startAgent, type RunningAgent } from '../src/agent.ts';
import { startLab, type Lab } from './support/lab.ts';

/**
 * One phone, two registrations (say its Chrome and the team's app): both queues lead to the same physical
 * device, so the lease (taken by the API when it hands a job out) must keep their jobs apart. A stand-in at the driver boundary (no phone here)
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

let lab: Lab;
let agent: RunningAgent | undefined;
let cacheDir: string;

beforeEach(async () => {
  lab = await startLab();
  cacheDir = await mkdtemp(join(tmpdir(), 'ep-agent-lease-'));
});
afterEach(async () => {
  await agent?.stop();
  await lab.close();
  await rm(cacheDir, { recursive: true, force: true });
});

it('two queues for one phone never run at once; the cool-down wait lands in the result', async () => {
  const driver = new OnePhoneTwoWays();
  agent = await startAgent({
    apiUrl: lab.url, token: await lab.agentToken('lease-agent'), cacheDir,
    drivers: [driver], logger: pino({ level: 'silent' }), shutdownGraceMs: 1_000, pollWaitMs: 1_000,
  });
  const jobs: string[] = [];
  for (const device of agent.devices) for (let i = 0; i < 2; i++) jobs.push(await lab.createJob(device.id));
  for (const id of jobs) expect((await lab.waitJob(id, ['succeeded', 'failed'])).status).toBe('succeeded');

  expect(driver.runs).toHaveLength(4);
  expect(new Set(driver.runs.map((r) => r.localKey))).toEqual(new Set(['phone-web', 'phone-native']));
  const byStart = [...driver.runs].sort((a, b) => a.start - b.start);
  for (let i = 1; i < byStart.length; i++) expect(byStart[i]!.start).toBeGreaterThanOrEqual(byStart[i - 1]!.end);
  // waiting for the lease spent no attempt
  expect(lab.calls.filter((c) => c.path.endsWith('/failure'))).toEqual([]);
  const results = await lab.api.app.db.result.findMany({ where: { jobId: { in: jobs } } });
  expect(results.map((r) => (r.environment as { extra: Record<string, unknown> }).extra)).toEqual(Array(4).fill({ harness: 'fake', cooldownWaitMs: 1234 }));
  // released at the end: the phone is free
  const redis = new Redis(lab.api.redisUrl);
  expect(await new DeviceLeases(redis, { prefix: lab.api.queuePrefix }).holder('android:R58M-shared')).toBeNull();
  await redis.quit();
}, 60_000);
