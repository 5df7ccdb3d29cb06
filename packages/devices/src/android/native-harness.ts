import {
  NATIVE_HARNESS_ACTION,
  NATIVE_HARNESS_LOG_TAG,
  NativeHarnessResult,
  type LatencySummary,
  type NativeHarnessExtras,
} from '@edgeproof/contracts';
import { summarize } from '@edgeproof/metrics';
import { z } from 'zod';
import { DriverError, type DriverJob } from '../driver.ts';
import type { InjectedImageProperties } from './camera-injection.ts';
import type { DeviceShell } from './device-shell.ts';
import { abortableSleep } from '../abortable-sleep.ts';

/** A team's own app that implements docs/android-native-harness.md. */
export interface NativeHarnessConfig {
  /** application id, e.g. "com.example.vision" */
  package: string;
  /** activity class, absolute ("com.example.vision.EdgeproofActivity") or relative (".EdgeproofActivity") */
  activity: string;
  /** installed (adb install -r -g) once per device before its first job; absent = already installed */
  apkPath?: string;
  /** where models are pushed; default /data/local/tmp/edgeproof */
  deviceDir?: string;
  /** how often the result is polled; default 1000 ms */
  pollIntervalMs?: number;
  /**
   * Where an emulator's feature replay takes its frames: "appium-injection" (default) shows the
   * scene in the emulator's back camera with Appium's camera injection; "file" uses the pushed video
   * like a phone does.
   */
  emulatorCamera?: 'appium-injection' | 'file';
  /** Appium's `injectedImageProperties` for the poster the frames appear on (applied when Appium starts the emulator) */
  injectedImageProperties?: InjectedImageProperties;
}

export type OkNativeResult = Extract<NativeHarnessResult, { status: 'ok' }>;

/** Single-quotes a word for the device's /system/bin/sh. */
export function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function resultPathFor(pkg: string, jobId: string): string {
  return `/sdcard/Android/data/${pkg}/files/edgeproof/${jobId}.json`;
}

/** `EDGEPROOF_RESULT jobId=<id> status=<ok|error> [path=<p>] [message=<text>]` from `logcat -d -s <tag>`. */
export function findResultLine(logcat: string, jobId: string): { status: string; message?: string } | null {
  for (const line of logcat.split(/\r?\n/)) {
    const m = /EDGEPROOF_RESULT jobId=(\S+) status=(ok|error)\b/.exec(line);
    if (!m || m[1] !== jobId || !m[2]) continue;
    const message = / message=(.*)$/.exec(line)?.[1]?.trim();
    return { status: m[2], ...(message ? { message } : {}) };
  }
  return null;
}

/** Validates the app's result file; any mismatch is a clear, non-retryable error. */
export function parseNativeResult(text: string, jobId: string): OkNativeResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DriverError('invalid_input', `native harness result for job ${jobId} is not JSON`);
  }
  const parsed = NativeHarnessResult.safeParse(json);
  if (!parsed.success) {
    throw new DriverError('invalid_input', `native harness result for job ${jobId} breaks the contract:\n${z.prettifyError(parsed.error)}`);
  }
  if (parsed.data.jobId !== jobId) {
    throw new DriverError('invalid_input', `native harness result is for job ${parsed.data.jobId}, expected ${jobId}`);
  }
  if (parsed.data.status === 'error') throw new DriverError('failed', `native harness reported: ${parsed.data.error}`);
  return parsed.data;
}

export function latencySummary(l: NonNullable<OkNativeResult['latency']>): LatencySummary {
  return {
    kind: 'latency',
    unit: 'ms',
    sessionCreateMs: l.sessionCreateMs,
    firstInferenceMs: l.firstInferenceMs,
    warmup: { runs: l.warmupRuns, seconds: l.warmupSeconds },
    measure: { runs: l.samplesMs.length, seconds: l.samplesMs.reduce((a, b) => a + b, 0) / 1000 },
    stats: summarize(l.samplesMs),
    peakMemoryBytes: l.peakMemoryBytes,
  };
}


/**
 * Runs one job through the app: push the model, start the activity with the documented extras, wait for
 * the result file (or an error line in logcat), pull and validate it. Always cleans up on the device.
 */
export async function runNativeHarness(
  device: DeviceShell,
  job: DriverJob,
  cfg: NativeHarnessConfig,
  signal: AbortSignal,
  /** accuracy and parity: the input file to push (JSON Lines) and, for accuracy, the score output */
  inputs?: { localPath: string; scoreOutput?: string; labelCount?: number },
): Promise<OkNativeResult> {
  if (job.benchmark === 'feature') throw new DriverError('unsupported', 'feature replays do not run through the benchmark contract');
  if (job.benchmark !== 'latency' && !inputs) throw new DriverError('invalid_input', `a ${job.benchmark} job needs an input file`);
  const dir = `${cfg.deviceDir ?? '/data/local/tmp/edgeproof'}/${job.jobId}`;
  const modelPath = `${dir}/model.${job.model.format}`;
  const resultPath = resultPathFor(cfg.package, job.jobId);
  const component = `${cfg.package}/${cfg.activity}`;
  const extras: NativeHarnessExtras = {
    'edgeproof.jobId': job.jobId,
    'edgeproof.benchmark': job.benchmark,
    'edgeproof.modelPath': modelPath,
    'edgeproof.modelFormat': job.model.format,
    'edgeproof.settings': JSON.stringify(job.settings),
    'edgeproof.resultPath': resultPath,
    ...(inputs ? { 'edgeproof.inputsPath': `${dir}/inputs.jsonl` } : {}),
    ...(inputs?.scoreOutput !== undefined ? { 'edgeproof.scoreOutput': inputs.scoreOutput } : {}),
    ...(inputs?.labelCount !== undefined ? { 'edgeproof.labelCount': String(inputs.labelCount) } : {}),
  };
  const deadline = Date.now() + job.settings.timeoutSeconds * 1000;
  try {
    await device.shell('mkdir', ['-p', shQuote(dir)]);
    await device.shell('rm', ['-f', shQuote(resultPath)]);
    await device.push(job.model.path, modelPath);
    if (inputs) await device.push(inputs.localPath, `${dir}/inputs.jsonl`);
    const args = ['start', '-W', '-S', '-a', NATIVE_HARNESS_ACTION, '-n', shQuote(component)];
    for (const [k, v] of Object.entries(extras)) if (v !== undefined) args.push('--es', k, shQuote(v));
    const started = await device.shell('am', args);
    if (/Error:|Exception/.test(started)) throw new DriverError('failed', `could not start ${component}: ${started.trim().slice(0, 500)}`);

    while (!signal.aborted && Date.now() < deadline) {
      const text = await device.pull(resultPath).then((b) => b.toString('utf8')).catch(() => '');
      if (text.trim()) return parseNativeResult(text, job.jobId);
      const line = findResultLine(await device.shell('logcat', ['-d', '-s', `${NATIVE_HARNESS_LOG_TAG}:I`]).catch(() => ''), job.jobId);
      if (line?.status === 'error') throw new DriverError('failed', `native harness reported: ${line.message ?? 'error (no message)'}`);
      await abortableSleep(cfg.pollIntervalMs ?? 1000, signal);
    }
    if (signal.aborted) throw new DriverError('aborted', `job ${job.jobId} was cancelled`);
    throw new DriverError('timeout', `no native harness result for job ${job.jobId} within ${job.settings.timeoutSeconds} s (expected ${resultPath})`);
  } finally {
    await device.shell('am', ['force-stop', shQuote(cfg.package)]).catch(() => undefined);
    await device.shell('rm', ['-rf', shQuote(dir), shQuote(resultPath)]).catch(() => undefined);
  }
}
