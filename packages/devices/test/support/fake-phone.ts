/**
 * A phone at the DeviceShell boundary for the Android feature-replay tests, with recorded device
 * outputs for telemetry and a recorded feature result (see the fixtures' names for their sources).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchmarkSettings } from '@edgeproof/contracts';
import { writeScenario } from '@edgeproof/scenes';
import type { DriverJob } from '../../src/driver.ts';
import type { DeviceShell } from '../../src/android/device-shell.ts';

export const fixtures = join(import.meta.dirname, '../fixtures/android');
export const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');
// recorded from a Node replay of the reference bundle (feature-zoo replayFeature), not from a phone
export const recorded = fixture('feature-result.reference-seed7-3s.jsonl');
export const batteryText = fixture('google-pixel-c-android7.dumpsys-battery.txt');
export const ueventText = fixture('google-pixel-3a-android9.power-supply-battery-uevent.txt');
export const thermalText = fixture('samsung-galaxy-a52-5g-android12.dumpsys-thermalservice.txt');

export const root = mkdtempSync(join(tmpdir(), 'native-feature-'));
export const scene = writeScenario(join(root, 'scene'), { seed: 7, durationSeconds: 3 });
writeFileSync(join(root, 'app.apk'), 'PK feature apk');
writeFileSync(join(root, 'detector.tflite'), 'TFL3 detector');

export const PKG = 'com.example.vision';
export const cfg = { package: PKG, activity: '.EdgeproofActivity', pollIntervalMs: 20 };
export const device = { osVersion: '12', soc: 'SM7225', attributes: { sdk: '31', abi: 'arm64-v8a' } };

/** Splits a command line the way the phone's /system/bin/sh would (here: the host's POSIX sh). */
export function shellWords(line: string): string[] {
  const out = execFileSync('sh', ['-c', `set -- ${line}; for a; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

export interface Phone {
  files: Map<string, Buffer>;
  /** `logcat -s EdgeproofHarness:I` and `logcat -b crash` contents */
  log: string[];
  crash: string[];
}
export type App = (extras: Record<string, string>, phone: Phone) => void;

/**
 * A phone at the DeviceShell boundary (nothing else is stood in for): files in memory, `am start` runs
 * `app` a little later, telemetry answers with recorded device outputs whose battery level falls by one
 * and whose AP temperature rises by 1 °C per read, discharging at 400 mA.
 */
export function fakePhone(app: App, { installs = true } = {}) {
  const phone: Phone = { files: new Map(), log: [], crash: [] };
  const commands: string[] = [];
  const installed: string[] = [];
  let batteryReads = 0;
  let thermalReads = 0;
  const shell: DeviceShell = {
    shell: async (command, args = []) => {
      const words = shellWords([command, ...args].join(' '));
      const line = words.join(' ');
      if (line === 'dumpsys battery') return batteryText.replace('level: 19', `level: ${80 - batteryReads++}`);
      if (line === 'cat /sys/class/power_supply/battery/uevent') return ueventText.replace('CURRENT_NOW=976', 'CURRENT_NOW=-400000');
      if (line === 'dumpsys thermalservice') return thermalText.replaceAll('mValue=25.6, mType=0, mName=AP', `mValue=${30 + thermalReads++}, mType=0, mName=AP`);
      if (words[0] === 'grep') return '/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq:1804800\n';
      commands.push(line);
      if (words[0] === 'pm') return installs ? `package:/data/app/${PKG}-1/base.apk\n` : '';
      if (words[0] === 'am' && words[1] === 'start') {
        const extras: Record<string, string> = {};
        for (let i = 2; i < words.length; i++) if (words[i] === '--es') extras[words[++i]!] = words[++i]!;
        setTimeout(() => app(extras, phone), 30);
        return 'Starting: Intent { act=dev.edgeproof.action.BENCHMARK }\nStatus: ok\n';
      }
      if (line === 'logcat -b crash -c') phone.crash.length = 0;
      if (line === `logcat -d -s EdgeproofHarness:I`) return phone.log.join('\n');
      if (line === 'logcat -d -b crash') return phone.crash.join('\n');
      if (words[0] === 'touch') for (const f of words.slice(1)) phone.files.set(f, Buffer.alloc(0));
      if (words[0] === 'rm') {
        for (const p of words.slice(1)) for (const f of [...phone.files.keys()]) if (f === p || f.startsWith(`${p}/`)) phone.files.delete(f);
      }
      return '';
    },
    push: async (local, remote) => void phone.files.set(remote, readFileSync(local)),
    pull: async (remote) => {
      const f = phone.files.get(remote);
      if (!f) throw new Error(`remote object '${remote}' does not exist`);
      return f;
    },
    install: async (apk) => void installed.push(apk),
  };
  return { shell, phone, commands, installed };
}

export function job(overrides: Partial<DriverJob> = {}, settings: Record<string, unknown> = {}): DriverJob {
  return {
    jobId: 'recorded-job',
    benchmark: 'feature',
    model: { path: '', sha256: 'a'.repeat(64), format: 'tflite', signature: { inputs: [], outputs: [] } as never },
    dataset: null,
    settings: BenchmarkSettings.parse({ threads: 4, timeoutSeconds: 5, feature: { processEveryK: 1, detectionInterval: 3, sampleIntervalMs: 100 }, ...settings }),
    feature: {
      name: 'item-finder',
      version: '1.2.0',
      platform: 'android',
      path: join(root, 'app.apk'),
      sha256: 'b'.repeat(64),
      models: { detector: { path: join(root, 'detector.tflite'), name: 'shelf-detector', version: '3', format: 'tflite' } },
    },
    scenario: { manifest: scene.manifest, videoPath: scene.paths.video, groundTruthPath: scene.paths.groundTruth },
    ...overrides,
  };
}

/** The app writes `text` after `delayMs` (as the recorded replay would, atomically) and logs the ok line. */
export const writesAfter = (delayMs: number, text: (extras: Record<string, string>) => string): App => (extras, phone) => {
  setTimeout(() => {
    phone.files.set(extras['edgeproof.resultPath']!, Buffer.from(text(extras)));
    phone.log.push(`I EdgeproofHarness: EDGEPROOF_RESULT jobId=${extras['edgeproof.jobId']} status=ok path=${extras['edgeproof.resultPath']}`);
  }, delayMs);
};

