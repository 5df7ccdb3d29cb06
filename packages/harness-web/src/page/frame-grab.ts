/**
 * Reads the current camera frame's pixels into a buffer reused for every frame.
 *
 * Preferred: `new VideoFrame(video)` + `copyTo(buffer)` in the frame's own I420 layout — a plain copy
 * of the camera's planes (~0.02 ms for 320x240 in headless Chromium 156), so the YUV→RGB conversion is
 * the feature's own work, as it is in an app that reads camera frames. Frames in another layout (NV12
 * from hardware capture, RGB) are converted by the browser with `copyTo(buffer, { format: 'RGBA' })`
 * (~0.2 ms); browsers without VideoFrame fall back to a `willReadFrequently` canvas (~0.65 ms).
 */
import type { FeatureFrameFormat } from '@edgeproof/contracts';

export type GrabMethod = 'videoframe-i420' | 'videoframe-rgba' | 'canvas';

export interface GrabbedFrame {
  format: FeatureFrameFormat;
  /** the same buffer every call for a format (valid until the next call) */
  data: Uint8Array | Uint8ClampedArray;
  colorSpace?: { matrix: string | null; fullRange: boolean | null };
}

export interface FrameGrabber {
  /** how frames were read so far: videoframe-i420 only while every frame came as I420 */
  readonly method: GrabMethod;
  grab(): Promise<GrabbedFrame>;
}

interface VideoFrameLike {
  readonly format: string | null;
  readonly visibleRect: { width: number; height: number } | null;
  readonly colorSpace: { matrix: string | null; fullRange: boolean | null };
  copyTo(dest: Uint8Array | Uint8ClampedArray, options?: { format: 'RGBA'; colorSpace: 'srgb' }): Promise<unknown>;
  close(): void;
}
type VideoFrameCtor = new (source: HTMLVideoElement) => VideoFrameLike;

function canvasGrabber(video: HTMLVideoElement, width: number, height: number): FrameGrabber {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas');
  return {
    method: 'canvas',
    grab: () => {
      ctx.drawImage(video, 0, 0, width, height);
      return Promise.resolve({ format: 'RGBA', data: ctx.getImageData(0, 0, width, height).data });
    },
  };
}

function videoFrameGrabber(Ctor: VideoFrameCtor, video: HTMLVideoElement, width: number, height: number, rgbaOnly: boolean): FrameGrabber {
  const i420 = new Uint8Array(width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2));
  const rgba = new Uint8ClampedArray(width * height * 4);
  let method: GrabMethod = rgbaOnly ? 'videoframe-rgba' : 'videoframe-i420';
  return {
    get method() {
      return method;
    },
    async grab() {
      const frame = new Ctor(video);
      try {
        const rect = frame.visibleRect;
        if (!rect || rect.width !== width || rect.height !== height) {
          throw new Error(`camera frame is ${rect?.width}x${rect?.height}, the scenario ${width}x${height}`);
        }
        if (frame.format === 'I420' && !rgbaOnly) {
          await frame.copyTo(i420);
          const { matrix, fullRange } = frame.colorSpace;
          return { format: 'I420', data: i420, colorSpace: { matrix, fullRange } };
        }
        method = 'videoframe-rgba';
        await frame.copyTo(rgba, { format: 'RGBA', colorSpace: 'srgb' });
        return { format: 'RGBA', data: rgba };
      } finally {
        frame.close();
      }
    },
  };
}

/**
 * Picks the fastest reader that works for this video: VideoFrame is used only when a trial read of
 * the current frame succeeds at the scenario's size (copyTo does not scale).
 */
export async function createFrameGrabber(video: HTMLVideoElement, width: number, height: number, format: 'camera' | 'RGBA'): Promise<FrameGrabber> {
  const Ctor = (globalThis as { VideoFrame?: VideoFrameCtor }).VideoFrame;
  if (Ctor && video.videoWidth === width && video.videoHeight === height) {
    const grabber = videoFrameGrabber(Ctor, video, width, height, format === 'RGBA');
    try {
      await grabber.grab();
      return grabber;
    } catch {
      // no VideoFrame copy of this video in this browser: the canvas path below
    }
  }
  return canvasGrabber(video, width, height);
}
