import type { GatePolicy, GatePolicyOrigin, PolicyRef } from '@edgeproof/contracts';
import type { Db } from '@edgeproof/db';
import { parsePolicy, PolicyError } from '@edgeproof/gating';
import { AppError, notFound } from '../../errors.ts';

export interface LoadedPolicy {
  policy: GatePolicy;
  source: string;
  name: string;
  /** a stored revision (reviewed: may approve) or the caller's inline text (never approves) */
  origin: GatePolicyOrigin;
}

/** Parses a policy sent inline, or the latest revision of one stored for the model; 400 names the field. */
export async function loadPolicy(db: Db, modelId: string, ref: PolicyRef, field = 'body.policy'): Promise<LoadedPolicy> {
  if ('name' in ref) {
    const stored = await db.gatePolicy.findFirst({ where: { modelId, name: ref.name }, orderBy: { revision: 'desc' } });
    if (!stored) throw notFound(`policy ${ref.name}`);
    const policy = parseOrThrow(stored.source, `policy ${ref.name} (revision ${stored.revision})`, field);
    const origin: GatePolicyOrigin = { kind: 'stored', name: stored.name, revision: stored.revision, id: stored.id, savedBy: stored.createdBy, savedAt: stored.createdAt.toISOString() };
    return { policy, source: stored.source, name: policy.name ?? ref.name, origin };
  }
  const policy = parseOrThrow(ref.source, ref.file ?? 'policy', field);
  return { policy, source: ref.source, name: policy.name ?? ref.file ?? 'inline', origin: { kind: 'inline', file: ref.file ?? null } };
}

export function parseOrThrow(source: string, file: string, field: string): GatePolicy {
  try {
    return parsePolicy(source, file);
  } catch (err) {
    if (err instanceof PolicyError) {
      throw new AppError(400, 'bad_request', `${field}: ${err.message}`, { file: err.file, issues: err.issues });
    }
    throw err;
  }
}
