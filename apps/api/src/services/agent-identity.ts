import { AGENT_EPOCH_HEADER } from '@edgeproof/contracts';
import type { Db, Prisma } from '@edgeproof/db';
import type { FastifyRequest } from 'fastify';
import { AppError, notFound } from '../errors.ts';

type AgentRow = Awaited<ReturnType<Db['agent']['findFirstOrThrow']>>;

/** The agent name the calling token is bound to (the auth plugin lets only such tokens reach agent routes). */
export function boundAgent(request: FastifyRequest): string {
  const agent = request.principal.agent;
  if (!agent) throw new AppError(403, 'forbidden', `${request.method} ${request.routeOptions.url} needs an agent token bound to an agent`);
  return agent;
}

/** The `Agent-Epoch` header: the fencing token the calling process got when it registered. */
export function callerEpoch(request: FastifyRequest): number {
  const raw = request.headers[AGENT_EPOCH_HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !/^\d{1,9}$/.test(value)) {
    throw new AppError(400, 'bad_request', `headers.${AGENT_EPOCH_HEADER}: required, the epoch from POST /v1/agents/register (a non-negative integer)`);
  }
  return Number(value);
}

/** Refuses a call from a process that another instance of its agent has taken over. */
export function assertCurrentEpoch(agent: Pick<AgentRow, 'name' | 'epoch'>, epoch: number): void {
  if (epoch !== agent.epoch) {
    throw new AppError(
      409,
      'superseded',
      `agent ${agent.name}: epoch ${epoch} is not the live instance's (${agent.epoch}); this process was taken over and must stop`,
      { epoch: agent.epoch },
    );
  }
}

/** The calling agent's row, checked to be its live instance. */
export async function callingAgent(db: Db | Prisma.TransactionClient, request: FastifyRequest): Promise<AgentRow> {
  const name = boundAgent(request);
  const epoch = callerEpoch(request);
  const agent = await db.agent.findUnique({ where: { name } });
  if (!agent) throw notFound(`agent ${name} (register it first)`);
  assertCurrentEpoch(agent, epoch);
  return agent;
}

export interface InstanceClaim {
  instanceId: string;
  takeover: boolean;
  /** an instance silent for this long is dead and may be replaced without takeover */
  offlineAfterMs: number;
  now: Date;
}

/**
 * Decides which process is the agent's live instance, under a lock on the agent row so that two
 * processes registering at once cannot both win. Returns the epoch the caller must carry.
 */
export async function claimInstance(tx: Prisma.TransactionClient, agentId: string, claim: InstanceClaim): Promise<number> {
  const rows = await tx.$queryRaw<{ instanceId: string | null; epoch: number; lastHeartbeatAt: Date; name: string }[]>`
    SELECT "instanceId", "epoch", "lastHeartbeatAt", "name" FROM "Agent" WHERE "id" = ${agentId}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row) throw notFound(`agent ${agentId}`);
  if (row.instanceId === claim.instanceId) return row.epoch;
  const silentMs = claim.now.getTime() - row.lastHeartbeatAt.getTime();
  if (row.instanceId && silentMs < claim.offlineAfterMs && !claim.takeover) {
    throw new AppError(
      409,
      'conflict',
      `agent ${row.name} is live in another process (instance ${row.instanceId}, heard from ${Math.round(silentMs / 1000)} s ago): wait until it has been silent for ${Math.round(claim.offlineAfterMs / 1000)} s, or register with takeover: true`,
      { instanceId: row.instanceId, retryAfterMs: Math.max(0, claim.offlineAfterMs - silentMs) },
    );
  }
  const epoch = row.epoch + 1;
  await tx.agent.update({ where: { id: agentId }, data: { instanceId: claim.instanceId, epoch } });
  return epoch;
}

/**
 * Re-checks the caller's epoch inside a transaction, holding the agent row (FOR SHARE) until it
 * commits: a takeover (FOR UPDATE) then waits for this write, or this write sees the new epoch.
 */
export async function holdCurrentEpoch(tx: Prisma.TransactionClient, agentName: string, epoch: number): Promise<void> {
  const rows = await tx.$queryRaw<{ epoch: number }[]>`SELECT "epoch" FROM "Agent" WHERE "name" = ${agentName} FOR SHARE`;
  const row = rows[0];
  if (!row) throw notFound(`agent ${agentName}`);
  assertCurrentEpoch({ name: agentName, epoch: row.epoch }, epoch);
}
