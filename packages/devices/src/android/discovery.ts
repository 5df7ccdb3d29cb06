import type { DeviceRegistration, DeviceTier } from '@edgeproof/contracts';
import type { Adb } from './device-shell.ts';
import { identityFromProps, isEmulatorSerial, parseAdbDevices, parseGetprop, parseMemTotalMb } from './parse-adb.ts';

/** Chrome on the phone runs the browser harness page: ONNX with onnxruntime-web, TFLite with LiteRT.js (both wasm) */
export const WEB_HARNESS_RUNTIMES = ['onnxruntime-web/wasm', 'litert/wasm'];

/** A phone a lab declares: what discovery cannot read. */
export interface AndroidDeviceConfig {
  serial: string;
  tier?: DeviceTier;
  tags?: string[];
  /** owning team; selectable with the run selector's `team` */
  team?: string;
  harness?: 'web' | 'native';
}

export interface DiscoveryOptions {
  configured: AndroidDeviceConfig[];
  discoverAttached: boolean;
  defaultTier: DeviceTier;
  defaultHarness: 'web' | 'native';
  nativeRuntimes: string[];
  /** TFLite's benchmark_model: "ready" adds the runtime "tflite/benchmark_model"; anything else says why not */
  benchmarkModel?: string;
}

export const BENCHMARK_MODEL_RUNTIME = 'tflite/benchmark_model';

/** "0-7" or "0-3,4-7" from /sys/devices/system/cpu/present → 8 */
export function countCpus(present: string): number | undefined {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(present.trim())) return undefined;
  let n = 0;
  for (const part of present.trim().split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isInteger(a)) return undefined;
    n += b === undefined ? 1 : b - a + 1;
  }
  return n > 0 ? n : undefined;
}

/**
 * Phones from `adb devices -l` (ready ones read through getprop and /proc/meminfo) plus every configured
 * phone; a configured phone that adb does not show is still registered, so its status can say why it is
 * unavailable.
 */
export async function discoverAndroid(adb: Adb | null, opts: DiscoveryOptions): Promise<DeviceRegistration[]> {
  let attached: ReturnType<typeof parseAdbDevices> = [];
  let adbError: string | undefined;
  if (adb) {
    try {
      attached = parseAdbDevices(await adb.devices());
    } catch (err) {
      adbError = err instanceof Error ? err.message : String(err);
    }
  }
  const configured = new Map(opts.configured.map((c) => [c.serial, c]));
  const serials = [...new Set([...configured.keys(), ...(opts.discoverAttached ? attached.map((a) => a.serial) : [])])];

  const out: DeviceRegistration[] = [];
  for (const serial of serials) {
    const cfg = configured.get(serial);
    const entry = attached.find((a) => a.serial === serial);
    const harness = cfg?.harness ?? opts.defaultHarness;
    const reg: DeviceRegistration = {
      localKey: `android:${serial}`,
      platform: 'android',
      driver: 'android',
      tier: cfg?.tier ?? opts.defaultTier,
      tags: cfg?.tags ?? [],
      runtimes: [...(harness === 'native' ? opts.nativeRuntimes : WEB_HARNESS_RUNTIMES), ...(opts.benchmarkModel === 'ready' ? [BENCHMARK_MODEL_RUNTIME] : [])],
      attributes: {
        serial,
        harness,
        // one phone, one lease, whichever agent or queue reaches it
        leaseKey: `android:${serial}`,
        adbState: entry?.state ?? (adbError ? `adb failed: ${adbError.slice(0, 200)}` : 'absent'),
        ...(cfg?.team ? { team: cfg.team } : {}),
        ...(opts.benchmarkModel !== undefined ? { benchmarkModel: opts.benchmarkModel } : {}),
        ...(isEmulatorSerial(serial) ? { emulator: true } : {}),
      },
    };
    if (adb && entry?.state === 'device') await describe(adb, serial, reg);
    else if (entry?.details['model']) reg.model = entry.details['model'].replace(/_/g, ' ');
    out.push(reg);
  }
  return out;
}

async function describe(adb: Adb, serial: string, reg: DeviceRegistration): Promise<void> {
  const shell = adb.forSerial(serial);
  const [props, meminfo, present] = await Promise.all([
    shell.shell('getprop').catch(() => ''),
    shell.shell('cat', ['/proc/meminfo']).catch(() => ''),
    shell.shell('cat', ['/sys/devices/system/cpu/present']).catch(() => ''),
  ]);
  const id = identityFromProps(parseGetprop(props));
  if (id.maker) reg.maker = id.maker;
  if (id.model) reg.model = id.model;
  if (id.osVersion) reg.osVersion = id.osVersion;
  if (id.soc) reg.soc = id.soc;
  const ramMb = parseMemTotalMb(meminfo);
  if (ramMb) reg.ramMb = ramMb;
  const cores = countCpus(present);
  if (cores) reg.cores = cores;
  if (id.sdk) reg.attributes['sdk'] = id.sdk;
  if (id.abi) reg.attributes['abi'] = id.abi;
  if (id.emulator) reg.attributes['emulator'] = true;
}
