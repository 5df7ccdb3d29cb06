/** Pure parsers for the telemetry a phone prints through `adb shell`; fixtures from real devices test them. */

export interface BatteryReading {
  levelPct: number | null;
  temperatureC: number | null;
  voltageMv: number | null;
  /** positive while charging on most devices; null when the source has none */
  currentMa: number | null;
  /** any charger (AC, USB, wireless, dock) online */
  powered: boolean;
  /** BatteryManager.BATTERY_STATUS_*: 2 charging, 3 discharging, 4 not charging, 5 full */
  status: number | null;
}

function fields(output: string, sep: RegExp): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of output.split(/\r?\n/)) {
    const m = sep.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined && !map.has(m[1])) map.set(m[1], m[2].trim());
  }
  return map;
}

const num = (v: string | undefined): number | null => {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/**
 * `dumpsys battery`: temperature is in tenths of °C, voltage in mV. Only the two-space-indented
 * service lines are read (OEM sections and "Time when ..." lines are not fields). Samsung's
 * "current now" is in mA.
 */
export function parseDumpsysBattery(output: string): BatteryReading {
  if (!/Current Battery Service state:/.test(output)) throw new Error('not a dumpsys battery output');
  const f = fields(output, /^ {2}([A-Za-z][A-Za-z ]*?):\s*(.*)$/);
  const level = num(f.get('level'));
  const scale = num(f.get('scale')) ?? 100;
  const temp = num(f.get('temperature'));
  const powered = ['AC powered', 'USB powered', 'Wireless powered', 'Dock powered'].some((k) => f.get(k) === 'true');
  return {
    levelPct: level === null ? null : Math.round((level / (scale || 100)) * 1000) / 10,
    temperatureC: temp === null ? null : temp / 10,
    voltageMv: num(f.get('voltage')),
    currentMa: num(f.get('current now')),
    powered,
    status: num(f.get('status')),
  };
}

/**
 * `/sys/class/power_supply/battery/uevent` (POWER_SUPPLY_ prefixes optional): voltage in µV,
 * current in µA, temperature in tenths of °C, capacity in %.
 */
export function parsePowerSupplyUevent(output: string): BatteryReading {
  const f = fields(output, /^(?:POWER_SUPPLY_)?([A-Z_]+)=(.*)$/);
  const temp = num(f.get('TEMP'));
  const uv = num(f.get('VOLTAGE_NOW'));
  const ua = num(f.get('CURRENT_NOW'));
  const status = f.get('STATUS');
  const statusCode: Record<string, number> = { Unknown: 1, Charging: 2, Discharging: 3, 'Not charging': 4, Full: 5 };
  return {
    levelPct: num(f.get('CAPACITY')),
    temperatureC: temp === null ? null : temp / 10,
    voltageMv: uv === null ? null : uv / 1000,
    currentMa: ua === null ? null : ua / 1000,
    powered: f.get('ONLINE') === '1' || status === 'Charging' || status === 'Full',
    status: status === undefined ? null : (statusCode[status] ?? null),
  };
}

/** PowerManager.THERMAL_STATUS_* by value. */
export const THERMAL_STATUS_NAMES = ['none', 'light', 'moderate', 'severe', 'critical', 'emergency', 'shutdown'] as const;

export interface ThermalSensor {
  name: string;
  /** Temperature.TYPE_*: 0 CPU, 1 GPU, 2 battery, 3 skin, 4 USB port, 5 power amplifier, ... */
  type: number;
  valueC: number;
  /** throttling severity of this sensor (same scale as the status) */
  status: number;
}

export interface ThermalReading {
  status: number | null;
  statusName: string;
  /** "hal": the live "Current temperatures from HAL" section; "cached": the service's last known values */
  source: 'hal' | 'cached' | 'none';
  sensors: ThermalSensor[];
}

const TEMPERATURE = /Temperature\{mValue=([^,]+), mType=(-?\d+), mName=([^,}]+)(?:, mStatus=(\d+))?\}/;

function section(lines: string[], header: string): ThermalSensor[] | null {
  const start = lines.findIndex((l) => l.trim() === header);
  if (start < 0) return null;
  const sensors: ThermalSensor[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = TEMPERATURE.exec(line);
    if (!m) {
      if (line.trim() === '') continue;
      break;
    }
    const value = Number(m[1]);
    if (!Number.isFinite(value)) continue;
    sensors.push({ name: (m[3] ?? '').trim(), type: Number(m[2]), valueC: value, status: Number(m[4] ?? 0) });
  }
  return sensors;
}

/** `dumpsys thermalservice` (Android 10+). Prefers the live HAL temperatures over the cached ones. */
export function parseThermalService(output: string): ThermalReading {
  const lines = output.split(/\r?\n/);
  const statusMatch = /^\s*Thermal Status:\s*(\d+)/m.exec(output);
  const status = statusMatch?.[1] !== undefined ? Number(statusMatch[1]) : null;
  const hal = section(lines, 'Current temperatures from HAL:');
  const cached = section(lines, 'Cached temperatures:');
  const [source, sensors]: [ThermalReading['source'], ThermalSensor[]] =
    hal && hal.length > 0 ? ['hal', hal] : cached && cached.length > 0 ? ['cached', cached] : ['none', []];
  return {
    status,
    statusName: status === null ? 'unavailable' : (THERMAL_STATUS_NAMES[status] ?? `status-${status}`),
    source,
    sensors,
  };
}

/**
 * Output of `grep -H . /sys/devices/system/cpu/cpu[0-9]*\/cpufreq/scaling_cur_freq`: one
 * `<path>:<kHz>` line per online core. Returns kHz by core name ("cpu0", ...).
 */
export function parseCpuFreqs(output: string): Record<string, number> {
  const freqs: Record<string, number> = {};
  for (const line of output.split(/\r?\n/)) {
    const m = /\/(cpu\d+)\/cpufreq\/scaling_cur_freq:(\d+)\s*$/.exec(line);
    if (m?.[1] && m[2]) freqs[m[1]] = Number(m[2]);
  }
  return freqs;
}
