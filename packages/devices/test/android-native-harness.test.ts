import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchmarkSettings, NATIVE_HARNESS_RESULT_FORMAT } from '@edgeproof/contracts';
import { describe, expect, it } from 'vitest';
import { DriverError, type DriverJob } from '../src/driver.ts';
import type { DeviceShell } from '../src/android/device-shell.ts';
import { findResultLine, resultPathFor, runNativeHarness } from '../src/android/native-harness.ts';
import { evaluateHealth, waitForCooldown, type AndroidHealthLimits } from '../src/android/health.ts';
import type { TelemetrySample } from '../src/android/telemetry.ts';

/** Splits a command line the way the phone's /system/bin/sh would (here: the host's POSIX sh). */
function shellWords(line: string): string[] {
  const out = execFileSync('sh', ['-c', `set -- ${line}; for a; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

type App = (extras: Record<string, string>, files: Map<string, Buffer>, log: string[]) => void;

/** A phone at the DeviceShell boundary (no phone can run here): files in memory, `am start` runs `app`. */
function fakePhone(app: App) {
  const files = new Map<string, Buffer>();
  const log: string[] = [];
  const commands: string[] = [];
  const shell: DeviceShell = {
    shell: async (command, args = []) => {
      const words = shellWords([command, ...args].join(' '));
      commands.push(words.join(' '));
      if (words[0] === 'am' && words[1] === 'start') {
        const extras: Record<string, string> = {};
        for (let i = 2; i < words.length; i++) if (words[i] === '--es') extras[words[++i]!] = words[++i]!;
        setTimeout(() => app(extras, files, log), 30);
        return 'Starting: Intent { act=dev.edgeproof.action.BENCHMARK }\nStatus: ok\n';
      }
      if (words[0] === 'logcat') return log.join('\n');
      if (words[0] === 'rm') {
        for (const p of words.slice(1)) for (const f of [...files.keys()]) if (f === p || f.startsWith(`${p}/`)) files.delete(f);
      }
      return '';
    },
    push: async (local, remote) => void files.set(remote, readFileSync(local)),
    pull: async (remote) => {
      const f = files.get(remote);
      if (!f) throw new Error(`remote object '${remote}' does not exist`);
      return f;
    },
    install: async () => undefined,
  };
  return { shell, files, commands };
}

async function job(overrides: Partial<DriverJob> = {}): Promise<DriverJob> {
  const dir = await mkdtemp(join(tmpdir(), 'native-harness-'));
  const model = join(dir, 'model.tflite');
  await writeFile(model, 'TFL3 model bytes');
  return {
    jobId: '7d4e2c4e-3f55-4c36-9d4e-1f7c4b1f2a10',
    benchmark: 'latency',
    model: { path: model, sha256: 'a'.repeat(64), format: 'tflite', signature: { inputs: [], outputs: [] } as never },
    dataset: null,
    settings: BenchmarkSettings.parse({ timeoutSeconds: 5, dims: { "it's": 1 } }),
    ...overrides,
  };
}

const cfg = { package: 'com.example.vision', activity: '.EdgeproofActivity', pollIntervalMs: 20 };

describe('native harness contract', () => {
  it('pushes the model, starts the activity with the documented extras, and reads back a valid result', async () => {
    let seen: Record<string, string> = {};
    let modelOnPhone: string | undefined;
    const phone = fakePhone((extras, files, log) => {
      seen = extras;
      modelOnPhone = files.get(extras['edgeproof.modelPath']!)?.toString();
      const result = {
        format: NATIVE_HARNESS_RESULT_FORMAT,
        jobId: extras['edgeproof.jobId'],
        status: 'ok',
        runtime: 'tflite',
        runtimeVersion: '2.16.1',
        executionProvider: 'xnnpack',
        threads: JSON.parse(extras['edgeproof.settings']!).threads,
        latency: { sessionCreateMs: 12.5, firstInferenceMs: 4.1, warmupRuns: 3, warmupSeconds: 0.5, samplesMs: [2, 3, 4] },
      };
      files.set(extras['edgeproof.resultPath']!, Buffer.from(JSON.stringify(result)));
      log.push(`I EdgeproofHarness: EDGEPROOF_RESULT jobId=${extras['edgeproof.jobId']} status=ok path=${extras['edgeproof.resultPath']}`);
    });
    const j = await job();
    const result = await runNativeHarness(phone.shell, j, cfg, new AbortController().signal);

    expect(result).toMatchObject({ status: 'ok', runtime: 'tflite', threads: 1, latency: { samplesMs: [2, 3, 4], peakMemoryBytes: null } });
    expect(modelOnPhone).toBe('TFL3 model bytes');
    expect(seen['edgeproof.modelPath']).toBe(`/data/local/tmp/edgeproof/${j.jobId}/model.tflite`);
    expect(seen['edgeproof.resultPath']).toBe(resultPathFor('com.example.vision', j.jobId));
    // the settings JSON (quotes, braces, an apostrophe in a key) survives the device shell intact
    expect(BenchmarkSettings.parse(JSON.parse(seen['edgeproof.settings']!))).toEqual(j.settings);
    expect(phone.commands.some((c) => c.startsWith('am start -W -S -a dev.edgeproof.action.BENCHMARK -n com.example.vision/.EdgeproofActivity'))).toBe(true);
    // cleaned up: app stopped, model and result removed
    expect(phone.commands.at(-2)).toBe('am force-stop com.example.vision');
    expect(phone.files.size).toBe(0);
  });

  it('a result that breaks the schema fails with the field named, not retried', async () => {
    const phone = fakePhone((extras, files) => {
      files.set(extras['edgeproof.resultPath']!, Buffer.from(JSON.stringify({ format: NATIVE_HARNESS_RESULT_FORMAT, jobId: extras['edgeproof.jobId'], status: 'ok', runtime: 'tflite', runtimeVersion: '2', executionProvider: 'cpu', threads: 1, latency: { sessionCreateMs: 1, firstInferenceMs: 1, warmupRuns: 1, warmupSeconds: 1, samplesMs: [] } })));
    });
    const err = await runNativeHarness(phone.shell, await job(), cfg, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as DriverError).retryable).toBe(false);
    expect((err as DriverError).message).toMatch(/latency\.samplesMs/);
  });

  it('an error line in logcat fails the job with the app\'s message', async () => {
    const phone = fakePhone((extras, _files, log) => {
      log.push(`E EdgeproofHarness: EDGEPROOF_RESULT jobId=${extras['edgeproof.jobId']} status=error message=Delegate GPU not available`);
    });
    await expect(runNativeHarness(phone.shell, await job(), cfg, new AbortController().signal)).rejects.toThrow(/native harness reported: Delegate GPU not available/);
  });

  it('no result within the job timeout is a timeout error, and the app is stopped', async () => {
    const phone = fakePhone(() => undefined);
    const j = await job();
    const started = Date.now();
    const err = (await runNativeHarness(phone.shell, { ...j, settings: { ...j.settings, timeoutSeconds: 1 } }, cfg, new AbortController().signal).catch((e: unknown) => e)) as DriverError;
    expect(err.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(phone.commands).toContain('am force-stop com.example.vision');
  });

  it('feature replays are not benchmark jobs; accuracy without its input file is refused before touching the phone', async () => {
    const phone = fakePhone(() => undefined);
    const feature = (await runNativeHarness(phone.shell, await job({ benchmark: 'feature' }), cfg, new AbortController().signal).catch((e: unknown) => e)) as DriverError;
    expect(feature.code).toBe('unsupported');
    const accuracy = (await runNativeHarness(phone.shell, await job({ benchmark: 'accuracy' }), cfg, new AbortController().signal).catch((e: unknown) => e)) as DriverError;
    expect(accuracy.code).toBe('invalid_input');
    expect(phone.commands).toEqual([]);
  });

  it('finds only its own job in logcat', () => {
    const log = 'I EdgeproofHarness: EDGEPROOF_RESULT jobId=other status=error message=x\nI EdgeproofHarness: EDGEPROOF_RESULT jobId=mine status=ok path=/sdcard/x.json';
    expect(findResultLine(log, 'mine')).toEqual({ status: 'ok' });
    expect(findResultLine(log, 'other')).toEqual({ status: 'error', message: 'x' });
    expect(findResultLine(log, 'absent')).toBeNull();
  });
});

const limits: AndroidHealthLimits = { minBatteryPct: 20, maxBatteryTempC: 40, maxThermalStatus: 1, cooldownMaxMs: 200, cooldownPollMs: 20 };
const sample = (levelPct: number, temperatureC: number, status = 0): TelemetrySample => ({
  atMs: 0,
  battery: { levelPct, temperatureC, voltageMv: 4000, currentMa: null, powered: true, status: 2 },
  thermal: { status, statusName: 'x', source: 'hal', sensors: [] },
  cpuFreqKhz: {},
  errors: {},
});

describe('phone health', () => {
  it('low battery, hot battery, hot thermal status, unreadable battery', () => {
    expect(evaluateHealth(sample(80, 30), limits)).toEqual({ ok: true });
    expect(evaluateHealth(sample(10, 30), limits)).toEqual({ ok: false, reason: 'battery at 10%, below 20%' });
    expect(evaluateHealth(sample(80, 45), limits)).toMatchObject({ ok: false, hot: true, reason: 'battery at 45 °C, above 40 °C' });
    expect(evaluateHealth(sample(80, 30, 3), limits)).toMatchObject({ ok: false, hot: true });
    expect(evaluateHealth({ ...sample(80, 30), battery: null, errors: { 'dumpsys battery': "Potentially insecure feature 'adb_shell' has not been enabled" } }, limits).reason).toMatch(/allow-insecure uiautomator2:adb_shell.*adb_shell/);
  });

  it('waits for a hot phone to cool down and reports the wait', async () => {
    const temps = [45, 44, 38];
    const report = await waitForCooldown(async () => sample(80, temps.shift() ?? 38), limits, new AbortController().signal);
    expect(report.ok).toBe(true);
    expect(report.cooldownWaitMs).toBeGreaterThanOrEqual(35);
  });

  it('gives up after the cool-down limit with the reason', async () => {
    const report = await waitForCooldown(async () => sample(80, 48), limits, new AbortController().signal);
    expect(report.ok).toBe(false);
    expect(report.reason).toMatch(/^still too hot after waiting \d+ s: battery at 48 °C/);
    // it waited about the limit (timers may overshoot on a loaded machine), not forever
    expect(report.cooldownWaitMs).toBeGreaterThanOrEqual(limits.cooldownMaxMs - limits.cooldownPollMs);
    expect(report.cooldownWaitMs).toBeLessThan(limits.cooldownMaxMs + 2_000);
  });

  it('does not wait on a low battery', async () => {
    const report = await waitForCooldown(async () => sample(5, 30), limits, new AbortController().signal);
    expect(report).toEqual({ ok: false, reason: 'battery at 5%, below 20%', cooldownWaitMs: expect.any(Number) });
  });
});
