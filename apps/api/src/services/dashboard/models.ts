import type { DashModels } from '@edgeproof/contracts';
import type { Db } from '@edgeproof/db';
import { activeApproval, approvalBadge } from './common.ts';

/** Every model with its latest version, active approvals and the verdict of its latest gate evaluation. */
export async function dashboardModels(db: Db): Promise<DashModels> {
  const models = await db.model.findMany({
    orderBy: { name: 'asc' },
    include: {
      versions: { orderBy: { createdAt: 'desc' }, take: 1, select: { version: true } },
      _count: { select: { versions: true } },
      approvals: { where: activeApproval, include: { modelVersion: { select: { version: true } } }, orderBy: { createdAt: 'desc' } },
    },
  });
  const gates = await db.gateEvaluation.findMany({
    where: { modelVersion: { modelId: { in: models.map((m) => m.id) } } },
    distinct: ['modelVersionId'],
    orderBy: { createdAt: 'desc' },
    include: { modelVersion: { select: { modelId: true, version: true } } },
  });
  return {
    items: models.map((m) => {
      const gate = gates.filter((g) => g.modelVersion.modelId === m.id).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
      return {
        name: m.name,
        taskKind: m.taskKind,
        owner: m.owner,
        latestVersion: m.versions[0]?.version ?? null,
        versions: m._count.versions,
        approvals: m.approvals.map(approvalBadge),
        lastVerdict: gate
          ? { gate: gate.id, version: gate.modelVersion.version, status: gate.status, verdict: gate.verdict, policyName: gate.policyName, createdAt: gate.createdAt.toISOString() }
          : null,
      };
    }),
  };
}
