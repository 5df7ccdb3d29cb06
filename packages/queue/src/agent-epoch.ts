import type { Redis } from 'ioredis';

/** Where the current fencing epoch of an agent lives in Redis, read by the device-lease scripts. */
export function agentEpochKey(prefix: string, agentName: string): string {
  return `${prefix}:agent-epoch:${agentName}`;
}

// epochs only ever go up: a late or repeated write of an older epoch changes nothing
const RAISE = `local cur = tonumber(redis.call('get', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then redis.call('set', KEYS[1], ARGV[1]) return tonumber(ARGV[1]) end
return cur`;

/** Raises the agent's stored epoch to `epoch` (never lowers it); returns the epoch now stored. */
export async function raiseAgentEpoch(redis: Redis, prefix: string, agentName: string, epoch: number): Promise<number> {
  return Number(await redis.eval(RAISE, 1, agentEpochKey(prefix, agentName), String(epoch)));
}
