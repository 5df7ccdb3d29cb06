import { DeviceOut, DeviceQuarantine, DeviceStatus, DeviceTier } from '@edgeproof/contracts';
import { toDeviceOut } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors.ts';
import { Coalescer } from '../../../services/reads/coalesce.ts';
import { devicesJson } from '../../../services/reads/devices.ts';
import { sendJsonText } from '../../../services/reads/reply.ts';

const DeviceQuery = z.strictObject({
  platform: z.string().optional(),
  tier: DeviceTier.optional(),
  status: DeviceStatus.optional(),
});

const deviceRoutes: FastifyPluginAsyncZod = async (app) => {
  // dashboards poll the device list: the same list asked for at once is one query (services/reads/coalesce.ts)
  const lists = new Coalescer<string>();
  app.get('/', { schema: { querystring: DeviceQuery, response: { 200: z.object({ items: z.array(DeviceOut) }) } } }, async (request, reply) => {
    const { platform, tier, status } = request.query;
    const items = await lists.run(JSON.stringify([platform, tier, status]), () => devicesJson(app.sql, { platform, tier, status }));
    return sendJsonText(reply, `{"items":${items}}`);
  });

  app.get('/:id', { schema: { params: z.strictObject({ id: z.uuid() }), response: { 200: DeviceOut } } }, async (request) => {
    const row = await app.db.device.findUnique({ where: { id: request.params.id }, include: { agent: true } });
    if (!row) throw notFound(`device ${request.params.id}`);
    return toDeviceOut(row);
  });

  const IdParams = z.strictObject({ id: z.uuid() });

  // admin only: an empty role list leaves just the admin role
  app.post('/:id/release', { config: { roles: [] }, schema: { params: IdParams, response: { 200: DeviceOut } } }, async (request) => {
    const { id } = request.params;
    const row = await app.db.device.findUnique({ where: { id } });
    if (!row) throw notFound(`device ${id}`);
    if (row.status !== 'quarantined') throw new AppError(409, 'conflict', `device ${id} is not quarantined (status ${row.status})`);
    // idle until its agent's next heartbeat says otherwise
    const updated = await app.db.device.update({
      where: { id },
      data: { status: 'idle', statusReason: null, consecutiveHealthFailures: 0 },
      include: { agent: true },
    });
    request.log.info({ device: id, by: request.principal.name }, 'device released from quarantine');
    return toDeviceOut(updated);
  });

  app.post(
    '/:id/quarantine',
    { config: { roles: [] }, schema: { params: IdParams, body: DeviceQuarantine, response: { 200: DeviceOut } } },
    async (request) => {
      const { id } = request.params;
      const row = await app.db.device.findUnique({ where: { id } });
      if (!row) throw notFound(`device ${id}`);
      const updated = await app.db.device.update({
        where: { id },
        data: { status: 'quarantined', statusReason: `quarantined by ${request.principal.name}: ${request.body.reason}`.slice(0, 2000) },
        include: { agent: true },
      });
      request.log.info({ device: id, by: request.principal.name }, 'device quarantined by hand');
      return toDeviceOut(updated);
    },
  );
};
export default deviceRoutes;
