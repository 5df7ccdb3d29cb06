import type { FastifyPluginAsync } from 'fastify';
import agentJobRoutes from './agent-jobs/index.ts';
import agentRoutes from './agents/index.ts';
import artifactRoutes from './artifacts/index.ts';
import datasetRoutes from './datasets/index.ts';
import gatingRoutes from './gating.ts';
import deviceRoutes from './devices/index.ts';
import modelRoutes from './models/index.ts';
import runRoutes from './runs/index.ts';
import tokenRoutes from './tokens/index.ts';
import dashboardRoutes from './dashboard/index.ts';
import featureRoutes from './features/index.ts';
import scenarioRoutes from './scenarios/index.ts';

const v1Routes: FastifyPluginAsync = async (app) => {
  await app.register(modelRoutes, { prefix: '/models' });
  await app.register(datasetRoutes, { prefix: '/datasets' });
  await app.register(runRoutes, { prefix: '/runs' });
  await app.register(deviceRoutes, { prefix: '/devices' });
  await app.register(agentRoutes, { prefix: '/agents' });
  await app.register(agentJobRoutes, { prefix: '/agent/jobs' });
  await app.register(artifactRoutes, { prefix: '/artifacts' });
  await app.register(tokenRoutes);
  await app.register(dashboardRoutes, { prefix: '/dashboard' });
  await app.register(gatingRoutes);
  await app.register(featureRoutes, { prefix: '/features' });
  await app.register(scenarioRoutes, { prefix: '/scenarios' });
};
export default v1Routes;
