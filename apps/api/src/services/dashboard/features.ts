import type { CostPoint, FeatureEvaluationDetail, FeatureEvaluationList, FeatureEvaluationRow, FeatureSummary, LatencyTimelinePoint } from '@edgeproof/contracts';
import type { Db } from '@edgeproof/db';
import { notFound } from '../../errors.ts';
import { dashDevice } from './common.ts';

const LIST_LIMIT = 200;
export const DEFAULT_TIMELINE_POINTS = 300;

/** A stored feature summary without its per-frame records and cost series (stripped in SQL for lists). */
type SummaryHead = Omit<FeatureSummary, 'records'> & { records?: FeatureSummary['records'] };

interface JobMeta {
  id: string;
  runId: string;
  device: Parameters<typeof dashDevice>[0];
  run: { modelVersion: { version: string; model: { name: string } } };
}

const jobMeta = { id: true, runId: true, device: true, run: { select: { modelVersion: { select: { version: true, model: { select: { name: true } } } } } } } as const;

export function featureRow(job: JobMeta, measuredAt: Date, s: SummaryHead): FeatureEvaluationRow {
  const e = s.experience;
  const d = s.delivery;
  const c = s.cost;
  return {
    run: job.runId,
    job: job.id,
    measuredAt: measuredAt.toISOString(),
    model: job.run.modelVersion.model.name,
    version: job.run.modelVersion.version,
    device: dashDevice(job.device),
    feature: s.feature,
    scenario: s.scenario,
    settings: s.settings,
    passComplete: s.pass.complete,
    tracking: s.tracking,
    experience: { timeToFirstResultMs: e.timeToFirstResultMs, shownRatio: e.shownRatio, flickers: e.flickers, idChanges: e.idChanges, itemsInView: e.itemsInView, itemsNeverShown: e.itemsNeverShown },
    delivery: { latencyMs: d.latencyMs, processedFps: d.processedFps, droppedRatio: d.droppedRatio, processedFrames: d.processedFrames, expectedFrames: d.expectedFrames },
    cost: {
      cpuPercentMean: c.cpuPercentMean,
      peakRssBytes: c.peakRssBytes,
      temperatureRiseC: c.temperatureRiseC,
      maxTemperatureC: c.maxTemperatureC,
      batteryPercentPerMinute: c.batteryPercentPerMinute,
      energyJoulesPerMinute: c.energyJoulesPerMinute,
      sources: c.sources,
    },
  };
}

/** Feature replays, newest first: the figures only (records and series are dropped by the database). */
export async function featureEvaluationList(db: Db): Promise<FeatureEvaluationList> {
  const heads = await db.$queryRaw<Array<{ jobId: string; createdAt: Date; summary: SummaryHead }>>`
    SELECT r."jobId", r."createdAt", (r.summary - 'records') #- '{cost,series}' AS summary
    FROM "Result" r JOIN "Job" j ON j.id = r."jobId"
    WHERE j.benchmark::text = 'feature' AND r.summary->>'kind' = 'feature'
    ORDER BY r."createdAt" DESC LIMIT ${LIST_LIMIT}`;
  const jobs = await db.job.findMany({ where: { id: { in: heads.map((h) => h.jobId) } }, select: jobMeta });
  const byId = new Map(jobs.map((j) => [j.id, j]));
  return {
    items: heads.flatMap((h) => {
      const job = byId.get(h.jobId);
      return job ? [featureRow(job, h.createdAt, h.summary)] : [];
    }),
  };
}

const median = (sorted: readonly number[]) => {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[m] as number) : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
};

/** Capture → result latency per processed frame, in at most `maxPoints` equal time buckets (min / median / max each). */
export function latencyTimeline(records: FeatureSummary['records'], maxPoints: number): FeatureEvaluationDetail['latencyTimeline'] {
  const frames = records.map((r) => ({ t: r.captureMs, ms: r.resultMs - r.captureMs })).sort((a, b) => a.t - b.t);
  const first = frames[0];
  const last = frames.at(-1);
  if (!first || !last) return { frames: 0, bucketS: null, points: [] };
  if (frames.length <= maxPoints) {
    return { frames: frames.length, bucketS: null, points: frames.map((f) => ({ tS: f.t / 1000, frames: 1, minMs: f.ms, medianMs: f.ms, maxMs: f.ms })) };
  }
  const width = (last.t - first.t) / maxPoints || 1;
  const buckets = new Map<number, number[]>();
  for (const f of frames) {
    const b = Math.min(maxPoints - 1, Math.floor((f.t - first.t) / width));
    const list = buckets.get(b) ?? [];
    list.push(f.ms);
    buckets.set(b, list);
  }
  const points: LatencyTimelinePoint[] = [...buckets.entries()].map(([b, ms]) => {
    const sorted = ms.sort((x, y) => x - y);
    return { tS: (first.t + (b + 0.5) * width) / 1000, frames: sorted.length, minMs: sorted[0] as number, medianMs: median(sorted), maxMs: sorted.at(-1) as number };
  });
  return { frames: frames.length, bucketS: width / 1000, points };
}

const meanOf = (v: readonly number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);

/** The cost series in at most `maxPoints` buckets: CPU % from cumulative CPU time, RSS in MiB, hottest sensor, battery %. */
export function costSeries(cost: FeatureSummary['cost'], maxPoints: number): FeatureEvaluationDetail['costSeries'] {
  const s = [...cost.series].sort((a, b) => a.tMs - b.tMs);
  const per = s.map((x, i) => {
    const prev = s[i - 1];
    const cpu = prev && prev.cpuTimeMs !== null && x.cpuTimeMs !== null && x.tMs > prev.tMs ? ((x.cpuTimeMs - prev.cpuTimeMs) / (x.tMs - prev.tMs)) * 100 : null;
    const temps = Object.values(x.temperaturesC);
    return { tMs: x.tMs, cpu, rss: x.rssBytes === null ? null : x.rssBytes / 2 ** 20, temp: temps.length ? Math.max(...temps) : null, battery: x.batteryPercent };
  });
  const group = Math.max(1, Math.ceil(per.length / maxPoints));
  const points: CostPoint[] = [];
  for (let i = 0; i < per.length; i += group) {
    const chunk = per.slice(i, i + group);
    const pick = (k: 'cpu' | 'rss' | 'temp' | 'battery') => meanOf(chunk.map((c) => c[k]).filter((v): v is number => v !== null));
    points.push({ tS: (meanOf(chunk.map((c) => c.tMs)) as number) / 1000, cpuPercent: pick('cpu'), rssMiB: pick('rss'), temperatureC: pick('temp'), batteryPercent: pick('battery') });
  }
  const has = (k: keyof CostPoint) => points.some((p) => p[k] !== null);
  return {
    samples: s.length,
    sampleIntervalMs: cost.sampleIntervalMs,
    points,
    available: { cpuPercent: has('cpuPercent'), rssMiB: has('rssMiB'), temperatureC: has('temperatureC'), batteryPercent: has('batteryPercent') },
  };
}

/** One feature replay: its row, the per-frame latency timeline and the cost series, downsampled. */
export async function featureEvaluationDetail(db: Db, jobId: string, maxPoints: number): Promise<FeatureEvaluationDetail> {
  const result = await db.result.findUnique({ where: { jobId }, select: { summary: true, createdAt: true, job: { select: jobMeta } } });
  const summary = result?.summary as FeatureSummary | undefined;
  if (!result || summary?.kind !== 'feature') throw notFound(`feature evaluation ${jobId}`);
  return {
    row: featureRow(result.job, result.createdAt, summary),
    latencyTimeline: latencyTimeline(summary.records, maxPoints),
    costSeries: costSeries(summary.cost, maxPoints),
  };
}
