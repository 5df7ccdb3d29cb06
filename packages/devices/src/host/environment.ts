import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';

const THERMAL_ROOT = '/sys/class/thermal';

export interface ThermalReading {
  /** "nominal" below every passive/hot trip point, "throttling" at or above one, "unknown" without trip points, "unavailable" without zones */
  state: string;
  /** per zone ("thermal_zone0:x86_pkg_temp"), only when the device exposes them */
  temperaturesC?: Record<string, number>;
}

/** Reads Linux thermal zones; never invents a number when there are none. */
export async function readThermal(root = THERMAL_ROOT): Promise<ThermalReading> {
  let zones: string[];
  try {
    zones = (await readdir(root)).filter((z) => z.startsWith('thermal_zone')).sort();
  } catch {
    return { state: 'unavailable' };
  }
  const temperaturesC: Record<string, number> = {};
  let sawTrip = false;
  let hot = false;
  for (const zone of zones) {
    const dir = join(root, zone);
    const milli = await readNumber(join(dir, 'temp'));
    if (milli === null) continue;
    const type = (await readText(join(dir, 'type')))?.trim();
    const celsius = milli / 1000;
    temperaturesC[type ? `${zone}:${type}` : zone] = celsius;
    for (const trip of await tripPoints(dir)) {
      sawTrip = true;
      if (milli >= trip) hot = true;
    }
  }
  if (Object.keys(temperaturesC).length === 0) return { state: 'unavailable' };
  return { state: hot ? 'throttling' : sawTrip ? 'nominal' : 'unknown', temperaturesC };
}

/** Temperatures (millidegrees) of the passive and hot trip points of one zone. */
async function tripPoints(zoneDir: string): Promise<number[]> {
  const out: number[] = [];
  const files = await readdir(zoneDir).catch(() => [] as string[]);
  for (const f of files) {
    const m = /^trip_point_(\d+)_type$/.exec(f);
    if (!m) continue;
    const type = (await readText(join(zoneDir, f)))?.trim();
    if (type !== 'passive' && type !== 'hot') continue;
    const temp = await readNumber(join(zoneDir, `trip_point_${m[1]}_temp`));
    if (temp !== null && temp > 0) out.push(temp);
  }
  return out;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

async function readNumber(path: string): Promise<number | null> {
  const text = await readText(path);
  if (text === null) return null;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : null;
}

export function osDescription(): string {
  return `${os.type()} ${os.release()} ${os.arch()}`;
}

export function cpuDescription(): string {
  const model = os.cpus()[0]?.model?.trim() || 'unknown cpu';
  return `${model} x${os.availableParallelism()}`;
}
