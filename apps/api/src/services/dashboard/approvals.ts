import type { DashApprovals, FeatureEvaluations } from '@edgeproof/contracts';
import { toApprovalOut, toAuditEntryOut, type Db } from '@edgeproof/db';
import { dashDevice } from './common.ts';

const LIMIT = 500;

/** Approvals (active first, then the newest) and the audit history, optionally for one model. */
export async function dashboardApprovals(db: Db, model: string | undefined): Promise<DashApprovals> {
  const approvals = await db.approval.findMany({
    where: model ? { model: { name: model } } : {},
    include: { model: true, modelVersion: true },
    orderBy: { createdAt: 'desc' },
    take: LIMIT,
  });
  const audit = await db.auditEntry.findMany({ where: model ? { modelName: model } : {}, orderBy: { createdAt: 'desc' }, take: LIMIT });
  const out = approvals.map(toApprovalOut);
  out.sort((a, b) => Number(b.state === 'active') - Number(a.state === 'active'));
  return { approvals: out, audit: audit.map(toAuditEntryOut) };
}

function numericFields(value: unknown, prefix: string, into: Record<string, number>): Record<string, number> {
  if (typeof value === 'number' && Number.isFinite(value)) into[prefix] = value;
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) numericFields(v, prefix ? `${prefix}.${k}` : k, into);
  }
  return into;
}

/** Results of benchmark kinds other than latency, accuracy and parity (feature evaluations), newest first. */
export async function featureEvaluations(db: Db): Promise<FeatureEvaluations> {
  const rows = await db.result.findMany({
    where: { job: { benchmark: { notIn: ['latency', 'accuracy', 'parity'] } } },
    orderBy: { createdAt: 'desc' },
    take: 200,
    select: { summary: true, createdAt: true, job: { select: { benchmark: true, runId: true, device: true, run: { select: { modelVersion: { select: { version: true, model: { select: { name: true } } } } } } } } },
  });
  return {
    items: rows.map((r) => ({
      run: r.job.runId,
      model: r.job.run.modelVersion.model.name,
      version: r.job.run.modelVersion.version,
      device: dashDevice(r.job.device),
      kind: r.job.benchmark,
      measuredAt: r.createdAt.toISOString(),
      metrics: numericFields(r.summary, '', {}),
    })),
  };
}
