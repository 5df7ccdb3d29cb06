import { createDb, type Db } from '@edgeproof/db';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
  }
}

export default fp<{ databaseUrl: string }>(
  async (app, opts) => {
    const db = createDb(opts.databaseUrl);
    app.decorate('db', db);
    app.addHook('onClose', async () => {
      await db.$disconnect();
    });
  },
  { name: 'db' },
);
