import type { GatePolicy } from '@edgeproof/contracts';
import { PopulationEntry } from '@edgeproof/contracts';
import type { Db, ModelVersion, RunRow } from '@edgeproof/db';
import { contentionOf, type GateEvidence, type Measurement } from '@edgeproof/gating';
import { z } from 'zod';
import { INTERLEAVED_ROLE } from '../job-payload.ts';

const Interleaved = z.object({ baseline: z.object({ summary: z.record(z.string(), z.unknown()), rawSamples: z.array(z.number()) }) });
import { noiseFloors } from './noise.ts';

const facts = (v: ModelVersion) => ({ version: v.version, sizeBytes: Number(v.sizeBytes), gzipSizeBytes: Number(v.gzipSizeBytes) });

/** Everything a gate is decided on, read from a finished run: no device is involved. */
export async function loadEvidence(db: Db, run: RunRow, policy: GatePolicy): Promise<GateEvidence> {
  const devices = new Map(run.jobs.map((j) => [j.device.id, j.device]));
  const populationNames = [...new Set(policy.rules.flatMap((r) => (r.type === 'population' ? [r.population] : [])))];
  const populations: GateEvidence['populations'] = {};
  for (const row of await db.devicePopulation.findMany({ where: { name: { in: populationNames } } })) {
    populations[row.name] = z.array(PopulationEntry).parse(row.entries);
  }
  return {
    candidate: facts(run.modelVersion),
    baseline: run.baselineVersion ? facts(run.baselineVersion) : null,
    devices: [...devices.values()].map((d) => ({
      id: d.id,
      localKey: d.localKey,
      platform: d.platform,
      tier: d.tier,
      model: d.model,
      soc: d.soc,
      healthy: !['offline', 'quarantined', 'unhealthy'].includes(d.status),
    })),
    measurements: run.jobs.flatMap((j): Measurement[] => {
      const environment = j.result?.environment as { thermalState?: string; extra?: { interleaved?: unknown } } | undefined;
      const thermalState = environment?.thermalState ?? null;
      const own: Measurement = {
        jobId: j.id,
        deviceId: j.deviceId,
        role: j.role === 'baseline' ? 'baseline' : 'candidate',
        benchmark: j.benchmark,
        status: j.status,
        error: j.error,
        summary: j.result?.summary ?? null,
        rawSamples: j.result?.rawSamples ?? [],
        thermalState,
        contention: contentionOf(environment),
      };
      if (j.role !== INTERLEAVED_ROLE) return [own];
      // an interleaved job measured the baseline in the same session: its half of the evidence
      const other = Interleaved.safeParse(environment?.extra?.interleaved);
      const baseline: Measurement = other.success
        ? { ...own, jobId: `${j.id}:baseline`, role: 'baseline', summary: other.data.baseline.summary, rawSamples: other.data.baseline.rawSamples }
        : { ...own, jobId: `${j.id}:baseline`, role: 'baseline', status: j.status === 'succeeded' ? 'failed' : j.status, error: j.error ?? 'the interleaved job carried no baseline measurement (re-routed?)', summary: null, rawSamples: [] };
      return [own, baseline];
    }),
    noiseFloors: await noiseFloors(db, [...devices.keys()]),
    populations,
  };
}
