import type { Role } from '@edgeproof/contracts';
import fp from 'fastify-plugin';
import { AppError } from '../errors.ts';
import { hashToken, tokenState } from '../services/tokens.ts';
import type { CachedToken } from './read-cache.ts';

export interface Principal {
  id: string;
  name: string;
  role: Role;
  /** role agent: the agent this token acts for */
  agent: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** roles allowed on this route; admin is always allowed unless `agentOnly`. Absent = any authenticated token. */
    roles?: readonly Role[];
    /** only an agent token bound to an agent may call this route (admin included: it acts for no agent) */
    agentOnly?: boolean;
    /** no token needed (health checks only) */
    public?: boolean;
  }
}

/** lastUsedAt is written at most this often per token, not on every request */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Bearer tokens, stored hashed; every route needs one unless it is marked public. Active tokens are
 * cached by hash (plugins/read-cache.ts): a revocation on any replica drops the entry everywhere
 * (its notification), and the expiry is checked against the cached expiresAt on every request.
 */
export default fp(
  async (app) => {
    const cache = app.readCaches.tokens;

    const lookup = async (tokenHash: string, now: number): Promise<CachedToken> => {
      const hit = cache.get(tokenHash, '');
      if (hit) return hit;
      const ticket = cache.ticket();
      const row = await app.db.apiToken.findUnique({ where: { tokenHash } });
      const state = row ? tokenState(row, new Date(now)) : 'unknown';
      if (!row || state === 'revoked' || state === 'unknown') throw new AppError(401, 'unauthorized', `token is ${state}`);
      const entry: CachedToken = {
        // shared by every request of the token: frozen so no handler can change it for the others
        principal: Object.freeze({ id: row.id, name: row.name, role: row.role, agent: row.agentName }),
        expiresAtMs: row.expiresAt?.getTime() ?? null,
        lastUsedAtMs: row.lastUsedAt?.getTime() ?? 0,
      };
      cache.set(ticket, tokenHash, '', entry);
      return entry;
    };

    app.decorateRequest('principal', null as unknown as Principal);
    app.addHook('onRequest', async (request) => {
      const config = request.routeOptions.config;
      const url = request.routeOptions.url;
      // the API's own documentation is public; every data route needs a token
      if (config.public || url === undefined || url === '/docs' || url.startsWith('/docs/')) return;
      const header = request.headers.authorization;
      const match = header?.match(/^Bearer\s+(\S+)$/i);
      if (!match?.[1]) throw new AppError(401, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
      const now = Date.now();
      const token = await lookup(hashToken(match[1]), now);
      if (token.expiresAtMs !== null && token.expiresAtMs <= now) throw new AppError(401, 'unauthorized', 'token is expired');
      const principal = token.principal;
      if (now - token.lastUsedAtMs > LAST_USED_RESOLUTION_MS) {
        // claimed before the write, so concurrent requests of this token do not all write; the
        // condition keeps the other replicas' writes for the same minute out too
        token.lastUsedAtMs = now;
        await app.db.apiToken.updateMany({
          where: { id: principal.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - LAST_USED_RESOLUTION_MS) } }] },
          data: { lastUsedAt: new Date(now) },
        });
      }
      request.principal = principal;
      const route = `${request.method} ${request.routeOptions.url}`;
      if (config.agentOnly) {
        if (principal.role !== 'agent' || !principal.agent) {
          throw new AppError(403, 'forbidden', `${route} is for agents: it needs an agent token bound to an agent (POST /v1/tokens {role: "agent", agent}); this token is role ${principal.role}${principal.role === 'agent' ? ' without an agent' : ''}`);
        }
        return;
      }
      const roles = config.roles;
      if (roles && principal.role !== 'admin' && !roles.includes(principal.role)) {
        throw new AppError(403, 'forbidden', `role ${principal.role} may not ${route}; allowed: ${['admin', ...roles].join(', ')}`);
      }
    });
  },
  { name: 'auth', dependencies: ['db', 'read-cache'] },
);
