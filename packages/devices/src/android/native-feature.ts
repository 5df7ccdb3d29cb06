import { open, readFile } from 'node:fs/promises';
import { NATIVE_HARNESS_ACTION, NATIVE_HARNESS_LOG_TAG, type DeviceRegistration, type FeatureRunSettings, type NativeFeatureExtras } from '@edgeproof/contracts';
import { DriverError, type DriverJob, type DriverResult } from '../driver.ts';
import { featureRunSettings } from '../feature/run-settings.ts';
import { featureResult } from '../feature/summary.ts';
import type { DeviceShell } from './device-shell.ts';
import { playByInjection, scenarioPngFrames, type CameraImageInjector, type InjectionStats } from './camera-injection.ts';
import { androidCostSamples, parseNativeFeatureResult, type NativeFeatureResult } from './feature-result.ts';
import { findResultLine, shQuote, type NativeHarnessConfig } from './native-harness.ts';
import { summarizeTelemetry, TelemetrySampler, type Shell, type TelemetrySample } from './telemetry.ts';
import { abortableSleep } from '../abortable-sleep.ts';

/** Where the app writes a feature replay's result (JSON Lines) inside its external files dir. */
export function featureResultPathFor(pkg: string, jobId: string): string {
  return `/sdcard/Android/data/${pkg}/files/edgeproof/${jobId}.jsonl`;
}

/**
 * The first crash of `pkg` in `logcat -d -b crash` output, as one line: a Java crash
 * (`AndroidRuntime: FATAL EXCEPTION …` / `Process: <pkg>, PID: …` / the exception) or a native one
 * (`libc: Fatal signal … (<pkg>)`, or debuggerd's `>>> <pkg> <<<` followed by the signal line).
 */
export function findAppCrash(logcat: string, pkg: string): string | null {
  const lines = logcat.split(/\r?\n/);
  const body = (line: string) => line.replace(/^.*?\b(?:AndroidRuntime|DEBUG|libc)\s*:\s?/, '').trim();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.includes(`Process: ${pkg}, PID:`)) {
      const exception = lines.slice(i + 1, i + 4).map(body).find((l) => l && !l.startsWith('at '));
      return `the app crashed: ${exception ?? 'FATAL EXCEPTION'}`.slice(0, 500);
    }
    if (/Fatal signal \d+/.test(line) && line.includes(`(${pkg})`)) return `the app crashed natively: ${body(line)}`.slice(0, 500);
    if (line.includes(`>>> ${pkg} <<<`)) {
      const signal = lines.slice(i + 1, i + 4).map(body).find((l) => /^signal \d+/.test(l));
      return `the app crashed natively: ${signal ?? body(line)}`.slice(0, 500);
    }
  }
  return null;
}

export interface NativeFeatureRunOptions {
  /** the phone: Android version, SDK, SoC and ABI go into the result's environment */
  device: Pick<DeviceRegistration, 'osVersion' | 'soc' | 'attributes'>;
  serial: string;
  /** how telemetry is read (default: the device shell, i.e. Appium's `mobile: shell`) */
  telemetryShell?: Shell;
  /**
   * Emulators: show the scene in the emulator's camera with Appium's camera injection instead of
   * pushing it as a file (`edgeproof.cameraSource=camera`); see camera-injection.ts.
   */
  camera?: { inject: CameraImageInjector; leadInMs?: number; holdMs?: number };
}

async function assertY4m(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(10);
    await file.read(head, 0, 10, 0);
    if (head.toString('latin1') !== 'YUV4MPEG2 ') throw new DriverError('invalid_input', `the scenario video is not a Y4M file (it starts with ${JSON.stringify(head.toString('latin1'))})`);
  } finally {
    await file.close();
  }
}

/**
 * One feature replay in the team's app (docs/android-native-harness.md, "Feature replays"): installs the
 * feature build's APK, pushes the scenario's Y4M and the pinned models, starts the activity with the
 * feature extras, samples battery and thermal telemetry while the app replays, waits for the result
 * file (or an error line / a crash in logcat), and scores it like a browser replay. The app is stopped
 * and the job's files removed whatever happened.
 */
export async function runNativeFeatureJob(device: DeviceShell, job: DriverJob, cfg: NativeHarnessConfig, signal: AbortSignal, opts: NativeFeatureRunOptions): Promise<DriverResult> {
  const { feature, scenario } = job;
  if (!feature || !scenario) throw new DriverError('invalid_input', 'a feature job needs a feature build and a scenario');
  if (feature.platform !== 'android') throw new DriverError('unsupported', `Android devices run android feature builds (APKs), not ${feature.platform}`);
  const run = featureRunSettings(job);
  await assertY4m(scenario.videoPath);
  const m = scenario.manifest;
  const dir = `${cfg.deviceDir ?? '/data/local/tmp/edgeproof'}/${job.jobId}`;
  const scenePath = `${dir}/scene.y4m`;
  const modelPaths = Object.fromEntries(Object.entries(feature.models).map(([key, m]) => [key, `${dir}/${key}.${m.format ?? 'model'}`]));
  const resultPath = featureResultPathFor(cfg.package, job.jobId);
  const component = `${cfg.package}/${cfg.activity}`;
  const settings = { processEveryK: run.processEveryK, detectionInterval: run.detectionInterval, threads: job.settings.threads, maxSeconds: run.maxSeconds ?? null };
  const endPath = `${dir}/pass.end`;
  const base = {
    'edgeproof.jobId': job.jobId,
    'edgeproof.benchmark': 'feature' as const,
    'edgeproof.scene': JSON.stringify({ width: m.width, height: m.height, fps: m.fps, frameCount: m.frameCount }),
    'edgeproof.modelPaths': JSON.stringify(modelPaths),
    'edgeproof.settings': JSON.stringify(settings),
    'edgeproof.resultPath': resultPath,
  };
  const extras: NativeFeatureExtras = opts.camera
    ? { ...base, 'edgeproof.cameraSource': 'camera', 'edgeproof.endPath': endPath }
    : { ...base, 'edgeproof.cameraSource': 'file', 'edgeproof.scenePath': scenePath };
  const frames = opts.camera ? await scenarioPngFrames(scenario.videoPath) : undefined;
  const deadline = Date.now() + job.settings.timeoutSeconds * 1000;
  const sampler = new TelemetrySampler(opts.telemetryShell ?? ((c, a) => device.shell(c, a)), run.sampleIntervalMs);
  let sampling = false;
  const q = shQuote;
  try {
    await device.install(feature.path).catch((err: unknown) => {
      throw new DriverError('invalid_input', `could not install feature build ${feature.name}@${feature.version}: ${messageOf(err)}`);
    });
    const installed = await device.shell('pm', ['path', q(cfg.package)]).catch(() => '');
    if (!installed.includes('package:')) {
      throw new DriverError('invalid_input', `feature build ${feature.name}@${feature.version} did not install ${cfg.package} (the APK's application id must be the configured ANDROID_NATIVE_PACKAGE)`);
    }
    await device.shell('mkdir', ['-p', q(dir)]);
    await device.shell('rm', ['-f', q(resultPath), q(`${resultPath}.tmp`)]);
    if (!opts.camera) await device.push(scenario.videoPath, scenePath);
    for (const [key, m] of Object.entries(feature.models)) await device.push(m.path, modelPaths[key] as string);
    // only crashes of this replay count: earlier ones are cleared from the crash buffer
    await device.shell('logcat', ['-b', 'crash', '-c']).catch(() => undefined);

    sampler.start();
    sampling = true;
    const args = ['start', '-W', '-S', '-a', NATIVE_HARNESS_ACTION, '-n', q(component)];
    for (const [k, v] of Object.entries(extras)) args.push('--es', k, q(v));
    const started = await device.shell('am', args);
    if (/Error:|Exception/.test(started)) throw new DriverError('failed', `could not start ${component}: ${started.trim().slice(0, 500)}`);

    let injection: InjectionStats | undefined;
    let result: NativeFeatureResult;
    if (frames && opts.camera) {
      ({ result, injection } = await replayThroughCamera(device, { frames, endPath, camera: opts.camera }, (stop) => waitForResult(device, job, cfg, resultPath, deadline, stop, m.frameCount), signal));
    } else {
      result = await waitForResult(device, job, cfg, resultPath, deadline, signal, m.frameCount);
    }
    const samples = await sampler.stop();
    sampling = false;
    if (result.records.length === 0) {
      const hint = injection ? `; ${injection.framesShown} frames were injected: is the emulator's back camera set to virtualscene?` : '';
      throw new DriverError('failed', `the app processed no frame (${result.header.undecodableFrames} unreadable${hint})`);
    }
    const camera = injection ? { cameraSource: 'appium-injection', injection } : { cameraSource: 'file' };
    return score(job, result, samples, run, opts, cfg, await readFile(scenario.groundTruthPath, 'utf8'), camera);
  } finally {
    if (sampling) await sampler.stop().catch(() => undefined);
    await device.shell('am', ['force-stop', q(cfg.package)]).catch(() => undefined);
    await device.shell('rm', ['-rf', q(dir), q(resultPath), q(`${resultPath}.tmp`)]).catch(() => undefined);
  }
}

/**
 * Plays the scene into the emulator's camera while `wait` polls for the app's result; the end file
 * tells the app the pass is over. A refused injection stops the wait and fails the job with Appium's
 * reason; a result that arrives early (maxSeconds) stops the playback.
 */
async function replayThroughCamera(
  device: DeviceShell,
  { frames, endPath, camera }: { frames: Awaited<ReturnType<typeof scenarioPngFrames>>; endPath: string; camera: NonNullable<NativeFeatureRunOptions['camera']> },
  wait: (stop: AbortSignal) => Promise<NativeFeatureResult>,
  signal: AbortSignal,
): Promise<{ result: NativeFeatureResult; injection: InjectionStats | undefined }> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let injection: InjectionStats | undefined;
  let refused: unknown;
  const player = playByInjection(frames, camera.inject, stop.signal, camera).then(
    async (stats) => {
      injection = stats;
      if (stop.signal.aborted) return;
      await device.shell('touch', [shQuote(endPath)]).catch((err: unknown) => {
        refused = new DriverError('failed', `could not create the end-of-pass file ${endPath}: ${messageOf(err)}`);
        stop.abort();
      });
    },
    (err: unknown) => {
      refused = err;
      stop.abort();
    },
  );
  let result: NativeFeatureResult;
  try {
    result = await wait(stop.signal).catch((err: unknown) => {
      throw refused ?? err;
    });
  } finally {
    stop.abort();
    await player;
    signal.removeEventListener('abort', onAbort);
  }
  // read after the player settled: a result that came early still reports the frames shown so far
  return { result, injection };
}

/** Polls the result file, the app's logcat line and the crash buffer until one answers or the job times out. */
async function waitForResult(
  device: DeviceShell,
  job: DriverJob,
  cfg: NativeHarnessConfig,
  resultPath: string,
  deadline: number,
  signal: AbortSignal,
  frameCount: number,
): Promise<NativeFeatureResult> {
  while (!signal.aborted && Date.now() < deadline) {
    const text = await device.pull(resultPath).then((b) => b.toString('utf8')).catch(() => '');
    if (text.trim()) return parseNativeFeatureResult(text, { jobId: job.jobId, frameCount });
    const line = findResultLine(await device.shell('logcat', ['-d', '-s', `${NATIVE_HARNESS_LOG_TAG}:I`]).catch(() => ''), job.jobId);
    if (line?.status === 'error') throw new DriverError('failed', `the app reported: ${line.message ?? 'error (no message)'}`);
    const crash = findAppCrash(await device.shell('logcat', ['-d', '-b', 'crash']).catch(() => ''), cfg.package);
    if (crash) throw new DriverError('crashed', `${crash} (feature replay of job ${job.jobId})`);
    await abortableSleep(cfg.pollIntervalMs ?? 1000, signal);
  }
  if (signal.aborted) throw new DriverError('aborted', `job ${job.jobId} was cancelled`);
  throw new DriverError('timeout', `no feature result for job ${job.jobId} within ${job.settings.timeoutSeconds} s (expected ${resultPath})`);
}

function score(
  job: DriverJob,
  { header, records }: NativeFeatureResult,
  samples: TelemetrySample[],
  run: FeatureRunSettings,
  opts: NativeFeatureRunOptions,
  cfg: NativeHarnessConfig,
  groundTruthText: string,
  camera: Record<string, unknown>,
): DriverResult {
  const feature = job.feature as NonNullable<DriverJob['feature']>;
  const manifest = (job.scenario as NonNullable<DriverJob['scenario']>).manifest;
  const telemetry = summarizeTelemetry(samples);
  const { device } = opts;
  const ep = header.extra['executionProvider'];
  const graph = header.extra['graphOptimization'];
  const result = featureResult({
    feature: { name: feature.name, version: feature.version, sha256: feature.sha256, platform: feature.platform },
    manifest,
    groundTruthText,
    settings: { processEveryK: run.processEveryK, detectionInterval: run.detectionInterval, threads: job.settings.threads },
    run,
    records,
    undecodableFrames: header.undecodableFrames,
    passComplete: header.passComplete,
    cost: {
      samples: androidCostSamples(samples),
      sources: costSources(samples),
      intervalMs: run.sampleIntervalMs,
    },
    environment: {
      runtime: header.runtime,
      runtimeVersion: header.runtimeVersion,
      executionProvider: typeof ep === 'string' ? ep : 'app-defined',
      ...(typeof graph === 'string' ? { graphOptimization: graph } : { graphOptimization: 'app-defined' }),
      thermalState: telemetry.thermalState,
      ...(Object.keys(telemetry.temperaturesC).length ? { temperaturesC: telemetry.temperaturesC } : {}),
      os: `Android ${String(device.osVersion ?? 'unknown')} (SDK ${String(device.attributes['sdk'] ?? '?')})`,
      cpu: [device.soc, device.attributes['abi']].filter(Boolean).join(' ') || 'unknown',
      extra: { harness: 'native', app: cfg.package, serial: opts.serial, appThreads: header.threads, ...camera, telemetry: telemetry.telemetry, appExtra: header.extra },
    },
  });
  // the app's own thread count is what ran; the summary keeps the requested settings
  return { ...result, environment: { ...result.environment, threads: header.threads } };
}

/** What the cost series was read from; a source no sample could read is "unavailable", never guessed. */
export function costSources(samples: readonly TelemetrySample[]): Record<string, string> {
  const battery = samples.some((s) => s.battery !== null);
  const thermal = samples.some((s) => (s.thermal?.sensors.length ?? 0) > 0 || s.battery?.temperatureC != null);
  return {
    battery: battery ? 'dumpsys battery (level), /sys/class/power_supply/battery/uevent (current where dumpsys has none)' : 'unavailable',
    thermal: thermal ? 'dumpsys thermalservice sensors, dumpsys battery temperature' : 'unavailable',
    cpu: 'unavailable',
    memory: 'unavailable',
    energy: 'unavailable',
  };
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 500) ?? '';
}
