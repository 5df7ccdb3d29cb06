import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ApiConfig } from './env.ts';
import { clientErrorHandler, frameworkErrors, registerErrorHandler } from './errors.ts';
import nulCharactersPlugin from './plugins/nul-characters.ts';
import authPlugin from './plugins/auth.ts';
import dbPlugin from './plugins/db.ts';
import dispatchPlugin from './plugins/dispatch.ts';
import { catalogRoutes, swaggerOptions } from './plugins/openapi.ts';
import queuesPlugin from './plugins/queues.ts';
import readCachePlugin from './plugins/read-cache.ts';
import servicesPlugin from './plugins/services.ts';
import healthRoutes from './routes/health.ts';
import v1Routes from './routes/v1/index.ts';
import webPlugin from './plugins/web.ts';

export type AppConfig = Pick<
  ApiConfig,
  | 'DATABASE_URL'
  | 'REDIS_URL'
  | 'LOG_LEVEL'
  | 'ARTIFACT_ROOT'
  | 'MAX_ARTIFACT_BYTES'
  | 'QUEUE_PREFIX'
  | 'HEARTBEAT_INTERVAL_MS'
  | 'DEVICE_OFFLINE_AFTER_MS'
  | 'REROUTE_TIMEOUT_MS'
  | 'WATCHDOG_INTERVAL_MS'
> & {
  PUBLIC_URL?: string | undefined;
  EDGEPROOF_ADMIN_TOKEN?: string | undefined;
  startWatchdog?: boolean;
  /** default 3 */
  QUARANTINE_AFTER_HEALTH_FAILURES?: number | undefined;
  /** default 30 s: a job fetched by an agent stays locked this long without a renewal */
  JOB_LOCK_DURATION_MS?: number | undefined;
  /** default 15 s: how often jobs whose lock expired are put back on their queue */
  JOB_STALLED_INTERVAL_MS?: number | undefined;
  /** tests: sees every route as it is registered (the fuzz test exercises them all) */
  onRoute?: ((route: RouteOptions) => void) | undefined;
};

/** Builds the API without listening; `server.ts` starts it, tests use `app.inject`. */
export async function buildApp(config: AppConfig): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      redact: ['req.headers.authorization', 'headers.authorization'],
    },
    bodyLimit: 64 * 1024 * 1024,
    // errors raised before a route runs answer in the same `{ error }` shape as the rest
    frameworkErrors,
    clientErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  if (config.onRoute) app.addHook('onRoute', config.onRoute);
  registerErrorHandler(app);

  catalogRoutes(app);
  await app.register(fastifySwagger, swaggerOptions);
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyMultipart, {
    limits: { fileSize: config.MAX_ARTIFACT_BYTES, files: 1, fields: 20, fieldSize: 1024 * 1024 },
  });
  await app.register(dbPlugin, { databaseUrl: config.DATABASE_URL });
  await app.register(queuesPlugin, { redisUrl: config.REDIS_URL, queuePrefix: config.QUEUE_PREFIX });
  await app.register(dispatchPlugin, config);
  await app.register(servicesPlugin, config);
  await app.register(readCachePlugin, { databaseUrl: config.DATABASE_URL });
  await app.register(authPlugin);
  await app.register(nulCharactersPlugin);
  await app.register(healthRoutes);
  await app.register(v1Routes, { prefix: '/v1' });
  await app.register(webPlugin);
  return app;
}
