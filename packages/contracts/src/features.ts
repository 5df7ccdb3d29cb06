import { z } from 'zod';

/**
 * The camera-feature contract: a feature build for the web is one ES module (browser-loadable, no
 * imports) exporting `init`, `process` and `dispose`. The harness owns the runtime and passes its
 * onnxruntime instance (onnxruntime-web in a browser, onnxruntime-node or -web in Node) to `init`.
 *
 *   await feature.init({ modelUrls: { detector: 'https://…/detector.onnx' }, settings, ort });
 *   const tracks = await feature.process({ format, data, width, height, colorSpace, timestampMs, index });
 *   await feature.dispose();
 *
 * `process` is called once per camera frame, never concurrently, and returns what the app would show
 * for that frame. Frames it skips (see `processEveryK`) get its previous answer again.
 */

/** Knobs a team tunes; every feature must accept them (and may ignore what does not apply). */
export const FeatureSettings = z.strictObject({
  /** do pixel work on every k-th call of `process` (calls 0, k, 2k, …); 1 = every frame */
  processEveryK: z.number().int().min(1).max(1000).default(1),
  /** among processed frames, run the detector every n-th and only track (predict) in between */
  detectionInterval: z.number().int().min(1).max(1000).default(1),
  /** intra-op threads of the inference runtime */
  threads: z.number().int().min(1).max(64).default(1),
});
export type FeatureSettings = z.infer<typeof FeatureSettings>;
export type FeatureSettingsInput = z.input<typeof FeatureSettings>;

/** One tracked object in one frame; bbox is [x, y, w, h] in frame pixels, (x, y) the top-left corner. */
export const FeatureTrack = z.strictObject({
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  bbox: z.tuple([z.number().finite(), z.number().finite(), z.number().finite().nonnegative(), z.number().finite().nonnegative()]),
  label: z.string().max(200),
  score: z.number().min(0).max(1),
});
export type FeatureTrack = z.infer<typeof FeatureTrack>;

/** What `process` resolves to; harnesses validate it and fail the job with the issue path otherwise. */
export const FeatureResult = z.array(FeatureTrack).max(10_000);
export type FeatureResult = z.infer<typeof FeatureResult>;

/** Pixel layouts a harness hands to `process`. */
export type FeatureFrameFormat = 'I420' | 'RGBA';

export interface FeatureFrame {
  /**
   * `I420` (what cameras deliver; the browser harness's normal case): the Y plane (width × height),
   * then the U and V planes (ceil(width/2) × ceil(height/2) each), tightly packed, in `colorSpace`.
   * `RGBA` (harnesses on browsers that cannot hand out the camera's planes): 4 bytes per pixel, sRGB.
   */
  format: FeatureFrameFormat;
  /** the pixels, row-major; the harness reuses this buffer, so it is valid only until `process` resolves (copy what must outlive the call) */
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** I420 only: the YCbCr matrix and range; null members mean unspecified, which browsers treat as BT.601 limited range */
  colorSpace?: { matrix: string | null; fullRange: boolean | null };
  /** capture time in milliseconds (performance.now() clock of the harness) */
  timestampMs: number;
  /** the frame's index in the scenario (0-based); it decreases when the camera loops */
  index: number;
}

export interface FeatureInitOptions<Ort = unknown> {
  /** model name → URL (browser) or path/URL (Node), passed as-is to `ort.InferenceSession.create` */
  modelUrls: Record<string, string>;
  settings: FeatureSettingsInput;
  ort: Ort;
}

/** The module shape of a web feature build. */
export interface FeatureModule<Ort = unknown> {
  init(options: FeatureInitOptions<Ort>): Promise<void>;
  process(frame: FeatureFrame): Promise<FeatureTrack[]>;
  dispose(): Promise<void> | void;
}
