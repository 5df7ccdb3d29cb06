import type { JobLease } from '@edgeproof/contracts';
import { ApiError, type ApiClient } from './api-client.ts';
import type { Logger } from './logger.ts';

/** Why a running job must stop; each kind ends it differently (see runEvaluateJob). */
export class JobStopped extends Error {
  override name = 'JobStopped';
  constructor(
    /** hand-back: give it back untouched; lost: the lock is gone; cancelled: the run was cancelled; superseded: another process took the agent over */
    readonly kind: 'hand-back' | 'lost' | 'cancelled' | 'superseded',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Keeps a fetched job's lock (and so its device lease) alive while it runs, renewing it every third of
 * its duration, and aborts the job's signal when the API says the job was cancelled, the lock is lost
 * or this process was superseded. An unreachable API is retried until the lock would have expired.
 */
export class JobLock {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  #expiresAt: number;

  constructor(
    private readonly api: ApiClient,
    private readonly lease: JobLease,
    private readonly log: Logger,
  ) {
    this.#expiresAt = Date.now() + lease.lockDurationMs;
    this.#timer = setInterval(() => void this.#renew(), Math.max(100, Math.floor(lease.lockDurationMs / 3)));
    this.#timer.unref();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  abort(reason: JobStopped): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #renew(): Promise<void> {
    if (this.#controller.signal.aborted) return;
    try {
      const reply = await this.api.renewLock(this.lease.jobId, this.lease.lockToken);
      this.#expiresAt = Date.now() + reply.lockDurationMs;
      if (reply.cancel) this.abort(new JobStopped('cancelled', reply.reason ?? 'the job was cancelled'));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'superseded') return this.abort(new JobStopped('superseded', err.message));
      if (err instanceof ApiError && (err.status === 409 || err.status === 403 || err.status === 404)) {
        return this.abort(new JobStopped('lost', err.message));
      }
      if (Date.now() >= this.#expiresAt) return this.abort(new JobStopped('lost', `the job lock expired while the API was unreachable: ${(err as Error).message}`));
      this.log.warn({ err, jobId: this.lease.jobId }, 'could not renew the job lock; trying again');
    }
  }
}
