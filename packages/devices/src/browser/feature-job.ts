import os from 'node:os';
import { copyFile, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FEATURE_HARNESS_GLOBAL, type FeatureHarnessResult, type FeatureHarnessSpec, type FeatureHarnessSuccess } from '@edgeproof/harness-web';
import { jobDeadline } from '../web-harness/job-deadline.ts';
import { DriverError, type DriverJob, type DriverResult } from '../driver.ts';
import { HostCostSampler } from '../feature/host-cost.ts';
import { featureRunSettings } from '../feature/run-settings.ts';
import { featureResult } from '../feature/summary.ts';
import { endpointLabel } from '../web-harness/chromium.ts';
import { findProcesses } from '../web-harness/processes.ts';
import type { SlotContext } from './run-job.ts';
import { closeSession, openSession, type BrowserSession } from './session.ts';

const READY = `return !!(window.${FEATURE_HARNESS_GLOBAL} && window.${FEATURE_HARNESS_GLOBAL}.ready === true);`;
const RUN = `
const done = arguments[arguments.length - 1];
window.${FEATURE_HARNESS_GLOBAL}.run(arguments[0]).then(done, (e) => done({ ok: false, failure: { code: 'failed', message: String(e && e.message || e) } }));
`;
const PAGE_READY_TIMEOUT_MS = 30_000;
const CAMERA_TIMEOUT_MS = 15_000;

/** Chromium plays the scenario's Y4M, looped, as the camera; the page may open it without a prompt. */
export function fakeCameraArgs(videoPath: string): string[] {
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${videoPath}`, '--autoplay-policy=no-user-gesture-required'];
}

/**
 * Chromium picks the fake camera's file format by its extension; artifact caches name files by hash.
 * Gives the video a `.y4m` name (a symlink, or a copy where links fail) in a fresh folder under `root`.
 */
async function y4mFile(file: string, root: string): Promise<{ path: string; remove(): Promise<void> }> {
  // Chromium needs an absolute path, and a relative symlink target would resolve against the link's folder
  const videoPath = resolve(file);
  if (videoPath.endsWith('.y4m')) return { path: videoPath, remove: async () => {} };
  const dir = await mkdtemp(join(root, 'edgeproof-scene-'));
  const path = join(dir, 'scene.y4m');
  await symlink(videoPath, path).catch(() => copyFile(videoPath, path));
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Per-frame harness overhead of the last replay (bench/feature-harness-overhead.ts reads it). */
export interface FeatureReplayTimings {
  harnessMs: number[];
  grabMs: number[];
  processMs: number[];
  initMs: number;
  grabMethod: FeatureHarnessSuccess['grabMethod'];
}

const FAILURE_CODES = { invalid_feature: 'invalid_model', timeout: 'timeout', unsupported: 'unsupported', failed: 'failed' } as const;

/**
 * A feature replay on one browser slot: a session whose fake camera plays the scenario, the feature
 * harness page running the bundle on every camera frame it can take for one pass of the scenario,
 * host cost sampled meanwhile, and the result scored against the ground truth. The session is torn
 * down whatever happened; a bundle that hangs the page is cut off by the job's timeout.
 */
export async function runBrowserFeatureJob(ctx: SlotContext, job: DriverJob, signal: AbortSignal, onTimings?: (t: FeatureReplayTimings) => void): Promise<DriverResult> {
  const { feature, scenario } = job;
  if (!feature || !scenario) throw new DriverError('invalid_input', 'a feature job needs a feature build and a scenario');
  if (feature.platform !== 'web') throw new DriverError('unsupported', `browser devices run web feature builds, not ${feature.platform}`);
  const run = featureRunSettings(job);
  const m = scenario.manifest;
  const timeoutMs = job.settings.timeoutSeconds * 1000;
  const deadline = jobDeadline(signal, job.settings.timeoutSeconds, 'feature replay');
  const { stopped } = deadline;

  const hosted = ctx.server.hostFiles({
    'feature.js': { path: feature.path, type: 'text/javascript; charset=utf-8' },
    ...Object.fromEntries(Object.entries(feature.models).map(([key, model]) => [modelFileName(key, model.format), { path: model.path, type: 'application/octet-stream' }])),
  });
  const video = await y4mFile(scenario.videoPath, ctx.opts.profileRoot);
  const opts = { ...ctx.opts, browserArgs: [...ctx.opts.browserArgs, ...fakeCameraArgs(video.path)] };
  let session: BrowserSession | undefined;
  let answered = false;
  let sampler: HostCostSampler | undefined;
  try {
    session = await Promise.race([openSession(opts, { slotName: ctx.slotName, chromedriverPort: ctx.chromedriverPort, commandTimeoutMs: timeoutMs + 60_000 }), stopped]).catch(
      (err: unknown) => {
        throw err instanceof DriverError ? err : new DriverError('failed', `could not open a browser session at ${endpointLabel(opts.endpoint)}: ${messageOf(err)}`);
      },
    );
    const browser = session.browser;
    await Promise.race([browser.url(ctx.server.featurePageUrl(opts.executionProvider)), stopped]);
    const loadStart = performance.now();
    while (!(await Promise.race([browser.execute(READY), stopped]))) {
      if (performance.now() - loadStart > PAGE_READY_TIMEOUT_MS) throw new DriverError('failed', 'the feature harness page did not become ready');
      await new Promise((r) => setTimeout(r, 50));
    }
    await browser.setTimeout({ script: Math.max(1000, timeoutMs) });
    const profileDir = session.profileDir;
    sampler = new HostCostSampler({
      intervalMs: run.sampleIntervalMs,
      rootPids: async () =>
        opts.cleanupLocalProcesses ? (await findProcesses([`--user-data-dir=${profileDir}`])).filter((p) => !p.cmdline.includes('--type=')).map((p) => p.pid) : [],
    });
    await sampler.start();
    const spec: FeatureHarnessSpec = {
      bundleUrl: hosted.urls['feature.js'] as string,
      modelUrls: Object.fromEntries(Object.entries(feature.models).map(([key, model]) => [key, hosted.urls[modelFileName(key, model.format)] as string])),
      settings: { processEveryK: run.processEveryK, detectionInterval: run.detectionInterval, threads: job.settings.threads },
      frameCount: m.frameCount,
      width: m.width,
      height: m.height,
      maxSeconds: run.maxSeconds ?? null,
      initTimeoutMs: run.initTimeoutSeconds * 1000,
      frameTimeoutMs: run.frameTimeoutSeconds * 1000,
      cameraTimeoutMs: CAMERA_TIMEOUT_MS,
      frameFormat: run.frameFormat,
    };
    const answer = (await Promise.race([browser.executeAsync(RUN, spec), stopped])) as FeatureHarnessResult;
    answered = true;
    await sampler.stop();
    if (!answer.ok) throw new DriverError(FAILURE_CODES[answer.failure.code] ?? 'failed', `feature ${feature.name}@${feature.version}: ${answer.failure.message}`);
    onTimings?.({ harnessMs: answer.harnessMs, grabMs: answer.grabMs, processMs: answer.processMs, initMs: answer.initMs, grabMethod: answer.grabMethod });
    if (answer.records.length === 0) throw new DriverError('failed', `no camera frame with a readable frame code (${answer.undecodableFrames} unreadable)`);
    return featureResult({
      feature: { name: feature.name, version: feature.version, sha256: feature.sha256, platform: feature.platform },
      manifest: m,
      groundTruthText: await readFile(scenario.groundTruthPath, 'utf8'),
      settings: spec.settings,
      run,
      records: answer.records,
      undecodableFrames: answer.undecodableFrames,
      passComplete: answer.passComplete,
      cost: { samples: sampler.samples, sources: { ...sampler.sources, battery: 'unavailable (host)' }, intervalMs: run.sampleIntervalMs, energyRangeUj: sampler.energyRangeUj },
      environment: environmentOf(answer, session, endpointLabel(opts.endpoint)),
    });
  } catch (err) {
    if (err instanceof DriverError) throw err;
    if (deadline.signal.aborted) throw deadline.signal.reason as Error;
    throw new DriverError('failed', `browser session error: ${messageOf(err)}`, { cause: err });
  } finally {
    deadline.finish();
    await sampler?.stop().catch(() => {});
    hosted.remove();
    if (session) await closeSession(opts, session, { browserFirst: !answered });
    await video.remove();
  }
}

/** a pinned model's served name: key.onnx, or key.tflite for a TFLite model (the bundle loads it with LiteRT.js) */
const modelFileName = (key: string, format: 'onnx' | 'tflite' | undefined) => `${key}.${format ?? 'onnx'}`;

function environmentOf(a: FeatureHarnessSuccess, s: BrowserSession, endpoint: string) {
  return {
    // a bundle that loaded LiteRT.js (a pinned TFLite model) ran on it; the page hands every bundle onnxruntime-web too
    runtime: a.litertVersion ? 'litert' : 'onnxruntime-web',
    runtimeVersion: a.litertVersion ?? a.runtimeVersion,
    executionProvider: 'wasm',
    thermalState: 'unavailable',
    os: `${os.type()} ${os.release()}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    extra: { browserVersion: s.browserVersion, userAgent: a.userAgent, endpoint, captureClock: a.captureClock, grabMethod: a.grabMethod, crossOriginIsolated: a.crossOriginIsolated, featureInitMs: a.initMs, onnxruntimeWebVersion: a.runtimeVersion, ...(a.litertVersion ? { litertVersion: a.litertVersion } : {}) },
  };
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 1000) ?? '';
}
