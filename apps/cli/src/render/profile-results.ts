import type { JobOut, ModelVersionOut, RunOut } from '@edgeproof/contracts';
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';

/** One job's figures, flat: what `profile --json` and `--csv` print. Times in ms, sizes in bytes; null where the benchmark has no such figure. */
export interface ProfileRow {
  device: string;
  platform: string;
  tier: string;
  benchmark: string;
  version: string;
  status: string;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  sessionCreateMs: number | null;
  firstInferenceMs: number | null;
  peakMemoryBytes: number | null;
  sizeBytes: number;
  gzipSizeBytes: number;
  top1: number | null;
  top5: number | null;
  parityMaxAbsError: number | null;
  runtime: string | null;
  error: string | null;
}

export function profileRows(run: RunOut, version: ModelVersionOut): ProfileRow[] {
  return run.jobs.map((job) => rowOf(job, version));
}

function rowOf(job: JobOut, version: ModelVersionOut): ProfileRow {
  const s = job.result?.summary;
  const env = job.result?.environment;
  const latency = s?.kind === 'latency' ? s : undefined;
  return {
    device: job.device.localKey,
    platform: job.device.platform,
    tier: job.device.tier,
    benchmark: job.benchmark,
    version: job.modelVersion,
    status: job.status,
    p50Ms: latency?.stats.p50 ?? null,
    p90Ms: latency?.stats.p90 ?? null,
    p99Ms: latency?.stats.p99 ?? null,
    sessionCreateMs: latency?.sessionCreateMs ?? null,
    firstInferenceMs: latency?.firstInferenceMs ?? null,
    peakMemoryBytes: latency?.peakMemoryBytes ?? null,
    sizeBytes: version.sizeBytes,
    gzipSizeBytes: version.gzipSizeBytes,
    top1: s?.kind === 'accuracy' ? s.top1 : null,
    top5: s?.kind === 'accuracy' ? s.top5 : null,
    parityMaxAbsError: s?.kind === 'parity' ? Math.max(0, ...s.outputs.map((o) => o.maxAbsError)) : null,
    runtime: env ? `${env.runtime} ${env.runtimeVersion} ${env.executionProvider}` : null,
    error: job.error,
  };
}

/** three significant digits, so 13 µs reads 0.0132 and not 0.01 */
const ms = (v: number | null) => (v === null ? '' : v >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());
const bytes = (v: number | null) => (v === null ? '' : v >= 2 ** 20 ? `${(v / 2 ** 20).toFixed(1)} MiB` : `${(v / 1024).toFixed(1)} KiB`);
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

function quality(r: ProfileRow): string {
  if (r.top1 !== null) return `top-1 ${pct(r.top1)} · top-5 ${pct(r.top5 ?? 0)}`;
  if (r.parityMaxAbsError !== null) return `max|Δ| ${r.parityMaxAbsError.toExponential(2)}`;
  return r.status === 'failed' ? `failed: ${r.error ?? ''}` : '';
}

/** The results table: one row per device and benchmark. */
export function renderProfileTable(rows: ProfileRow[]): string {
  const table = new Table({
    head: ['device', 'benchmark', 'status', 'p50 ms', 'p90 ms', 'p99 ms', 'init ms', 'first ms', 'peak mem', 'size (gzip)', 'accuracy / parity'],
    wordWrap: true,
    colWidths: [24, 11, 11, 9, 9, 9, 9, 9, 11, 22, 36],
  });
  for (const r of rows) {
    table.push([
      `${r.device} (${r.platform}, ${r.tier})`,
      r.benchmark,
      r.status,
      ms(r.p50Ms),
      ms(r.p90Ms),
      ms(r.p99Ms),
      ms(r.sessionCreateMs),
      ms(r.firstInferenceMs),
      bytes(r.peakMemoryBytes),
      `${bytes(r.sizeBytes)} (${bytes(r.gzipSizeBytes)})`,
      quality(r),
    ]);
  }
  return table.toString();
}

const CSV_COLUMNS: (keyof ProfileRow)[] = [
  'device', 'platform', 'tier', 'benchmark', 'version', 'status', 'p50Ms', 'p90Ms', 'p99Ms', 'sessionCreateMs', 'firstInferenceMs',
  'peakMemoryBytes', 'sizeBytes', 'gzipSizeBytes', 'top1', 'top5', 'parityMaxAbsError', 'runtime', 'error',
];

/** CSV with a header row; empty cells where a figure does not apply. */
export function renderProfileCsv(rows: ProfileRow[]): string {
  return stringify(rows, { header: true, columns: CSV_COLUMNS }).trimEnd();
}
