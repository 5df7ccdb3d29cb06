import type { Role } from '@edgeproof/contracts';
import fp from 'fastify-plugin';
import { AppError } from '../errors.ts';
import { hashToken, tokenState } from '../services/tokens.ts';

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

/** Bearer tokens, stored hashed; every route needs one unless it is marked public. */
export default fp(
  async (app) => {
    app.decorateRequest('principal', null as unknown as Principal);
    app.addHook('onRequest', async (request) => {
      const config = request.routeOptions.config;
      const url = request.routeOptions.url;
      // the API's own documentation is public; every data route needs a token
      if (config.public || url === undefined || url === '/docs' || url.startsWith('/docs/')) return;
      const header = request.headers.authorization;
      const match = header?.match(/^Bearer\s+(\S+)$/i);
      if (!match?.[1]) throw new AppError(401, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
      const row = await app.db.apiToken.findUnique({ where: { tokenHash: hashToken(match[1]) } });
      const now = new Date();
      const state = row ? tokenState(row, now) : 'unknown';
      if (!row || state !== 'active') throw new AppError(401, 'unauthorized', `token is ${state === 'unknown' ? 'unknown' : state}`);
      if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
        await app.db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
      }
      request.principal = { id: row.id, name: row.name, role: row.role, agent: row.agentName };
      const route = `${request.method} ${request.routeOptions.url}`;
      if (config.agentOnly) {
        if (row.role !== 'agent' || !row.agentName) {
          throw new AppError(403, 'forbidden', `${route} is for agents: it needs an agent token bound to an agent (POST /v1/tokens {role: "agent", agent}); this token is role ${row.role}${row.role === 'agent' ? ' without an agent' : ''}`);
        }
        return;
      }
      const roles = config.roles;
      if (roles && row.role !== 'admin' && !roles.includes(row.role)) {
        throw new AppError(403, 'forbidden', `role ${row.role} may not ${route}; allowed: ${['admin', ...roles].join(', ')}`);
      }
    });
  },
  { name: 'auth', dependencies: ['db'] },
);
