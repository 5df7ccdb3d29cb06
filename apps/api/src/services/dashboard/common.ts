import type { ApprovalBadge, DashDevice, VersionFigures } from '@edgeproof/contracts';
import type { Approval, Device, Job, ModelVersion, Result } from '@edgeproof/db';
import { contentionOf } from '@edgeproof/gating';

export function dashDevice(d: Pick<Device, 'id' | 'localKey' | 'platform' | 'tier' | 'maker' | 'model'>): DashDevice {
  return { id: d.id, localKey: d.localKey, platform: d.platform, tier: d.tier, maker: d.maker, model: d.model };
}

export function approvalBadge(a: Approval & { modelVersion: Pick<ModelVersion, 'version'> }): ApprovalBadge {
  return { version: a.modelVersion.version, platform: a.platform, tier: a.tier, channel: a.channel, kind: a.kind };
}

/** Approvals neither revoked nor superseded. */
export const activeApproval = { revokedAt: null, supersededAt: null } as const;

interface LatencyJson {
  sessionCreateMs: number;
  firstInferenceMs: number;
  peakMemoryBytes: number | null;
  stats: { count: number; mean: number; p50: number; p90: number; p99: number };
}
interface AccuracyJson {
  top1: number;
  top5: number;
  samples: number;
}
interface ParityJson {
  samples: number;
  outputs: { maxAbsError: number; cosineSimilarity: number | null }[];
}

export type JobWithResult = Job & { result: Omit<Result, 'rawSamples'> | null };

/** The figures a version's jobs on one device measured (the latest result per benchmark). */
export function versionFigures(jobs: readonly JobWithResult[]): VersionFigures {
  const latest = (kind: string) =>
    jobs
      .filter((j) => j.benchmark === kind && j.result)
      .sort((a, b) => (b.result?.createdAt.getTime() ?? 0) - (a.result?.createdAt.getTime() ?? 0))[0]?.result ?? null;
  const lat = latest('latency');
  const acc = latest('accuracy');
  const par = latest('parity');
  const latency = lat ? (lat.summary as unknown as LatencyJson) : null;
  const accuracy = acc ? (acc.summary as unknown as AccuracyJson) : null;
  const parity = par ? (par.summary as unknown as ParityJson) : null;
  const cosines = parity?.outputs.map((o) => o.cosineSimilarity).filter((c): c is number => c !== null) ?? [];
  return {
    latency:
      latency && lat
        ? {
            count: latency.stats.count,
            mean: latency.stats.mean,
            p50: latency.stats.p50,
            p90: latency.stats.p90,
            p99: latency.stats.p99,
            sessionCreateMs: latency.sessionCreateMs,
            firstInferenceMs: latency.firstInferenceMs,
            peakMemoryBytes: latency.peakMemoryBytes,
            thermalState: String((lat.environment as { thermalState?: unknown }).thermalState ?? 'unavailable'),
            contended: contentionOf(lat.environment),
          }
        : null,
    accuracy: accuracy ? { top1: accuracy.top1, top5: accuracy.top5, samples: accuracy.samples } : null,
    parity: parity
      ? {
          maxAbsError: Math.max(0, ...parity.outputs.map((o) => o.maxAbsError)),
          minCosine: cosines.length ? Math.min(...cosines) : null,
          samples: parity.samples,
        }
      : null,
    failures: jobs.filter((j) => j.status === 'failed').map((j) => ({ benchmark: j.benchmark, error: j.error ?? 'failed' })),
  };
}

/** Prisma `select` for a result without its raw samples. */
export const resultWithoutSamples = { select: { id: true, jobId: true, attempt: true, summary: true, environment: true, createdAt: true } } as const;

const TIER_RANK: Record<string, number> = { low: 0, mid: 1, high: 2 };

/** low → mid → high tier, then by the device's local key */
export function compareDevices(a: Pick<Device, 'tier' | 'localKey'>, b: Pick<Device, 'tier' | 'localKey'>): number {
  return (TIER_RANK[a.tier] ?? 3) - (TIER_RANK[b.tier] ?? 3) || a.localKey.localeCompare(b.localKey);
}
