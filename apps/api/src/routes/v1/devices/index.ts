import { DeviceOut, DeviceStatus, DeviceTier } from '@edgeproof/contracts';
import { toDeviceOut } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../../errors.ts';

const DeviceQuery = z.strictObject({
  platform: z.string().optional(),
  tier: DeviceTier.optional(),
  status: DeviceStatus.optional(),
});

const deviceRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/', { schema: { querystring: DeviceQuery, response: { 200: z.object({ items: z.array(DeviceOut) }) } } }, async (request) => {
    const { platform, tier, status } = request.query;
    const rows = await app.db.device.findMany({
      where: { ...(platform ? { platform } : {}), ...(tier ? { tier } : {}), ...(status ? { status } : {}) },
      include: { agent: true },
      orderBy: [{ tier: 'asc' }, { platform: 'asc' }, { localKey: 'asc' }],
    });
    return { items: rows.map(toDeviceOut) };
  });

  app.get('/:id', { schema: { params: z.strictObject({ id: z.uuid() }), response: { 200: DeviceOut } } }, async (request) => {
    const row = await app.db.device.findUnique({ where: { id: request.params.id }, include: { agent: true } });
    if (!row) throw notFound(`device ${request.params.id}`);
    return toDeviceOut(row);
  });
};
export default deviceRoutes;
