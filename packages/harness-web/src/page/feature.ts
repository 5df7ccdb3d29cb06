/**
 * The feature harness page's script (served as /harness/feature.js): starts the feature bundle in a
 * worker of its own (feature-realm.ts), opens the camera, and for each frame it gets
 * (requestVideoFrameCallback): copies its pixels (frame-grab.ts), reads the scenario frame index from
 * the frame code, hides the code, has the worker call the feature's process(), validates and records
 * the result. Every time is taken here, in a realm the bundle cannot reach. Answers through
 * `window.edgeproofFeatureHarness.run(spec)`.
 */
import { decodeFrameIndex, decodeFrameIndexI420, maskFrameCode, maskFrameCodeI420 } from '@edgeproof/scenes/frame-code';
import { checkFeatureResult } from '../feature-result.ts';
import type { RealmReply, RealmRequest, RealmVersions } from './feature-realm-protocol.ts';
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

type RealmCall = RealmRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The feature's worker: requests out, replies in by id; a reply's failure is the bundle's. */
class FeatureRealm {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 1;
  readonly ready: Promise<unknown>;

  constructor(url: string) {
    this.#worker = new Worker(url, { type: 'module' });
    this.ready = new Promise((resolve, reject) => this.#pending.set(0, { resolve, reject }));
    this.#worker.onmessage = (event: MessageEvent<RealmReply>) => {
      const r = event.data;
      const waiting = this.#pending.get(r?.id);
      if (!waiting) return;
      this.#pending.delete(r.id);
      if (r.ok) waiting.resolve(r.value);
      else waiting.reject(new Failure(r.code, r.message));
    };
    this.#worker.onerror = (event) => {
      // before it is ready only: the worker script itself did not load. Later, an error the bundle
      // leaves uncaught (in a timer, say) is its own business, as it would be in an app.
      const starting = this.#pending.get(0);
      if (!starting) return;
      event.preventDefault();
      this.#pending.delete(0);
      starting.reject(new Failure('failed', `the feature worker did not start: ${event.message || 'script error'}`));
    };
  }

  call(req: RealmCall): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...req, id });
    });
  }

  terminate(): void {
    this.#worker.terminate();
    for (const p of this.#pending.values()) p.reject(new Failure('failed', 'the feature worker was stopped'));
    this.#pending.clear();
  }
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
  const ep = new URLSearchParams(location.search).get('ep') === 'webgpu' ? 'webgpu' : 'wasm';
  const realm = new FeatureRealm(`/harness/feature-realm.js?ep=${ep}`);
  try {
    return await measure(spec, realm);
  } finally {
    realm.terminate();
  }
}

async function measure(spec: FeatureHarnessSpec, realm: FeatureRealm): Promise<FeatureHarnessSuccess> {
  await within(realm.ready, spec.initTimeoutMs, 'the feature worker');
  await within(realm.call({ type: 'load', bundleUrl: spec.bundleUrl, threads: spec.settings.threads }), spec.initTimeoutMs, 'loading the feature bundle');
  const initStart = performance.now();
  await within(realm.call({ type: 'init', modelUrls: spec.modelUrls, settings: spec.settings }), spec.initTimeoutMs, 'feature init()');
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
      // the frame is copied into the worker (the buffer is reused for the next frame)
      const raw = await within(
        realm.call({ type: 'process', frame: { format, data, width, height, ...(colorSpace ? { colorSpace } : {}), timestampMs: captured - t0, index } }),
        spec.frameTimeoutMs,
        `feature process() on frame ${index}`,
      );
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
    await within(realm.call({ type: 'dispose' }), spec.initTimeoutMs, 'feature dispose()').catch(() => {});
  }
  const versions = (await within(realm.call({ type: 'versions' }), spec.initTimeoutMs, 'the feature worker')) as RealmVersions;
  return {
    ok: true,
    runtimeVersion: versions.runtimeVersion,
    ...(versions.litertVersion ? { litertVersion: versions.litertVersion } : {}),
    threads: versions.threads ?? spec.settings.threads,
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
