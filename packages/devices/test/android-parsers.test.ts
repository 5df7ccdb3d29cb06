import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  identityFromProps,
  isEmulatorSerial,
  parseAdbDevices,
  parseGetprop,
  parseMemTotalMb,
} from '../src/android/parse-adb.ts';
import {
  parseCpuFreqs,
  parseDumpsysBattery,
  parsePowerSupplyUevent,
  parseThermalService,
} from '../src/android/parse-telemetry.ts';
import { countCpus } from '../src/android/discovery.ts';

/** A recorded output without its "# " provenance header. */
async function fixture(name: string): Promise<string> {
  const text = await readFile(join(import.meta.dirname, 'fixtures', 'android', name), 'utf8');
  return text
    .split('\n')
    .filter((l) => !l.startsWith('# '))
    .join('\n');
}

describe('dumpsys battery, recorded on real devices', () => {
  it('Pixel C, Android 7: charging on AC at 19 %', async () => {
    expect(parseDumpsysBattery(await fixture('google-pixel-c-android7.dumpsys-battery.txt'))).toEqual({
      levelPct: 19,
      temperatureC: 27.5,
      voltageMv: 3764,
      currentMa: null,
      powered: true,
      status: 2,
    });
  });

  it('Redmi Note 14 (HyperOS 3): ignores the "Time when" lines, "Capacity level" and the MIUI section', async () => {
    const b = parseDumpsysBattery(await fixture('xiaomi-redmi-note-14-hyperos3-android-unstated.dumpsys-battery.txt'));
    expect(b).toEqual({ levelPct: 80, temperatureC: 36.4, voltageMv: 4228, currentMa: null, powered: true, status: 2 });
  });

  it('rejects output that is not from dumpsys battery', () => {
    expect(() => parseDumpsysBattery("Can't find service: battery")).toThrow(/not a dumpsys battery output/);
  });
});

describe('power_supply uevent, recorded on a real device', () => {
  it('Pixel 3a, Android 9: µV and µA become mV and mA, tenths of °C become °C', async () => {
    expect(parsePowerSupplyUevent(await fixture('google-pixel-3a-android9.power-supply-battery-uevent.txt'))).toEqual({
      levelPct: 44,
      temperatureC: 31.3,
      voltageMv: 3815.175,
      currentMa: 0.976,
      powered: false,
      status: 4,
    });
  });
});

describe('dumpsys thermalservice, recorded on real devices', () => {
  it('Galaxy A52 5G, Android 12: status and the live HAL temperatures, not the cached ones', async () => {
    const t = parseThermalService(await fixture('samsung-galaxy-a52-5g-android12.dumpsys-thermalservice.txt'));
    expect(t.status).toBe(0);
    expect(t.statusName).toBe('none');
    expect(t.source).toBe('hal');
    expect(t.sensors).toHaveLength(9);
    expect(t.sensors[0]).toEqual({ name: 'AP', type: 0, valueC: 25.6, status: 0 });
    expect(t.sensors.find((s) => s.name === 'BAT')?.valueC).toBe(23.8);
    expect(t.sensors.find((s) => s.name === 'PA')).toEqual({ name: 'PA', type: 5, valueC: 25.7, status: 0 });
  });

  it('Galaxy Tab A7 Lite, Android 11 (trimmed by its poster): a HAL section alone, no status line', async () => {
    const t = parseThermalService(await fixture('samsung-galaxy-tab-a7-lite-android11.dumpsys-thermalservice.txt'));
    expect(t.status).toBeNull();
    expect(t.statusName).toBe('unavailable');
    expect(t.sensors).toEqual([{ name: 'CPU', type: 0, valueC: 29.1, status: 0 }]);
  });

  it('Shield TV Pro 2019: without a HAL section the cached temperatures are used', async () => {
    const t = parseThermalService(await fixture('nvidia-shield-tv-pro-2019-android-unstated.dumpsys-thermalservice.txt'));
    expect(t.source).toBe('cached');
    expect(t.status).toBe(0);
    expect(t.sensors.map((s) => [s.name, s.valueC])).toEqual([
      ['GPU', 36],
      ['CPU0', 37],
      ['CPU1', 37],
      ['CPU2', 37],
      ['CPU3', 37],
    ]);
  });
});

// The following inputs are the documented formats of adb and the kernel, written for these tests
// (not captured from a device).
describe('adb and sysfs formats', () => {
  it('adb devices -l: serials, states and details', () => {
    const out = 'List of devices attached\nR58M123ABC\tdevice usb:1-1 product:a52xq model:SM_A526B device:a52x transport_id:3\nemulator-5554\toffline\nZY22\tunauthorized usb:1-2 transport_id:4\n\n';
    expect(parseAdbDevices(out)).toEqual([
      { serial: 'R58M123ABC', state: 'device', details: { usb: '1-1', product: 'a52xq', model: 'SM_A526B', device: 'a52x', transport_id: '3' } },
      { serial: 'emulator-5554', state: 'offline', details: {} },
      { serial: 'ZY22', state: 'unauthorized', details: { usb: '1-2', transport_id: '4' } },
    ]);
    expect(parseAdbDevices('* daemon not running; starting now at tcp:5037\n* daemon started successfully\nList of devices attached\n\n')).toEqual([]);
  });

  it('getprop: identity with the SoC falling back from ro.soc.model to ro.board.platform to ro.hardware', () => {
    const props = parseGetprop('[ro.product.manufacturer]: [samsung]\n[ro.product.model]: [SM-A526B]\n[ro.build.version.release]: [12]\n[ro.build.version.sdk]: [31]\n[ro.soc.model]: []\n[ro.board.platform]: [lito]\n[ro.hardware]: [qcom]\n[ro.product.cpu.abi]: [arm64-v8a]\nnot a property\n');
    expect(identityFromProps(props)).toEqual({ maker: 'samsung', model: 'SM-A526B', osVersion: '12', sdk: 31, soc: 'lito', abi: 'arm64-v8a' });
    expect(identityFromProps({ 'ro.soc.model': 'SM7225', 'ro.board.platform': 'lito' }).soc).toBe('SM7225');
    expect(identityFromProps({})).toEqual({});
  });

  it('tells emulators from phones: qemu properties, the goldfish/ranchu hardware, adb\'s emulator-<port> serials', () => {
    // the properties an Android Studio x86_64 system image sets (names as in AOSP's device/generic/goldfish)
    expect(identityFromProps({ 'ro.kernel.qemu': '1', 'ro.hardware': 'ranchu' }).emulator).toBe(true);
    expect(identityFromProps({ 'ro.boot.qemu': '1' }).emulator).toBe(true);
    expect(identityFromProps({ 'ro.hardware': 'goldfish' }).emulator).toBe(true);
    expect(identityFromProps({ 'ro.hardware': 'qcom', 'ro.kernel.qemu': '0' }).emulator).toBeUndefined();
    expect(isEmulatorSerial('emulator-5554')).toBe(true);
    expect(isEmulatorSerial('R58N12ABCDE')).toBe(false);
    expect(isEmulatorSerial('192.168.1.20:5555')).toBe(false);
  });

  it('/proc/meminfo, cpu/present and scaling_cur_freq', () => {
    expect(parseMemTotalMb('MemTotal:        5772800 kB\nMemFree:          200000 kB\n')).toBe(5638);
    expect(parseMemTotalMb('nothing')).toBeUndefined();
    expect(countCpus('0-7\n')).toBe(8);
    expect(countCpus('0-3,6-7')).toBe(6);
    expect(countCpus('0')).toBe(1);
    expect(countCpus('')).toBeUndefined();
    const freqs = '/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq:1804800\n/sys/devices/system/cpu/cpu7/cpufreq/scaling_cur_freq:2400000\ngrep: /sys/devices/system/cpu/cpu4/cpufreq/scaling_cur_freq: Permission denied\n';
    expect(parseCpuFreqs(freqs)).toEqual({ cpu0: 1804800, cpu7: 2400000 });
  });
});
