import { resultRuntime, type GatePolicy } from '@edgeproof/contracts';
import { PopulationEntry } from '@edgeproof/contracts';
import type { Db, ModelVersion, RunRow } from '@edgeproof/db';
import { contentionOf, type GateEvidence, type Measurement } from '@edgeproof/gating';
import { z } from 'zod';
import { INTERLEAVED_ROLE, VARIANT_ROLE } from '../job-payload.ts';
import { noiseFloors } from './noise.ts';

const Interleaved = z.object({ baseline: z.object({ summary: z.record(z.string(), z.unknown()), rawSamples: z.array(z.number()) }) });
const OtherRuntime = z.object({
  runtime: z.string(),
  summary: z.unknown(),
  rawSamples: z.array(z.number()),
  environment: z.object({ thermalState: z.string().optional(), interleaved: z.unknown().optional() }).passthrough(),
});
type StoredEnvironment = { runtime?: string; executionProvider?: string; runtimeLabel?: string; thermalState?: string; interleaved?: unknown; runtimes?: unknown } | undefined;


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
    measurements: run.jobs.flatMap(jobMeasurements),
    noiseFloors: await noiseFloors(db, [...devices.keys()]),
    populations,
  };
}

/**
 * A job's measurements: its own result on its first runtime, one more per other runtime it ran
 * (settings.runtimes), and for an interleaved job the baseline half of each. Variants (other formats of
 * the candidate, shown beside it) are not evidence: a gate judges the version it names.
 */
function jobMeasurements(j: RunRow['jobs'][number]): Measurement[] {
  if (j.role === VARIANT_ROLE) return [];
  const environment = j.result?.environment as StoredEnvironment;
  const runtime = environment?.runtime && environment.executionProvider ? resultRuntime({ runtime: environment.runtime, executionProvider: environment.executionProvider, runtimeLabel: environment.runtimeLabel }) : 'unknown';
  const own: Measurement = {
    jobId: j.id,
    deviceId: j.deviceId,
    role: j.role === 'baseline' ? 'baseline' : 'candidate',
    benchmark: j.benchmark,
    runtime,
    status: j.status,
    error: j.error,
    summary: j.result?.summary ?? null,
    rawSamples: j.result?.rawSamples ?? [],
    thermalState: environment?.thermalState ?? null,
    contention: contentionOf(environment),
  };
  const others = z.array(OtherRuntime).safeParse(environment?.runtimes ?? []);
  const sides: { m: Measurement; interleaved: unknown }[] = [
    { m: own, interleaved: environment?.interleaved },
    ...(others.success ? others.data : []).map((o) => ({
      m: { ...own, jobId: `${j.id}:${o.runtime}`, runtime: o.runtime, summary: o.summary, rawSamples: o.rawSamples, thermalState: o.environment.thermalState ?? null, contention: contentionOf(o.environment) },
      interleaved: o.environment.interleaved,
    })),
  ];
  if (j.role !== INTERLEAVED_ROLE) return sides.map((x) => x.m);
  // an interleaved job measured the baseline in the same session: its half of the evidence
  return sides.flatMap(({ m, interleaved }) => {
    const other = Interleaved.safeParse(interleaved);
    const baseline: Measurement = other.success
      ? { ...m, jobId: `${m.jobId}:baseline`, role: 'baseline', summary: other.data.baseline.summary, rawSamples: other.data.baseline.rawSamples }
      : { ...m, jobId: `${m.jobId}:baseline`, role: 'baseline', status: j.status === 'succeeded' ? 'failed' : j.status, error: j.error ?? 'the interleaved job carried no baseline measurement (re-routed?)', summary: null, rawSamples: [] };
    return [m, baseline];
  });
}
