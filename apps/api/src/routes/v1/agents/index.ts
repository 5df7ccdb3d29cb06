import { AgentHeartbeat, AgentRegister, AgentRegistered, type DeviceRegistration } from '@edgeproof/contracts';
import { deviceQueueName } from '@edgeproof/queue';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../../errors.ts';
import { nextHealth } from '../../../services/device-health.ts';

/** Interchangeable devices share a class; re-routing only moves jobs within one. */
export function defaultEquivalenceClass(d: DeviceRegistration): string {
  return [d.platform, d.driver, d.maker ?? '', d.model ?? '', d.osVersion ?? '', d.tier].join('|');
}

const agentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/register', { config: { roles: ['agent'] }, schema: { body: AgentRegister, response: { 200: AgentRegistered } } }, async (request) => {
    const body = request.body;
    const now = new Date();
    const result = await app.db.$transaction(async (tx) => {
      const agent = await tx.agent.upsert({
        where: { name: body.name },
        create: { name: body.name, hostname: body.hostname ?? null, agentVersion: body.agentVersion ?? null, lastHeartbeatAt: now },
        update: { hostname: body.hostname ?? null, agentVersion: body.agentVersion ?? null, lastHeartbeatAt: now },
      });
      const devices = [];
      for (const d of body.devices) {
        const data = {
          platform: d.platform,
          driver: d.driver,
          maker: d.maker ?? null,
          model: d.model ?? null,
          osVersion: d.osVersion ?? null,
          soc: d.soc ?? null,
          cpu: d.cpu ?? null,
          cores: d.cores ?? null,
          ramMb: d.ramMb ?? null,
          tier: d.tier,
          tags: d.tags,
          runtimes: d.runtimes,
          equivalenceClass: d.equivalenceClass ?? defaultEquivalenceClass(d),
          attributes: d.attributes as object,
          lastHeartbeatAt: now,
        };
        const existing = await tx.device.findUnique({ where: { agentId_localKey: { agentId: agent.id, localKey: d.localKey } } });
        const row = existing
          ? await tx.device.update({
              where: { id: existing.id },
              // a quarantined device stays quarantined across agent restarts
              data: existing.status === 'quarantined' ? data : { ...data, status: 'idle', statusReason: null, currentJobId: null },
            })
          : await tx.device.create({ data: { ...data, agentId: agent.id, localKey: d.localKey } });
        devices.push({ id: row.id, localKey: row.localKey, queue: deviceQueueName(row.id) });
      }
      return { agentId: agent.id, devices };
    });
    return { ...result, heartbeatIntervalMs: app.config.HEARTBEAT_INTERVAL_MS };
  });

  app.post(
    '/:agentId/heartbeat',
    { config: { roles: ['agent'] }, schema: { params: z.strictObject({ agentId: z.uuid() }), body: AgentHeartbeat } },
    async (request, reply) => {
      const now = new Date();
      const quarantineAfter = app.config.QUARANTINE_AFTER_HEALTH_FAILURES ?? 3;
      const agent = await app.db.agent.findUnique({ where: { id: request.params.agentId } });
      if (!agent) throw notFound(`agent ${request.params.agentId}`);
      await app.db.$transaction(async (tx) => {
        await tx.agent.update({ where: { id: agent.id }, data: { lastHeartbeatAt: now } });
        for (const d of request.body.devices) {
          const device = await tx.device.findUnique({ where: { agentId_localKey: { agentId: agent.id, localKey: d.localKey } } });
          if (!device) continue;
          const health = nextHealth(device, d, quarantineAfter);
          await tx.device.update({
            where: { id: device.id },
            data: { lastHeartbeatAt: now, currentJobId: d.currentJobId ?? null, ...health },
          });
        }
      });
      return reply.status(204).send();
    },
  );
};
export default agentRoutes;
