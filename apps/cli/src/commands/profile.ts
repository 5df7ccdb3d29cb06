import { randomUUID } from 'node:crypto';
import { ApiError, sha256File, type EdgeproofClient } from '@edgeproof/client';
import type { RunCreateInput, RunOut } from '@edgeproof/contracts';
import { ciIdempotencyKey, detectCiContext } from '../ci-context.ts';
import { EXIT, type Io } from '../context.ts';
import { createProgress } from '../progress.ts';
import { profileRows, renderProfileCsv, renderProfileTable } from '../render/profile-results.ts';

export interface ProfileOptions {
  model: string;
  file: string;
  /** default: 0.0.0-<first 12 hex digits of the file's sha256>, so the same bytes are the same version */
  version?: string;
  devices: RunCreateInput['devices'];
  benchmarks: RunCreateInput['benchmarks'];
  dataset?: { name: string; version: string };
  settings: Record<string, unknown>;
  taskKind: 'classification' | 'detection' | 'other';
  owner?: string;
  gitCommit?: string;
  wait: boolean;
  timeoutMs: number;
  format: 'table' | 'json' | 'csv';
}

/** Exit code of a finished run: 0 every job succeeded, 1 some failed, 4 cancelled. */
export function runExitCode(run: RunOut): number {
  if (run.status === 'succeeded') return EXIT.ok;
  if (run.status === 'cancelled') return EXIT.error;
  return EXIT.fail;
}

/** Upload (idempotent), create the model when missing, run the benchmarks, wait, print the results. */
export async function runProfile(client: EdgeproofClient, opts: ProfileOptions, io: Io): Promise<number> {
  const ci = detectCiContext(io.env);
  await client.ensureModel({ name: opts.model, taskKind: opts.taskKind, owner: opts.owner ?? ci?.repository ?? 'unknown' });
  const versionName = opts.version ?? `0.0.0-${(await sha256File(opts.file)).slice(0, 12)}`;
  const commit = opts.gitCommit ?? (ci?.commit && /^[0-9a-f]{7,40}$/.test(ci.commit) ? ci.commit : undefined);
  const { created, version } = await client.uploadModelVersion(opts.model, opts.file, { version: versionName, gitCommit: commit });
  io.err(`${created ? 'uploaded' : 'already stored'}: ${opts.model} ${version.version} (sha256 ${version.sha256.slice(0, 12)}…, ${version.sizeBytes} bytes)`);

  const body: RunCreateInput = {
    model: opts.model,
    version: version.version,
    devices: opts.devices,
    benchmarks: opts.benchmarks,
    settings: opts.settings,
    ...(opts.dataset ? { dataset: opts.dataset } : {}),
    ...(ci ? { ci } : {}),
  };
  // a retried CI job reuses its run; elsewhere each invocation is a new run (the key still makes HTTP retries safe)
  const key = ciIdempotencyKey(io.env, { model: opts.model, version: version.version, policy: `profile:${JSON.stringify(body)}` }) ?? randomUUID();
  const started = await client.createRun(body, key);
  io.err(`run ${started.id}: ${started.progress.total} job(s) (${opts.benchmarks.join(', ')})`);
  if (!opts.wait) {
    io.out(opts.format === 'json' ? JSON.stringify({ runId: started.id, status: started.status }, null, 2) : `run ${started.id}: ${started.status}; follow it with: edgeproof run show ${started.id}`);
    return EXIT.ok;
  }
  const progress = createProgress(io);
  let run: RunOut;
  try {
    run = await client.waitForRun(started.id, { timeoutMs: opts.timeoutMs, onProgress: (r) => progress.update(r) });
  } catch (err) {
    progress.stop();
    if (err instanceof ApiError && err.code === 'timeout') {
      io.err(`timeout: ${err.message}; the run keeps going on the server (edgeproof run show ${started.id})`);
      return EXIT.timeout;
    }
    throw err;
  }
  progress.stop();
  const rows = profileRows(run, version);
  if (opts.format === 'json') {
    const summary = { id: run.id, model: run.model, version: run.version, status: run.status, createdAt: run.createdAt, finishedAt: run.finishedAt };
    io.out(JSON.stringify({ run: summary, modelVersion: { sha256: version.sha256, format: version.format, sizeBytes: version.sizeBytes, gzipSizeBytes: version.gzipSizeBytes }, results: rows }, null, 2));
  } else if (opts.format === 'csv') {
    io.out(renderProfileCsv(rows));
  } else {
    io.out(`${run.model} ${run.version}: ${run.status}\n${renderProfileTable(rows)}`);
  }
  return runExitCode(run);
}
