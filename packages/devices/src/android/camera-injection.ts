import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { percentile } from '@edgeproof/metrics';
import { parseY4m, yuv420ToRgba } from '@edgeproof/scenes';
import { DriverError } from '../driver.ts';
import { abortableSleep } from '../abortable-sleep.ts';

/**
 * Plays a scenario into an Android emulator's camera with Appium's `mobile: injectEmulatorCameraImage`
 * (UiAutomator2): each call hands the emulator one PNG, which it shows on the "table" poster of its
 * VirtualScene back camera (emulator console `virtualscene-image table <png>`). The app under test
 * reads its real camera and finds the scene (and the frame-index code) in what it sees.
 */

/** Sends one base64 PNG to the emulator's camera (AndroidSession.injectCameraImage). */
export type CameraImageInjector = (pngBase64: string) => Promise<void>;

/** What Appium's `injectedImageProperties` capability sets for the poster the frames are shown on. */
export interface InjectedImageProperties {
  size?: { scaleX?: number; scaleY?: number };
  position?: { x?: number; y?: number; z?: number };
  rotation?: { x?: number; y?: number; z?: number };
}

export interface ScenarioFrames {
  width: number;
  height: number;
  fps: number;
  count: number;
  /** frame i as a base64 PNG (RGB), frame code included; encoded when asked (a minute of scene is ~130 MB of PNGs) */
  png(i: number): string;
}

/**
 * The scenario's frames as PNGs, converted from the Y4M the way browsers show it (BT.601 limited
 * range, bilinear chroma). Encoding takes a few ms per 320x240 frame, inside the wait for its slot.
 */
export async function scenarioPngFrames(videoPath: string): Promise<ScenarioFrames> {
  const video = parseY4m(new Uint8Array(await readFile(videoPath)));
  const { width, height, fps } = video.header;
  return {
    width,
    height,
    fps: fps.num / fps.den,
    count: video.frameCount,
    png(i) {
      const image = new PNG({ width, height, colorType: 2, inputHasAlpha: true });
      image.data = Buffer.from(yuv420ToRgba(video.frame(i), width, height).buffer);
      return PNG.sync.write(image, { colorType: 2, inputHasAlpha: true, deflateLevel: 1 }).toString('base64');
    },
  };
}

export interface InjectionStats {
  /** frames handed to the emulator */
  framesShown: number;
  /** frames not shown because the previous injection ran past their slot (the scene keeps real time, as a camera does) */
  framesSkipped: number;
  /** round trip of one injection (Appium → emulator console), ms */
  injectMs: { p50: number; max: number };
  /** shown frames per second of the pass */
  achievedFps: number;
}


/** Appium's words for a refused injection, as a job failure that says what to change. */
export function injectionError(err: unknown, frame: number): DriverError {
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 800);
  if (/only available on emulators/i.test(message)) {
    return new DriverError('unsupported', `Appium refused camera injection: ${message} (set the device's emulator camera to "file" or run the job on an emulator)`);
  }
  return new DriverError('failed', `camera injection of scenario frame ${frame} failed: ${message}`);
}

/**
 * Shows frame 0 for `leadInMs` (the app opens its camera meanwhile), then every frame at its slot
 * (`leadInMs + i / fps`), skipping frames whose slot passed while an injection was still running,
 * and holds the last frame for `holdMs`. Stops early when `signal` aborts.
 */
export async function playByInjection(
  frames: ScenarioFrames,
  inject: CameraImageInjector,
  signal: AbortSignal,
  { leadInMs = 3000, holdMs = 1000 }: { leadInMs?: number; holdMs?: number } = {},
): Promise<InjectionStats> {
  const interval = 1000 / frames.fps;
  const injectMs: number[] = [];
  let shown = 0;
  let skipped = 0;
  const show = async (i: number, payload = frames.png(i)) => {
    const t = performance.now();
    try {
      await inject(payload);
    } catch (err) {
      throw injectionError(err, i);
    }
    injectMs.push(performance.now() - t);
    shown++;
  };
  const start = performance.now();
  await show(0);
  await abortableSleep(leadInMs - (performance.now() - start), signal);
  const playStart = performance.now();
  for (let i = 1; i < frames.count && !signal.aborted; i++) {
    const slot = i * interval;
    // the next frame's slot has passed too: this one is skipped, as a camera would not wait for it
    if (performance.now() - playStart >= slot + interval && i < frames.count - 1) {
      skipped++;
      continue;
    }
    const payload = frames.png(i);
    await abortableSleep(slot - (performance.now() - playStart), signal);
    if (signal.aborted) break;
    await show(i, payload);
  }
  const playedMs = performance.now() - playStart;
  await abortableSleep(holdMs, signal);
  const sorted = [...injectMs].sort((a, b) => a - b);
  return {
    framesShown: shown,
    framesSkipped: skipped,
    injectMs: { p50: percentile(sorted, 50), max: sorted.at(-1) as number },
    achievedFps: playedMs > 0 ? ((shown - 1) * 1000) / playedMs : 0,
  };
}
