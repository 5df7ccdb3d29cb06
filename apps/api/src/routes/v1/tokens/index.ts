import { TokenCreate, TokenCreated, TokenList, TokenOut, WhoAmI } from '@edgeproof/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../../errors.ts';
import { announceChange, changeCommitted } from '../../../services/cache/changes.ts';
import { createToken, toTokenOut } from '../../../services/tokens.ts';

/** how long a revoke waits for its own change notification to come back */
const REVOCATION_ROUND_TRIP_MS = 2_000;

const IdParams = z.strictObject({ id: z.uuid() });

/** API tokens: created, listed (never their secrets) and revoked by admins. */
const tokenRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/tokens', { config: { roles: [] }, schema: { body: TokenCreate, response: { 201: TokenCreated } } }, async (request, reply) => {
    const { name, role, agent, expiresAt } = request.body;
    const p = request.principal;
    const created = await createToken(app.db, { name, role, agent, expiresAt: expiresAt ? new Date(expiresAt) : undefined, createdBy: `${p.name} (${p.role})` });
    return reply.status(201).send(created);
  });

  app.get('/tokens', { config: { roles: [] }, schema: { response: { 200: TokenList } } }, async () => {
    const rows = await app.db.apiToken.findMany({ orderBy: { createdAt: 'desc' } });
    return { items: rows.map(toTokenOut) };
  });

  app.post('/tokens/:id/revoke', { config: { roles: [] }, schema: { params: IdParams, response: { 200: TokenOut } } }, async (request) => {
    const p = request.principal;
    let roundTrip: ReturnType<typeof app.readCaches.feed.waitFor> | undefined;
    const row = await app.db.$transaction(async (tx) => {
      // a second revoke keeps the first one's time and author
      await tx.apiToken.updateMany({ where: { id: request.params.id, revokedAt: null }, data: { revokedAt: new Date(), revokedBy: `${p.name} (${p.role})` } });
      const revoked = await tx.apiToken.findUnique({ where: { id: request.params.id } });
      // every replica drops the token from its auth cache when this commits
      if (revoked) {
        const key = revoked.tokenHash;
        roundTrip = app.readCaches.feed.waitFor((c) => c.topic === 'token' && c.key === key, REVOCATION_ROUND_TRIP_MS);
        await announceChange(tx, { topic: 'token', key });
      }
      return revoked;
    }).catch((err: unknown) => {
      roundTrip?.cancel();
      throw err;
    });
    if (!row) throw notFound(`token ${request.params.id}`);
    changeCommitted(app.db, { topic: 'token', key: row.tokenHash });
    // answer once the notification has come back through Postgres: by then every listening replica
    // has been sent it, so a client that was told "revoked" finds it revoked everywhere
    if (roundTrip && !(await roundTrip.seen)) request.log.warn({ tokenId: row.id }, 'revocation notification did not come back in time; other replicas drop the token when it arrives');
    request.log.info({ tokenId: row.id, by: p.id }, 'token revoked');
    return toTokenOut(row);
  });

  app.get('/whoami', { schema: { response: { 200: WhoAmI } } }, async (request) => request.principal);
};
export default tokenRoutes;
