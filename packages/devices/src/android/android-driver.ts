import { existsSync } from 'node:fs';
import type { DeviceRegistration, DeviceTier, ResultEnvironment } from '@edgeproof/contracts';
import { startHarnessServer, type HarnessServer } from '@edgeproof/harness-web';
import { DriverError, type DeviceDriver, type DriverJob, type DriverResult, type HealthReport } from '../driver.ts';
import { AndroidSession, appiumReason, type AppiumEndpoint } from './appium-session.ts';
import { Adb, type AdbOptions } from './device-shell.ts';
import { BENCHMARK_MODEL_RUNTIME, discoverAndroid, type AndroidDeviceConfig } from './discovery.ts';
import { evaluateHealth, waitForCooldown, type AndroidHealthLimits } from './health.ts';
import type { NativeHarnessConfig } from './native-harness.ts';
import { runNativeJob } from './native-benchmarks.ts';
import { runNativeFeatureJob } from './native-feature.ts';
import { readTelemetry, summarizeTelemetry, TelemetrySampler, type Shell } from './telemetry.ts';
import type { JobTimings } from '../web-harness/harness-job.ts';
import { markAtAmStart, markSession, PhoneLoadSampler } from './phone-load.ts';
import { androidTiming, epochNow } from './device-timing.ts';
import { CHROME_PACKAGE, chromeTarget, type WebHarnessConfig } from './web-harness.ts';
import { BINARY_ENV, type TfliteBenchmarkConfig } from './tflite-benchmark.ts';
import { runTfliteBenchmarkJob } from './tflite-benchmark-job.ts';
import type { DeviceShell } from './device-shell.ts';
import { runHarnessJob } from '../web-harness/harness-job.ts';
import { endpointLabel } from '../web-harness/chromium.ts';
import { measurementSettings } from '../measurement-settings.ts';

export interface AndroidDriverOptions {
  /** the Appium server (or Grid / cloud farm) that has the phones */
  appium: AppiumEndpoint;
  /** the host's adb for discovery and `adb reverse`; `false` when the phones are not attached here */
  adb?: AdbOptions | false;
  /** phones this agent must serve (with tier, tags, team, harness); reported unavailable while absent */
  devices?: AndroidDeviceConfig[];
  /** also serve attached phones that `devices` does not list; default true */
  discoverAttached?: boolean;
  defaultTier?: DeviceTier;
  /** how a phone runs models unless its config says otherwise; default "web" */
  harness?: 'web' | 'native';
  native?: NativeHarnessConfig & { runtimes?: string[] };
  web?: WebHarnessConfig;
  /**
   * TFLite latency jobs through TFLite's own benchmark_model, without an app (tflite-benchmark-job.ts). On when this
   * is given or ANDROID_TFLITE_BENCHMARK_BINARY is set; the binary path defaults to that variable.
   */
  tfliteBenchmark?: TfliteBenchmarkConfig;
  health?: Partial<AndroidHealthLimits> & { intervalMs?: number };
  /** telemetry sampling during a job; default 5000 ms */
  telemetryIntervalMs?: number;
  /** the phone's CPU load during a job (phone-load.ts → environment.hostLoad); default 1000 ms */
  loadIntervalMs?: number;
}

/** Where a feature replay on this device takes its frames from (docs/android-native-harness.md). */
export function featureCameraFor(device: Pick<DeviceRegistration, 'attributes'>, native: Pick<NativeHarnessConfig, 'emulatorCamera'>): 'appium-injection' | 'file' {
  return device.attributes['emulator'] === true ? (native.emulatorCamera ?? 'appium-injection') : 'file';
}

const serialOf = (d: DeviceRegistration): string => String(d.attributes['serial'] ?? d.localKey.replace(/^android:/, ''));

/**
 * Android phones through WebdriverIO → Appium UiAutomator2; models run in Chrome (web harness) or the team's app, and
 * TFLite latency jobs through TFLite's benchmark_model when it is configured.
 */
export class AndroidDriver implements DeviceDriver {
  readonly kind = 'android';
  readonly #opts: AndroidDriverOptions;
  readonly #adb: Adb | null;
  readonly #limits: AndroidHealthLimits;
  readonly #health = new Map<string, HealthReport>();
  readonly #probing = new Map<string, Promise<HealthReport>>();
  readonly #installed = new Set<string>();
  readonly #sessions = new Set<AndroidSession>();
  #server: Promise<HarnessServer> | undefined;

  constructor(opts: AndroidDriverOptions) {
    this.#opts = opts;
    this.#adb = opts.adb === false ? null : new Adb(opts.adb ?? {});
    this.#limits = {
      minBatteryPct: opts.health?.minBatteryPct ?? 20,
      maxBatteryTempC: opts.health?.maxBatteryTempC ?? 40,
      maxThermalStatus: opts.health?.maxThermalStatus ?? 1,
      cooldownMaxMs: opts.health?.cooldownMaxMs ?? 5 * 60_000,
      cooldownPollMs: opts.health?.cooldownPollMs ?? 15_000,
    };
  }

  discover(): Promise<DeviceRegistration[]> {
    return discoverAndroid(this.#adb, {
      configured: this.#opts.devices ?? [],
      discoverAttached: this.#opts.discoverAttached ?? true,
      defaultTier: this.#opts.defaultTier ?? 'mid',
      defaultHarness: this.#opts.harness ?? 'web',
      nativeRuntimes: this.#opts.native?.runtimes ?? ['tflite', 'onnxruntime-android'],
      ...(this.#benchmarkModel() ? { benchmarkModel: this.#benchmarkModelState() } : {}),
    });
  }

  /**
   * Cheap for the heartbeat: answers the last probe's report and starts a new probe (an Appium session
   * plus a telemetry read) in the background when the last one is older than `health.intervalMs`.
   */
  async healthCheck(device: DeviceRegistration): Promise<HealthReport> {
    const serial = serialOf(device);
    const last = this.#health.get(serial);
    const stale = !last || Date.now() - (last.checkedAt ?? 0) >= (this.#opts.health?.intervalMs ?? 60_000);
    if (stale && !this.#probing.has(serial)) {
      const probe = this.#probe(serial).finally(() => this.#probing.delete(serial));
      this.#probing.set(serial, probe);
    }
    // checkedAt 0: not probed yet, which must not count as a failed check
    return last ?? { ok: false, reason: 'first health check still running (opening an Appium session)', checkedAt: 0 };
  }

  /** Waits for the probe in flight (or starts one); for callers that need a fresh answer. */
  async checkNow(device: DeviceRegistration): Promise<HealthReport> {
    const serial = serialOf(device);
    const running = this.#probing.get(serial);
    if (running) return running;
    const probe = this.#probe(serial).finally(() => this.#probing.delete(serial));
    this.#probing.set(serial, probe);
    return probe;
  }

  /** Before a job: a session opens, battery is high enough, and the phone is cool (waiting up to the limit). */
  async preJobCheck(device: DeviceRegistration, signal: AbortSignal): Promise<HealthReport> {
    return this.#checkThroughSession(serialOf(device), (session) =>
      waitForCooldown(() => readTelemetry((c, a) => session.shell(c, a)), this.#limits, signal),
    );
  }

  async run(device: DeviceRegistration, job: DriverJob, signal: AbortSignal): Promise<DriverResult> {
    const startMs = epochNow();
    const serial = serialOf(device);
    const harness = device.attributes['harness'] === 'native' ? 'native' : 'web';
    const bm = this.#benchmarkModel();
    // settings.runtimes, when given, chooses: only a list naming tflite/benchmark_model sends the job there
    const wanted = !job.settings.runtimes || job.settings.runtimes.includes(BENCHMARK_MODEL_RUNTIME);
    if (bm && wanted && job.model.format === 'tflite' && job.benchmark === 'latency') return this.#runBenchmarkModel(device, serial, job, bm, signal, startMs);
    if (harness === 'web') return this.#runWeb(serial, job, signal, startMs);
    const native = this.#opts.native;
    if (!native) throw new DriverError('unsupported', `device ${serial} is set to the native harness but the driver has no native app configured`);

    const injectCamera = job.benchmark === 'feature' && featureCameraFor(device, native) === 'appium-injection';
    const capabilities = injectCamera && native.injectedImageProperties ? { 'appium:injectedImageProperties': native.injectedImageProperties } : undefined;
    const session = await this.#open(serial, undefined, capabilities).catch((err: unknown) => {
      throw new DriverError('failed', `Appium could not open a session on ${serial}: ${appiumReason(err)}`);
    });
    if (job.benchmark === 'feature') {
      // the feature build's APK replaces the configured app: install that again before the next benchmark
      this.#installed.delete(serial);
      const camera = injectCamera ? { camera: { inject: (png: string) => session.injectCameraImage(png) } } : {};
      return runNativeFeatureJob(session.asDeviceShell(), job, native, signal, { device, serial, ...camera }).finally(() => this.#close(session));
    }
    const sampler = new TelemetrySampler((c, a) => session.shell(c, a), this.#opts.telemetryIntervalMs ?? 5000);
    const load = this.#phoneLoad((c, a) => session.shell(c, a), 'Appium mobile: shell', [native.package, `${native.package}:*`], "from the app's `am start` to its result in the agent's hands");
    try {
      const shell = markAtAmStart(session.asDeviceShell(), load);
      const appShared = native.apkPath !== undefined && this.#installed.has(serial);
      if (native.apkPath && !this.#installed.has(serial)) {
        await shell.install(native.apkPath);
        this.#installed.add(serial);
      }
      sampler.start();
      load.start();
      const { result, summary, rawSamples } = await runNativeJob(shell, job, native, signal);
      const measuredEndMs = epochNow();
      await load.mark('end');
      const telemetry = summarizeTelemetry(await sampler.stop());
      const phone = await load.finish(job.benchmark);
      const s = job.settings;
      const environment: ResultEnvironment = {
        runtime: result.runtime,
        runtimeVersion: result.runtimeVersion,
        executionProvider: result.executionProvider,
        threads: result.threads,
        graphOptimization: typeof result.extra['graphOptimization'] === 'string' ? result.extra['graphOptimization'] : 'app-defined',
        ...measurementSettings(s),
        inputShapes: s.inputShapes,
        thermalState: telemetry.thermalState,
        ...(Object.keys(telemetry.temperaturesC).length ? { temperaturesC: telemetry.temperaturesC } : {}),
        os: `Android ${String(device.osVersion ?? 'unknown')} (SDK ${String(device.attributes['sdk'] ?? '?')})`,
        cpu: [device.soc, device.attributes['abi']].filter(Boolean).join(' ') || 'unknown',
        ...phone.environment,
        extra: { harness: 'native', app: native.package, serial, telemetry: telemetry.telemetry, appExtra: result.extra, ...phone.extra },
      };
      environment.timing = androidTiming(job, summary, {
        startMs,
        endMs: epochNow(),
        teardownMs: epochNow() - measuredEndMs,
        shared: appShared ? ['the native app, installed on the phone by an earlier job'] : [],
        method: "agent clock from AndroidDriver.run to the result in hand (the Appium session closes after); warmup and measurement as the app reported them; teardown = the app's result → telemetry and load reads; setup = the rest (session, install, am start, model load)",
      });
      return { summary, rawSamples, environment };
    } finally {
      await sampler.stop();
      await load.stop();
      await this.#close(session);
    }
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.#sessions].map((s) => this.#close(s)));
    await Promise.allSettled([...this.#probing.values()]);
    const server = this.#server;
    this.#server = undefined;
    if (server) await (await server).close();
  }

  /** The harness server the phones' Chrome reaches through `adb reverse` (same port on both ends). */
  harnessServer(): Promise<HarnessServer> {
    this.#server ??= startHarnessServer({ host: '127.0.0.1', port: this.#opts.web?.port ?? 0 });
    return this.#server;
  }

  async #runWeb(serial: string, job: DriverJob, signal: AbortSignal, startMs: number): Promise<DriverResult> {
    if (job.benchmark === 'feature') throw new DriverError('unsupported', 'feature replays in Chrome on Android are not supported (a phone has no replayable camera)');
    const adb = this.#adb;
    if (!adb) throw new DriverError('unsupported', 'the web harness needs the host adb (adb reverse); the driver runs with adb disabled');
    const server = await this.harnessServer();
    const port = Number(new URL(server.url).port);
    await adb.reverse(serial, port).catch((err: unknown) => {
      throw new DriverError('failed', `adb reverse tcp:${port} on ${serial} failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    });
    const phone = adb.forSerial(serial);
    const sampler = new TelemetrySampler((c, a) => phone.shell(c, a), this.#opts.telemetryIntervalMs ?? 5000);
    const window = "from the Chrome session being ready to its closing (harness page load, the page's session creation, warmup, measurement)";
    const load = this.#phoneLoad((c, a) => phone.shell(c, a), 'adb shell', [CHROME_PACKAGE, `${CHROME_PACKAGE}:*`], window);
    const chrome = chromeTarget({
      appium: this.#opts.appium,
      endpointLabel: endpointLabel({ url: this.#opts.appium.url }),
      serial,
      server,
      web: this.#opts.web ?? {},
      forceStopChrome: async () => void (await phone.shell('am', ['force-stop', CHROME_PACKAGE])),
      track: (s) => void this.#sessions.add(s),
      untrack: (s) => this.#close(s),
    });
    try {
      sampler.start();
      load.start();
      let pageTimes: JobTimings | undefined;
      const result = await runHarnessJob(markSession(chrome, load), job, signal, (t) => (pageTimes = t));
      const resultAtMs = epochNow();
      const telemetry = summarizeTelemetry(await sampler.stop());
      const { environment } = result;
      const phoneLoad = await load.finish(job.benchmark);
      const times = pageTimes as JobTimings | undefined;
      const timing = androidTiming(job, result.summary, {
        startMs,
        endMs: epochNow(),
        teardownMs: (times?.teardownMs ?? 0) + (epochNow() - resultAtMs),
        ...(times ? { pageRunMs: times.pageRunMs } : {}),
        shared: [],
        method: "agent clock from AndroidDriver.run to the result in hand; warmup and measurement as the page timed them (accuracy/parity: measured = the page run); teardown = closing Chrome's session, then telemetry and load reads; setup = the rest (adb reverse, session, harness page, the page's session creation)",
      });
      return {
        ...result,
        environment: {
          ...environment,
          thermalState: telemetry.thermalState,
          ...(Object.keys(telemetry.temperaturesC).length ? { temperaturesC: telemetry.temperaturesC } : {}),
          ...phoneLoad.environment,
          extra: { ...environment.extra, telemetry: telemetry.telemetry, ...phoneLoad.extra },
          timing,
        },
      };
    } finally {
      await sampler.stop();
      await load.stop();
      await adb.removeReverse(serial, port);
    }
  }

  /** The benchmark_model settings, when TFLite latency jobs go through it (option given or the variable set). */
  #benchmarkModel(): TfliteBenchmarkConfig | null {
    const env = process.env[BINARY_ENV];
    if (this.#opts.tfliteBenchmark) return { ...(env ? { binaryPath: env } : {}), ...this.#opts.tfliteBenchmark };
    return env ? { binaryPath: env } : null;
  }

  #benchmarkModelState(): string {
    const path = this.#benchmarkModel()?.binaryPath;
    if (!path) return `${BINARY_ENV} is not set`;
    return existsSync(path) ? 'ready' : `${BINARY_ENV}=${path}: no such file on the agent's host`;
  }

  /** TFLite latency through benchmark_model: the host's adb when there is one, else Appium's shell. */
  async #runBenchmarkModel(device: DeviceRegistration, serial: string, job: DriverJob, cfg: TfliteBenchmarkConfig, signal: AbortSignal, startMs: number): Promise<DriverResult> {
    let session: AndroidSession | undefined;
    let shell: DeviceShell;
    if (this.#adb) shell = this.#adb.forSerial(serial);
    else {
      session = await this.#open(serial).catch((err: unknown) => {
        throw new DriverError('failed', `Appium could not open a session on ${serial}: ${appiumReason(err)}`);
      });
      shell = session.asDeviceShell();
    }
    const sampler = new TelemetrySampler((c, a) => shell.shell(c, a), this.#opts.telemetryIntervalMs ?? 5000);
    const window = "the benchmark_model runs: the reference run, then the sample rounds, each its own process (a round's CPU after the last sample that saw it counts as other work)";
    const load = this.#phoneLoad((c, a) => shell.shell(c, a), session ? 'Appium mobile: shell' : 'adb shell', ['benchmark_model'], window);
    try {
      sampler.start();
      load.start();
      const outcome = await runTfliteBenchmarkJob(shell, job, cfg, signal, { beforeMeasure: () => load.mark('start') });
      const roundsEndMs = epochNow();
      await load.mark('end');
      const telemetry = summarizeTelemetry(await sampler.stop());
      const phone = await load.finish(job.benchmark);
      const s = job.settings;
      const environment: ResultEnvironment = {
        runtime: 'tflite',
        runtimeVersion: cfg.version ?? 'unknown (benchmark_model does not print it; see extra.benchmarkModel.binarySha256)',
        executionProvider: outcome.delegate.applied,
        threads: s.threads,
        graphOptimization: 'tflite-runtime-default',
        ...measurementSettings(s),
        inputSource: 'benchmark_model random inputs',
        inputShapes: outcome.shapes,
        thermalState: telemetry.thermalState,
        ...(Object.keys(telemetry.temperaturesC).length ? { temperaturesC: telemetry.temperaturesC } : {}),
        os: `Android ${String(device.osVersion ?? 'unknown')} (SDK ${String(device.attributes['sdk'] ?? '?')})`,
        cpu: [device.soc, device.attributes['abi']].filter(Boolean).join(' ') || 'unknown',
        ...phone.environment,
        extra: { harness: 'benchmark_model', serial, telemetry: telemetry.telemetry, ...outcome.extra, ...phone.extra },
      };
      const pushed = (outcome.extra['benchmarkModel'] as { binaryPushed?: boolean } | undefined)?.binaryPushed;
      environment.timing = androidTiming(job, outcome.summary, {
        startMs,
        endMs: epochNow(),
        teardownMs: epochNow() - roundsEndMs,
        shared: pushed === false ? ['the benchmark_model binary, already on the phone (same bytes)'] : [],
        method: "agent clock from AndroidDriver.run to the result in hand; warmup and measurement as benchmark_model reported them, summed over its rounds; teardown = the last round → telemetry and load reads; setup = the rest (pushes, each round's process start and model init, the reference run)",
      });
      return { summary: outcome.summary, rawSamples: outcome.rawSamples, environment };
    } finally {
      await sampler.stop();
      await load.stop();
      if (session) await this.#close(session);
    }
  }

  /** The phone's CPU load during a job, through the shell the job uses (phone-load.ts). */
  #phoneLoad(shell: Shell, via: string, processes: string[], window: string): PhoneLoadSampler {
    return new PhoneLoadSampler({ shell, via, processes, window, intervalMs: this.#opts.loadIntervalMs ?? 1000 });
  }

  #probe(serial: string): Promise<HealthReport> {
    return this.#checkThroughSession(serial, async (session) => evaluateHealth(await readTelemetry((c, a) => session.shell(c, a)), this.#limits));
  }

  /** A health check that needs a session: a session Appium cannot open is itself the (unhealthy) report. */
  async #checkThroughSession(serial: string, check: (session: AndroidSession) => Promise<HealthReport>): Promise<HealthReport> {
    let session: AndroidSession;
    try {
      session = await this.#open(serial);
    } catch (err) {
      return this.#remember(serial, { ok: false, reason: `Appium could not open a session on ${serial}: ${appiumReason(err)}` });
    }
    try {
      return this.#remember(serial, await check(session));
    } finally {
      await this.#close(session);
    }
  }

  #remember(serial: string, report: HealthReport): HealthReport {
    const stamped = { ...report, checkedAt: Date.now() };
    this.#health.set(serial, stamped);
    return stamped;
  }

  async #open(serial: string, browserName?: string, capabilities?: Record<string, unknown>): Promise<AndroidSession> {
    const session = await AndroidSession.open(this.#opts.appium, { serial, ...(browserName ? { browserName } : {}), ...(capabilities ? { capabilities } : {}) });
    this.#sessions.add(session);
    return session;
  }

  async #close(session: AndroidSession): Promise<void> {
    if (!this.#sessions.delete(session)) return;
    await session.close();
  }
}
