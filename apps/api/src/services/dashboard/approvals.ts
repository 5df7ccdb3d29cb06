import type { DashApprovals } from '@edgeproof/contracts';
import { toApprovalOut, toAuditEntryOut, type Db } from '@edgeproof/db';

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
