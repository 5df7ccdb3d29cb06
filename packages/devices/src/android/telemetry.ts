import {
  parseCpuFreqs,
  parseDumpsysBattery,
  parsePowerSupplyUevent,
  parseThermalService,
  THERMAL_STATUS_NAMES,
  type BatteryReading,
  type ThermalReading,
} from './parse-telemetry.ts';

export type Shell = (command: string, args?: string[]) => Promise<string>;

export interface TelemetrySample {
  atMs: number;
  battery: BatteryReading | null;
  thermal: ThermalReading | null;
  cpuFreqKhz: Record<string, number>;
  /** reads that failed (e.g. `mobile: shell` not allowed), by source */
  errors: Record<string, string>;
}

const CPU_FREQ_COMMAND = ['grep', ['-H', '.', '/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_cur_freq']] as const;

async function attempt<T>(errors: Record<string, string>, source: string, read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    errors[source] = (err instanceof Error ? err.message : String(err)).slice(0, 300);
    return null;
  }
}

/** One reading of battery, thermal state and CPU frequencies; a failing source is recorded, never thrown. */
export async function readTelemetry(shell: Shell, now: () => number = Date.now): Promise<TelemetrySample> {
  const errors: Record<string, string> = {};
  const [dumpsys, uevent, thermal, freqs] = await Promise.all([
    attempt(errors, 'dumpsys battery', async () => parseDumpsysBattery(await shell('dumpsys', ['battery']))),
    attempt(errors, 'power_supply', async () => parsePowerSupplyUevent(await shell('cat', ['/sys/class/power_supply/battery/uevent']))),
    attempt(errors, 'dumpsys thermalservice', async () => parseThermalService(await shell('dumpsys', ['thermalservice']))),
    attempt(errors, 'cpufreq', async () => parseCpuFreqs(await shell(CPU_FREQ_COMMAND[0], [...CPU_FREQ_COMMAND[1]]))),
  ]);
  // dumpsys is the framework's view; sysfs adds the current that dumpsys rarely prints
  const battery = dumpsys
    ? { ...dumpsys, currentMa: dumpsys.currentMa ?? uevent?.currentMa ?? null }
    : uevent;
  return { atMs: now(), battery, thermal, cpuFreqKhz: freqs ?? {}, errors };
}

/** Samples telemetry every intervalMs until stopped (one read at a time; a slow read delays the next). */
export class TelemetrySampler {
  readonly #samples: TelemetrySample[] = [];
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(
    private readonly shell: Shell,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.#loop = (async () => {
      while (!this.#stopped) {
        this.#samples.push(await readTelemetry(this.shell));
        await new Promise((r) => setTimeout(r, this.intervalMs));
      }
    })();
  }

  async stop(): Promise<TelemetrySample[]> {
    this.#stopped = true;
    await this.#loop;
    return this.#samples;
  }
}

const stats = (xs: number[]) =>
  xs.length === 0 ? null : { min: Math.min(...xs), max: Math.max(...xs), mean: xs.reduce((a, b) => a + b, 0) / xs.length };

/** What a job's result keeps of its telemetry: ranges over the run, plus the last thermal reading. */
export function summarizeTelemetry(samples: TelemetrySample[]) {
  const batteries = samples.map((s) => s.battery).filter((b): b is BatteryReading => b !== null);
  const thermals = samples.map((s) => s.thermal).filter((t): t is ThermalReading => t !== null && t.status !== null);
  const pick = (f: (b: BatteryReading) => number | null) => batteries.map(f).filter((v): v is number => v !== null);
  const cpus = [...new Set(samples.flatMap((s) => Object.keys(s.cpuFreqKhz)))].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  const maxStatus = thermals.length ? Math.max(...thermals.map((t) => t.status ?? 0)) : null;
  const last = thermals.at(-1);
  const temperaturesC: Record<string, number> = {};
  for (const s of last?.sensors ?? []) temperaturesC[s.name] = s.valueC;
  const errors = Object.assign({}, ...samples.map((s) => s.errors)) as Record<string, string>;
  return {
    thermalState: last ? last.statusName : 'unavailable',
    temperaturesC,
    telemetry: {
      samples: samples.length,
      battery: {
        levelPct: stats(pick((b) => b.levelPct)),
        temperatureC: stats(pick((b) => b.temperatureC)),
        voltageMv: stats(pick((b) => b.voltageMv)),
        currentMa: stats(pick((b) => b.currentMa)),
        poweredThroughout: batteries.length > 0 && batteries.every((b) => b.powered),
      },
      thermal: { maxStatus, maxStatusName: maxStatus === null ? 'unavailable' : (THERMAL_STATUS_NAMES[maxStatus] ?? String(maxStatus)), source: last?.source ?? 'none' },
      cpuFreqKhz: Object.fromEntries(cpus.map((c) => [c, stats(samples.map((s) => s.cpuFreqKhz[c]).filter((v): v is number => v !== undefined))])),
      ...(Object.keys(errors).length ? { errors } : {}),
    },
  };
}
