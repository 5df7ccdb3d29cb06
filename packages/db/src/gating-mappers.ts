import type {
  ApprovalOut,
  AuditEntryOut,
  CiContext,
  GateApproval,
  GateOut,
  GatePolicyOrigin,
  PopulationEntry,
  PopulationOut,
  ReleaseManifestOut,
  RuleResult,
  StoredPolicyOut,
} from '@edgeproof/contracts';
import type { Prisma } from './generated/prisma/client.ts';
import type { Approval, AuditEntry, DevicePopulation, GateEvaluation, GatePolicy, Model, ModelVersion, ReleaseManifest } from './generated/prisma/client.ts';

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export type GateRow = GateEvaluation & {
  modelVersion: ModelVersion & { model: Model };
  baselineVersion: ModelVersion | null;
  approvals: Pick<Approval, 'id'>[];
};

export const gateInclude = {
  modelVersion: { include: { model: true } },
  baselineVersion: true,
  approvals: { select: { id: true } },
} satisfies Prisma.GateEvaluationInclude;

/**
 * What a gate row keeps beside its parsed policy, under the key `provenance` of its `policy` JSON
 * column (the policy schema is strict, so no policy text can set that key): where the policy came
 * from, and a baseline the request named over the policy's own.
 */
export interface GateProvenance {
  origin: GatePolicyOrigin;
  baselineOverride: string | null;
}

export function withProvenance(policy: object, provenance: GateProvenance): object {
  return { ...policy, provenance };
}

export function gateProvenance(g: Pick<GateEvaluation, 'policy'>): GateProvenance | null {
  const p = (g.policy as { provenance?: GateProvenance } | null)?.provenance;
  return p && typeof p === 'object' && (p.origin?.kind === 'stored' || p.origin?.kind === 'inline') ? p : null;
}

/**
 * Whether a pass of this gate approves its scope automatically. Only a policy stored for the model
 * (saved by ml_engineer or admin, audited) approves, and only against its own baseline; a policy
 * sent inline decides and reports but never approves, whoever sent it; a re-evaluation never does.
 */
export function gateApproval(g: Pick<GateEvaluation, 'policy' | 'reevaluationOfId'>, modelName: string): GateApproval {
  const no = (reason: GateApproval['reason'], message: string): GateApproval => ({ eligible: false, reason, message });
  if (g.reevaluationOfId) return no('reevaluation', 'a re-evaluation decides again from stored measurements and never approves');
  if ((g.policy as { approve?: boolean }).approve === false) return no('policy-disables-approval', 'the policy sets approve: false');
  const provenance = gateProvenance(g);
  if (!provenance) return no('origin-unrecorded', 'the gate was recorded before policy origins were; it does not approve automatically');
  const { origin, baselineOverride } = provenance;
  if (origin.kind === 'inline') {
    return no(
      'inline-policy',
      `inline policy: only a policy stored for the model approves automatically (POST /v1/models/${modelName}/policies, by ml_engineer or admin, then gate with policy: {name}); an ml_engineer may approve a passed gate by hand`,
    );
  }
  if (baselineOverride !== null) {
    return no('baseline-override', `the request named baseline ${baselineOverride} instead of the one stored policy ${origin.name} resolves to; a reviewed policy approves only against its own baseline`);
  }
  return { eligible: true, reason: 'stored-policy', message: `a pass approves the scope automatically (stored policy ${origin.name}, revision ${origin.revision}, saved by ${origin.savedBy})` };
}

export function toGateOut(g: GateRow, baseUrl: string): GateOut {
  const results = g.results as RuleResult[];
  const counts = { pass: 0, fail: 0, inconclusive: 0, skipped: 0 };
  for (const r of results) counts[r.status]++;
  const policy = g.policy as { scope?: { platform?: string; tiers?: string[]; channel?: string } };
  return {
    id: g.id,
    model: g.modelVersion.model.name,
    version: g.modelVersion.version,
    baseline: g.baselineVersion?.version ?? null,
    policyName: g.policyName,
    policyOrigin: gateProvenance(g)?.origin ?? null,
    approval: gateApproval(g, g.modelVersion.model.name),
    scope: { platform: policy.scope?.platform ?? '*', tiers: policy.scope?.tiers ?? ['*'], channel: policy.scope?.channel ?? 'production' },
    status: g.status,
    verdict: g.verdict,
    runId: g.runId,
    confirmRunId: g.confirmRunId,
    reevaluationOf: g.reevaluationOfId,
    counts,
    results,
    firstAttempt: (g.firstAttempt as RuleResult[] | null) ?? null,
    approvals: g.approvals.map((a) => a.id),
    ci: (g.ciContext as CiContext | null) ?? null,
    error: g.error,
    createdBy: g.createdBy,
    createdAt: iso(g.createdAt),
    finishedAt: isoOrNull(g.finishedAt),
    evidenceUrl: `${baseUrl}/v1/gates/${g.id}`,
  };
}

export function approvalState(a: Pick<Approval, 'revokedAt' | 'supersededAt'>): ApprovalOut['state'] {
  return a.revokedAt ? 'revoked' : a.supersededAt ? 'superseded' : 'active';
}

export function toApprovalOut(a: Approval & { model: Model; modelVersion: ModelVersion }): ApprovalOut {
  return {
    id: a.id,
    model: a.model.name,
    version: a.modelVersion.version,
    platform: a.platform,
    tier: a.tier,
    channel: a.channel,
    kind: a.kind,
    state: approvalState(a),
    reason: a.reason,
    gate: a.gateEvaluationId,
    approvedBy: a.approvedBy,
    approvedByRole: a.approvedByRole,
    createdAt: iso(a.createdAt),
    revokedAt: isoOrNull(a.revokedAt),
    revokedBy: a.revokedBy,
    revokeReason: a.revokeReason,
  };
}

export function toAuditEntryOut(e: AuditEntry): AuditEntryOut {
  return {
    id: e.id,
    action: e.action as AuditEntryOut['action'],
    model: e.modelName,
    version: e.version,
    approval: e.approvalId,
    actor: e.actor,
    actorRole: e.actorRole,
    reason: e.reason,
    evidence: e.evidence as Record<string, unknown>,
    createdAt: iso(e.createdAt),
  };
}

export function toStoredPolicyOut(p: GatePolicy, modelName: string): StoredPolicyOut {
  return { id: p.id, model: modelName, name: p.name, revision: p.revision, source: p.source, createdBy: p.createdBy, createdAt: iso(p.createdAt) };
}

export function toPopulationOut(p: DevicePopulation): PopulationOut {
  return { name: p.name, entries: p.entries as PopulationEntry[], createdBy: p.createdBy, updatedAt: iso(p.updatedAt) };
}

export function toReleaseManifestOut(r: ReleaseManifest): ReleaseManifestOut {
  return { app: r.app, appVersion: r.appVersion, models: r.models as ReleaseManifestOut['models'], createdBy: r.createdBy, createdAt: iso(r.createdAt) };
}
