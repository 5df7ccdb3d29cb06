/**
 * What the agent asks the feature harness page (/harness/feature.html) to do and what it answers,
 * through WebDriver `executeAsync`. The page plays the browser's camera (Chromium's fake capture
 * fed with the scenario's Y4M) through a feature bundle for one pass of the scenario.
 */

export interface FeatureHarnessSpec {
  /** the feature bundle (same origin as the page) */
  bundleUrl: string;
  /** model key → URL on the harness server */
  modelUrls: Record<string, string>;
  settings: { processEveryK: number; detectionInterval: number; threads: number };
  /** the scenario: the pass ends after frameCount − 1 or when the camera loops */
  frameCount: number;
  width: number;
  height: number;
  /** stop after this long even when the pass is not complete (null: one full pass) */
  maxSeconds: number | null;
  initTimeoutMs: number;
  frameTimeoutMs: number;
  /** 'camera': the camera's I420 planes where the browser gives them, RGBA otherwise; 'RGBA': always RGBA, converted by the browser */
  frameFormat: 'camera' | 'RGBA';
  /** how long to wait for the camera's first frame */
  cameraTimeoutMs: number;
}

export interface FeatureFrameOut {
  /** 0-based scenario frame index decoded from the frame code */
  index: number;
  /** ms since the replay started (page performance.now clock) */
  captureMs: number;
  resultMs: number;
  tracks: Array<{ id: number; bbox: [number, number, number, number]; label: string; score: number }>;
}

export interface FeatureHarnessSuccess {
  ok: true;
  /** onnxruntime-web's version (handed to every bundle as `ort`) */
  runtimeVersion: string;
  /** present when the bundle loaded LiteRT.js through init's `litert()` (a pinned TFLite model) */
  litertVersion?: string;
  threads: number;
  crossOriginIsolated: boolean;
  /** the camera frame's capture time came from requestVideoFrameCallback metadata.captureTime, or its presentation time */
  captureClock: 'captureTime' | 'presented';
  /** how the page read the frames' pixels (page/frame-grab.ts): the camera's I420 planes copied, converted to RGBA by VideoFrame.copyTo, or drawn to a canvas */
  grabMethod: 'videoframe-i420' | 'videoframe-rgba' | 'canvas';
  records: FeatureFrameOut[];
  /** camera frames whose frame code could not be read (not processed) */
  undecodableFrames: number;
  /** the pass reached the last scenario frame or the camera looped */
  passComplete: boolean;
  /** per processed frame, ms: the harness's own work (grab, decode, mask, validate and record) and the feature's process() */
  harnessMs: number[];
  /** the part of harnessMs spent reading the frame's pixels back (see grabMethod) */
  grabMs: number[];
  processMs: number[];
  initMs: number;
  userAgent: string;
}

export type FeatureHarnessErrorCode = 'invalid_feature' | 'timeout' | 'unsupported' | 'failed';

export interface FeatureHarnessFailure {
  ok: false;
  failure: { code: FeatureHarnessErrorCode; message: string };
}

export type FeatureHarnessResult = FeatureHarnessSuccess | FeatureHarnessFailure;

export const FEATURE_HARNESS_GLOBAL = 'edgeproofFeatureHarness';
