import type { ApprovalKind, AuditAction, Role } from '@edgeproof/contracts';
import type { Db, Prisma } from '@edgeproof/db';
import type { Principal } from '../../plugins/auth.ts';
import { announceChange, changeCommitted } from '../cache/changes.ts';

type Tx = Prisma.TransactionClient;

export interface Scope {
  platform: string;
  tier: string;
  channel: string;
}

export interface ApproveInput extends Scope {
  modelId: string;
  modelName: string;
  modelVersionId: string;
  version: string;
  kind: ApprovalKind;
  reason: string | null;
  gateEvaluationId: string | null;
  evidence: Record<string, unknown>;
}

const ACTION: Record<ApprovalKind, AuditAction> = { automatic: 'auto-approve', manual: 'approve', override: 'override' };

/**
 * Approves a version for a scope: the scope's previous approval is superseded; the audit log records
 * it; every replica's cached approved answers for the model are dropped (its change notification).
 */
export async function approve(db: Db, input: ApproveInput, actor: { name: string; role: Role }) {
  const change = { topic: 'approval', key: input.modelName } as const;
  const approval = await db.$transaction(async (tx) => {
    const previous = await tx.approval.findMany({
      where: { modelId: input.modelId, platform: input.platform, tier: input.tier, channel: input.channel, revokedAt: null, supersededAt: null },
      include: { modelVersion: { select: { version: true } } },
    });
    await tx.approval.updateMany({ where: { id: { in: previous.map((p) => p.id) } }, data: { supersededAt: new Date() } });
    const approval = await tx.approval.create({
      data: {
        modelId: input.modelId,
        modelVersionId: input.modelVersionId,
        platform: input.platform,
        tier: input.tier,
        channel: input.channel,
        kind: input.kind,
        reason: input.reason,
        gateEvaluationId: input.gateEvaluationId,
        approvedBy: actor.name,
        approvedByRole: actor.role,
      },
    });
    await recordAudit(tx, {
      action: ACTION[input.kind],
      modelId: input.modelId,
      modelName: input.modelName,
      version: input.version,
      approvalId: approval.id,
      actor,
      reason: input.reason,
      evidence: {
        ...input.evidence,
        scope: { platform: input.platform, tier: input.tier, channel: input.channel },
        gate: input.gateEvaluationId,
        supersedes: previous.map((p) => ({ approval: p.id, version: p.modelVersion.version })),
      },
    });
    await announceChange(tx, change);
    return approval;
  });
  changeCommitted(db, change);
  return approval;
}

export async function revoke(db: Db, approvalId: string, reason: string, principal: Principal) {
  const approval = await db.$transaction(async (tx) => {
    const approval = await tx.approval.update({
      where: { id: approvalId },
      data: { revokedAt: new Date(), revokedBy: principal.name, revokeReason: reason },
      include: { model: true, modelVersion: true },
    });
    await recordAudit(tx, {
      action: 'revoke',
      modelId: approval.modelId,
      modelName: approval.model.name,
      version: approval.modelVersion.version,
      approvalId,
      actor: principal,
      reason,
      evidence: { scope: { platform: approval.platform, tier: approval.tier, channel: approval.channel }, gate: approval.gateEvaluationId, kind: approval.kind },
    });
    await announceChange(tx, { topic: 'approval', key: approval.model.name });
    return approval;
  });
  changeCommitted(db, { topic: 'approval', key: approval.model.name });
  return approval;
}

export interface AuditInput {
  action: AuditAction;
  modelId: string;
  modelName: string;
  version: string | null;
  approvalId: string | null;
  actor: { name: string; role: Role };
  reason: string | null;
  evidence: Record<string, unknown>;
}

/** One audit log entry, written in the transaction of the change it records. */
export async function recordAudit(tx: Tx, e: AuditInput) {
  await tx.auditEntry.create({
    data: {
      action: e.action,
      modelId: e.modelId,
      modelName: e.modelName,
      version: e.version,
      approvalId: e.approvalId,
      actor: e.actor.name,
      actorRole: e.actor.role,
      reason: e.reason,
      evidence: e.evidence as object,
    },
  });
}

/**
 * The active approval that best fits a request: an omitted platform or tier matches any; among the
 * matches the most specific scope wins ("*" counts as less specific), then the newest.
 */
export async function findApproved(db: Db, modelId: string, q: { platform?: string | undefined; tier?: string | undefined; channel: string }) {
  const rows = await db.approval.findMany({
    where: {
      modelId,
      channel: q.channel,
      revokedAt: null,
      supersededAt: null,
      ...(q.platform ? { platform: { in: [q.platform, '*'] } } : {}),
      ...(q.tier ? { tier: { in: [q.tier, '*'] } } : {}),
    },
    include: { modelVersion: true },
    orderBy: { createdAt: 'desc' },
  });
  const specificity = (r: { platform: string; tier: string }) => (r.platform !== '*' ? 2 : 0) + (r.tier !== '*' ? 1 : 0);
  return rows.sort((a, b) => specificity(b) - specificity(a))[0] ?? null;
}
