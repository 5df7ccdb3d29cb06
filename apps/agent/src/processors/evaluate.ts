import type { EvaluateJobPayload, JobLease } from '@edgeproof/contracts';
import { DriverError, type DriverJob, type DriverResult, type HealthReport } from '@edgeproof/devices';
import { ApiError, type ApiClient } from '../api-client.ts';
import type { ArtifactCache } from '../artifact-cache.ts';
import type { DeviceSlot } from '../device-slot.ts';
import { JobLock, JobStopped } from '../job-lock.ts';
import type { Logger } from '../logger.ts';
import { featureArtifacts } from './feature-artifacts.ts';

export interface EvaluateDeps {
  api: ApiClient;
  cache: ArtifactCache;
  slot: DeviceSlot;
  logger: Logger;
  /** called when the device starts or stops being busy */
  onBusyChange?: () => void;
  /** called when the API says another process of this agent took over */
  onSuperseded?: (reason: string) => void;
}

export type EvaluateOutcome =
  | { status: 'stored' }
  /** the API already had a result for this job and kept it */
  | { status: 'duplicate' }
  /** the API said not to measure (already done, failed, cancelled or re-routed), or refused the result */
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; final: boolean; error: string }
  /** given back untouched (stopping, superseded): it runs again without spending an attempt */
  | { status: 'handed-back'; reason: string }
  /** the lock was lost or the job cancelled: nothing more is reported */
  | { status: 'stopped'; reason: string };

const MAX_ERROR_LENGTH = 10_000;

/** A failure no retry can fix: the API fails the job for good. */
export class UnrecoverableJobError extends Error {
  override name = 'UnrecoverableJobError';
}

/**
 * One `evaluate` job the API handed to this process: keep its lock, ask whether to proceed, fetch the
 * artifacts, run the driver, post the result. Any error posts a failure (the API decides whether the
 * queue retries it); `stop` (agent shutting down) hands the job back instead.
 */
export async function runEvaluateJob(deps: EvaluateDeps, lease: JobLease, stop: AbortSignal): Promise<EvaluateOutcome> {
  const { api, slot } = deps;
  const payload = lease.payload;
  const { attempt, lockToken } = lease;
  const log = deps.logger.child({ jobId: payload.jobId, attempt, benchmark: payload.benchmark, device: slot.localKey });
  const lock = new JobLock(api, lease, log);
  const onStop = () => lock.abort(new JobStopped('hand-back', 'agent shutting down'));
  stop.addEventListener('abort', onStop, { once: true });
  const run = lock.signal;

  try {
    const start = await api.startJob(payload.jobId, { attempt, lockToken });
    if (!start.proceed) {
      const reason = start.reason ?? 'the API said not to proceed';
      log.info({ reason }, 'job not measured');
      return { status: 'skipped', reason };
    }
    slot.begin(payload.jobId);
    deps.onBusyChange?.();
    log.info('job started');

    const fit = await preJobCheck(slot, run);
    if (!fit.ok) throw new Error(`device not fit to run: ${fit.reason ?? 'health check failed'}`);
    const driverJob = await prepare(deps.cache, payload);
    const measured = await slot.driver.run(slot.registration, driverJob, run);
    if (run.aborted) throw run.reason;
    const result = withCooldown(measured, fit.cooldownWaitMs);
    // a measurement is worth waiting for: an API that is briefly down (restarting, failing over) gets the result later
    const { stored } = await whileUnavailable(() => api.postResult(payload.jobId, { attempt, lockToken, ...result }), run, log);
    log.info({ stored }, 'result posted');
    return { status: stored ? 'stored' : 'duplicate' };
  } catch (err) {
    const stopped = run.aborted && run.reason instanceof JobStopped ? run.reason : toStopped(err);
    if (stopped) return settleStopped(deps, lease, stopped, log);
    if (err instanceof ApiError && (err.status === 409 || err.status === 403)) {
      log.warn({ reason: err.message }, 'the API refused this job; the measurement is discarded');
      return { status: 'skipped', reason: err.message };
    }
    const final = err instanceof UnrecoverableJobError || (err instanceof DriverError && !err.retryable) || (err instanceof ApiError && err.status === 404);
    const error = (err instanceof Error ? err.message || err.name : String(err)).slice(0, MAX_ERROR_LENGTH);
    log.warn({ err, final }, 'job attempt failed');
    await api.postFailure(payload.jobId, { attempt, lockToken, error, final }).catch((postErr: unknown) => {
      // the lock then expires and the job runs again
      log.error({ err: postErr }, 'could not report the failure to the API');
    });
    return { status: 'failed', final, error };
  } finally {
    stop.removeEventListener('abort', onStop);
    lock.close();
    if (slot.currentJobId !== undefined) {
      slot.end();
      deps.onBusyChange?.();
    }
  }
}

const RESULT_RETRY_MS = 60_000;

/** Repeats `call` while the API is unreachable or answers 502/503/504, until it answers, the job is stopped, or a minute passed. */
async function whileUnavailable<T>(call: () => Promise<T>, signal: AbortSignal, log: Logger): Promise<T> {
  const deadline = Date.now() + RESULT_RETRY_MS;
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5_000)) {
    try {
      return await call();
    } catch (err) {
      const unavailable = err instanceof ApiError && (err.status === 0 || err.status === 502 || err.status === 503 || err.status === 504);
      if (!unavailable || signal.aborted || Date.now() + delayMs > deadline) throw err;
      log.warn({ err: err.message, retryInMs: delayMs }, 'the API is unavailable; posting the result again');
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

/** An API answer that means "stop this job": superseded, or the lock is gone. */
function toStopped(err: unknown): JobStopped | null {
  if (err instanceof JobStopped) return err;
  if (err instanceof ApiError && err.code === 'superseded') return new JobStopped('superseded', err.message);
  return null;
}

async function settleStopped(deps: EvaluateDeps, lease: JobLease, stopped: JobStopped, log: Logger): Promise<EvaluateOutcome> {
  if (stopped.kind === 'superseded') deps.onSuperseded?.(stopped.message);
  // the run has stopped: give the job and its device back at once rather than leave them until the lock expires
  if (stopped.kind === 'hand-back' || stopped.kind === 'superseded') {
    await deps.api.releaseJob(lease.jobId, lease.lockToken, stopped.message).catch((err: unknown) => log.warn({ err }, 'could not hand the job back; its lock will expire'));
    log.info({ reason: stopped.message }, 'job handed back');
    return { status: 'handed-back', reason: stopped.message };
  }
  log.warn({ reason: stopped.message }, 'job stopped');
  return { status: 'stopped', reason: stopped.message };
}

/** The driver's pre-job check (or its health check); the outcome counts towards quarantine like any check. */
async function preJobCheck(slot: DeviceSlot, signal: AbortSignal): Promise<HealthReport> {
  let report: HealthReport;
  try {
    report = slot.driver.preJobCheck
      ? await slot.driver.preJobCheck(slot.registration, signal)
      : await slot.driver.healthCheck(slot.registration);
  } catch (err) {
    report = { ok: false, reason: `pre-job check failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  return slot.record(report);
}

/** A cool-down wait before the run is part of how the result was measured. */
function withCooldown(result: DriverResult, cooldownWaitMs: number | undefined): DriverResult {
  if (cooldownWaitMs === undefined) return result;
  return { ...result, environment: { ...result.environment, extra: { ...result.environment.extra, cooldownWaitMs } } };
}

/** Local copies of what the job reads; the dataset only when the benchmark uses it. */
async function prepare(cache: ArtifactCache, payload: EvaluateJobPayload): Promise<DriverJob> {
  const needsDataset = payload.benchmark === 'accuracy' || payload.settings.inputSource === 'dataset';
  const [modelPath, datasetPath, baselinePath] = await Promise.all([
    fetchArtifact(cache, payload.model.sha256, 'model'),
    needsDataset && payload.dataset ? fetchArtifact(cache, payload.dataset.sha256, 'dataset') : undefined,
    payload.baseline ? fetchArtifact(cache, payload.baseline.sha256, 'baseline model') : undefined,
  ]);
  const b = payload.baseline;
  const feature = await featureArtifacts(payload, (sha, what) => fetchArtifact(cache, sha, what));
  return {
    ...feature,
    ...(b && baselinePath ? { baseline: { path: baselinePath, sha256: b.sha256, format: b.format, signature: b.signature, version: b.version } } : {}),
    jobId: payload.jobId,
    runId: payload.runId,
    ...(payload.deviceBatch ? { batch: payload.deviceBatch } : {}),
    benchmark: payload.benchmark,
    model: { path: modelPath, sha256: payload.model.sha256, format: payload.model.format, signature: payload.model.signature },
    dataset:
      payload.dataset && datasetPath !== undefined
        ? { path: datasetPath, sha256: payload.dataset.sha256, header: payload.dataset.header }
        : null,
    settings: payload.settings,
  };
}

async function fetchArtifact(cache: ArtifactCache, sha256: string, what: string): Promise<string> {
  try {
    return await cache.get(sha256);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      throw new UnrecoverableJobError(`the ${what} artifact ${sha256} does not exist on the API`);
    }
    throw err;
  }
}
