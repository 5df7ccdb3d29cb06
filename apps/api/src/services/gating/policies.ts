import { createHash } from 'node:crypto';
import type { StoredPolicyCreate } from '@edgeproof/contracts';
import { Prisma, type Db, type Model } from '@edgeproof/db';
import { AppError } from '../../errors.ts';
import type { Principal } from '../../plugins/auth.ts';
import { recordAudit } from './approvals.ts';
import { parseOrThrow } from './policy-source.ts';

/**
 * Saves the next revision of a stored policy and audits it (who, role, when, revision, sha256 of
 * the text) in one transaction. Stored policies are what approves releases automatically, so the
 * route admits ml_engineer and admin only.
 */
export async function savePolicy(db: Db, model: Model, body: StoredPolicyCreate, principal: Principal) {
  parseOrThrow(body.source, body.name, 'body.source');
  try {
    return await db.$transaction(async (tx) => {
      const latest = await tx.gatePolicy.findFirst({ where: { modelId: model.id, name: body.name }, orderBy: { revision: 'desc' } });
      const row = await tx.gatePolicy.create({
        data: { modelId: model.id, name: body.name, revision: (latest?.revision ?? 0) + 1, source: body.source, createdBy: principal.name },
      });
      await recordAudit(tx, {
        action: 'policy-save',
        modelId: model.id,
        modelName: model.name,
        version: null,
        approvalId: null,
        actor: principal,
        reason: `policy ${row.name} revision ${row.revision}`,
        evidence: {
          policy: { name: row.name, revision: row.revision, id: row.id, sha256: createHash('sha256').update(row.source).digest('hex') },
          previousRevision: latest?.revision ?? null,
        },
      });
      return row;
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      throw new AppError(409, 'conflict', `another revision of policy ${body.name} was saved at the same moment; send it again`);
    }
    throw err;
  }
}
