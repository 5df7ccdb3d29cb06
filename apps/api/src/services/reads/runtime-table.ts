import { resultRuntime, ResultEnvironment, ResultSummary, type RuntimeRow } from '@edgeproof/contracts';
import type { Db } from '@edgeproof/db';
import { contentionOf } from '@edgeproof/gating';
import { compareDevices } from '../dashboard/common.ts';

interface Figures {
  summary: ResultSummary;
  environment: { runtime: string; runtimeVersion: string; executionProvider: string; runtimeLabel?: string | undefined };
  contended: string | null;
}

/**
 * A run's figures per device, version and runtime, side by side: each job gives its own runtime's
 * figures and those of every other runtime it ran (settings.runtimes); an interleaved job also gives
 * its baseline's latency. Null when there is no such run.
 */
export async function runtimeTable(db: Db, runId: string): Promise<RuntimeRow[] | null> {
  const run = await db.evaluationRun.findUnique({ where: { id: runId }, select: { id: true, baselineVersionId: true } });
  if (!run) return null;
  const jobs = await db.job.findMany({
    where: { runId },
    include: {
      device: true,
      modelVersion: { select: { id: true, version: true, format: true, sizeBytes: true, gzipSizeBytes: true } },
      result: { select: { summary: true, environment: true } },
    },
    orderBy: [{ queuedAt: 'asc' }, { id: 'asc' }],
  });
  const baseline = run.baselineVersionId
    ? await db.modelVersion.findUnique({ where: { id: run.baselineVersionId }, select: { id: true, version: true, format: true, sizeBytes: true, gzipSizeBytes: true } })
    : null;
  const rows = new Map<string, RuntimeRow>();
  const rowOf = (job: (typeof jobs)[number], version: NonNullable<typeof baseline>, role: RuntimeRow['role'], runtime: string, runtimeVersion: string | null): RuntimeRow => {
    const key = `${job.deviceId}|${version.id}|${runtime}`;
    let row = rows.get(key);
    if (!row) {
      const d = job.device;
      row = {
        device: { id: d.id, localKey: d.localKey, platform: d.platform, tier: d.tier, model: d.model },
        version: version.version,
        format: version.format,
        role,
        runtime,
        runtimeVersion,
        sizeBytes: Number(version.sizeBytes),
        gzipSizeBytes: Number(version.gzipSizeBytes),
        latency: null,
        peakMemoryBytes: null,
        accuracy: null,
        parity: null,
        failures: [],
      };
      rows.set(key, row);
    }
    row.runtimeVersion ??= runtimeVersion;
    return row;
  };

  for (const job of jobs) {
    const role: RuntimeRow['role'] = job.role === 'baseline' || job.role === 'variant' ? job.role : 'candidate';
    const env = job.result ? ResultEnvironment.safeParse(job.result.environment) : null;
    const summary = job.result ? ResultSummary.safeParse(job.result.summary) : null;
    if (!env?.success || !summary?.success) {
      // not measured (yet): the row exists where the job would have measured, with why it has no figures
      if (job.status === 'failed' || job.status === 'cancelled') {
        rowOf(job, job.modelVersion, role, 'unknown', null).failures.push({ benchmark: job.benchmark, error: job.error ?? job.status });
      }
      continue;
    }
    const measured: Figures[] = [
      { summary: summary.data, environment: env.data, contended: contentionOf(env.data) },
      ...(env.data.runtimes ?? []).map((o) => ({ summary: o.summary, environment: { ...o.environment, runtimeLabel: o.runtime }, contended: contentionOf(o.environment) })),
    ];
    const interleaved = [env.data.interleaved, ...(env.data.runtimes ?? []).map((o) => o.environment.interleaved)];
    measured.forEach((m, i) => {
      const runtime = resultRuntime(m.environment);
      put(rowOf(job, job.modelVersion, role, runtime, m.environment.runtimeVersion), m.summary, m.contended, interleaved[i] !== undefined);
      const b = interleaved[i];
      if (b && baseline) put(rowOf(job, baseline, 'baseline', runtime, m.environment.runtimeVersion), b.baseline.summary, m.contended, true);
    });
  }
  const roleRank = { candidate: 0, variant: 1, baseline: 2 } as const;
  return [...rows.values()].sort(
    (a, b) => compareDevices(a.device, b.device) || roleRank[a.role] - roleRank[b.role] || a.version.localeCompare(b.version) || a.runtime.localeCompare(b.runtime),
  );
}

function put(row: RuntimeRow, s: ResultSummary, contended: string | null, interleaved: boolean): void {
  switch (s.kind) {
    case 'latency':
      row.latency = { p50: s.stats.p50, p90: s.stats.p90, p99: s.stats.p99, runs: s.measure.runs, sessionCreateMs: s.sessionCreateMs, firstInferenceMs: s.firstInferenceMs, interleaved, contended };
      row.peakMemoryBytes = s.peakMemoryBytes;
      return;
    case 'accuracy':
      row.accuracy = { top1: s.top1, top5: s.top5, samples: s.samples };
      return;
    case 'parity': {
      const cosines = s.outputs.map((o) => o.cosineSimilarity).filter((c): c is number => c !== null);
      row.parity = {
        maxAbsError: Math.max(0, ...s.outputs.map((o) => o.maxAbsError)),
        minCosine: cosines.length ? Math.min(...cosines) : null,
        samples: s.samples,
        reference: `${s.reference.runtime}/${s.reference.executionProvider} (${s.reference.settings})`,
      };
      return;
    }
    case 'feature':
      return;
  }
}
