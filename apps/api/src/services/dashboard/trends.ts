import type { TrendMetric, TrendPoint, Trends } from '@edgeproof/contracts';
import type { Db } from '@edgeproof/db';
import { notFound } from '../../errors.ts';
import { activeApproval, approvalBadge, dashDevice, versionFigures } from './common.ts';

const UNITS: Record<TrendMetric, string> = {
  'latency.p50': 'ms',
  'latency.p90': 'ms',
  'latency.p99': 'ms',
  'latency.sessionCreate': 'ms',
  'latency.firstInference': 'ms',
  'memory.peak': 'bytes',
  'accuracy.top1': 'ratio',
  'parity.maxAbsError': 'number',
};

function pick(metric: TrendMetric, f: ReturnType<typeof versionFigures>): number | null {
  switch (metric) {
    case 'latency.p50': return f.latency?.p50 ?? null;
    case 'latency.p90': return f.latency?.p90 ?? null;
    case 'latency.p99': return f.latency?.p99 ?? null;
    case 'latency.sessionCreate': return f.latency?.sessionCreateMs ?? null;
    case 'latency.firstInference': return f.latency?.firstInferenceMs ?? null;
    case 'memory.peak': return f.latency?.peakMemoryBytes ?? null;
    case 'accuracy.top1': return f.accuracy?.top1 ?? null;
    case 'parity.maxAbsError': return f.parity?.maxAbsError ?? null;
  }
}

/** A metric for every version of a model and every device that measured it (the newest result per version and device). */
export async function trends(db: Db, model: string, metric: TrendMetric): Promise<Trends> {
  const m = await db.model.findUnique({ where: { name: model } });
  if (!m) throw notFound(`model ${model}`);
  const versions = await db.modelVersion.findMany({
    where: { modelId: m.id },
    orderBy: { createdAt: 'asc' },
    include: { approvals: { where: activeApproval, include: { modelVersion: { select: { version: true } } } } },
  });
  const benchmark = metric.split('.')[0] === 'memory' ? 'latency' : (metric.split('.')[0] as string);
  const jobs = await db.job.findMany({
    where: { modelVersionId: { in: versions.map((v) => v.id) }, benchmark: benchmark as 'latency', status: 'succeeded' },
    include: { device: true, result: { select: { id: true, jobId: true, attempt: true, summary: true, environment: true, createdAt: true } } },
    orderBy: { finishedAt: 'desc' },
  });
  const points: TrendPoint[] = [];
  const seen = new Set<string>();
  for (const j of jobs) {
    const key = `${j.modelVersionId}/${j.deviceId}`;
    if (seen.has(key) || !j.result) continue;
    const value = pick(metric, versionFigures([j]));
    if (value === null) continue;
    seen.add(key);
    const v = versions.find((x) => x.id === j.modelVersionId);
    if (!v) continue;
    points.push({ version: v.version, versionCreatedAt: v.createdAt.toISOString(), device: dashDevice(j.device), value, run: j.runId, measuredAt: j.result.createdAt.toISOString() });
  }
  points.sort((a, b) => a.versionCreatedAt.localeCompare(b.versionCreatedAt) || a.device.localKey.localeCompare(b.device.localKey));
  return {
    model: m.name,
    metric,
    unit: UNITS[metric],
    versions: versions.map((v) => ({ version: v.version, createdAt: v.createdAt.toISOString(), approved: v.approvals.map(approvalBadge) })),
    points,
  };
}
