/**
 * What a device said about its cost at one moment of a replay. Every reading is what the OS exposed,
 * or null when it exposes nothing ("unavailable") — never an estimate.
 */
export interface CostSample {
  /** ms since the replay started */
  tMs: number;
  /** cumulative CPU time (user + system) of the measured process tree, ms */
  cpuTimeMs: number | null;
  /** resident memory of the measured process tree, bytes */
  rssBytes: number | null;
  /** sensor name → °C */
  temperaturesC: Record<string, number>;
  /** cumulative energy counter, µJ (e.g. RAPL energy_uj) */
  energyUj: number | null;
  /** 0..100 */
  batteryPercent: number | null;
  /** battery current, mA (positive = discharging) */
  batteryCurrentMa: number | null;
}

export interface DerivedCost {
  durationMs: number;
  samples: number;
  /** CPU time / wall time over the replay, percent of one core; null when unavailable */
  cpuPercentMean: number | null;
  /** busiest interval */
  cpuPercentMax: number | null;
  peakRssBytes: number | null;
  /** largest rise of any sensor: mean of its last `edgeSamples` readings − mean of its first; null when no sensor */
  temperatureRiseC: number | null;
  /** hottest reading of any sensor */
  maxTemperatureC: number | null;
  energyJoules: number | null;
  energyJoulesPerMinute: number | null;
  batteryPercentPerMinute: number | null;
  batteryCurrentMaMean: number | null;
}

export interface DeriveCostOptions {
  /** readings averaged at each end for the temperature rise (default 3; fewer when there are fewer) */
  edgeSamples?: number;
  /** the energy counter's range: a decrease is read as one wrap-around (RAPL max_energy_range_uj); without it a decrease makes energy unavailable */
  energyRangeUj?: number;
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

function present<T>(values: ReadonlyArray<T | null>): T[] {
  return values.filter((v): v is T => v !== null);
}

/** Derived cost of a replay from its time series: CPU share, peak memory, temperature rise, energy and battery drain per minute. */
export function deriveCost(series: readonly CostSample[], opts: DeriveCostOptions = {}): DerivedCost {
  const s = [...series].sort((a, b) => a.tMs - b.tMs);
  const first = s[0];
  const last = s[s.length - 1];
  const durationMs = first && last ? last.tMs - first.tMs : 0;

  const cpu: number[] = [];
  for (let i = 1; i < s.length; i++) {
    const a = s[i - 1] as CostSample;
    const b = s[i] as CostSample;
    if (a.cpuTimeMs !== null && b.cpuTimeMs !== null && b.tMs > a.tMs) cpu.push(((b.cpuTimeMs - a.cpuTimeMs) / (b.tMs - a.tMs)) * 100);
  }
  const cpuWithTimes = s.filter((x) => x.cpuTimeMs !== null);
  const cpuFirst = cpuWithTimes[0];
  const cpuLast = cpuWithTimes[cpuWithTimes.length - 1];
  const cpuSpan = cpuFirst && cpuLast ? cpuLast.tMs - cpuFirst.tMs : 0;

  const edge = Math.max(1, opts.edgeSamples ?? 3);
  const sensors = new Set(s.flatMap((x) => Object.keys(x.temperaturesC)));
  let rise: number | null = null;
  let maxTemp: number | null = null;
  for (const name of sensors) {
    const readings = present(s.map((x) => x.temperaturesC[name] ?? null));
    if (readings.length === 0) continue;
    const k = Math.min(edge, Math.floor(readings.length / 2) || 1);
    const r = mean(readings.slice(-k)) - mean(readings.slice(0, k));
    rise = rise === null ? r : Math.max(rise, r);
    maxTemp = Math.max(maxTemp ?? -Infinity, ...readings);
  }

  let energyUj: number | null = null;
  const energy = s.filter((x) => x.energyUj !== null);
  if (energy.length >= 2) {
    energyUj = 0;
    for (let i = 1; i < energy.length; i++) {
      const d = (energy[i]?.energyUj as number) - (energy[i - 1]?.energyUj as number);
      if (d >= 0) energyUj += d;
      else if (opts.energyRangeUj !== undefined) energyUj += d + opts.energyRangeUj;
      else {
        energyUj = null;
        break;
      }
    }
  }
  const energySpan = energy.length >= 2 ? (energy[energy.length - 1]?.tMs as number) - (energy[0]?.tMs as number) : 0;

  const battery = s.filter((x) => x.batteryPercent !== null);
  const bFirst = battery[0];
  const bLast = battery[battery.length - 1];
  const bSpanMin = bFirst && bLast ? (bLast.tMs - bFirst.tMs) / 60_000 : 0;
  const currents = present(s.map((x) => x.batteryCurrentMa));
  const rss = present(s.map((x) => x.rssBytes));
  return {
    durationMs,
    samples: s.length,
    cpuPercentMean: cpuFirst && cpuLast && cpuSpan > 0 ? (((cpuLast.cpuTimeMs as number) - (cpuFirst.cpuTimeMs as number)) / cpuSpan) * 100 : null,
    cpuPercentMax: cpu.length ? Math.max(...cpu) : null,
    peakRssBytes: rss.length ? Math.max(...rss) : null,
    temperatureRiseC: rise,
    maxTemperatureC: maxTemp,
    energyJoules: energyUj === null ? null : energyUj / 1e6,
    energyJoulesPerMinute: energyUj === null || energySpan <= 0 ? null : energyUj / 1e6 / (energySpan / 60_000),
    batteryPercentPerMinute: bFirst && bLast && bSpanMin > 0 ? ((bFirst.batteryPercent as number) - (bLast.batteryPercent as number)) / bSpanMin : null,
    batteryCurrentMaMean: currents.length ? mean(currents) : null,
  };
}
