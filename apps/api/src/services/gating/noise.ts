import type { NoiseFloorOut } from '@edgeproof/contracts';
import type { Db, Device } from '@edgeproof/db';
import { noiseFloor, relativeSpread } from '@edgeproof/metrics';
import { median } from 'simple-statistics';
import { INTERLEAVED_ROLE } from '../job-payload.ts';

const MAX_RUNS = 500;

interface DeviceNoise {
  pairs: number;
  floor: number | null;
  worst: number | null;
  withinRunSpread: number | null;
}

/**
 * A/A evidence per device: latency jobs of runs whose baseline is the candidate itself. Each pair's
 * ratio of medians should be 1; how far it strays is the device's noise floor.
 */
export async function deviceNoise(db: Db, deviceIds: readonly string[]): Promise<Map<string, DeviceNoise>> {
  const runs = await db.evaluationRun.findMany({
    where: { baselineVersionId: { not: null }, jobs: { some: { deviceId: { in: [...deviceIds] }, benchmark: 'latency' } } },
    orderBy: { createdAt: 'desc' },
    take: MAX_RUNS,
    select: {
      modelVersionId: true,
      baselineVersionId: true,
      jobs: { where: { benchmark: 'latency', status: 'succeeded', deviceId: { in: [...deviceIds] } }, select: { deviceId: true, role: true, result: { select: { rawSamples: true, environment: true } } } },
    },
  });
  const ratios = new Map<string, number[]>();
  const spreads = new Map<string, number[]>();
  for (const run of runs) {
    if (run.baselineVersionId !== run.modelVersionId) continue;
    for (const id of deviceIds) {
      const interleaved = run.jobs.find((j) => j.deviceId === id && j.role === INTERLEAVED_ROLE)?.result;
      const a = interleaved?.rawSamples ?? run.jobs.find((j) => j.deviceId === id && j.role === 'candidate')?.result?.rawSamples;
      const b = interleaved
        ? (interleaved.environment as { interleaved?: { baseline?: { rawSamples?: number[] } } }).interleaved?.baseline?.rawSamples
        : run.jobs.find((j) => j.deviceId === id && j.role === 'baseline')?.result?.rawSamples;
      if (!a?.length || !b?.length) continue;
      const mb = median(b);
      if (mb > 0) ratios.set(id, [...(ratios.get(id) ?? []), median(a) / mb]);
      spreads.set(id, [...(spreads.get(id) ?? []), relativeSpread(a), relativeSpread(b)]);
    }
  }
  const out = new Map<string, DeviceNoise>();
  for (const id of deviceIds) {
    const nf = noiseFloor(ratios.get(id) ?? []);
    const s = spreads.get(id);
    out.set(id, { pairs: ratios.get(id)?.length ?? 0, floor: nf?.floor ?? null, worst: nf?.worst ?? null, withinRunSpread: s?.length ? median(s) : null });
  }
  return out;
}

export async function noiseFloors(db: Db, deviceIds: readonly string[]): Promise<Record<string, number | null>> {
  const noise = await deviceNoise(db, deviceIds);
  return Object.fromEntries([...noise].map(([id, n]) => [id, n.floor]));
}

export async function noiseReport(db: Db, devices: readonly Device[], maxNoiseFloor: number): Promise<NoiseFloorOut[]> {
  const noise = await deviceNoise(db, devices.map((d) => d.id));
  return devices.map((d) => {
    const n = noise.get(d.id);
    return {
      device: { id: d.id, localKey: d.localKey, platform: d.platform, tier: d.tier, model: d.model },
      pairs: n?.pairs ?? 0,
      noiseFloor: n?.floor ?? null,
      worst: n?.worst ?? null,
      withinRunSpread: n?.withinRunSpread ?? null,
      noisy: n?.floor !== null && n?.floor !== undefined && n.floor > maxNoiseFloor,
    };
  });
}
