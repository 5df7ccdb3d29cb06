import type { FastifyPluginAsync } from 'fastify';
import approvalRoutes from './approvals/index.ts';
import auditRoutes from './audit/index.ts';
import gateRoutes from './gates/index.ts';
import modelGatingRoutes from './model-gating/index.ts';
import noiseFloorRoutes from './noise-floor/index.ts';
import populationRoutes from './populations/index.ts';
import releaseRoutes from './releases/index.ts';

/** Release gating: gates, stored policies, approvals, audit, release manifests, populations, noise floors. */
const gatingRoutes: FastifyPluginAsync = async (app) => {
  await app.register(gateRoutes, { prefix: '/gates' });
  await app.register(modelGatingRoutes, { prefix: '/models' });
  await app.register(approvalRoutes, { prefix: '/approvals' });
  await app.register(auditRoutes, { prefix: '/audit' });
  await app.register(releaseRoutes, { prefix: '/releases' });
  await app.register(populationRoutes, { prefix: '/populations' });
  await app.register(noiseFloorRoutes, { prefix: '/noise-floor' });
};
export default gatingRoutes;
