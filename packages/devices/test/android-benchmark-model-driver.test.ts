/**
 * AndroidDriver with TFLite's benchmark_model configured, through the host's adb, where adb itself is stood in for:
 * a script that answers `devices -l`, `push`, `exec-out` and `shell` with the host as the phone (its sh, its files),
 * and whose `dumpsys` replays recorded phone outputs. The binary pushed is the replaying stand-in of
 * support/benchmark-model-phone.ts. Nothing inside the driver is replaced.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchmarkSettings, ResultPost } from '@edgeproof/contracts';
import { encodeTflite, parseTfliteSignature } from '@edgeproof/models';
import { afterAll, describe, expect, it } from 'vitest';
import { AndroidDriver } from '../src/index.ts';
import { BENCHMARK_MODEL_RUNTIME } from '../src/android/discovery.ts';
import { contentionThresholds } from '../src/load/contention.ts';
import { parseBenchmarkModel } from '../src/android/parse-benchmark-model.ts';
import { benchmarkFixture, removeBenchmarkPhones, writeStandin } from './support/benchmark-model-phone.ts';
import { fixtures as androidFixtures } from './support/fake-phone.ts';

const SERIAL = 'R5CT1BENCH';
const root = mkdtempSync(join(tmpdir(), 'bm-adb-'));

function fakeAdb(): string {
  const bin = join(root, 'phone-bin');
  const dumpsys = join(root, 'phone-bin/dumpsys');
  const adb = join(root, 'adb');
  // the phone's dumpsys: recorded outputs (their source is in each fixture's header)
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    dumpsys,
    `#!/bin/sh
case "$1" in
  battery) grep -v '^#' '${androidFixtures}/google-pixel-c-android7.dumpsys-battery.txt' ;;
  thermalservice) grep -v '^#' '${androidFixtures}/samsung-galaxy-a52-5g-android12.dumpsys-thermalservice.txt' ;;
  *) echo "Can't find service: $1"; exit 1 ;;
esac
`,
  );
  writeFileSync(
    adb,
    `#!/bin/sh
# stand-in for adb: one attached phone whose shell and files are this host's
PATH='${bin}':"$PATH"; export PATH
if [ "$1" = devices ]; then printf 'List of devices attached\\n${SERIAL}\\tdevice usb:1-1 product:a52qnsxx model:SM_A525F device:a52q transport_id:3\\n'; exit 0; fi
if [ "$1" = -s ]; then shift 2; fi
case "$1" in
  shell) shift; exec sh -c "$*" ;;
  push) mkdir -p "$(dirname "$3")" && cp "$2" "$3" && echo "$2: 1 file pushed, 0 skipped." ;;
  exec-out) shift; exec "$@" ;;
  *) echo "adb: unknown command $1" >&2; exit 1 ;;
esac
`,
  );
  chmodSync(dumpsys, 0o755);
  chmodSync(adb, 0o755);
  return adb;
}

const adbPath = fakeAdb();
const modelPath = join(root, 'detector.tflite');
writeFileSync(
  modelPath,
  encodeTflite({
    subgraphs: [
      {
        tensors: [
          { name: 'image', type: 'FLOAT32', shape: [1, 4] },
          { name: 'w', type: 'FLOAT32', shape: [2, 4], data: new Uint8Array(new Float32Array(8).fill(0.25).buffer) },
          { name: 'b', type: 'FLOAT32', shape: [2], data: new Uint8Array(new Float32Array(2).buffer) },
          { name: 'scores', type: 'FLOAT32', shape: [1, 2] },
        ],
        inputs: [0],
        outputs: [3],
        operators: [{ op: 'FULLY_CONNECTED', inputs: [0, 1, 2], outputs: [3], options: { kind: 'FullyConnectedOptions', fusedActivation: 'NONE' } }],
      },
    ],
  }),
);

afterAll(() => {
  removeBenchmarkPhones();
  rmSync(root, { recursive: true, force: true });
});

describe('AndroidDriver with benchmark_model', () => {
  it('advertises tflite/benchmark_model only when the binary is there', async () => {
    const missing = new AndroidDriver({ appium: { url: 'http://127.0.0.1:9' }, adb: { adbPath }, tfliteBenchmark: { binaryPath: join(root, 'none') } });
    const [reg] = await missing.discover();
    expect(reg?.runtimes).toEqual(['onnxruntime-web/wasm', 'litert/wasm']);
    expect(reg?.attributes['benchmarkModel']).toBe(`ANDROID_TFLITE_BENCHMARK_BINARY=${join(root, 'none')}: no such file on the agent's host`);
    await missing.dispose();
  });

  it('runs a TFLite latency job through it and posts a valid result with the op profile', async () => {
    const rec = benchmarkFixture('linux-x86-recent.xnnpack-op-profiling.efficientdet-lite0.txt');
    const runs = parseBenchmarkModel(rec).inference;
    const standin = writeStandin({ reference: rec, roundUs: [runs?.firstUs, runs?.currUs, runs?.minUs] as number[] });
    const deviceDir = join(root, 'data/local/tmp/edgeproof');
    const driver = new AndroidDriver({
      appium: { url: 'http://127.0.0.1:9' },
      adb: { adbPath },
      tfliteBenchmark: { binaryPath: standin.path, deviceDir, pollIntervalMs: 20 },
      telemetryIntervalMs: 50,
      loadIntervalMs: 50,
    });
    const [device] = await driver.discover();
    if (!device) throw new Error('no phone discovered');
    expect(device.localKey).toBe(`android:${SERIAL}`);
    expect(device.runtimes).toEqual(['onnxruntime-web/wasm', 'litert/wasm', BENCHMARK_MODEL_RUNTIME]);
    expect(device.attributes['benchmarkModel']).toBe('ready');

    const bytes = readFileSync(modelPath);
    const result = await driver.run(
      device,
      {
        jobId: '9b1f7f0e-3c55-4d3a-8f7e-0000000000d1',
        benchmark: 'latency',
        model: { path: modelPath, sha256: createHash('sha256').update(bytes).digest('hex'), format: 'tflite', signature: parseTfliteSignature(bytes) },
        dataset: null,
        settings: BenchmarkSettings.parse({ threads: 2, warmupMinSeconds: 0, measureMinRuns: 3, measureMinSeconds: 0, timeoutSeconds: 30, delegate: 'xnnpack' }),
      },
      new AbortController().signal,
    );
    const post = ResultPost.parse({ attempt: 1, ...result });
    expect(post.rawSamples).toEqual([16.067, 15.102, 14.661]);
    expect(post.summary).toMatchObject({ kind: 'latency', sessionCreateMs: 32.163, firstInferenceMs: 19.834, measure: { runs: 3 } });
    expect(post.summary.kind === 'latency' && post.summary.opProfile?.rows.length).toBe(12);
    expect(post.environment).toMatchObject({
      runtime: 'tflite',
      executionProvider: 'xnnpack',
      threads: 2,
      inputSource: 'benchmark_model random inputs',
      inputShapes: { image: [1, 4] },
      extra: { harness: 'benchmark_model', serial: SERIAL },
    });
    // the recorded thermal service answered through the phone's dumpsys
    expect(post.environment.thermalState).not.toBe('unavailable');
    // the phone's load (here the host's /proc, read through the stand-in adb's shell) over the benchmark_model runs
    const load = post.environment.hostLoad;
    expect(load?.method).toMatch(/of benchmark_model on the phone, one adb shell call every 50 ms .*window: the benchmark_model runs/);
    expect(load?.cores).toBe(readFileSync('/proc/stat', 'utf8').match(/^cpu\d+\s/gm)?.length);
    expect(load?.samples).toBeGreaterThanOrEqual(2);
    expect(load?.busyPct).toBeGreaterThanOrEqual(0);
    expect(post.environment.contended).toBeTypeOf('boolean');
    expect(post.environment.contentionThresholds).toEqual(contentionThresholds());
    expect(post.environment.extra?.['phoneLoad']).toBeUndefined();
    // where the device time went; the binary had to be pushed, so nothing was taken over
    const t = post.environment.timing!;
    expect(t.method).toMatch(/benchmark_model reported them/);
    expect(t.shared).toEqual([]);
    expect(t.setupMs).toBeGreaterThan(0);
    expect(t.setupMs + t.warmupMs + t.measuredMs + t.teardownMs).toBeCloseTo(t.totalMs, 0);
    expect(standin.calls()[0]).toContain('--num_threads=2');
    expect(standin.calls()[0]).toContain('--use_xnnpack=true');
    await driver.dispose();
  });
});
