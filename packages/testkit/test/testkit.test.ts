import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../src/index.ts';

describe('createTestDatabase', () => {
  it('clones a migrated database and drops it', async () => {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM "Model"`);
    await client.end();
    expect(rows[0].n).toBe(0);
    await db.drop();
  });
});
