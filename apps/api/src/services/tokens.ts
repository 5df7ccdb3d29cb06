import { createHash, randomBytes } from 'node:crypto';
import type { Role, TokenOut } from '@edgeproof/contracts';
import type { Db } from '@edgeproof/db';
import type { FastifyBaseLogger } from 'fastify';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const newTokenValue = () => `ep_${randomBytes(32).toString('base64url')}`;

export interface NewToken {
  name: string;
  role: Role;
  /** role agent: the agent name the token acts for */
  agent?: string | undefined;
  expiresAt?: Date | undefined;
  createdBy?: string | undefined;
}

export async function createToken(db: Db, t: NewToken, value = newTokenValue()) {
  if ((t.role === 'agent') !== Boolean(t.agent)) throw new Error('an agent token names exactly one agent; other roles name none');
  const row = await db.apiToken.create({
    data: {
      name: t.name,
      role: t.role,
      tokenHash: hashToken(value),
      agentName: t.agent ?? null,
      expiresAt: t.expiresAt ?? null,
      createdBy: t.createdBy ?? null,
    },
  });
  return { id: row.id, name: row.name, role: row.role, agent: row.agentName, expiresAt: row.expiresAt?.toISOString() ?? null, token: value };
}

type TokenRow = Awaited<ReturnType<Db['apiToken']['findFirstOrThrow']>>;

export function tokenState(row: Pick<TokenRow, 'revokedAt' | 'expiresAt'>, now = new Date()): TokenOut['state'] {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt && row.expiresAt <= now) return 'expired';
  return 'active';
}

export function toTokenOut(row: TokenRow): TokenOut {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    agent: row.agentName,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    revokedBy: row.revokedBy,
    state: tokenState(row),
  };
}

/**
 * Creates the bootstrap admin token from the environment the first time it is seen. It is never
 * changed afterwards: a revoked bootstrap token stays revoked (start the API with a new value, or use
 * `create-token`, to get an admin back).
 */
export async function ensureAdminToken(db: Db, value: string, log?: FastifyBaseLogger): Promise<void> {
  const tokenHash = hashToken(value);
  const existing = await db.apiToken.findUnique({ where: { tokenHash } });
  if (!existing) {
    await db.apiToken
      .create({ data: { name: 'bootstrap-admin', role: 'admin', tokenHash, createdBy: 'environment (EDGEPROOF_ADMIN_TOKEN)' } })
      // another API replica created it at the same instant
      .catch(async (err: unknown) => {
        if (!(await db.apiToken.findUnique({ where: { tokenHash } }))) throw err;
      });
    return;
  }
  const state = tokenState(existing);
  if (state !== 'active' || existing.role !== 'admin') {
    log?.warn({ tokenId: existing.id, state, role: existing.role }, 'EDGEPROOF_ADMIN_TOKEN names a token that is not an active admin token; it is left as it is');
  }
}
