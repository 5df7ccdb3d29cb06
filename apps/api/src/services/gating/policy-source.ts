import type { GatePolicy, PolicyRef } from '@edgeproof/contracts';
import type { Db } from '@edgeproof/db';
import { parsePolicy, PolicyError } from '@edgeproof/gating';
import { AppError, notFound } from '../../errors.ts';

export interface LoadedPolicy {
  policy: GatePolicy;
  source: string;
  name: string;
}

/** Parses a policy sent inline, or the latest revision of one stored for the model; 400 names the field. */
export async function loadPolicy(db: Db, modelId: string, ref: PolicyRef, field = 'body.policy'): Promise<LoadedPolicy> {
  let source: string;
  let file: string;
  if ('name' in ref) {
    const stored = await db.gatePolicy.findFirst({ where: { modelId, name: ref.name }, orderBy: { revision: 'desc' } });
    if (!stored) throw notFound(`policy ${ref.name}`);
    source = stored.source;
    file = `policy ${ref.name} (revision ${stored.revision})`;
  } else {
    source = ref.source;
    file = ref.file ?? 'policy';
  }
  const policy = parseOrThrow(source, file, field);
  return { policy, source, name: policy.name ?? ('name' in ref ? ref.name : (ref.file ?? 'inline')) };
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
