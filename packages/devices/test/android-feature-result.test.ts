import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeatureRunSettings, type FeatureSummary } from '@edgeproof/contracts';
import { generateScenario } from '@edgeproof/scenes';
import { DriverError } from '../src/driver.ts';
import { androidCostSamples, parseNativeFeatureResult } from '../src/android/feature-result.ts';
import { parseDumpsysBattery, parseThermalService } from '../src/android/parse-telemetry.ts';
import type { TelemetrySample } from '../src/android/telemetry.ts';
import { featureResult } from '../src/feature/summary.ts';

const fixtures = join(import.meta.dirname, 'fixtures/android');
const recorded = readFileSync(join(fixtures, 'feature-result.reference-seed7-3s.jsonl'), 'utf8');
const scene = generateScenario({ seed: 7, durationSeconds: 3 });
const parse = (text: string) => parseNativeFeatureResult(text, { jobId: 'recorded-job', frameCount: scene.manifest.frameCount });
const failure = (text: string) => {
  try {
    parse(text);
  } catch (e) {
    return e as DriverError;
  }
  throw new Error('expected a failure');
};

describe('native feature harness result files', () => {
  it('scores a recorded result file with the phone telemetry as the cost series', () => {
    const { header, records } = parse(recorded);
    expect(header).toMatchObject({ status: 'ok', runtime: 'onnxruntime-node', passComplete: true });
    expect(records).toHaveLength(scene.manifest.frameCount);
    const battery = parseDumpsysBattery(readFileSync(join(fixtures, 'google-pixel-c-android7.dumpsys-battery.txt'), 'utf8'));
    const thermal = parseThermalService(readFileSync(join(fixtures, 'samsung-galaxy-a52-5g-android12.dumpsys-thermalservice.txt'), 'utf8'));
    // a minute of feature use: the recorded readings, with the level and one sensor moving as a phone's would
    const telemetry: TelemetrySample[] = [0, 30_000, 60_000].map((atMs, i) => ({
      atMs: 1_000_000 + atMs,
      battery: { ...battery, levelPct: 80 - i, currentMa: -400 - 10 * i },
      thermal: thermal && { ...thermal, sensors: thermal.sensors.map((s, k) => (k === 0 ? { ...s, valueC: s.valueC + 2 * i } : s)) },
      cpuFreqKhz: {},
      errors: {},
    }));
    const result = featureResult({
      feature: { name: 'item-finder', version: '1', sha256: 'a'.repeat(64), platform: 'android' },
      manifest: scene.manifest,
      groundTruthText: scene.groundTruthText,
      settings: { processEveryK: 1, detectionInterval: 1, threads: 1 },
      run: FeatureRunSettings.parse({}),
      records,
      undecodableFrames: header.undecodableFrames,
      passComplete: header.passComplete,
      cost: { samples: androidCostSamples(telemetry), sources: { battery: 'dumpsys battery', thermal: 'dumpsys thermalservice' }, intervalMs: 30_000 },
      environment: { runtime: header.runtime, runtimeVersion: header.runtimeVersion, executionProvider: 'cpu', thermalState: 'none', os: 'Android 12', cpu: 'test' },
    });
    const s = result.summary as FeatureSummary;
    expect(s.tracking.mota).toBeGreaterThan(0.5);
    expect(s.delivery.droppedFrames).toBe(0);
    expect(s.cost.batteryPercentPerMinute).toBeCloseTo(2);
    expect(s.cost.batteryCurrentMaMean).toBeCloseTo(410);
    expect(s.cost.temperatureRiseC).toBeCloseTo(4);
    expect(s.cost.energyJoulesPerMinute).toBeNull();
    expect(result.rawSamples).toHaveLength(records.length);
  });

  it('fails a malformed line with its line number, and an app error with the app message', () => {
    const lines = recorded.split('\n');
    const broken = [...lines];
    broken[2] = '{"index": 1, "captureMs": 1, "resultMs": 2, "tracks": [{"id": -1, "bbox": [0,0,1,1], "label": "x", "score": 1}]}';
    expect(failure(broken.join('\n')).message).toMatch(/^feature result file, line 3: tracks\.0\.id: /);
    const backwards = [...lines];
    backwards[3] = lines[1] as string;
    expect(failure(backwards.join('\n')).message).toMatch(/line 4: index 0 does not follow 1/);
    const outside = [lines[0], '{"index": 999, "captureMs": 1, "resultMs": 2, "tracks": []}'].join('\n');
    expect(failure(outside).message).toMatch(/line 2: index 999 is outside the scenario's 45 frames/);
    expect(failure('not json').message).toBe('feature result file, line 1: not JSON');
    const err = failure(JSON.stringify({ format: 'edgeproof-native-feature-result/v1', jobId: 'recorded-job', status: 'error', error: 'camera source failed to open scene' }));
    expect(err.code).toBe('failed');
    expect(err.message).toBe('the app reported: camera source failed to open scene');
    expect(failure(recorded.replace('"jobId":"recorded-job"', '"jobId":"other"')).message).toMatch(/line 1: jobId is other/);
  });
});
