import type { Role } from '@edgeproof/contracts';
import fp from 'fastify-plugin';
import { AppError } from '../errors.ts';
import { hashToken } from '../services/tokens.ts';

export interface Principal {
  id: string;
  name: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** roles allowed on this route; admin is always allowed. Absent = any authenticated token. */
    roles?: readonly Role[];
    /** no token needed (health checks only) */
    public?: boolean;
  }
}

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
      if (!row || row.revokedAt) throw new AppError(401, 'unauthorized', 'unknown or revoked token');
      request.principal = { id: row.id, name: row.name, role: row.role };
      const roles = config.roles;
      if (roles && row.role !== 'admin' && !roles.includes(row.role)) {
        throw new AppError(403, 'forbidden', `role ${row.role} may not ${request.method} ${request.routeOptions.url}; allowed: ${['admin', ...roles].join(', ')}`);
      }
    });
  },
  { name: 'auth', dependencies: ['db'] },
);
