/**
 * The feature harness page's script (served as /harness/feature.js): imports a feature bundle, opens
 * the camera, and for each frame it gets (requestVideoFrameCallback): copies its pixels (frame-grab.ts), reads the
 * scenario frame index from the frame code, hides the code, calls the feature's process(), validates
 * and records the result. Answers through `window.edgeproofFeatureHarness.run(spec)`.
 */
import * as ort from 'onnxruntime-web';
import { decodeFrameIndex, decodeFrameIndexI420, maskFrameCode, maskFrameCodeI420 } from '@edgeproof/scenes/frame-code';
import { checkFeatureResult } from '../feature-result.ts';
import { featureLiteRtLoader } from './feature-litert.ts';
import { createFrameGrabber, type FrameGrabber } from './frame-grab.ts';
import { FEATURE_HARNESS_GLOBAL, type FeatureFrameOut, type FeatureHarnessErrorCode, type FeatureHarnessResult, type FeatureHarnessSpec, type FeatureHarnessSuccess } from '../feature-protocol.ts';

class Failure extends Error {
  constructor(
    readonly code: FeatureHarnessErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface FeatureLike {
  init(o: unknown): Promise<void>;
  process(f: unknown): Promise<unknown>;
  dispose(): unknown;
}

const describe = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Failure('timeout', `${what} did not resolve within ${ms / 1000}s`)), ms);
    }),
  ]);
}

type FrameMeta = { captureTime?: number };
type VideoWithRvfc = HTMLVideoElement & { requestVideoFrameCallback(cb: (now: number, meta: FrameMeta) => void): number };

function nextFrame(video: VideoWithRvfc): Promise<{ now: number; meta: FrameMeta }> {
  return new Promise((resolve) => video.requestVideoFrameCallback((now, meta) => resolve({ now, meta })));
}

async function loadFeature(url: string): Promise<FeatureLike> {
  let mod: Partial<FeatureLike>;
  try {
    mod = (await import(/* @vite-ignore */ url)) as Partial<FeatureLike>;
  } catch (e) {
    throw new Failure('invalid_feature', `the feature bundle does not load as an ES module: ${describe(e)}`);
  }
  const missing = (['init', 'process', 'dispose'] as const).filter((k) => typeof mod[k] !== 'function');
  if (missing.length) throw new Failure('invalid_feature', `the feature bundle does not export ${missing.map((m) => `${m}()`).join(', ')}`);
  return mod as FeatureLike;
}

async function openCamera(spec: FeatureHarnessSpec): Promise<{ video: VideoWithRvfc; stream: MediaStream }> {
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: spec.width, height: spec.height }, audio: false });
  } catch (e) {
    throw new Failure('unsupported', `no camera: ${describe(e)}`);
  }
  const video = document.createElement('video') as VideoWithRvfc;
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  document.body.appendChild(video);
  await within(video.play(), spec.cameraTimeoutMs, 'the camera');
  return { video, stream };
}

async function runSpec(spec: FeatureHarnessSpec): Promise<FeatureHarnessSuccess> {
  if (spec.settings.threads > 1 && !globalThis.crossOriginIsolated) {
    throw new Failure('unsupported', `threads=${spec.settings.threads} needs a cross-origin isolated page`);
  }
  ort.env.wasm.numThreads = spec.settings.threads;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  const feature = await loadFeature(spec.bundleUrl);
  const litert = featureLiteRtLoader(spec.settings.threads);
  const initStart = performance.now();
  try {
    await within(Promise.resolve().then(() => feature.init({ modelUrls: spec.modelUrls, settings: spec.settings, ort, litert: litert.load })), spec.initTimeoutMs, 'feature init()');
  } catch (e) {
    if (e instanceof Failure) throw e;
    throw new Failure('invalid_feature', `feature init() threw: ${describe(e)}`);
  }
  const initMs = performance.now() - initStart;
  const t0 = performance.now();
  const { video, stream } = await openCamera(spec);
  const { width, height } = spec;
  let grabber: FrameGrabber;
  try {
    grabber = await createFrameGrabber(video, width, height, spec.frameFormat);
  } catch (e) {
    throw new Failure('unsupported', `cannot read camera frames: ${describe(e)}`);
  }

  const records: FeatureFrameOut[] = [];
  const harnessMs: number[] = [];
  const processMs: number[] = [];
  const grabMs: number[] = [];
  let undecodable = 0;
  let passComplete = false;
  let captureClock: FeatureHarnessSuccess['captureClock'] = 'presented';
  let last = -1;
  const deadline = spec.maxSeconds === null ? Infinity : t0 + spec.maxSeconds * 1000;
  try {
    for (;;) {
      const { now, meta } = await within(nextFrame(video), spec.cameraTimeoutMs, 'the next camera frame');
      const grabStart = performance.now();
      if (typeof meta.captureTime === 'number') captureClock = 'captureTime';
      const captured = typeof meta.captureTime === 'number' ? meta.captureTime : now;
      // one reused buffer: the feature may read it only until its process() resolves
      const grabbedFrame = await grabber.grab();
      const grabbed = performance.now();
      const { format, data, colorSpace } = grabbedFrame;
      const index = format === 'I420' ? decodeFrameIndexI420(data, width, height) : decodeFrameIndex(data, width, height);
      if (index === null) {
        undecodable++;
        // a camera that never shows the scenario (Chromium fell back to its own test pattern) would loop forever
        if (undecodable > spec.frameCount && records.length === 0) {
          throw new Failure('failed', `${undecodable} camera frames carry no frame-index code: the fake camera is not playing the scenario video`);
        }
        continue;
      }
      if (index < last) {
        passComplete = true;
        break;
      }
      // the same camera frame delivered again is not a new frame
      if (index === last) continue;
      if (format === 'I420') maskFrameCodeI420(data, width, height);
      else maskFrameCode(data, width, height);
      const before = performance.now();
      let raw: unknown;
      try {
        raw = await within(
          Promise.resolve().then(() => feature.process({ format, data, width, height, ...(colorSpace ? { colorSpace } : {}), timestampMs: captured - t0, index })),
          spec.frameTimeoutMs,
          `feature process() on frame ${index}`,
        );
      } catch (e) {
        if (e instanceof Failure) throw e;
        throw new Failure('invalid_feature', `feature process() threw on frame ${index}: ${describe(e)}`);
      }
      const after = performance.now();
      const checked = checkFeatureResult(raw);
      if (!checked.ok) throw new Failure('invalid_feature', `feature process() returned a bad result on frame ${index}: at [${checked.path}] ${checked.message}`);
      records.push({ index, captureMs: Math.max(0, Math.min(captured, grabStart) - t0), resultMs: after - t0, tracks: checked.tracks as FeatureFrameOut['tracks'] });
      last = index;
      processMs.push(after - before);
      grabMs.push(grabbed - grabStart);
      harnessMs.push(before - grabStart + (performance.now() - after));
      if (index >= spec.frameCount - 1) {
        passComplete = true;
        break;
      }
      if (performance.now() > deadline) break;
    }
  } finally {
    for (const t of stream.getTracks()) t.stop();
    await within(Promise.resolve().then(() => feature.dispose()), spec.initTimeoutMs, 'feature dispose()').catch(() => {});
  }
  const lrt = litert.loaded();
  return {
    ok: true,
    runtimeVersion: ort.env.versions.web ?? ort.env.versions.common,
    ...(lrt ? { litertVersion: lrt.version } : {}),
    threads: ort.env.wasm.numThreads ?? spec.settings.threads,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    captureClock,
    grabMethod: grabber.method,
    records,
    undecodableFrames: undecodable,
    passComplete,
    harnessMs,
    grabMs,
    processMs,
    initMs,
    userAgent: navigator.userAgent,
  };
}

let used = false;

async function run(spec: FeatureHarnessSpec): Promise<FeatureHarnessResult> {
  try {
    if (used) throw new Failure('failed', 'the feature harness page runs one replay per load; reload it first');
    used = true;
    return await runSpec(spec);
  } catch (e) {
    const code = e instanceof Failure ? e.code : 'failed';
    return { ok: false, failure: { code, message: e instanceof Failure ? e.message : describe(e) } };
  }
}

(globalThis as Record<string, unknown>)[FEATURE_HARNESS_GLOBAL] = { ready: true, run };
