import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import type { EvaluateJobPayload } from '@edgeproof/contracts';
import { DriverError, type DriverJob, type DriverResult, type HealthReport } from '@edgeproof/devices';
import { jobCatalog, LeaseFencedError, type DeviceLease, type DeviceLeases, type LeaseFence } from '@edgeproof/queue';
import { ApiError, type ApiClient } from '../api-client.ts';
import type { ArtifactCache } from '../artifact-cache.ts';
import type { DeviceSlot } from '../device-slot.ts';
import type { Logger } from '../logger.ts';
import { featureArtifacts } from './feature-artifacts.ts';

export interface EvaluateDeps {
  api: ApiClient;
  cache: ArtifactCache;
  slot: DeviceSlot;
  logger: Logger;
  /** called when the device starts or stops being busy */
  onBusyChange?: () => void;
  /** called when the API or the lease store says another process of this agent took over */
  onSuperseded?: (reason: string) => void;
  /**
   * when set, a job runs only while it holds the device's lease (one job per physical device, across
   * agents and across processes of one agent: the fence makes a superseded process give devices up)
   */
  leases?: { store: DeviceLeases; holder: string; fence?: LeaseFence; busyRetryMs: number };
}

export type EvaluateOutcome =
  | { status: 'stored' }
  /** the API already had a result for this job and kept it */
  | { status: 'duplicate' }
  /** the API said not to measure (already done, failed or re-routed) */
  | { status: 'skipped'; reason: string };

const MAX_ERROR_LENGTH = 10_000;

/**
 * One `evaluate` job on one device: ask the API whether to proceed, fetch the artifacts, run the driver,
 * post the result. The job completes only once the API has acknowledged the result; any error posts a
 * failure (final when no attempt is left) and is rethrown so BullMQ retries.
 */
export function createEvaluateProcessor(deps: EvaluateDeps) {
  return async (job: Job, token?: string, signal?: AbortSignal): Promise<EvaluateOutcome> => {
    const attempt = job.attemptsMade + 1;
    const parsed = jobCatalog.evaluate.schema.safeParse(job.data);
    if (!parsed.success) {
      const error = new UnrecoverableError(`invalid evaluate payload: ${z.prettifyError(parsed.error)}`);
      const jobId = z.uuid().safeParse((job.data as { jobId?: unknown } | null)?.jobId);
      if (jobId.success) await reportFailure(deps, jobId.data, attempt, error, true);
      throw error;
    }
    const payload = parsed.data;
    const log = deps.logger.child({ jobId: payload.jobId, attempt, benchmark: payload.benchmark, device: deps.slot.localKey });

    // a superseded process hands the job back untouched: the live instance runs it, no attempt is spent
    const handBack = async (err: unknown): Promise<never> => {
      deps.onSuperseded?.(err instanceof Error ? err.message : String(err));
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    };
    let lease: DeviceLease | null = null;
    if (deps.leases) {
      lease = await deps.leases.store
        .acquire(deps.slot.leaseKey, `${deps.leases.holder}/${deps.slot.id}`, deps.leases.fence)
        .catch((err: unknown) => (err instanceof LeaseFencedError ? handBack(err) : Promise.reject(err)));
      if (!lease) {
        // someone else is using this physical device: come back later without spending an attempt
        log.info({ leaseKey: deps.slot.leaseKey }, 'device leased elsewhere; job delayed');
        await job.moveToDelayed(Date.now() + deps.leases.busyRetryMs, token);
        throw new DelayedError();
      }
    }
    // losing the lease (e.g. Redis unreachable past its TTL) stops the run: another job may own the device now
    const run = new AbortController();
    const onAbort = () => run.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    lease?.onLost((reason) => run.abort(new Error(reason)));

    try {
      const start = await deps.api.startJob(payload.jobId, { attempt }).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) throw new UnrecoverableError(`the API does not know job ${payload.jobId}`);
        if (err instanceof ApiError && err.code === 'superseded') return handBack(err);
        // re-routed to a device of another agent meanwhile: not this agent's job any more
        if (err instanceof ApiError && err.status === 403) return { proceed: false, reason: err.message };
        throw err;
      });
      if (!start.proceed) {
        const reason = start.reason ?? 'the API said not to proceed';
        log.info({ reason }, 'job not measured');
        return { status: 'skipped', reason };
      }
      deps.slot.begin(payload.jobId);
      deps.onBusyChange?.();
      log.info('job started');

      const fit = await preJobCheck(deps.slot, run.signal);
      if (!fit.ok) throw new Error(`device not fit to run: ${fit.reason ?? 'health check failed'}`);
      const driverJob = await prepare(deps.cache, payload);
      const measured = await deps.slot.driver.run(deps.slot.registration, driverJob, run.signal);
      if (lease?.lost) throw new Error('the device lease was lost during the run; the measurement is discarded');
      const result = withCooldown(measured, fit.cooldownWaitMs);
      const posted = await deps.api.postResult(payload.jobId, { attempt, ...result }).catch((err: unknown) => {
        if (err instanceof ApiError && err.code === 'superseded') return handBack(err);
        if (err instanceof ApiError && (err.status === 409 || err.status === 403)) return { stored: false, refused: err.message };
        throw err;
      });
      if ('refused' in posted) {
        log.warn({ reason: posted.refused }, 'the API refused the result; the measurement is discarded');
        return { status: 'skipped', reason: posted.refused };
      }
      log.info({ stored: posted.stored }, 'result posted');
      return { status: posted.stored ? 'stored' : 'duplicate' };
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      const error = classify(err);
      const final = error instanceof UnrecoverableError || attempt >= (job.opts.attempts ?? 1);
      log.warn({ err: error, final }, 'job attempt failed');
      await reportFailure({ ...deps, logger: log }, payload.jobId, attempt, error, final);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await lease?.release().catch((err: unknown) => log.warn({ err }, 'could not release the device lease; it will expire'));
      if (deps.slot.currentJobId !== undefined) {
        deps.slot.end();
        deps.onBusyChange?.();
      }
    }
  };
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
      throw new UnrecoverableError(`the ${what} artifact ${sha256} does not exist on the API`);
    }
    throw err;
  }
}

/** Errors that a retry cannot fix become BullMQ's UnrecoverableError (no further attempts). */
function classify(err: unknown): Error {
  if (err instanceof UnrecoverableError) return err;
  if (err instanceof DriverError && !err.retryable) return new UnrecoverableError(err.message);
  if (err instanceof Error) return err;
  return new Error(String(err));
}

async function reportFailure(deps: EvaluateDeps, jobId: string, attempt: number, error: Error, final: boolean) {
  try {
    await deps.api.postFailure(jobId, { attempt, error: (error.message || error.name).slice(0, MAX_ERROR_LENGTH), final });
  } catch (err) {
    deps.logger.error({ err }, 'could not report the failure to the API');
  }
}
