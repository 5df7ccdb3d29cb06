import { NoiseFloorOut } from '@edgeproof/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { noiseReport } from '../../../services/gating/noise.ts';

const Query = z.strictObject({
  device: z.uuid().optional(),
  /** a device whose noise floor exceeds this is flagged noisy (default 5%) */
  maxNoiseFloor: z.coerce.number().positive().default(0.05),
});

/** Each device's noise floor from A/A runs (a version gated against itself). */
const noiseFloorRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/', { schema: { querystring: Query, response: { 200: z.object({ items: z.array(NoiseFloorOut) }) } } }, async (request) => {
    const devices = await app.db.device.findMany({ where: request.query.device ? { id: request.query.device } : {}, orderBy: { createdAt: 'asc' } });
    return { items: await noiseReport(app.db, devices, request.query.maxNoiseFloor) };
  });
};
export default noiseFloorRoutes;
