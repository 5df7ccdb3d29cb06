import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeatureRunSettings, type FeatureSummary } from '@edgeproof/contracts';
import { describe, expect, it } from 'vitest';
import { DriverError, type DriverJob } from '../src/driver.ts';
import type { DeviceShell } from '../src/android/device-shell.ts';
import { parseNativeFeatureResult } from '../src/android/feature-result.ts';
import { featureResultPathFor, findAppCrash, runNativeFeatureJob } from '../src/android/native-feature.ts';
import { featureResult } from '../src/feature/summary.ts';
import { recorded, root, scene, PKG, cfg, device, fakePhone, job, writesAfter } from './support/fake-phone.ts';

const fail = (p: Promise<unknown>) => p.then(() => expect.unreachable('expected a DriverError'), (e: unknown) => e as DriverError);
const run = (shell: DeviceShell, j: DriverJob) => runNativeFeatureJob(shell, j, cfg, new AbortController().signal, { device, serial: 'R58N' });

describe('Android feature replay runner', () => {
  it('pushes scene and models, starts the activity with the feature extras, samples telemetry and stores the scored summary', async () => {
    let seen: Record<string, string> = {};
    let sceneOnPhone: Buffer | undefined;
    let modelOnPhone: string | undefined;
    const fake = fakePhone((extras, phone) => {
      seen = extras;
      sceneOnPhone = phone.files.get(extras['edgeproof.scenePath']!);
      modelOnPhone = phone.files.get(JSON.parse(extras['edgeproof.modelPaths']!).detector)?.toString();
      writesAfter(450, () => recorded)(extras, phone);
    });
    const j = job();
    const result = await run(fake.shell, j);

    // what reached the phone
    expect(fake.installed).toEqual([join(root, 'app.apk')]);
    const dir = '/data/local/tmp/edgeproof/recorded-job';
    expect(seen).toEqual({
      'edgeproof.jobId': 'recorded-job',
      'edgeproof.benchmark': 'feature',
      'edgeproof.scene': JSON.stringify({ width: 320, height: 240, fps: 15, frameCount: 45 }),
      'edgeproof.cameraSource': 'file',
      'edgeproof.scenePath': `${dir}/scene.y4m`,
      'edgeproof.modelPaths': JSON.stringify({ detector: `${dir}/detector.tflite` }),
      'edgeproof.settings': JSON.stringify({ processEveryK: 1, detectionInterval: 3, threads: 4, maxSeconds: null }),
      'edgeproof.resultPath': `/sdcard/Android/data/${PKG}/files/edgeproof/recorded-job.jsonl`,
    });
    expect(sceneOnPhone?.equals(readFileSync(scene.paths.video))).toBe(true);
    expect(modelOnPhone).toBe('TFL3 detector');
    const start = fake.commands.find((c) => c.startsWith('am start'));
    expect(start).toMatch(new RegExp(`^am start -W -S -a dev\\.edgeproof\\.action\\.BENCHMARK -n ${PKG}/\\.EdgeproofActivity --es edgeproof\\.jobId recorded-job --es edgeproof\\.benchmark feature `));
    expect(fake.commands.indexOf('logcat -b crash -c')).toBeLessThan(fake.commands.indexOf(start!));
    // cleaned up: app stopped, scene, models and result removed
    expect(fake.commands.slice(-2)).toEqual([`am force-stop ${PKG}`, `rm -rf ${dir} ${featureResultPathFor(PKG, 'recorded-job')} ${featureResultPathFor(PKG, 'recorded-job')}.tmp`]);
    expect(fake.phone.files.size).toBe(0);

    // scored exactly as a browser replay of the same records would be
    const s = result.summary as FeatureSummary;
    const { records, header } = parseNativeFeatureResult(recorded, { jobId: 'recorded-job', frameCount: scene.manifest.frameCount });
    const direct = featureResult({
      feature: { name: 'item-finder', version: '1.2.0', sha256: 'b'.repeat(64), platform: 'android' },
      manifest: scene.manifest,
      groundTruthText: scene.groundTruthText,
      settings: { processEveryK: 1, detectionInterval: 3, threads: 4 },
      run: FeatureRunSettings.parse(j.settings.feature),
      records,
      undecodableFrames: 0,
      passComplete: true,
      cost: { samples: [], sources: {}, intervalMs: 100 },
      environment: { runtime: header.runtime, runtimeVersion: header.runtimeVersion, executionProvider: 'x', thermalState: 'none', os: 'x', cpu: 'x' },
    }).summary as FeatureSummary;
    expect(s.kind).toBe('feature');
    expect(s.tracking).toEqual(direct.tracking);
    expect(s.tracking.mota).toBeGreaterThan(0.5);
    expect(s.experience).toEqual(direct.experience);
    expect(s.delivery).toEqual(direct.delivery);
    expect(s.pass).toEqual({ complete: true, firstIndex: 0, lastIndex: 44, undecodableFrames: 0 });
    expect(s.settings).toEqual({ processEveryK: 1, detectionInterval: 3, threads: 4 });
    expect(result.rawSamples).toHaveLength(45);

    // cost: the phone's readings during the replay, every 100 ms
    const series = s.cost.series;
    const n = series.length;
    expect(n).toBeGreaterThanOrEqual(3);
    expect(series.map((x) => x.batteryPercent)).toEqual(series.map((_, i) => 80 - i));
    expect(series.every((x) => x.batteryCurrentMa === 400 && x.cpuTimeMs === null && x.energyUj === null)).toBe(true);
    expect(s.cost.batteryCurrentMaMean).toBe(400);
    const k = Math.min(3, Math.floor(n / 2) || 1);
    expect(s.cost.temperatureRiseC).toBeCloseTo(n - k);
    expect(s.cost.maxTemperatureC).toBe(30 + n - 1);
    const spanMin = ((series.at(-1)?.tMs ?? 0) - (series[0]?.tMs ?? 0)) / 60_000;
    expect(s.cost.batteryPercentPerMinute).toBeCloseTo((n - 1) / spanMin);
    expect(s.cost.energyJoulesPerMinute).toBeNull();
    expect(s.cost.sources).toMatchObject({ cpu: 'unavailable', energy: 'unavailable', battery: expect.stringMatching(/^dumpsys battery/) });

    expect(result.environment).toMatchObject({
      runtime: 'onnxruntime-node',
      threads: 1,
      thermalState: 'none',
      os: 'Android 12 (SDK 31)',
      cpu: 'SM7225 arm64-v8a',
      inputSource: `scenario:${scene.manifest.name}@${scene.manifest.version}`,
      extra: { harness: 'native', app: PKG, serial: 'R58N', telemetry: { samples: n } },
    });
  });

  it('a malformed result file fails without retry, naming the line', async () => {
    const lines = recorded.split('\n');
    lines[2] = '{"index": 1, "captureMs": 1, "resultMs": 2, "tracks": [{"id": -1, "bbox": [0,0,1,1], "label": "x", "score": 1}]}';
    const fake = fakePhone(writesAfter(10, () => lines.join('\n')));
    const err = await fail(run(fake.shell, job()));
    expect(err).toBeInstanceOf(DriverError);
    expect(err.code).toBe('invalid_input');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^feature result file, line 3: tracks\.0\.id: /);
    expect(fake.commands).toContain(`am force-stop ${PKG}`);
  });

  it('an app crash in logcat fails the job as crashed with the exception', async () => {
    const fake = fakePhone((_extras, phone) => {
      phone.crash.push(
        '--------- beginning of crash',
        '05-14 10:02:11.123  8812  8812 E AndroidRuntime: FATAL EXCEPTION: main',
        `05-14 10:02:11.123  8812  8812 E AndroidRuntime: Process: ${PKG}, PID: 8812`,
        '05-14 10:02:11.123  8812  8812 E AndroidRuntime: java.lang.IllegalStateException: cannot open /data/local/tmp/edgeproof/recorded-job/scene.y4m',
        '05-14 10:02:11.123  8812  8812 E AndroidRuntime: \tat com.example.vision.SceneCamera.open(SceneCamera.kt:41)',
      );
    });
    // a crash left over from before the job is cleared, not reported
    fake.phone.crash.push(`E AndroidRuntime: Process: ${PKG}, PID: 100`, 'E AndroidRuntime: java.lang.OutOfMemoryError: old');
    const err = await fail(run(fake.shell, job()));
    expect(err.code).toBe('crashed');
    expect(err.message).toBe('the app crashed: java.lang.IllegalStateException: cannot open /data/local/tmp/edgeproof/recorded-job/scene.y4m (feature replay of job recorded-job)');
  });

  it('no result within the timeout is a timeout, and the app is stopped', async () => {
    const fake = fakePhone(() => undefined);
    const j = job();
    const started = Date.now();
    // below the schema's 5 s minimum, to keep the test short
    const err = await fail(run(fake.shell, { ...j, settings: { ...j.settings, timeoutSeconds: 1 } }));
    expect(err.code).toBe('timeout');
    expect(err.message).toBe(`no feature result for job recorded-job within 1 s (expected ${featureResultPathFor(PKG, 'recorded-job')})`);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(fake.commands).toContain(`am force-stop ${PKG}`);
    expect(fake.phone.files.size).toBe(0);
  });

  it("an error line in logcat fails the job with the app's message", async () => {
    const fake = fakePhone((extras, phone) => {
      phone.log.push(`E EdgeproofHarness: EDGEPROOF_RESULT jobId=${extras['edgeproof.jobId']} status=error message=detector model failed to load`);
    });
    const err = await fail(run(fake.shell, job()));
    expect(err.code).toBe('failed');
    expect(err.message).toBe('the app reported: detector model failed to load');
  });

  it('refuses web builds and non-Y4M videos before touching the phone, and an APK with another application id', async () => {
    const fake = fakePhone(() => undefined);
    const web = job();
    const e1 = await fail(run(fake.shell, { ...web, feature: { ...web.feature!, platform: 'web' } }));
    expect(e1.code).toBe('unsupported');
    const e2 = await fail(run(fake.shell, { ...web, scenario: { ...web.scenario!, videoPath: scene.paths.groundTruth } }));
    expect(e2.message).toMatch(/^the scenario video is not a Y4M file/);
    expect(fake.commands).toEqual([]);

    const other = fakePhone(() => undefined, { installs: false });
    const e3 = await fail(run(other.shell, job()));
    expect(e3.code).toBe('invalid_input');
    expect(e3.message).toMatch(/did not install com\.example\.vision/);
    expect(other.commands.some((c) => c.startsWith('am start'))).toBe(false);
  });
});

describe('crash lines', () => {
  it('finds native crashes of the package only', () => {
    // the layout of AOSP libc's abort message and debuggerd's tombstone header (written for this test, not recorded)
    const libc = `05-14 10:02:11.500  9001  9017 F libc    : Fatal signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr 0x0 in tid 9017 (inference), pid 9001 (${PKG})`;
    expect(findAppCrash(libc, PKG)).toBe(`the app crashed natively: Fatal signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr 0x0 in tid 9017 (inference), pid 9001 (${PKG})`);
    const tombstone = [`F DEBUG   : pid: 9001, tid: 9017, name: inference  >>> ${PKG} <<<`, 'F DEBUG   : uid: 10123', 'F DEBUG   : signal 6 (SIGABRT), code -1 (SI_QUEUE), fault addr --------'].join('\n');
    expect(findAppCrash(tombstone, PKG)).toBe('the app crashed natively: signal 6 (SIGABRT), code -1 (SI_QUEUE), fault addr --------');
    expect(findAppCrash(libc.replace(`(${PKG})`, '(com.other.app)'), PKG)).toBeNull();
    expect(findAppCrash('E AndroidRuntime: Process: com.example.vision.debug, PID: 1', PKG)).toBeNull();
  });
});
