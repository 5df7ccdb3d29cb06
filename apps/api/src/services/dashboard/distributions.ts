import type { LatencyDistributions } from '@edgeproof/contracts';
import type { Db } from '@edgeproof/db';
import { binSorted, boxQuantiles, sharedBinEdges } from '@edgeproof/metrics';
import { compareDevices, dashDevice } from './common.ts';
import { chooseRun, findVersion } from './version.ts';

/** Per device and role: quantiles for a box plot and counts over shared histogram bins, instead of raw samples. */
export async function latencyDistributions(db: Db, model: string, version: string, runId: string | undefined, bins: number): Promise<LatencyDistributions> {
  const v = await findVersion(db, model, version);
  const run = await chooseRun(db, v.id, runId);
  if (!run) return { unit: 'ms', run: null, edges: [], items: [] };
  const rows = await latencySamples(db, run.id);
  const sorted = rows.map((r) => Float64Array.from(r.rawSamples).sort());
  const arrays = sorted.map((s) => Array.from(s));
  const edges = sharedBinEdges(arrays, bins);
  const names = new Map([[v.id, v.version], ...(run.baselineVersion ? [[run.baselineVersion.id, run.baselineVersion.version] as const] : [])]);
  const items = rows.flatMap((r, i) => {
    const s = arrays[i] as number[];
    if (s.length === 0) return [];
    const { counts, below, above } = binSorted(s, edges);
    return [
      {
        device: dashDevice(r.job.device),
        role: r.job.role === 'baseline' ? ('baseline' as const) : ('candidate' as const),
        version: names.get(r.job.modelVersionId) ?? r.job.modelVersionId,
        count: s.length,
        quantiles: boxQuantiles(s),
        counts,
        below,
        above,
      },
    ];
  });
  items.sort((a, b) => compareDevices(a.device, b.device) || a.role.localeCompare(b.role));
  return { unit: 'ms', run: run.id, edges, items };
}

/** The raw latency samples of a run's latency results, newest result per device and role. */
export async function latencySamples(db: Db, runId: string) {
  const rows = await db.result.findMany({
    where: { job: { runId, benchmark: 'latency', role: { not: 'variant' } } },
    select: { rawSamples: true, createdAt: true, job: { select: { role: true, modelVersionId: true, deviceId: true, device: true } } },
    orderBy: { createdAt: 'desc' },
  });
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${r.job.deviceId}/${r.job.role}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
