import type { Db, GateRow } from '@edgeproof/db';
import { AppError, notFound } from '../../errors.ts';
import { cancelRun, type CancelDeps } from '../cancel.ts';
import { loadGate } from './gates.ts';

/** The idempotency key of a gate's confirmation run (advanceGate creates it under this key). */
export const confirmRunKey = (gateId: string) => `gate:${gateId}:confirm`;

const OPEN_GATE = ['running', 'confirming'] as const;

/**
 * Cancels a gate and the runs it started (its run and any confirmation run, even one created a moment
 * ago and not yet linked); the gate ends `cancelled` with no verdict and approves nothing. A gate is
 * moved only by conditional updates on its status, so an advancement racing this one finds it
 * cancelled and neither decides, approves nor keeps a confirmation run (advanceGate cancels one it
 * created too late). Cancelling a cancelled gate answers it again; a decided gate is 409.
 */
export async function cancelGate(deps: CancelDeps, gateId: string, by: string): Promise<GateRow> {
  const gate = await deps.db.gateEvaluation.findUnique({ where: { id: gateId }, select: { status: true } });
  if (!gate) throw notFound(`gate ${gateId}`);
  if (gate.status !== 'cancelled') {
    const { count } = await deps.db.gateEvaluation.updateMany({
      where: { id: gateId, status: { in: [...OPEN_GATE] } },
      data: { status: 'cancelled', error: `cancelled by ${by}`, finishedAt: new Date() },
    });
    if (!count) {
      const now = await deps.db.gateEvaluation.findUniqueOrThrow({ where: { id: gateId }, select: { status: true } });
      if (now.status !== 'cancelled') {
        throw new AppError(409, 'conflict', `gate ${gateId} already finished (${now.status}): only a running or confirming gate can be cancelled`, { status: now.status });
      }
    }
  }
  await cancelRunsOfGate(deps, gateId, by);
  return (await loadGate(deps.db, gateId)) as GateRow;
}

/** Cancels every unfinished run of a cancelled gate (safe to repeat). */
export async function cancelRunsOfGate(deps: CancelDeps, gateId: string, by: string): Promise<void> {
  const gate = await deps.db.gateEvaluation.findUniqueOrThrow({ where: { id: gateId }, select: { runId: true, confirmRunId: true } });
  const confirm = await deps.db.evaluationRun.findUnique({ where: { idempotencyKey: confirmRunKey(gateId) }, select: { id: true } });
  const ids = [...new Set([gate.runId, gate.confirmRunId, confirm?.id].filter((id): id is string => !!id))];
  const open = await deps.db.evaluationRun.findMany({ where: { id: { in: ids }, status: { in: ['queued', 'running'] } }, select: { id: true } });
  for (const run of open) {
    await cancelRun(deps, run.id, by).catch((err: unknown) => {
      // it finished meanwhile: nothing left to stop
      if (!(err instanceof AppError && err.status === 409)) throw err;
    });
  }
}

/**
 * Gates left waiting on a run that was cancelled (directly, with POST /v1/runs/:id/cancel) can never
 * be decided: they end `cancelled` too. Returns how many gates it finished.
 */
export async function cancelGatesOfCancelledRuns(db: Db, runId?: string): Promise<number> {
  const gates = await db.gateEvaluation.findMany({
    where: {
      status: { in: [...OPEN_GATE] },
      OR: [
        { status: 'running', run: { status: 'cancelled', ...(runId ? { id: runId } : {}) } },
        { status: 'confirming', confirmRun: { status: 'cancelled', ...(runId ? { id: runId } : {}) } },
      ],
    },
    select: { id: true, status: true, runId: true, confirmRunId: true },
    take: 200,
  });
  let finished = 0;
  for (const g of gates) {
    const { count } = await db.gateEvaluation.updateMany({
      where: { id: g.id, status: g.status },
      data: { status: 'cancelled', error: `its ${g.status === 'confirming' ? 'confirmation ' : ''}run ${g.status === 'confirming' ? g.confirmRunId : g.runId} was cancelled`, finishedAt: new Date() },
    });
    finished += count;
  }
  return finished;
}
