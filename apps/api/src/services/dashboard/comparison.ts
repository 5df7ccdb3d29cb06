import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { MetricComparison, VersionComparison, VersionFigures } from '@edgeproof/contracts';
import type { Db } from '@edgeproof/db';
import { bootstrapRatioOfMedians, seedFromText } from '@edgeproof/metrics';
import { compareDevices, dashDevice, resultWithoutSamples, versionFigures } from './common.ts';
import { latencySamples } from './distributions.ts';
import { chooseRun, findVersion } from './version.ts';

const BOOTSTRAP_ITERATIONS = 1000;
const CONFIDENCE = 0.95;
/** results never change once stored, so a run's comparison is reused until it gets another result */
const cache = new Map<string, VersionComparison>();
const CACHE_ENTRIES = 100;

function compare(metric: string, unit: string, better: 'lower' | 'higher', candidate: number | null | undefined, baseline: number | null | undefined): MetricComparison {
  const c = candidate ?? null;
  const b = baseline ?? null;
  const delta = c !== null && b !== null ? c - b : null;
  const relative = c !== null && b !== null && b !== 0 ? c / b - 1 : null;
  return { metric, unit, better, candidate: c, baseline: b, delta, relative, ci: null };
}

function deviceMetrics(c: VersionFigures, b: VersionFigures | null): MetricComparison[] {
  return [
    compare('latency.p50', 'ms', 'lower', c.latency?.p50, b?.latency?.p50),
    compare('latency.p90', 'ms', 'lower', c.latency?.p90, b?.latency?.p90),
    compare('latency.p99', 'ms', 'lower', c.latency?.p99, b?.latency?.p99),
    compare('latency.sessionCreate', 'ms', 'lower', c.latency?.sessionCreateMs, b?.latency?.sessionCreateMs),
    compare('latency.firstInference', 'ms', 'lower', c.latency?.firstInferenceMs, b?.latency?.firstInferenceMs),
    compare('memory.peak', 'bytes', 'lower', c.latency?.peakMemoryBytes, b?.latency?.peakMemoryBytes),
    compare('accuracy.top1', 'ratio', 'higher', c.accuracy?.top1, b?.accuracy?.top1),
    compare('parity.maxAbsError', 'number', 'lower', c.parity?.maxAbsError, b?.parity?.maxAbsError),
  ];
}

/**
 * Candidate vs baseline per device: deltas of every figure, and for the median latency a
 * percentile-bootstrap interval of the ratio of medians from the raw samples (the statistic the
 * release gate uses), seeded per run and device so that a page shows the same interval every time.
 */
export async function versionComparison(db: Db, model: string, version: string, runId: string | undefined): Promise<VersionComparison> {
  const v = await findVersion(db, model, version);
  const run = await chooseRun(db, v.id, runId);
  const base = run?.baselineVersion ?? null;
  const modelRows = [
    compare('model.size', 'bytes', 'lower', Number(v.sizeBytes), base ? Number(base.sizeBytes) : null),
    compare('model.gzipSize', 'bytes', 'lower', Number(v.gzipSizeBytes), base ? Number(base.gzipSizeBytes) : null),
  ];
  if (!run) return { run: null, candidate: v.version, baseline: null, devices: [], model: modelRows };
  const stored = await db.result.aggregate({ where: { job: { runId: run.id } }, _count: true, _max: { createdAt: true } });
  const key = `${run.id}/${stored._count}/${stored._max.createdAt?.getTime() ?? 0}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const jobs = await db.job.findMany({ where: { runId: run.id, role: { not: 'variant' } }, include: { device: true, result: resultWithoutSamples } });
  const samples = base ? await latencySamples(db, run.id) : [];
  const deviceIds = [...new Set(jobs.map((j) => j.deviceId))];
  const devices: VersionComparison['devices'] = [];
  for (const id of deviceIds) {
    const mine = jobs.filter((j) => j.deviceId === id);
    const device = (mine[0] as (typeof mine)[number]).device;
    const metrics = deviceMetrics(
      versionFigures(mine.filter((j) => j.role !== 'baseline')),
      base ? versionFigures(mine.filter((j) => j.role === 'baseline')) : null,
    );
    const cand = samples.find((s) => s.job.deviceId === id && s.job.role !== 'baseline')?.rawSamples;
    const baseSamples = samples.find((s) => s.job.deviceId === id && s.job.role === 'baseline')?.rawSamples;
    const p50 = metrics[0];
    if (p50 && cand?.length && baseSamples?.length && cand.every((x) => x > 0) && baseSamples.every((x) => x > 0)) {
      const boot = bootstrapRatioOfMedians(cand, baseSamples, { seed: seedFromText(`${run.id}/${id}`), iterations: BOOTSTRAP_ITERATIONS, confidence: CONFIDENCE });
      p50.ci = { lower: boot.lower - 1, upper: boot.upper - 1, confidence: CONFIDENCE };
      // each bootstrap holds the event loop for a while: let other requests (the page's first chart) through
      await yieldToEventLoop();
    }
    devices.push({ device: dashDevice(device), metrics });
  }
  devices.sort((a, b) => compareDevices(a.device, b.device));
  const out = { run: run.id, candidate: v.version, baseline: base?.version ?? null, devices, model: modelRows };
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, out);
  return out;
}
