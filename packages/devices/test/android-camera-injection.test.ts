import { readFileSync } from 'node:fs';
import type { FeatureSummary } from '@edgeproof/contracts';
import { decodeFrameIndex, parseY4m, yuv420ToRgba } from '@edgeproof/scenes';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { DriverError } from '../src/driver.ts';
import { injectionError, playByInjection, scenarioPngFrames, type CameraImageInjector } from '../src/android/camera-injection.ts';
import { featureCameraFor } from '../src/android/android-driver.ts';
import { runNativeFeatureJob } from '../src/android/native-feature.ts';
import { cfg, device, fakePhone, job, PKG, recorded, scene, type Phone } from './support/fake-phone.ts';

/** What reaches a test through WebdriverIO when Appium's driver refuses the command on a phone (appium-android-driver, image-injection.js). */
const APPIUM_REFUSAL =
  'WebDriverError: An unknown server-side error occurred while processing the command. Original error: The image injection feature is only available on emulators when running "execute/sync" with method "POST"';

const decodePng = (base64: string) => PNG.sync.read(Buffer.from(base64, 'base64'));
const frameIndexOf = (base64: string) => {
  const png = decodePng(base64);
  return decodeFrameIndex(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
};

const [recordedHeader, ...recordedLines] = recorded.trim().split('\n');
const recordedByIndex = new Map(recordedLines.map((l) => [JSON.parse(l).index as number, l]));

/**
 * The app in camera mode at the boundary: it "sees" the last injected frame (read back from the PNG the
 * agent sent, frame code and all), processes each new frame it sees with the recorded answer for that
 * frame, and ends the pass at the last frame or when the agent's end file appears.
 */
/** A fake camera: what the agent injects reaches the app's frame callback, as a camera's frames do. */
interface FakeCamera {
  index: number | null;
  onFrame?: (index: number) => void;
}

function cameraApp(camera: FakeCamera) {
  return (extras: Record<string, string>, phone: Phone) => {
    const { frameCount } = JSON.parse(extras['edgeproof.scene'] as string) as { frameCount: number };
    const lines: string[] = [];
    let last = -1;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(timer);
      camera.onFrame = undefined;
      const header = JSON.parse(recordedHeader as string);
      phone.files.set(extras['edgeproof.resultPath'] as string, Buffer.from([JSON.stringify({ ...header, passComplete: last === frameCount - 1 }), ...lines].join('\n')));
    };
    camera.onFrame = (seen) => {
      if (seen <= last) return;
      last = seen;
      lines.push(recordedByIndex.get(seen) as string);
      if (last === frameCount - 1) finish();
    };
    const timer = setInterval(() => {
      if (phone.files.has(extras['edgeproof.endPath'] as string)) finish();
    }, 10);
    // a held image is what the camera shows when the app opens it
    if (camera.index !== null) camera.onFrame(camera.index);
  };
}

describe('scenario frames for camera injection', () => {
  it('are lossless PNGs of what a browser shows, frame code included, one per scenario frame', async () => {
    const frames = await scenarioPngFrames(scene.paths.video);
    const video = parseY4m(new Uint8Array(readFileSync(scene.paths.video)));
    expect(frames).toMatchObject({ width: 320, height: 240, fps: 15, count: video.frameCount });
    for (const i of [0, 1, 22, 44]) {
      const png = decodePng(frames.png(i));
      expect([png.width, png.height]).toEqual([320, 240]);
      expect(Buffer.from(png.data).equals(Buffer.from(yuv420ToRgba(video.frame(i), 320, 240).buffer))).toBe(true);
      expect(frameIndexOf(frames.png(i))).toBe(i);
    }
  });
});

describe('playByInjection', () => {
  it('holds frame 0 for the lead-in, then shows every frame in real time when injection keeps up', async () => {
    const frames = await scenarioPngFrames(scene.paths.video);
    const shown: Array<{ index: number | null; at: number }> = [];
    const t0 = performance.now();
    const stats = await playByInjection(frames, async (png) => {
      const at = performance.now() - t0;
      shown.push({ index: frameIndexOf(png), at });
    }, new AbortController().signal, { leadInMs: 300, holdMs: 0 });
    expect(shown.map((s) => s.index)).toEqual(Array.from({ length: 45 }, (_, i) => i));
    expect(stats).toMatchObject({ framesShown: 45, framesSkipped: 0 });
    // frame 44 is shown 44/15 s after frame 1's slot started; generous bounds for a shared machine
    const span = (shown[44]?.at ?? 0) - (shown[1]?.at ?? 0);
    expect(span).toBeGreaterThan((43 / 15) * 1000 - 30);
    expect(span).toBeLessThan((43 / 15) * 1000 + 1500);
    expect(shown[1]?.at).toBeGreaterThanOrEqual(300);
  });

  it('skips frames whose slot passed while a slow injection ran, and always shows the last frame', async () => {
    const frames = await scenarioPngFrames(scene.paths.video);
    const shown: number[] = [];
    const slow: CameraImageInjector = async (png) => {
      await new Promise((r) => setTimeout(r, 150));
      shown.push(frameIndexOf(png) as number);
    };
    const stats = await playByInjection(frames, slow, new AbortController().signal, { leadInMs: 0, holdMs: 0 });
    expect(stats.framesShown + stats.framesSkipped).toBe(45);
    expect(stats.framesSkipped).toBeGreaterThan(10);
    expect(shown.at(-1)).toBe(44);
    expect(shown.every((v, k) => k === 0 || v > (shown[k - 1] as number))).toBe(true);
    expect(stats.injectMs.p50).toBeGreaterThanOrEqual(149);
    expect(stats.achievedFps).toBeLessThan(8);
  });

  it("turns Appium's refusal on a phone into an unsupported job that says what to change", () => {
    const err = injectionError(new Error(APPIUM_REFUSAL), 0);
    expect(err).toBeInstanceOf(DriverError);
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/^Appium refused camera injection: .*only available on emulators.*set the device's emulator camera to "file"/);
    expect(injectionError(new Error('socket hang up'), 7)).toMatchObject({ code: 'failed', message: 'camera injection of scenario frame 7 failed: socket hang up' });
  });
});

describe('Android feature replay through the emulator camera', () => {
  it('is how emulators replay unless their agent says "file"; phones always read the file', () => {
    expect(featureCameraFor({ attributes: { emulator: true } }, {})).toBe('appium-injection');
    expect(featureCameraFor({ attributes: { emulator: true } }, { emulatorCamera: 'file' })).toBe('file');
    expect(featureCameraFor({ attributes: { serial: 'R58N' } }, { emulatorCamera: 'appium-injection' })).toBe('file');
  });

  it('pushes no video, shows the scene frame by frame, signals the end of the pass and scores what the app saw', async () => {
    const camera: FakeCamera = { index: null };
    const injected: Array<number | null> = [];
    let seen: Record<string, string> = {};
    const fake = fakePhone((extras, phone) => {
      seen = extras;
      cameraApp(camera)(extras, phone);
    });
    const pushed: string[] = [];
    const push = fake.shell.push;
    fake.shell.push = async (local, remote) => {
      pushed.push(remote);
      await push(local, remote);
    };
    const inject: CameraImageInjector = async (png) => {
      camera.index = frameIndexOf(png);
      injected.push(camera.index);
      camera.onFrame?.(camera.index);
    };
    const result = await runNativeFeatureJob(fake.shell, job({}, { timeoutSeconds: 20 }), cfg, new AbortController().signal, {
      device,
      serial: 'emulator-5554',
      camera: { inject, leadInMs: 200, holdMs: 100 },
    });

    const dir = '/data/local/tmp/edgeproof/recorded-job';
    expect(pushed).toEqual([`${dir}/detector.tflite`]);
    expect(seen).toMatchObject({ 'edgeproof.cameraSource': 'camera', 'edgeproof.endPath': `${dir}/pass.end`, 'edgeproof.scene': JSON.stringify({ width: 320, height: 240, fps: 15, frameCount: 45 }) });
    expect(seen).not.toHaveProperty('edgeproof.scenePath');
    expect(injected[0]).toBe(0);
    expect(injected.at(-1)).toBe(44);

    const s = result.summary as FeatureSummary;
    expect(s.pass.complete).toBe(true);
    const indices = s.records.map((r) => r.index);
    // the app reports exactly the frames the agent showed (how many depends on pacing: a late one is skipped)
    expect(indices).toEqual([...new Set(injected)]);
    expect(indices.length).toBeGreaterThan(5);
    expect(s.tracking.mota).toBeGreaterThan(0.3);
    const extra = result.environment.extra as Record<string, unknown>;
    expect(extra['cameraSource']).toBe('appium-injection');
    expect(extra['injection']).toMatchObject({ framesShown: injected.length, framesSkipped: 45 - injected.length });
    expect(fake.commands).toContain(`am force-stop ${PKG}`);
    expect(fake.phone.files.size).toBe(0);
  }, 30_000);

  it("fails fast with Appium's reason when the device refuses injection, and cleans up", async () => {
    const fake = fakePhone(() => undefined);
    const started = performance.now();
    const err = await runNativeFeatureJob(fake.shell, job({}, { timeoutSeconds: 20 }), cfg, new AbortController().signal, {
      device,
      serial: 'R58N',
      camera: {
        inject: async () => {
          throw new Error(APPIUM_REFUSAL);
        },
      },
    }).then(
      () => null,
      (e: unknown) => e as DriverError,
    );
    expect(err).toBeInstanceOf(DriverError);
    expect(err?.code).toBe('unsupported');
    expect(err?.message).toMatch(/only available on emulators/);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(fake.commands.slice(-2)[0]).toBe(`am force-stop ${PKG}`);
    expect(fake.phone.files.size).toBe(0);
  });
});
