import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '@edgeproof/contracts';
import type { Db } from '@edgeproof/db';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const newTokenValue = () => `ep_${randomBytes(32).toString('base64url')}`;

export async function createToken(db: Db, name: string, role: Role, value = newTokenValue()) {
  const row = await db.apiToken.create({ data: { name, role, tokenHash: hashToken(value) } });
  return { id: row.id, name, role, token: value };
}

/** Makes sure a token with this exact value exists with the admin role (bootstrap from the environment). */
export async function ensureAdminToken(db: Db, value: string): Promise<void> {
  await db.apiToken.upsert({
    where: { tokenHash: hashToken(value) },
    create: { name: 'bootstrap-admin', role: 'admin', tokenHash: hashToken(value) },
    update: { role: 'admin', revokedAt: null },
  });
}
