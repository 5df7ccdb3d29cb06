import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, type ApiClient } from './api-client.ts';
import type { DeviceSlot } from './device-slot.ts';
import type { Logger } from './logger.ts';
import { runEvaluateJob, type EvaluateDeps, type EvaluateOutcome } from './processors/evaluate.ts';

export interface JobLoopOptions {
  api: ApiClient;
  slot: DeviceSlot;
  deps: Omit<EvaluateDeps, 'slot' | 'logger'>;
  logger: Logger;
  /** how long one long poll waits for a job */
  pollWaitMs: number;
  /** an unhealthy device is looked at again after this long */
  healthRecheckMs: number;
  onOutcome?: (jobId: string, outcome: EvaluateOutcome) => void;
}

/**
 * One device's work: long-poll the API for its next job, run it, repeat. An unhealthy device asks for
 * nothing until it recovers; an unreachable API is retried with backoff. `stop()` ends the poll at
 * once, lets a running job finish (or hands it back when `abortRunning` fires), then resolves.
 */
export class JobLoop {
  readonly #opts: JobLoopOptions;
  readonly #stopping = new AbortController();
  readonly #abortRunning = new AbortController();
  #done: Promise<void> | undefined;

  constructor(opts: JobLoopOptions) {
    this.#opts = opts;
  }

  start(): void {
    this.#done ??= this.#loop();
  }

  /** Stops asking for jobs; resolves once the running job (if any) has ended. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#done;
  }

  /** Hands the running job back now instead of letting it finish. */
  abortRunning(): void {
    this.#abortRunning.abort();
  }

  async #loop(): Promise<void> {
    const { api, slot, logger } = this.#opts;
    const stop = this.#stopping.signal;
    let backoffMs = 500;
    while (!stop.aborted) {
      if (!slot.health.ok) {
        await sleep(this.#opts.healthRecheckMs, undefined, { signal: stop }).catch(() => undefined);
        continue;
      }
      let lease;
      try {
        lease = await api.nextJob({ devices: [slot.id], waitMs: this.#opts.pollWaitMs }, stop);
        backoffMs = 500;
      } catch (err) {
        if (stop.aborted) break;
        if (err instanceof ApiError && err.code === 'superseded') {
          this.#opts.deps.onSuperseded?.(err.message);
          break;
        }
        logger.warn({ err, device: slot.localKey, retryInMs: backoffMs }, 'could not ask the API for a job');
        await sleep(backoffMs, undefined, { signal: stop }).catch(() => undefined);
        backoffMs = Math.min(backoffMs * 2, 15_000);
        continue;
      }
      if (!lease) continue;
      if (stop.aborted) {
        // fetched while stopping: give it back for another process
        await api.releaseJob(lease.jobId, lease.lockToken, 'agent shutting down').catch(() => undefined);
        break;
      }
      const outcome = await runEvaluateJob({ ...this.#opts.deps, slot, logger }, lease, this.#abortRunning.signal);
      this.#opts.onOutcome?.(lease.jobId, outcome);
    }
  }
}
