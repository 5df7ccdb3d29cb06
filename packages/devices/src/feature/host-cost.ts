import { readdir, readFile } from 'node:fs/promises';
import type { FeatureCostSample } from '@edgeproof/contracts';

/** Linux /proc reports CPU times in clock ticks of USER_HZ, which is 100 on every mainstream architecture. */
const USER_HZ = 100;

export interface HostCostSources {
  cpu: string;
  memory: string;
  thermal: string;
  energy: string;
  battery: string;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** pid → ppid for every process of this machine (Linux /proc). */
async function parentMap(): Promise<Map<number, number>> {
  const map = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = await readdir('/proc');
  } catch {
    return map;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const stat = await readText(`/proc/${e}/stat`);
    // field 4 (ppid) follows the parenthesised command name, which may contain spaces
    const after = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (after?.[1]) map.set(Number(e), Number(after[1]));
  }
  return map;
}

/** The roots and all their descendants. */
export async function processTree(roots: readonly number[]): Promise<number[]> {
  const parents = await parentMap();
  const tree = new Set(roots.filter((r) => parents.has(r)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** utime + stime of the processes, ms (processes that exited meanwhile are skipped). */
async function cpuTimeMs(pids: readonly number[]): Promise<number | null> {
  let ticks = 0;
  let seen = 0;
  for (const pid of pids) {
    const stat = await readText(`/proc/${pid}/stat`);
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after the name: state(0) ppid(1) … utime(11) stime(12)
    ticks += Number(f[11]) + Number(f[12]);
    seen++;
  }
  return seen ? (ticks * 1000) / USER_HZ : null;
}

/** Sum of VmRSS (shared pages count once per process, so this overstates a multi-process browser). */
async function rssBytes(pids: readonly number[]): Promise<number | null> {
  let total = 0;
  let seen = 0;
  for (const pid of pids) {
    const status = await readText(`/proc/${pid}/status`);
    const kb = status && /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    if (!kb) continue;
    total += Number(kb) * 1024;
    seen++;
  }
  return seen ? total : null;
}

async function thermalZones(root: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let zones: string[] = [];
  try {
    zones = (await readdir(root)).filter((z) => z.startsWith('thermal_zone'));
  } catch {
    return out;
  }
  for (const z of zones) {
    const temp = await readText(`${root}/${z}/temp`);
    if (temp === null || !/^-?\d+/.test(temp.trim())) continue;
    const type = (await readText(`${root}/${z}/type`))?.trim() || z;
    out[`${z}:${type}`] = Number(temp.trim()) / 1000;
  }
  return out;
}

async function raplEnergyUj(root: string): Promise<{ energyUj: number; rangeUj: number | null } | null> {
  let domains: string[] = [];
  try {
    domains = (await readdir(root)).filter((d) => /^intel-rapl:\d+$/.test(d));
  } catch {
    return null;
  }
  let sum = 0;
  let range = 0;
  let seen = 0;
  for (const d of domains) {
    const e = await readText(`${root}/${d}/energy_uj`);
    if (e === null || !/^\d+/.test(e.trim())) continue;
    sum += Number(e.trim());
    range += Number((await readText(`${root}/${d}/max_energy_range_uj`))?.trim() ?? NaN);
    seen++;
  }
  return seen ? { energyUj: sum, rangeUj: Number.isFinite(range) ? range : null } : null;
}

export interface HostCostOptions {
  /** the measured process tree's roots (e.g. the browser's main process); empty: CPU and memory unavailable */
  rootPids: () => Promise<number[]>;
  intervalMs: number;
  thermalRoot?: string;
  powercapRoot?: string;
}

/**
 * Samples, on a fixed interval, what this Linux host exposes about the cost of a replay: CPU time and
 * resident memory of a process tree (/proc), temperatures (/sys/class/thermal) and package energy
 * (RAPL, /sys/class/powercap). Anything the host does not expose stays null and its source says
 * "unavailable". Hosts have no battery.
 */
export class HostCostSampler {
  readonly samples: FeatureCostSample[] = [];
  readonly sources: HostCostSources = { cpu: 'unavailable', memory: 'unavailable', thermal: 'unavailable', energy: 'unavailable', battery: 'unavailable' };
  energyRangeUj: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #start = 0;
  #busy: Promise<void> = Promise.resolve();

  constructor(private readonly opts: HostCostOptions) {}

  async start(): Promise<void> {
    this.#start = performance.now();
    await this.sample();
    this.#timer = setInterval(() => {
      this.#busy = this.#busy.then(() => this.sample()).catch(() => {});
    }, this.opts.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#busy;
    await this.sample();
  }

  async sample(): Promise<void> {
    const tMs = performance.now() - this.#start;
    const thermalRoot = this.opts.thermalRoot ?? '/sys/class/thermal';
    const powercapRoot = this.opts.powercapRoot ?? '/sys/class/powercap';
    const roots = await this.opts.rootPids().catch(() => []);
    const pids = roots.length ? await processTree(roots) : [];
    const [cpu, rss, temps, energy] = await Promise.all([cpuTimeMs(pids), rssBytes(pids), thermalZones(thermalRoot), raplEnergyUj(powercapRoot)]);
    if (cpu !== null) this.sources.cpu = '/proc/<pid>/stat utime+stime of the browser process tree';
    if (rss !== null) this.sources.memory = '/proc/<pid>/status VmRSS summed over the browser process tree';
    if (Object.keys(temps).length) this.sources.thermal = thermalRoot;
    if (energy) {
      this.sources.energy = `${powercapRoot} (RAPL energy_uj)`;
      if (energy.rangeUj !== null) this.energyRangeUj = energy.rangeUj;
    }
    this.samples.push({ tMs, cpuTimeMs: cpu, rssBytes: rss, temperaturesC: temps, energyUj: energy?.energyUj ?? null, batteryPercent: null, batteryCurrentMa: null });
  }
}
