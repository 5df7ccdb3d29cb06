import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '@edgeproof/db';
import type { DeviceQueues } from '../plugins/queues.ts';
import { cancelGatesOfCancelledRuns } from './gating/gate-cancel.ts';
import { advanceOpenGates } from './gating/gates.ts';
import { asLeader, Serial } from './leader.ts';
import { OPEN_JOB_STATUSES, refreshRunStatus } from './run-status.ts';

export interface ReconcileReport {
  /** false: another replica was reconciling; this one did nothing */
  led: boolean;
  /** runs whose jobs were all done but which had not finished */
  runsFinished: number;
  /** gates whose run was cancelled */
  gatesCancelled: number;
}

const BATCH = 200;

/**
 * The backstop that makes every run and gate reach an end whatever was lost on the way (a crash
 * between a job's result and its run's status, a status written by hand): a run whose jobs are all
 * done is finished as its jobs say, a gate whose run was cancelled is cancelled, and every open gate
 * is advanced (advanceGate: decided once its run finished). One replica at a time (advisory lock);
 * every step is a conditional update, so a repeat does nothing.
 */
export class Reconciler {
  readonly #serial = new Serial();

  constructor(
    private readonly db: Db,
    private readonly queues: DeviceQueues,
    private readonly log: FastifyBaseLogger,
    private readonly tickTimeoutMs = 120_000,
  ) {}

  tick(): Promise<ReconcileReport> {
    return this.#serial.run(async () => {
      const outcome = await asLeader(this.db, 'reconciler', () => this.#pass(), this.tickTimeoutMs);
      return outcome.led ? { led: true, ...outcome.value } : { led: false, runsFinished: 0, gatesCancelled: 0 };
    });
  }

  async #pass(): Promise<Omit<ReconcileReport, 'led'>> {
    const stuck = await this.db.evaluationRun.findMany({
      where: { status: { in: ['queued', 'running'] }, jobs: { none: { status: { in: [...OPEN_JOB_STATUSES] } } } },
      select: { id: true, status: true },
      take: BATCH,
    });
    let runsFinished = 0;
    for (const run of stuck) {
      const status = await this.db.$transaction((tx) => refreshRunStatus(tx, run.id));
      if (status && status !== run.status) {
        runsFinished++;
        this.log.warn({ runId: run.id, was: run.status, now: status }, 'reconciler finished a run whose jobs were all done');
      }
    }
    const gatesCancelled = await cancelGatesOfCancelledRuns(this.db);
    await advanceOpenGates({ db: this.db, queues: this.queues, log: this.log });
    return { runsFinished, gatesCancelled };
  }
}
