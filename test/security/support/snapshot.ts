/**
 * What "changes nothing" means in the security tests: a digest of every row of every table (the
 * calling token's lastUsedAt aside, which any authenticated request may touch) and the list of files
 * in the artifact store.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '@edgeproof/db';

export interface StoreSnapshot {
  tables: Record<string, string>;
  files: string[];
}

export async function snapshot(db: Db, artifactRoot: string): Promise<StoreSnapshot> {
  const names = await db.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY table_name`;
  const tables: Record<string, string> = {};
  for (const { table_name: name } of names) {
    const row = name === 'ApiToken' ? `(t.id, t.name, t.role, t."tokenHash", t."agentName", t."expiresAt", t."revokedAt")::text` : 't::text';
    const [digest] = await db.$queryRawUnsafe<{ n: bigint; md5: string | null }[]>(
      `SELECT count(*) AS n, md5(string_agg(${row}, ',' ORDER BY ${row})) AS md5 FROM "${name}" t`,
    );
    tables[name] = `${digest?.n ?? 0}:${digest?.md5 ?? ''}`;
  }
  const entries = await readdir(artifactRoot, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
  return { tables, files };
}
