import { TokenCreate, TokenCreated, WhoAmI } from '@edgeproof/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createToken } from '../../../services/tokens.ts';

const tokenRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/tokens', { config: { roles: [] }, schema: { body: TokenCreate, response: { 201: TokenCreated } } }, async (request, reply) => {
    return reply.status(201).send(await createToken(app.db, request.body.name, request.body.role));
  });
  app.get('/whoami', { schema: { response: { 200: WhoAmI } } }, async (request) => request.principal);
};
export default tokenRoutes;
