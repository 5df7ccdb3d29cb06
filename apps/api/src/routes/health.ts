import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const Check = z.object({ status: z.enum(['ok', 'unavailable']), postgres: z.string().optional(), redis: z.string().optional() });

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health', { config: { public: true }, schema: { hide: true, response: { 200: Check } } }, async () => ({ status: 'ok' as const }));

  app.get('/ready', { config: { public: true }, schema: { hide: true, response: { 200: Check, 503: Check } } }, async (_req, reply) => {
    const probe = async (fn: () => Promise<unknown>) => {
      try {
        await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
        return 'ok';
      } catch (err) {
        return `unreachable: ${(err as Error).message.split('\n')[0]}`;
      }
    };
    const [postgres, redis] = await Promise.all([probe(() => app.db.$queryRaw`SELECT 1`), probe(() => app.redis.ping())]);
    const ok = postgres === 'ok' && redis === 'ok';
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', postgres, redis });
  });
};
export default healthRoutes;
