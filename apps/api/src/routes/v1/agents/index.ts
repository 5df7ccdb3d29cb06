import { randomUUID } from 'node:crypto';
import { AgentEpochHeaders, AgentHeartbeat, AgentRegister, AgentRegistered, type DeviceRegistration } from '@edgeproof/contracts';
import { deviceQueueName, raiseAgentEpoch } from '@edgeproof/queue';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors.ts';
import { assertCurrentEpoch, boundAgent, callerEpoch, claimInstance } from '../../../services/agent-identity.ts';
import { nextHealth } from '../../../services/device-health.ts';

/** Interchangeable devices share a class; re-routing only moves jobs within one. */
export function defaultEquivalenceClass(d: DeviceRegistration): string {
  return [d.platform, d.driver, d.maker ?? '', d.model ?? '', d.osVersion ?? '', d.tier].join('|');
}

const agentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/register', { config: { agentOnly: true }, schema: { body: AgentRegister, response: { 200: AgentRegistered } } }, async (request) => {
    const body = request.body;
    const bound = boundAgent(request);
    if (body.name !== bound) {
      throw new AppError(403, 'forbidden', `body.name: this token may register only agent ${bound}, not ${body.name}`);
    }
    const keys = new Set(body.devices.map((d) => d.localKey));
    if (keys.size !== body.devices.length) throw new AppError(400, 'bad_request', 'body.devices: every localKey must be unique');
    const now = new Date();
    const instanceId = body.instanceId ?? randomUUID();
    const result = await app.db.$transaction(async (tx) => {
      const created = await tx.agent.upsert({ where: { name: body.name }, create: { name: body.name, lastHeartbeatAt: now }, update: {} });
      const epoch = await claimInstance(tx, created.id, { instanceId, takeover: body.takeover, offlineAfterMs: app.config.DEVICE_OFFLINE_AFTER_MS, now });
      const agent = await tx.agent.update({
        where: { id: created.id },
        data: { hostname: body.hostname ?? null, agentVersion: body.agentVersion ?? null, lastHeartbeatAt: now },
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
      return { agentId: agent.id, instanceId, epoch, devices };
    });
    // device leases read the epoch from Redis: from now on the older process can neither take nor renew one
    await raiseAgentEpoch(app.redis, app.config.QUEUE_PREFIX, body.name, result.epoch);
    request.log.info({ agent: body.name, instanceId, epoch: result.epoch }, 'agent instance registered');
    return { ...result, heartbeatIntervalMs: app.config.HEARTBEAT_INTERVAL_MS };
  });

  app.post(
    '/:agentId/heartbeat',
    { config: { agentOnly: true }, schema: { headers: AgentEpochHeaders, params: z.strictObject({ agentId: z.uuid() }), body: AgentHeartbeat } },
    async (request, reply) => {
      const now = new Date();
      const quarantineAfter = app.config.QUARANTINE_AFTER_HEALTH_FAILURES ?? 3;
      const bound = boundAgent(request);
      const epoch = callerEpoch(request);
      const agent = await app.db.agent.findUnique({ where: { id: request.params.agentId } });
      if (!agent) throw notFound(`agent ${request.params.agentId}`);
      if (agent.name !== bound) throw new AppError(403, 'forbidden', `params.agentId: this token may heartbeat only agent ${bound}'s devices, not agent ${agent.name}'s`);
      await app.db.$transaction(async (tx) => {
        // the epoch is checked under the row lock a takeover also takes, so a superseded beat cannot slip in after it
        const locked = await tx.$queryRaw<{ epoch: number }[]>`SELECT "epoch" FROM "Agent" WHERE "id" = ${agent.id}::uuid FOR UPDATE`;
        assertCurrentEpoch({ name: agent.name, epoch: locked[0]?.epoch ?? agent.epoch }, epoch);
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
