import { pathToFileURL } from 'node:url';
import type { FeatureInitOptions, FeatureModule, FeatureTrack } from '@edgeproof/contracts';
import { FeatureResult } from '@edgeproof/contracts';
import { decodeFrameIndex, decodeFrameIndexI420, maskFrameCode, maskFrameCodeI420, packI420, yuv420ToRgba, type Y4mVideo } from '@edgeproof/scenes';
import type { FeatureFrameFormat } from '@edgeproof/contracts';

/** A predicted box in the shape @edgeproof/metrics' evaluateTracking takes (frame is 1-based). */
export interface PredictedBox {
  frame: number;
  id: number;
  x: number;
  y: number;
  w: number;
  h: number;
  label: string;
}

export interface ReplayResult {
  predictions: PredictedBox[];
  /** the frame index decoded from each frame's code, in replay order */
  decodedIndices: number[];
  /** wall time of each `process` call, milliseconds (performance.now around the awaited call) */
  processMs: number[];
}

/** Imports a built feature bundle in Node and checks it exports the contract's three functions. */
export async function loadFeatureBundle(file: string): Promise<FeatureModule> {
  const mod = (await import(pathToFileURL(file).href)) as Partial<FeatureModule>;
  for (const fn of ['init', 'process', 'dispose'] as const) {
    if (typeof mod[fn] !== 'function') throw new TypeError(`${file}: missing export ${fn}()`);
  }
  return mod as FeatureModule;
}

/**
 * Plays a scenario video through a feature the way the browser harness does: each frame as I420 (the
 * camera's planes, the harness's normal case) or as RGBA (BT.601 limited range, bilinear chroma; the
 * harness's fallback), decode and mask the frame code, call `process`, validate the result.
 */
export async function replayFeature(
  feature: FeatureModule,
  init: FeatureInitOptions,
  video: Y4mVideo,
  { fps, maxFrames = Infinity, format = 'I420' }: { fps: number; maxFrames?: number; format?: FeatureFrameFormat },
): Promise<ReplayResult> {
  const { width, height } = video.header;
  const predictions: PredictedBox[] = [];
  const decodedIndices: number[] = [];
  const processMs: number[] = [];
  await feature.init(init);
  try {
    const count = Math.min(video.frameCount, maxFrames);
    for (let i = 0; i < count; i++) {
      const rgba = format === 'RGBA';
      const data = rgba ? yuv420ToRgba(video.frame(i), width, height) : packI420(video.frame(i));
      const index = rgba ? decodeFrameIndex(data, width, height) : decodeFrameIndexI420(data, width, height);
      if (index === null) throw new Error(`frame ${i}: no readable frame code`);
      decodedIndices.push(index);
      if (rgba) maskFrameCode(data, width, height);
      else maskFrameCodeI420(data, width, height);
      const colorSpace = { matrix: null, fullRange: null };
      const t0 = performance.now();
      const raw: unknown = await feature.process({ format, data, width, height, ...(rgba ? {} : { colorSpace }), timestampMs: (index * 1000) / fps, index });
      processMs.push(performance.now() - t0);
      const parsed = FeatureResult.safeParse(raw);
      if (!parsed.success) throw new Error(`frame ${index}: bad result at ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
      for (const t of parsed.data as FeatureTrack[]) {
        predictions.push({ frame: index + 1, id: t.id, x: t.bbox[0], y: t.bbox[1], w: t.bbox[2], h: t.bbox[3], label: t.label });
      }
    }
  } finally {
    await feature.dispose();
  }
  return { predictions, decodedIndices, processMs };
}
