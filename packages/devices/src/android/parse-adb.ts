/** Pure parsers for what adb prints about devices; no I/O here. */

export interface AdbDeviceEntry {
  serial: string;
  /** "device" when usable; "offline", "unauthorized", "recovery", ... otherwise */
  state: string;
  /** the `key:value` pairs of `adb devices -l` (product, model, device, transport_id, usb) */
  details: Record<string, string>;
}

/** `adb devices -l` */
export function parseAdbDevices(output: string): AdbDeviceEntry[] {
  const entries: AdbDeviceEntry[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('List of devices') || line.startsWith('*')) continue;
    const [serial, state, ...rest] = line.split(/\s+/);
    if (!serial || !state) continue;
    const details: Record<string, string> = {};
    for (const part of rest) {
      const i = part.indexOf(':');
      if (i > 0) details[part.slice(0, i)] = part.slice(i + 1);
    }
    entries.push({ serial, state, details });
  }
  return entries;
}

/** `getprop` (all properties): lines of `[key]: [value]`; anything else is ignored. */
export function parseGetprop(output: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const line of output.split(/\r?\n/)) {
    const m = /^\s*\[([^\]]+)\]:\s*\[(.*)\]\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) props[m[1]] = m[2];
  }
  return props;
}

/** MemTotal of /proc/meminfo in MiB, or undefined when absent. */
export function parseMemTotalMb(meminfo: string): number | undefined {
  const m = /^MemTotal:\s+(\d+)\s*kB/im.exec(meminfo);
  if (!m?.[1]) return undefined;
  return Math.round(Number(m[1]) / 1024);
}

export interface AndroidIdentity {
  maker?: string;
  model?: string;
  /** Android release, e.g. "14" */
  osVersion?: string;
  sdk?: number;
  soc?: string;
  abi?: string;
  /** an Android emulator (qemu), not a phone */
  emulator?: boolean;
}

const nonEmpty = (v: string | undefined): string | undefined => (v && v.trim() ? v.trim() : undefined);

/** Maker, model, Android version and SDK, SoC (best property available), ABI from getprop. */
export function identityFromProps(props: Record<string, string>): AndroidIdentity {
  const sdk = Number(props['ro.build.version.sdk']);
  const soc =
    nonEmpty(props['ro.soc.model']) ?? nonEmpty(props['ro.board.platform']) ?? nonEmpty(props['ro.hardware']);
  const id: AndroidIdentity = {};
  const maker = nonEmpty(props['ro.product.manufacturer']);
  const model = nonEmpty(props['ro.product.model']);
  const osVersion = nonEmpty(props['ro.build.version.release']);
  const abi = nonEmpty(props['ro.product.cpu.abi']);
  if (maker) id.maker = maker;
  if (model) id.model = model;
  if (osVersion) id.osVersion = osVersion;
  if (Number.isInteger(sdk) && sdk > 0) id.sdk = sdk;
  if (soc) id.soc = soc;
  if (abi) id.abi = abi;
  if (props['ro.kernel.qemu'] === '1' || props['ro.boot.qemu'] === '1' || ['ranchu', 'goldfish'].includes(props['ro.hardware'] ?? '')) id.emulator = true;
  return id;
}

/** adb names emulators it started `emulator-<console port>` */
export const isEmulatorSerial = (serial: string): boolean => /^emulator-\d+$/.test(serial);
