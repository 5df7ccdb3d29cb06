import { createDb, type Db } from '@edgeproof/db';
import fp from 'fastify-plugin';
import pg from 'pg';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    /**
     * Plain SQL for the hottest read-only lists and reads (services/reads): a Prisma query costs
     * ~1.3 ms of CPU here whatever it returns, ten times the same query through pg. Never for writes.
     */
    sql: pg.Pool;
  }
}

export default fp<{ databaseUrl: string }>(
  async (app, opts) => {
    const db = createDb(opts.databaseUrl);
    const sql = new pg.Pool({ connectionString: opts.databaseUrl, max: 8, connectionTimeoutMillis: 3_000 });
    // an idle connection that breaks (Postgres restarted) is replaced by the next query; not a crash
    sql.on('error', (err) => app.log.warn({ err: err.message }, 'idle read connection failed'));
    app.decorate('db', db);
    app.decorate('sql', sql);
    app.addHook('onClose', async () => {
      await db.$disconnect();
      await sql.end();
    });
  },
  { name: 'db' },
);
