import type { RunBrief, VersionPage } from '@edgeproof/contracts';
import { gateInclude, toApprovalOut, toGateOut, toModelVersionOut, type Db, type EvaluationRun, type ModelVersion } from '@edgeproof/db';
import { notFound } from '../../errors.ts';
import { runtimeTable } from '../reads/runtime-table.ts';
import { compareDevices, dashDevice, resultWithoutSamples, versionFigures, type JobWithResult } from './common.ts';

export async function findVersion(db: Db, model: string, version: string) {
  const row = await db.modelVersion.findFirst({ where: { version, model: { name: model } }, include: { model: true } });
  if (!row) throw notFound(`version ${version} of model ${model}`);
  return row;
}

export type ChosenRun = EvaluationRun & { baselineVersion: ModelVersion | null };

/** `runId` when given (it must measure this version as candidate), else the latest run that does. */
export async function chooseRun(db: Db, versionId: string, runId: string | undefined): Promise<ChosenRun | null> {
  if (runId) {
    const run = await db.evaluationRun.findFirst({ where: { id: runId, modelVersionId: versionId }, include: { baselineVersion: true } });
    if (!run) throw notFound(`run ${runId} of this model version`);
    return run;
  }
  return db.evaluationRun.findFirst({ where: { modelVersionId: versionId }, include: { baselineVersion: true }, orderBy: { createdAt: 'desc' } });
}

export function runBrief(run: ChosenRun, version: string): RunBrief {
  return { id: run.id, status: run.status, version, baseline: run.baselineVersion?.version ?? null, createdAt: run.createdAt.toISOString() };
}

export async function versionPage(db: Db, baseUrl: string, model: string, version: string, runId: string | undefined): Promise<VersionPage> {
  const v = await findVersion(db, model, version);
  const run = await chooseRun(db, v.id, runId);
  const runs = await db.evaluationRun.findMany({
    where: { modelVersionId: v.id },
    include: { baselineVersion: true },
    orderBy: { createdAt: 'desc' },
    take: 20,
  });
  const jobs = run
    ? await db.job.findMany({ where: { runId: run.id }, include: { device: true, result: resultWithoutSamples }, orderBy: { queuedAt: 'asc' } })
    : [];
  const byDevice = new Map<string, { device: (typeof jobs)[number]['device']; candidate: JobWithResult[]; baseline: JobWithResult[] }>();
  for (const j of jobs) {
    if (j.role === 'variant') continue; // shown in runtimes, beside the candidate
    const entry = byDevice.get(j.deviceId) ?? { device: j.device, candidate: [], baseline: [] };
    (j.role === 'baseline' ? entry.baseline : entry.candidate).push(j);
    byDevice.set(j.deviceId, entry);
  }
  const gate = await db.gateEvaluation.findFirst({ where: { modelVersionId: v.id }, include: gateInclude, orderBy: { createdAt: 'desc' } });
  const approvals = await db.approval.findMany({ where: { modelVersionId: v.id }, include: { model: true, modelVersion: true }, orderBy: { createdAt: 'desc' } });
  const gateOut = gate ? toGateOut(gate, baseUrl) : null;
  return {
    version: toModelVersionOut(v, v.model.name, baseUrl),
    taskKind: v.model.taskKind,
    run: run ? runBrief(run, v.version) : null,
    runs: runs.map((r) => runBrief(r, v.version)),
    devices: [...byDevice.values()]
      .sort((a, b) => compareDevices(a.device, b.device))
      .map((e) => ({
        device: dashDevice(e.device),
        candidate: versionFigures(e.candidate),
        baseline: run?.baselineVersionId ? versionFigures(e.baseline) : null,
      })),
    runtimes: run ? ((await runtimeTable(db, run.id)) ?? []) : [],
    gate: gateOut
      ? {
          gate: gateOut.id,
          version: gateOut.version,
          status: gateOut.status,
          verdict: gateOut.verdict,
          policyName: gateOut.policyName,
          createdAt: gateOut.createdAt,
          baseline: gateOut.baseline,
          scope: gateOut.scope,
          results: gateOut.results,
          error: gateOut.error,
        }
      : null,
    approvals: approvals.map(toApprovalOut),
  };
}
